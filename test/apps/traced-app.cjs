// A CommonJS app that only registers the instrumentation with NodeSDK, then uses the SDK as usual.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { AnthropicInstrumentation } = require('claude-otel');

const sdk = new NodeSDK({
  serviceName: 'traced-app-cjs',
  traceExporter: new OTLPTraceExporter(),
  instrumentations: [new AnthropicInstrumentation()],
});
sdk.start();

const Anthropic = require('@anthropic-ai/sdk');
const { runPlan } = require('./plan.cjs');

runPlan(Anthropic.default, process.env.PLAN, process.env.SIM_URL).then(async (results) => {
  process.stdout.write(`${JSON.stringify(results)}\n`);
  await sdk.shutdown().catch(() => undefined);
});
