// instrumentation.cjs: load it before the app (node --require ./instrumentation.cjs app.cjs)
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { AnthropicInstrumentation } = require('claude-otel');

const sdk = new NodeSDK({
  traceExporter: new OTLPTraceExporter(), // OTEL_EXPORTER_OTLP_ENDPOINT, default http://localhost:4318
  instrumentations: [new AnthropicInstrumentation()],
});
sdk.start();
process.once('beforeExit', () => sdk.shutdown().catch(console.error)); // flush the last spans
