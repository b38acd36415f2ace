// An app with the instrumentation (spans over OTLP, metrics in an OpenMetrics registry served on
// /metrics). It prints its metrics URL first, waits for "go" on stdin (so that Prometheus scrapes it
// before any traffic), drives DURATION_MS of traffic against SIM_URL with 8 callers, prints
// "done <calls>" when the traffic is over, and serves /metrics until it is stopped.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { AnthropicInstrumentation, openMetricsRegistry, startMetricsServer } = require('claude-otel');

const registry = openMetricsRegistry();
const sdk = new NodeSDK({
  traceExporter: new OTLPTraceExporter(),
  // The governor would keep this load under the limits: this app shows the API's 429s as they come.
  instrumentations: [new AnthropicInstrumentation({ metrics: { registry }, governor: false })],
});
sdk.start();
const Anthropic = require('@anthropic-ai/sdk').default;

(async () => {
  const server = await startMetricsServer({ port: 0, registry });
  process.stdout.write(`${server.url}\n`);
  await new Promise((resolve) => {
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (text) => {
      if (text.includes('go')) resolve();
    });
  });
  const client = new Anthropic({ baseURL: process.env.SIM_URL, apiKey: 'k', maxRetries: 0, logLevel: 'off' });
  const until = Date.now() + Number(process.env.DURATION_MS ?? 6000);
  let calls = 0;
  const caller = async () => {
    while (Date.now() < until) {
      calls++;
      await client.messages
        .create({ model: 'claude-sonnet-5-5', max_tokens: 16, messages: [{ role: 'user', content: 'load' }] })
        .catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: 8 }, caller));
  await sdk.shutdown().catch(() => undefined);
  process.stdout.write(`done ${calls}\n`);
  process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
})();
