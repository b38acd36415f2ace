// Registers the instrumentation, then loads the @anthropic-ai/sdk installed under SDK_ROOT (a
// copy of the real SDK labelled with another version) for two clients, and makes one call with
// each. Prints how many attempt spans ended; stderr carries whatever claude-otel said.
const { join } = require('node:path');
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { AnthropicInstrumentation } = require('claude-otel');

const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor(exporter);
const sdk = new NodeSDK({
  spanProcessors: [processor],
  instrumentations: [new AnthropicInstrumentation({ metrics: false })],
});
sdk.start();

const Anthropic = require(join(process.env.SDK_ROOT, 'node_modules', '@anthropic-ai', 'sdk')).default;
(async () => {
  for (const question of ['first client', 'second client']) {
    const client = new Anthropic({ baseURL: process.env.SIM_URL, apiKey: 'k', logLevel: 'off' });
    await client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 8,
      messages: [{ role: 'user', content: question }],
    });
  }
  await processor.forceFlush(); // exports wait for the resource detectors
  const attempts = exporter
    .getFinishedSpans()
    .filter((s) => s.instrumentationScope.name === 'claude-otel').length;
  process.stdout.write(`${JSON.stringify({ attempts })}\n`);
  await sdk.shutdown();
})();
