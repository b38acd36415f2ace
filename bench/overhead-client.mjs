// One measured client process for bench/overhead.mjs. Several clients of the same SDK in one
// process, measured in interleaved batches so that drift (JIT tiers, heap growth, a busy
// neighbour) falls on all three alike:
//   off              the SDK with its tracing off (openTelemetry: false)
//   sdk              the SDK with its own tracing (one span per call)
//   sdk+passthrough  the same plus a middleware that only calls next(): the floor any middleware pays
//   sdk+bare-span    the same plus a middleware that only starts and ends one span with as many
//                    attributes as claude-otel's (22): the floor of a span per attempt
//   sdk+spans        the same plus claude-otel's middleware with spans only (no metrics, no governor)
//   sdk+claude-otel  the same plus claude-otel's middleware as it comes: spans, metrics and the governor
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

const api = require('@opentelemetry/api');
const Anthropic = require('@anthropic-ai/sdk').default;
const { claudeMiddleware } = require('claude-otel');
const base = { baseURL: values.url, apiKey: 'bench', maxRetries: 0, logLevel: 'off' };
const tracer = api.trace.getTracer('bench');
const bareSpan = async (request, next) => {
  const span = tracer.startSpan('attempt', {
    kind: api.SpanKind.CLIENT,
    attributes: {
      a1: 'POST',
      a2: request.url,
      a3: '127.0.0.1',
      a4: 1,
      a5: 'anthropic',
      a6: 'chat',
      a7: 'model',
    },
  });
  const response = await api.context.with(api.trace.setSpan(api.context.active(), span), () => next(request));
  span.setAttributes({
    b1: response.status,
    b2: 'req_x',
    b3: 1,
    b4: 2,
    b5: 3,
    b6: 4,
    b7: 5,
    b8: 6,
    b9: 7,
    b10: 8,
    b11: 'msg_x',
    b12: 'model',
    b13: ['end_turn'],
    b14: 10,
    b15: 20,
  });
  span.end();
  return response;
};
const clients = {
  off: new Anthropic({ ...base, openTelemetry: false }),
  sdk: new Anthropic(base),
  'sdk+passthrough': new Anthropic({ ...base, middleware: [async (request, next) => next(request)] }),
  'sdk+bare-span': new Anthropic({ ...base, middleware: [bareSpan] }),
  'sdk+spans': new Anthropic({
    ...base,
    middleware: [claudeMiddleware({ metrics: false, governor: false })],
  }),
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
