// instrumentation.cjs: load it before the app (node --require ./instrumentation.cjs app.cjs)
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { AnthropicInstrumentation, shutdownOnExit } = require('claude-otel');

const sdk = new NodeSDK({
  traceExporter: new OTLPTraceExporter(), // OTEL_EXPORTER_OTLP_ENDPOINT, default http://localhost:4318
  instrumentations: [new AnthropicInstrumentation()],
});
sdk.start();
shutdownOnExit(sdk); // flush the last spans at the end, and when the app crashes or is stopped
