// Loaded with `node --import ./register.mjs app.mjs`: the loader hook and NodeSDK, before the app.
import { register } from 'node:module';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AnthropicInstrumentation } from 'claude-otel';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const sdk = new NodeSDK({
  serviceName: 'traced-app-esm',
  traceExporter: new OTLPTraceExporter(),
  instrumentations: [new AnthropicInstrumentation()],
});
sdk.start();
globalThis.__otelSdk = sdk;
