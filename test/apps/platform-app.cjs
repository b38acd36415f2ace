// A CommonJS app that registers AnthropicInstrumentation with NodeSDK and loads only a platform
// package (@anthropic-ai/bedrock-sdk or vertex-sdk), which loads the SDK through its subpaths.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { AnthropicInstrumentation } = require('claude-otel');

const sdk = new NodeSDK({
  serviceName: 'platform-app-cjs',
  traceExporter: new OTLPTraceExporter(),
  instrumentations: [new AnthropicInstrumentation()],
});
sdk.start();

const platform = process.env.PLATFORM;
const Client =
  platform === 'bedrock'
    ? require('@anthropic-ai/bedrock-sdk').AnthropicBedrock
    : require('@anthropic-ai/vertex-sdk').AnthropicVertex;
const { runPlatformPlan } = require('./platform-plan.cjs');

runPlatformPlan(Client, platform, process.env.SIM_URL).then(async (results) => {
  const mainEntry = Object.keys(require.cache).some((file) =>
    /@anthropic-ai[\\/]sdk[\\/]index\.js$/.test(file),
  );
  process.stdout.write(`${JSON.stringify({ results, mainEntry })}\n`);
  await sdk.shutdown().catch(() => undefined);
});
