// The clients the overhead benchmarks compare, each the official SDK pointed at `url`:
//   off              the SDK with its tracing off (openTelemetry: false)
//   sdk              the SDK with its own tracing (one span per call)
//   sdk+undici       the same plus OpenTelemetry's own HTTP instrumentation (instrumentation-undici:
//                    one span per HTTP request, the natural peer of a span per attempt); it patches
//                    the process, so it runs in a process of its own
//   sdk+passthrough  the same plus a middleware that only calls next(): the floor any middleware pays
//   sdk+bare-span    the same plus a middleware that only starts one span with as many attributes
//                    as claude-otel's (22) and ends it when the body has been read (one wrapper
//                    around the SDK's json() or the stream's iterator): the floor of a span per attempt
//   sdk+spans        the same plus claude-otel's middleware with spans only (no metrics, no governor)
//   sdk+claude-otel  the same plus claude-otel's middleware as it comes: spans, metrics and the governor
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const VARIANTS = [
  'off',
  'sdk',
  'sdk+undici',
  'sdk+passthrough',
  'sdk+bare-span',
  'sdk+spans',
  'sdk+claude-otel',
];

/** Registers a tracer provider whose spans go to an exporter that drops them: the cost of tracing, not of a network. */
export function registerTracing(processor = 'batch') {
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
  const { SimpleSpanProcessor, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const exporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined };
  const spanProcessor =
    processor === 'simple' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ spanProcessors: [spanProcessor] });
  provider.register();
  return provider;
}

function bareSpan() {
  const api = require('@opentelemetry/api');
  const tracer = api.trace.getTracer('bench');
  return async (request, next, ctx) => {
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
    const response = await api.context.with(api.trace.setSpan(api.context.active(), span), () =>
      next(request),
    );
    // Ended when the body has been read, as a span per attempt must be (a stream's span lasts to
    // its end): the least observation there is, one wrapper around the way the SDK reads it.
    const end = () => {
      span.setAttributes(endAttributes(response));
      span.end();
    };
    const body = response.body;
    if (body && ctx.options?.stream) {
      const iterate = body[Symbol.asyncIterator];
      body[Symbol.asyncIterator] = function () {
        const iterator = iterate.call(this);
        const next = iterator.next;
        iterator.next = () =>
          next.call(iterator).then((chunk) => {
            if (chunk.done) end();
            return chunk;
          });
        return iterator;
      };
    } else {
      const json = response.json;
      response.json = () =>
        json.call(response).then((value) => {
          end();
          return value;
        });
    }
    return response;
  };
}

function endAttributes(response) {
  return {
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
  };
}

/** One client of the variant `name`; `provider` is the registered tracer provider (for undici). */
export function clientFor(name, url, provider) {
  const Anthropic = require('@anthropic-ai/sdk').default;
  const { claudeMiddleware } = require('claude-otel');
  const base = { baseURL: url, apiKey: 'bench', maxRetries: 0, logLevel: 'off' };
  // Experiments: claude-otel options merged into its variants (JSON), e.g. '{"retryEarlyStreamErrors":false}'.
  const extra = process.env.BENCH_CLAUDE_OTEL ? JSON.parse(process.env.BENCH_CLAUDE_OTEL) : {};
  const claude = (options) => claudeMiddleware({ ...options, ...extra });
  switch (name) {
    case 'off':
      return new Anthropic({ ...base, openTelemetry: false });
    case 'sdk':
      return new Anthropic(base);
    case 'sdk+undici': {
      const { registerInstrumentations } = require('@opentelemetry/instrumentation');
      const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici');
      registerInstrumentations({ instrumentations: [new UndiciInstrumentation()], tracerProvider: provider });
      return new Anthropic(base);
    }
    case 'sdk+passthrough':
      return new Anthropic({ ...base, middleware: [async (request, next) => next(request)] });
    case 'sdk+bare-span':
      return new Anthropic({ ...base, middleware: [bareSpan()] });
    case 'sdk+spans':
      return new Anthropic({ ...base, middleware: [claude({ metrics: false, governor: false })] });
    // Not in VARIANTS (run them with --variants): where the cost of the whole is.
    case 'sdk+spans+metrics':
      return new Anthropic({ ...base, middleware: [claude({ governor: false })] });
    case 'sdk+spans+governor':
      return new Anthropic({ ...base, middleware: [claude({ metrics: false })] });
    case 'sdk+claude-otel':
      return new Anthropic({ ...base, middleware: [claude({})] });
    default:
      throw new Error(`no client variant "${name}"; variants: ${VARIANTS.join(', ')}`);
  }
}

const params = {
  model: 'claude-sonnet-5-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'overhead' }],
};

/** Makes `total` calls through `client`, `concurrency` at a time. */
export async function drive(client, total, { stream = false, concurrency = 16 } = {}) {
  const call = stream
    ? () => client.messages.stream(params).finalMessage()
    : () => client.messages.create(params);
  let next = 0;
  const worker = async () => {
    while (next++ < total) await call();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
