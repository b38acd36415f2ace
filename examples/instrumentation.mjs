// instrumentation.mjs: load it before the app (node --import ./instrumentation.mjs app.mjs)
import { register } from 'node:module';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AnthropicInstrumentation, shutdownOnExit } from 'claude-otel';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url); // OpenTelemetry's ESM loader hook
const sdk = new NodeSDK({
  traceExporter: new OTLPTraceExporter(),
  instrumentations: [new AnthropicInstrumentation()],
});
sdk.start();
shutdownOnExit(sdk); // flush the last spans at the end, and when the app crashes or is stopped
