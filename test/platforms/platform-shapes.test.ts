import type { Middleware } from '@anthropic-ai/sdk';
import Anthropic from '@anthropic-ai/sdk';
import { claudeMiddleware } from '../../src';
import { startSimulator } from '../../src/simulator';
import { freshRegistry, sumBy } from '../support/metrics';
import { MESSAGE_JSON, type RawReply, startRawServer } from '../support/raw-server';
import { caught } from '../support/sdk';
import { startTracing } from '../support/tracing';

// The platform clients (AnthropicBedrock, AnthropicVertex) rewrite a request's path after every
// user middleware, and their services answer in their own shapes. A stand-in for that rewrite
// (the last middleware, as the platform's backend middleware is) against a server answering as
// the platform does: what claude-otel records must be the platform's facts, in the API's terms.

const BEDROCK_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const VERTEX_MODEL = 'claude-sonnet-4-5@20250929';

/** Rewrites `/v1/messages` as the platform client's backend middleware does. */
const rewrite =
  (to: (model: string) => string): Middleware =>
  (request, next, ctx) => {
    const model = (ctx.options?.body as { model?: string } | undefined)?.model ?? '';
    return next({ ...request, url: request.url.replace(/\/v1\/messages$/, to(model)) });
  };
const bedrock = rewrite((model) => `/model/${model}/invoke`);
const vertex = rewrite(
  (model) => `/projects/p-1/locations/us-east5/publishers/anthropic/models/${model}:rawPredict`,
);

const bedrockThrottled: RawReply = (_req, res) => {
  res.writeHead(429, {
    'content-type': 'application/json',
    'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
    'x-amzn-requestid': 'a1b2c3d4-0000-4000-8000-000000000001',
  });
  res.end(JSON.stringify({ message: 'Too many requests, please wait before trying again.' }));
};
const bedrockOk: RawReply = (_req, res) => {
  res.writeHead(200, {
    'content-type': 'application/json',
    'x-amzn-requestid': 'a1b2c3d4-0000-4000-8000-000000000002',
  });
  res.end(MESSAGE_JSON);
};
const vertexExhausted: RawReply = (_req, res) => {
  res.writeHead(429, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      error: {
        code: 429,
        message: 'Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model',
        status: 'RESOURCE_EXHAUSTED',
      },
    }),
  );
};

const tracing = startTracing();
afterAll(() => tracing.shutdown());
beforeEach(() => tracing.reset());

async function attemptsThrough(platform: Middleware, model: string, replies: RawReply[], base = '') {
  const raw = await startRawServer(...replies);
  try {
    const client = new Anthropic({
      baseURL: `${raw.url}${base}`,
      apiKey: 'sk-ant-unused',
      logLevel: 'off',
      maxRetries: replies.length - 1,
      middleware: [claudeMiddleware({ metrics: { registry: freshRegistry() } }), platform],
    });
    const outcome = await caught(() =>
      client.messages.create({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    ).catch(() => 'ok');
    return { outcome, spans: await tracing.waitForAttempts(replies.length), received: raw.received() };
  } finally {
    await raw.close();
  }
}

describe('Bedrock and Vertex AI facts, as the platforms send them', () => {
  it('Bedrock: a ThrottlingException is a rate_limit_error; model, request id, provider and the URL sent are recorded', async () => {
    const { spans, received } = await attemptsThrough(bedrock, BEDROCK_MODEL, [bedrockThrottled, bedrockOk]);
    expect(received).toBe(2);
    const [throttled, ok] = spans.map((s) => s.attributes);
    expect(throttled['error.type']).toBe('rate_limit_error');
    expect(throttled['gen_ai.operation.name']).toBe('chat');
    expect(throttled['gen_ai.request.model']).toBe(BEDROCK_MODEL);
    expect(throttled['gen_ai.provider.name']).toBe('aws.bedrock');
    expect(throttled['url.full']).toMatch(
      new RegExp(`/model/${BEDROCK_MODEL.replace(/[.:]/g, '\\$&')}/invoke$`),
    );
    expect(ok['gen_ai.provider.name']).toBe('aws.bedrock');
    expect(ok['error.type']).toBeUndefined();
    expect(Object.values(ok)).toContain('a1b2c3d4-0000-4000-8000-000000000002');
  });

  it('Vertex AI: a base URL ending in /v1 still names the operation chat; RESOURCE_EXHAUSTED is a rate_limit_error', async () => {
    const { spans } = await attemptsThrough(vertex, VERTEX_MODEL, [vertexExhausted, bedrockOk], '/v1');
    const [exhausted] = spans;
    expect(exhausted.name).toBe('POST /v1/messages');
    expect(exhausted.attributes['gen_ai.operation.name']).toBe('chat');
    expect(exhausted.attributes['error.type']).toBe('rate_limit_error');
    expect(exhausted.attributes['gen_ai.request.model']).toBe(VERTEX_MODEL);
    expect(exhausted.attributes['gen_ai.provider.name']).toBe('gcp.vertex_ai');
    expect(exhausted.attributes['url.full']).toMatch(/:rawPredict$/);
  });
});

describe('the governor where whose quota it is cannot be told', () => {
  it("Vertex AI (the Google token is added after every middleware): one project's retry-after holds no other call", async () => {
    const sim = await startSimulator({ latency: { responseMs: 5 } });
    try {
      const vertexBase = 'https://us-east5-aiplatform.googleapis.com/v1';
      // The platform client adds its credential after the middleware: a middleware before
      // claude-otel's takes the key away, so claude-otel sees what it would see there.
      const noCredential: Middleware = (request, next) => {
        const headers = new Headers(request.headers as ConstructorParameters<typeof Headers>[0]);
        headers.delete('x-api-key');
        headers.delete('authorization');
        return next({ ...request, headers });
      };
      const registry = freshRegistry();
      // ... and puts it back after, as the platform's backend middleware signs.
      const signs: Middleware = (request, next) => {
        const headers = new Headers(request.headers as ConstructorParameters<typeof Headers>[0]);
        headers.set('x-api-key', 'sk-ant-unused');
        return next({ ...request, headers });
      };
      const client = new Anthropic({
        baseURL: vertexBase,
        apiKey: 'sk-ant-unused',
        logLevel: 'off',
        maxRetries: 0,
        middleware: [noCredential, claudeMiddleware({ metrics: { registry } }), signs],
        // The service is the simulator, reached at the Vertex host's URL.
        fetch: (url, init) => fetch(String(url).replace(`${vertexBase}/v1/`, `${sim.url}/v1/`), init),
      });
      const call = () =>
        client.messages.create({
          model: VERTEX_MODEL,
          max_tokens: 16,
          messages: [{ role: 'user', content: 'hi' }],
        });
      await call();
      sim.script({ kind: 'error', status: 429, retryAfterSeconds: 1 });
      expect(await caught(call)).toBeInstanceOf(Anthropic.RateLimitError);
      await call();
      const attempts = sim.attempts();
      const limited = attempts.findIndex((a) => a.status === 429);
      // Not held: a pause would hold the next call 1 s or more.
      expect(attempts[limited + 1].at - attempts[limited].at).toBeLessThan(1000);
      // No governor runs, so none is reported (the gauges read 0 for a governor that did not exist).
      for (const name of ['anthropic_governor_allowed_requests_per_second', 'anthropic_governor_paused']) {
        expect((await registry.getSingleMetric(name)?.get())?.values).toEqual([]);
      }
      expect(await sumBy(registry, 'anthropic_attempts_total', 'status_code')).toEqual({
        '200': 2,
        '429': 1,
      });
    } finally {
      await sim.close();
    }
  });
});
