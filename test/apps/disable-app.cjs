// disable() takes the attempt spans away from every client; enable() brings them back.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { AnthropicInstrumentation } = require('claude-otel');

const instrumentation = new AnthropicInstrumentation();
const sdk = new NodeSDK({ traceExporter: new OTLPTraceExporter(), instrumentations: [instrumentation] });
sdk.start();

const Anthropic = require('@anthropic-ai/sdk').default;
const client = new Anthropic({ baseURL: process.env.SIM_URL, apiKey: 'k', logLevel: 'off' });
const ask = (content) =>
  client.messages.create({
    model: 'claude-sonnet-5-5',
    max_tokens: 8,
    messages: [{ role: 'user', content }],
  });

(async () => {
  await ask('enabled');
  instrumentation.disable();
  await ask('disabled');
  instrumentation.enable();
  await ask('enabled again');
  await sdk.shutdown();
})();
