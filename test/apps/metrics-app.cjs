// An app with the instrumentation (spans over OTLP, metrics in an OpenMetrics registry served on
// /metrics). It prints its metrics URL first, waits for "go" on stdin (so that Prometheus scrapes it
// before any traffic), drives DURATION_MS of traffic against SIM_URL with 8 callers, prints
// "done <calls>" when the traffic is over, and serves /metrics until it is stopped.
// GOVERNED=1 turns the governor on and makes the traffic mixed: two models, every other call a
// stream, SDK retries on (the operator kit's live test needs every metric to have data); with
// REDIS_URL the governor is in fleet mode (a fleet of one, for the dashboards' Fleet row).
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { AnthropicInstrumentation, openMetricsRegistry, startMetricsServer } = require('claude-otel');

const governed = process.env.GOVERNED === '1';
const registry = openMetricsRegistry();
const sdk = new NodeSDK({
  traceExporter: new OTLPTraceExporter(),
  // Ungoverned, this app shows the API's 429s as they come (the governor would keep the load under the limits).
  instrumentations: [
    new AnthropicInstrumentation({
      metrics: { registry },
      governor: governed
        ? { fleet: process.env.REDIS_URL ? { redis: process.env.REDIS_URL } : false }
        : false,
    }),
  ],
});
sdk.start();
const Anthropic = require('@anthropic-ai/sdk').default;

const MODELS = governed ? ['claude-sonnet-5-5', 'claude-haiku-5-5'] : ['claude-sonnet-5-5'];

(async () => {
  const server = await startMetricsServer({ port: 0, registry });
  process.stdout.write(`${server.url}\n`);
  await new Promise((resolve) => {
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (text) => {
      if (text.includes('go')) resolve();
    });
  });
  const client = new Anthropic({
    baseURL: process.env.SIM_URL,
    apiKey: 'k',
    maxRetries: governed ? 2 : 0,
    logLevel: 'off',
  });
  const until = Date.now() + Number(process.env.DURATION_MS ?? 6000);
  let calls = 0;
  const call = async (n) => {
    const body = {
      model: MODELS[n % MODELS.length],
      max_tokens: 16,
      messages: [{ role: 'user', content: 'load' }],
    };
    if (governed && n % 2 === 1) {
      for await (const _event of await client.messages.create({ ...body, stream: true })) {
        // Read the stream to its end.
      }
    } else {
      await client.messages.create(body);
    }
  };
  const caller = async () => {
    while (Date.now() < until) {
      calls++;
      await call(calls).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: 8 }, caller));
  await sdk.shutdown().catch(() => undefined);
  process.stdout.write(`done ${calls}\n`);
  process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
})();
