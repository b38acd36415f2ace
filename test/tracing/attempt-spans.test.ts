import Anthropic, { type Middleware } from '@anthropic-ai/sdk';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { claudeMiddleware } from '../../src';
import { URL_CACHE_LIMIT, urlCacheSize } from '../../src/attempt/attempt';
import { type Simulator, startSimulator } from '../../src/simulator';
import { MESSAGE_START, sse, startRawServer } from '../support/raw-server';
import { ask, caught, clientFor, MODEL, SDK_HAS_CALL_SPAN } from '../support/sdk';
import { allAttributeText, parentOf, startTracing } from '../support/tracing';

const tracing = startTracing();
let sim: Simulator;
const API_KEY = 'sk-ant-secret-never-in-telemetry';

function traced(options: ConstructorParameters<typeof Anthropic>[0] = {}) {
  return clientFor(sim, { apiKey: API_KEY, middleware: [claudeMiddleware()], ...options });
}

beforeAll(async () => {
  sim = await startSimulator({ retryAfterMs: false });
});
afterAll(async () => {
  await sim.close();
  await tracing.shutdown();
});
beforeEach(() => {
  sim.reset();
  tracing.reset();
});

describe('one span per HTTP attempt', () => {
  it('429 -> 529 -> 200: three attempt spans under the SDK call span (roots before SDK 0.134), attributes exact', async () => {
    sim.script({ kind: 'error', status: 429, retryAfterSeconds: 1 }, { kind: 'error', status: 529 });
    const message = await ask(traced({ maxRetries: 2 }));
    expect(message.type).toBe('message');

    const calls = tracing.calls();
    expect(calls.map((c) => c.name)).toEqual(SDK_HAS_CALL_SPAN ? ['anthropic.messages.create'] : []);
    const [call] = calls;
    const attempts = tracing.attempts();
    expect(attempts).toHaveLength(3);
    const truth = sim.attempts();
    const { port } = new URL(sim.url);
    for (const [i, span] of attempts.entries()) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      if (SDK_HAS_CALL_SPAN) {
        expect(parentOf(span)).toBe(call.spanContext().spanId);
        expect(span.spanContext().traceId).toBe(call.spanContext().traceId);
      } else {
        expect(parentOf(span)).toBeUndefined();
      }
      expect(span.attributes).toMatchObject({
        'http.request.method': 'POST',
        'url.full': `${sim.url}/v1/messages`,
        'server.address': '127.0.0.1',
        'server.port': Number(port),
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': MODEL,
        'http.response.status_code': truth[i].status,
        'anthropic.request.id': truth[i].requestId,
      });
    }
    const [first, second, third] = attempts;
    // Headroom on the failed attempts, where it explains the failure; not on the success (the default).
    for (const failed of [first, second]) {
      expect(failed.attributes['anthropic.ratelimit.requests.limit']).toBe(4000);
      expect(failed.attributes['anthropic.ratelimit.requests.remaining']).toEqual(expect.any(Number));
    }
    expect(Object.keys(third.attributes).filter((k) => k.startsWith('anthropic.ratelimit.'))).toEqual([]);
    expect(first.attributes).toMatchObject({
      'error.type': 'rate_limit_error',
      'anthropic.retryable': true,
      'anthropic.retry_after_ms': 1000,
    });
    expect(first.attributes['http.request.resend_count']).toBeUndefined();
    expect(first.attributes['anthropic.retry.backoff_ms']).toBeUndefined();
    expect(first.status.code).toBe(SpanStatusCode.ERROR);

    expect(second.attributes).toMatchObject({
      'error.type': 'overloaded_error',
      'http.request.resend_count': 1,
    });
    expect(second.attributes['anthropic.retry_after_ms']).toBeUndefined();
    // The SDK waited the advised 1 s before the second attempt.
    expect(second.attributes['anthropic.retry.backoff_ms']).toBeGreaterThanOrEqual(1000);
    expect(second.status.code).toBe(SpanStatusCode.ERROR);

    expect(third.attributes).toMatchObject({
      'http.request.resend_count': 2,
      'gen_ai.response.id': message.id,
      'gen_ai.usage.input_tokens': message.usage.input_tokens,
      'gen_ai.usage.output_tokens': message.usage.output_tokens,
      'gen_ai.response.finish_reasons': ['end_turn'],
    });
    // No retry-after on a 529: the SDK's own backoff, 0.5 s x [0.75, 1] at the second retry... at least 375 ms.
    expect(third.attributes['anthropic.retry.backoff_ms']).toBeGreaterThanOrEqual(375);
    expect(third.attributes['error.type']).toBeUndefined();
    expect(third.status.code).toBe(SpanStatusCode.UNSET);
    expect(allAttributeText(tracing.spans())).not.toContain(API_KEY);
  });

  (SDK_HAS_CALL_SPAN ? it : it.skip)(
    'an attempt span covers send to the end of the body; the SDK call span ends after it',
    async () => {
      await ask(traced());
      const [attempt] = tracing.attempts();
      const [call] = tracing.calls();
      // The order the spans ended in (the in-memory exporter receives each span as it ends).
      const order = tracing.spans().map((s) => s.name);
      expect(order.indexOf(attempt.name)).toBeLessThan(order.indexOf(call.name));
      // Their timestamps agree to within 1 ms: the OpenTelemetry SDK anchors each span's clock on
      // Date.now() (whole milliseconds) when the span starts, so two spans' clocks differ by up to 1 ms.
      const end = (s: typeof call) => BigInt(s.endTime[0]) * 1_000_000_000n + BigInt(s.endTime[1]);
      expect(end(attempt)).toBeLessThanOrEqual(end(call) + 1_000_000n);
    },
  );

  it('ramp_limit_exceeded and spend limit carry their error code; the spend limit is not retryable', async () => {
    sim.script(
      { kind: 'error', status: 429, errorCode: 'ramp_limit_exceeded', retryAfterSeconds: 1 },
      { kind: 'error', status: 429, errorCode: 'enforced_spend_limit_reached' },
    );
    await caught(() => ask(traced({ maxRetries: 0 })));
    await caught(() => ask(traced({ maxRetries: 0 })));
    const [ramp, spend] = tracing.attempts();
    expect(ramp.attributes).toMatchObject({
      'error.type': 'rate_limit_error',
      'anthropic.error.code': 'ramp_limit_exceeded',
      'anthropic.retryable': true,
    });
    expect(spend.attributes).toMatchObject({
      'error.type': 'rate_limit_error',
      'anthropic.error.code': 'enforced_spend_limit_reached',
      'anthropic.retryable': false,
    });
    expect(spend.attributes['anthropic.retry_after_ms']).toBeUndefined();
  });

  it.each([
    [413, '413', false],
    [502, '502', true],
  ])(
    'an HTML %i has no error type in its body: error.type is the status',
    async (status, type, retryable) => {
      sim.script({ kind: 'error', status });
      await caught(() => ask(traced({ maxRetries: 0 })));
      expect(tracing.attempts()[0].attributes).toMatchObject({
        'http.response.status_code': status,
        'error.type': type,
        'anthropic.retryable': retryable,
      });
    },
  );

  it('a connection reset is a connection_error with no status', async () => {
    sim.script({ kind: 'connection-reset' });
    const error = await caught(() => ask(traced({ maxRetries: 0 })));
    expect(error).toBeInstanceOf(Anthropic.APIConnectionError);
    const [span] = tracing.attempts();
    expect(span.attributes['error.type']).toBe('connection_error');
    expect(span.attributes['http.response.status_code']).toBeUndefined();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('a timeout before headers is error.type timeout', async () => {
    const slow = await startSimulator({ latency: { responseMs: 2000 } });
    try {
      const client = clientFor(slow, { middleware: [claudeMiddleware()], maxRetries: 0, timeout: 100 });
      // APIConnectionTimeoutError (a subclass), except under jest with SDKs before 1.0, where the
      // abort loses its class crossing jest's realm.
      expect(await caught(() => ask(client))).toBeInstanceOf(Anthropic.APIConnectionError);
      expect(tracing.attempts()[0].attributes['error.type']).toBe('timeout');
    } finally {
      await slow.close();
    }
  });

  it('an abort by the caller is recorded, and is not an error', async () => {
    const slow = await startSimulator({ latency: { responseMs: 2000 } });
    try {
      const controller = new AbortController();
      // An outer middleware aborts once the attempt is under way: no timing guesswork.
      const abortWhenSent: Middleware = (request, next) => {
        const sent = next(request);
        controller.abort();
        return sent;
      };
      const client = clientFor(slow, { middleware: [abortWhenSent, claudeMiddleware()], maxRetries: 0 });
      const call = client.messages.create(
        { model: MODEL, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
        { signal: controller.signal },
      );
      expect(await caught(() => call)).toBeInstanceOf(Anthropic.APIUserAbortError);
      const [span] = await tracing.waitForAttempts(1);
      expect(span.attributes['anthropic.aborted']).toBe(true);
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      expect(span.attributes['error.type']).toBeUndefined();
    } finally {
      await slow.close();
    }
  });

  it("rateLimitAttributes: 'every' puts the headroom on successful attempts too, read from their headers", async () => {
    const client = traced({
      maxRetries: 0,
      middleware: [claudeMiddleware({ rateLimitAttributes: 'every' })],
    });
    const { response } = await client.messages
      .create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    const [span] = await tracing.waitForAttempts(1);
    const header = (name: string) => Number(response.headers.get(`anthropic-ratelimit-${name}`));
    expect(span.attributes).toMatchObject({
      'anthropic.ratelimit.requests.limit': header('requests-limit'),
      'anthropic.ratelimit.requests.remaining': header('requests-remaining'),
      'anthropic.ratelimit.tokens.limit': header('tokens-limit'),
      'anthropic.ratelimit.tokens.remaining': header('tokens-remaining'),
      'anthropic.ratelimit.input_tokens.limit': header('input-tokens-limit'),
      'anthropic.ratelimit.input_tokens.remaining': header('input-tokens-remaining'),
      'anthropic.ratelimit.output_tokens.limit': header('output-tokens-limit'),
      'anthropic.ratelimit.output_tokens.remaining': header('output-tokens-remaining'),
    });
  });

  it('garbage headers are ignored, not trusted: the attempt is still classified by its body', async () => {
    sim.script({ kind: 'garbage-headers', status: 429 });
    const error = await caught(() => ask(traced({ maxRetries: 0 })));
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const [span] = tracing.attempts();
    expect(span.attributes).toMatchObject({
      'error.type': 'rate_limit_error',
      'http.response.status_code': 429,
    });
    expect(span.attributes['anthropic.retry_after_ms']).toBeUndefined();
    expect(span.attributes['anthropic.request.id']).toBeUndefined();
    expect(Object.keys(span.attributes).filter((k) => k.startsWith('anthropic.ratelimit.'))).toEqual([]);
  });

  it('a 200 whose JSON body is cut off is invalid_response_body; the caller gets the SDK error as before', async () => {
    sim.script({ kind: 'malformed-body' });
    const error = await caught(() => ask(traced({ maxRetries: 0 })));
    expect(error.name).toBe('SyntaxError');
    const [span] = tracing.attempts();
    expect(span.attributes).toMatchObject({
      'error.type': 'invalid_response_body',
      'http.response.status_code': 200,
    });
  });

  it('count_tokens attempts are spans too', async () => {
    await traced().messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'count me' }] });
    expect(tracing.attempts()[0].attributes).toMatchObject({
      'gen_ai.operation.name': 'count_tokens',
      'url.full': `${sim.url}/v1/messages/count_tokens`,
    });
  });

  it('beta.messages is traced like messages', async () => {
    await traced().beta.messages.create({
      model: MODEL,
      max_tokens: 20,
      messages: [{ role: 'user', content: 'b' }],
    });
    expect(tracing.attempts()).toHaveLength(1);
  });

  it('two claude-otel middlewares on one client still give one span per attempt', async () => {
    await ask(traced({ middleware: [claudeMiddleware(), claudeMiddleware()] }));
    expect(tracing.attempts()).toHaveLength(1);
  });
});

describe('streams', () => {
  const params = { model: MODEL, max_tokens: 256, messages: [{ role: 'user' as const, content: 'stream' }] };

  it('the span stays open to the end of the stream, with time to first chunk and usage', async () => {
    const slow = await startSimulator({ latency: { firstTokenMs: 120, deltaMs: 20 } });
    try {
      const stream = clientFor(slow, { middleware: [claudeMiddleware()] }).messages.stream(params);
      const final = await stream.finalMessage();
      const [span] = tracing.attempts();
      expect(span.attributes).toMatchObject({
        'anthropic.stream': true,
        'gen_ai.usage.input_tokens': final.usage.input_tokens,
        'gen_ai.usage.output_tokens': final.usage.output_tokens,
        'gen_ai.response.finish_reasons': ['end_turn'],
        'http.response.status_code': 200,
      });
      const ttfc = span.attributes['gen_ai.response.time_to_first_chunk'] as number;
      expect(ttfc).toBeGreaterThanOrEqual(0.12);
      const deltas = Math.ceil(final.usage.output_tokens / 3);
      const durationMs = span.duration[0] * 1000 + span.duration[1] / 1e6;
      // The span lasted through every delta, not just to the headers.
      expect(durationMs).toBeGreaterThanOrEqual(120 + 20 * (deltas - 1));
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
    } finally {
      await slow.close();
    }
  });

  it('a mid-stream overloaded_error is the attempt error.type, with status ERROR', async () => {
    sim.script({ kind: 'mid-stream-error', afterDeltas: 2 });
    const error = await caught(() => traced().messages.stream(params).finalMessage());
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
    const [span] = tracing.attempts();
    expect(span.attributes).toMatchObject({
      'http.response.status_code': 200,
      'error.type': 'overloaded_error',
      'anthropic.retryable': true,
    });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('an overloaded_error before the first content delta is retried: the caller gets a normal stream, 2 attempt spans', async () => {
    sim.script({ kind: 'mid-stream-error', afterDeltas: 0 });
    const plain = await caught(() =>
      clientFor(sim, { maxRetries: 2 }).messages.stream(params).finalMessage(),
    );
    expect((plain as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error'); // the SDK alone
    sim.reset();
    tracing.reset();
    sim.script({ kind: 'mid-stream-error', afterDeltas: 0 });
    const message = await traced({ maxRetries: 2 }).messages.stream(params).finalMessage();
    expect(message.stop_reason).toBe('end_turn');
    expect(sim.stats().attempts).toBe(2);
    const [first, second] = await tracing.waitForAttempts(2);
    expect(first.attributes).toMatchObject({
      'http.response.status_code': 200,
      'error.type': 'overloaded_error',
      'anthropic.retryable': true,
    });
    expect(second.attributes['error.type']).toBeUndefined();
    expect(second.attributes['http.request.resend_count']).toBe(1);
    expect(second.attributes['gen_ai.usage.output_tokens']).toBe(message.usage.output_tokens);
  });

  it('an error after the first content delta is never retried: the caller gets it, as without claude-otel', async () => {
    sim.script({ kind: 'mid-stream-error', afterDeltas: 1 });
    const error = await caught(() => traced({ maxRetries: 2 }).messages.stream(params).finalMessage());
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
    expect(sim.stats().attempts).toBe(1);
    expect(tracing.attempts()).toHaveLength(1);
  });

  it('with retryEarlyStreamErrors: false, an early error reaches the caller as without claude-otel', async () => {
    sim.script({ kind: 'mid-stream-error', afterDeltas: 0 });
    const client = clientFor(sim, {
      maxRetries: 2,
      middleware: [claudeMiddleware({ retryEarlyStreamErrors: false })],
    });
    const error = await caught(() => client.messages.stream(params).finalMessage());
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
    expect(sim.stats().attempts).toBe(1);
  });

  it('a stream whose connection is cut mid-way is a connection_error', async () => {
    sim.script({ kind: 'stall', afterDeltas: 1, durationMs: 30 });
    await caught(() => traced().messages.stream(params).finalMessage());
    expect(tracing.attempts()[0].attributes['error.type']).toBe('connection_error');
  });

  it('breaking out of a stream is an abort by the caller, not an error', async () => {
    const stream = await traced().messages.create({ ...params, stream: true });
    for await (const event of stream) {
      if (event.type === 'content_block_delta') break;
    }
    const [span] = await tracing.waitForAttempts(1);
    expect(span.attributes['anthropic.aborted']).toBe(true);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a middleware outside claude-otel that reads the stream through its reader (a clone, getReader) gets every byte once, as without claude-otel', async () => {
    // Copies the body through `clone()` (a tee: read with the body's reader), or reads it whole
    // with `getReader()` and hands on a new Response: the ways a middleware reads a stream.
    const copies: Promise<string>[] = [];
    const cloneTypes: (string | null)[] = [];
    const cloning: Middleware = async (request, next) => {
      const response = await next(request);
      const copy = response.clone();
      cloneTypes.push(copy.headers.get('content-type'));
      copies.push(copy.text());
      return response;
    };
    const rereading: Middleware = async (request, next) => {
      const response = await next(request);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const chunks: Uint8Array[] = [];
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
        chunks.push(chunk.value);
      const text = Buffer.concat(chunks).toString('utf8');
      copies.push(Promise.resolve(text));
      return new Response(text, response);
    };
    const run = async (outer: Middleware, traced: boolean) => {
      const middleware = traced ? [outer, claudeMiddleware()] : [outer];
      const message = await clientFor(sim, { middleware }).messages.stream(params).finalMessage();
      return { message, copy: await copies[copies.length - 1] };
    };
    for (const outer of [cloning, rereading]) {
      const plain = await run(outer, false);
      tracing.reset();
      const observed = await run(outer, true);
      expect(observed.copy).toHaveLength(plain.copy.length);
      expect(observed.copy.split('\n\n').length).toBe(plain.copy.split('\n\n').length);
      expect(observed.message.content).toEqual(plain.message.content);
      const [span] = await tracing.waitForAttempts(1);
      expect(span.attributes['error.type']).toBeUndefined();
      expect(span.attributes['anthropic.aborted']).toBeUndefined();
      expect(span.attributes['gen_ai.usage.output_tokens']).toBe(observed.message.usage.output_tokens);
      expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['end_turn']);
    }
    // The clone has the response's headers, as without claude-otel (plain first, then traced).
    expect(cloneTypes).toHaveLength(2);
    expect(cloneTypes[0]).toMatch(/^text\/event-stream/);
    expect(cloneTypes[1]).toBe(cloneTypes[0]);
  });

  it('a garbled stream is invalid_response_body', async () => {
    sim.script({ kind: 'malformed-body' });
    await caught(() => traced().messages.stream(params).finalMessage());
    expect(tracing.attempts()[0].attributes['error.type']).toBe('invalid_response_body');
  });

  it('a content delta that is not JSON is invalid_response_body, not a caller abort', async () => {
    const raw = await startRawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_raw' });
      res.end(
        sse([
          ['message_start', MESSAGE_START],
          [
            'content_block_start',
            '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
          ],
          ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"text_del'],
        ]),
      );
    });
    try {
      const error = await caught(() =>
        clientFor(raw, { middleware: [claudeMiddleware()], maxRetries: 0 })
          .messages.stream(params)
          .finalMessage(),
      );
      expect(error).toBeInstanceOf(Anthropic.AnthropicError); // "Could not parse message into JSON"
      const [span] = tracing.attempts();
      expect(span.attributes['error.type']).toBe('invalid_response_body');
      expect(span.attributes['anthropic.aborted']).toBeUndefined();
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
    } finally {
      await raw.close();
    }
  });
});

describe('the URL attribute cache', () => {
  it('stays bounded when every request has its own URL (batch polling, file ids)', async () => {
    // No governor: the earlier ramp-limit test armed this domain's ramp, which would pace these calls.
    const client = clientFor(sim, { maxRetries: 0, middleware: [claudeMiddleware({ governor: false })] });
    for (let i = 0; i < URL_CACHE_LIMIT + 50; i++) {
      await client.messages.batches.retrieve(`msgbatch_${i}`).catch(() => undefined);
    }
    expect(sim.stats().attempts).toBe(URL_CACHE_LIMIT + 50);
    expect(urlCacheSize()).toBeGreaterThan(0);
    expect(urlCacheSize()).toBeLessThanOrEqual(URL_CACHE_LIMIT);
  });
});
