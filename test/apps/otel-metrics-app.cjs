// An app that exports OpenTelemetry metrics over OTLP (NodeSDK with a metric reader), as teams
// whose metrics leave through a collector do; spans are not exported. Runs PLAN against SIM_URL,
// prints what the caller saw as JSON, then shuts NodeSDK down (the final export holds the totals).
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http');
const { PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { Registry } = require('prom-client');
const { AnthropicInstrumentation } = require('claude-otel');

const sdk = new NodeSDK({
  serviceName: 'otel-metrics-app',
  metricReader: new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter(),
    exportIntervalMillis: 600_000,
  }),
  instrumentations: [new AnthropicInstrumentation({ metrics: { registry: new Registry() } })],
});
sdk.start();

const Anthropic = require('@anthropic-ai/sdk');
const { runPlan } = require('./plan.cjs');

runPlan(Anthropic.default, process.env.PLAN, process.env.SIM_URL).then(async (results) => {
  process.stdout.write(`${JSON.stringify(results)}\n`);
  await sdk.shutdown();
});
