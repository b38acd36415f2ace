// One measured client process for bench/overhead.mjs. Three clients of the same SDK in one
// process, measured in interleaved batches so that drift (JIT tiers, heap growth, a busy
// neighbour) falls on all three alike:
//   off              the SDK with its tracing off (openTelemetry: false)
//   sdk              the SDK with its own tracing (one span per call)
//   sdk+spans        the same plus claude-otel's middleware with spans only (metrics: false)
//   sdk+claude-otel  the same plus claude-otel's middleware: spans and prom-client metrics
// Prints the client CPU time (user + system) per call of every batch, by variant.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { values } = parseArgs({
  options: {
    processor: { type: 'string', default: 'batch' },
    url: { type: 'string' },
    batches: { type: 'string', default: '20' },
    batch: { type: 'string', default: '400' },
    warmup: { type: 'string', default: '600' },
    concurrency: { type: 'string', default: '16' },
    stream: { type: 'boolean', default: false },
  },
});

const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { SimpleSpanProcessor, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
// Spans are built and handed to an exporter that drops them: the cost of tracing, not of a network.
const exporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined };
const spanProcessor =
  values.processor === 'simple' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
new NodeTracerProvider({ spanProcessors: [spanProcessor] }).register();

const Anthropic = require('@anthropic-ai/sdk').default;
const { claudeMiddleware } = require('claude-otel');
const base = { baseURL: values.url, apiKey: 'bench', maxRetries: 0, logLevel: 'off' };
const clients = {
  off: new Anthropic({ ...base, openTelemetry: false }),
  sdk: new Anthropic(base),
  'sdk+spans': new Anthropic({ ...base, middleware: [claudeMiddleware({ metrics: false })] }),
  'sdk+claude-otel': new Anthropic({ ...base, middleware: [claudeMiddleware()] }),
};
const params = {
  model: 'claude-sonnet-5-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'overhead' }],
};

async function drive(client, total) {
  const call = values.stream
    ? () => client.messages.stream(params).finalMessage()
    : () => client.messages.create(params);
  let next = 0;
  const worker = async () => {
    while (next++ < total) await call();
  };
  await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
}

for (const client of Object.values(clients)) await drive(client, Number(values.warmup));
const perCall = Object.fromEntries(Object.keys(clients).map((name) => [name, []]));
const size = Number(values.batch);
for (let b = 0; b < Number(values.batches); b++) {
  const names = Object.keys(clients);
  // Rotate the order every batch, so no variant always follows the same one.
  for (const name of names.map((_, i) => names[(i + b) % names.length])) {
    const before = process.cpuUsage();
    await drive(clients[name], size);
    const cpu = process.cpuUsage(before);
    perCall[name].push((cpu.user + cpu.system) / size);
  }
}
process.stdout.write(`${JSON.stringify(perCall)}\n`);
