import Anthropic from '@anthropic-ai/sdk';
import { claudeMiddleware } from '../../src';
import { governorCount } from '../../src/limit-groups';
import { type Simulator, startSimulator } from '../../src/simulator';
import { freshRegistry, sumBy } from '../support/metrics';
import { caught, clientFor } from '../support/sdk';

// One pace per limit the API keeps: organization x model group x speed. A throttle of one limit
// never holds the senders of another, and keys of one organization share its limits.

const HIGH = { requestsPerMinute: 1e7, inputTokensPerMinute: 1e10, outputTokensPerMinute: 1e10 };
const sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

async function simulator(options: Parameters<typeof startSimulator>[0] = {}) {
  const sim = await startSimulator({ limits: HIGH, latency: { responseMs: 5 }, ...options });
  sims.push(sim);
  return sim;
}

const call = (client: Anthropic, model: string, extra: Record<string, unknown> = {}) =>
  client.messages.create({
    model,
    max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }],
    ...extra,
  } as Anthropic.MessageCreateParamsNonStreaming);

/** ms from the first 429 the simulator sent to each later attempt of `model`. */
function after429(sim: Simulator, model: string): number[] {
  const attempts = sim.attempts();
  const limited = attempts.find((a) => a.status === 429);
  if (!limited) throw new Error('no 429 was sent');
  return attempts.filter((a) => a.model === model && a.at > limited.at).map((a) => a.at - limited.at);
}

describe('limit groups', () => {
  it("one model group's retry-after holds that group only: another model goes at once, the same group waits", async () => {
    const sim = await simulator();
    const middleware = [claudeMiddleware({ metrics: { registry: freshRegistry() } })];
    const client = clientFor(sim, { middleware, maxRetries: 0 });
    await call(client, 'claude-opus-4-5');
    sim.script({ kind: 'error', status: 429, retryAfterSeconds: 1 });
    expect(await caught(() => call(client, 'claude-opus-4-5'))).toBeInstanceOf(Anthropic.RateLimitError);
    // Haiku 4.5 is a group of its own; Opus 4.1 shares Opus 4.5's group (Opus 4.x).
    await call(client, 'claude-haiku-4-5');
    await call(client, 'claude-opus-4-1');
    const [haiku] = after429(sim, 'claude-haiku-4-5');
    const [opus] = after429(sim, 'claude-opus-4-1');
    expect(haiku).toBeLessThan(1000); // not held: a pause holds 1 s or more
    expect(opus).toBeGreaterThanOrEqual(1000);
  });

  it('a fast-mode 429 holds neither standard traffic nor counts as an acceleration spike', async () => {
    // Fast mode's output limit holds one request of max_tokens 550 at a time (600 a minute).
    const sim = await simulator({
      limitShape: { fast: { outputTokensPerMinute: 600, burstSeconds: 60 } },
      latency: { responseMs: 50 },
    });
    const registry = freshRegistry();
    const middleware = [claudeMiddleware({ metrics: { registry } })];
    const client = clientFor(sim, { middleware, maxRetries: 0 });
    await call(client, 'claude-opus-4-5'); // the organization is known, the cold start over
    const fast = { max_tokens: 550, speed: 'fast' };
    const results = await Promise.allSettled([
      call(client, 'claude-opus-4-5', fast),
      call(client, 'claude-opus-4-5', fast),
    ]);
    const refused = results.find((r) => r.status === 'rejected');
    if (refused?.status !== 'rejected') throw new Error('no fast request was refused');
    expect(refused.reason).toBeInstanceOf(Anthropic.RateLimitError);
    const headers = (refused.reason as InstanceType<typeof Anthropic.RateLimitError>).headers;
    expect(Number(headers?.get('anthropic-fast-output-tokens-remaining'))).toBeLessThan(550);
    await call(client, 'claude-opus-4-5');
    expect(after429(sim, 'claude-opus-4-5').at(-1)).toBeLessThan(1000); // not held: a pause holds 1 s or more
    // The series exists (made at 0 with the first 429 of the model), and nothing was counted.
    expect(await sumBy(registry, 'anthropic_acceleration_limit_spikes_total', 'model')).toEqual({
      'claude-opus-4-5': 0,
    });
    expect(await sumBy(registry, 'anthropic_governor_pauses_total', 'x')).toEqual({ '': 0 });
  });

  it("a token limit's 429 is retried from the gate when the tokens are back, not after its retry-after", async () => {
    // 600 output tokens a minute: 500 reserved by one request leave too few for a second one,
    // and the API's retry-after for it (the refill alone: ~40 s) is far longer than the first
    // request takes to give back what it did not use (~300 ms).
    const sim = await simulator({
      limits: { ...HIGH, outputTokensPerMinute: 600, burstSeconds: 60 },
      latency: { responseMs: 300 },
    });
    const middleware = [claudeMiddleware({ metrics: { registry: freshRegistry() } })];
    const client = clientFor(sim, { middleware, maxRetries: 2 });
    const started = performance.now();
    await Promise.all([
      call(client, 'claude-sonnet-4-5', { max_tokens: 500 }),
      call(client, 'claude-sonnet-4-5', { max_tokens: 500 }),
    ]);
    expect(performance.now() - started).toBeLessThan(5000);
    const attempts = sim.attempts();
    expect(attempts.map((a) => a.status).sort()).toEqual([200, 200, 429]);
    expect(attempts.find((a) => a.status === 429)?.retryAfterSeconds).toBeGreaterThan(30);
  });

  it.each([
    ['shares one pace', 'org-sim', true],
    ['of another organization goes on', 'org-other', false],
  ])('a second key of the organization %s', async (_, secondOrg, waits) => {
    const sim = await simulator({ organizations: { 'sk-ant-one': 'org-sim', 'sk-ant-two': secondOrg } });
    const middleware = [claudeMiddleware({ metrics: { registry: freshRegistry() } })];
    const one = clientFor(sim, { middleware, apiKey: 'sk-ant-one', maxRetries: 0 });
    const two = clientFor(sim, { middleware, apiKey: 'sk-ant-two', maxRetries: 0 });
    // Each key's first response names its organization.
    await call(one, 'claude-sonnet-4-5');
    await call(two, 'claude-sonnet-4-5');
    sim.script({ kind: 'error', status: 429, retryAfterSeconds: 1 });
    expect(await caught(() => call(one, 'claude-sonnet-4-5'))).toBeInstanceOf(Anthropic.RateLimitError);
    await call(two, 'claude-sonnet-4-5');
    const [next] = after429(sim, 'claude-sonnet-4-5');
    if (waits) expect(next).toBeGreaterThanOrEqual(1000);
    else expect(next).toBeLessThan(1000); // not held: a pause holds 1 s or more
  });

  it('reports each limit apart: rate-limit gauges and governor state by model group and lane', async () => {
    const sim = await simulator({
      limitShape: {
        groups: { 'haiku-4.5': { requestsPerMinute: 1200 }, 'opus-4': { requestsPerMinute: 120 } },
        fast: { requestsPerMinute: 60 },
      },
    });
    const registry = freshRegistry();
    const client = clientFor(sim, {
      middleware: [claudeMiddleware({ metrics: { registry } })],
      maxRetries: 0,
    });
    await call(client, 'claude-haiku-4-5');
    await call(client, 'claude-opus-4-5');
    await call(client, 'claude-opus-4-5', { speed: 'fast' });
    // The responses of one group's limit never overwrite another's reading.
    const byLimit = async (name: string, resource?: string) => {
      const out: Record<string, number> = {};
      for (const v of (await registry.getSingleMetric(name)?.get())?.values ?? []) {
        const labels = v.labels as Record<string, string>;
        if (resource === undefined || labels.resource === resource)
          out[`${labels.model_group} ${labels.lane}`] = v.value;
      }
      return out;
    };
    expect(await byLimit('anthropic_ratelimit_limit', 'requests')).toEqual({
      'haiku-4.5 standard': 1200,
      'opus-4 standard': 120,
      'opus-4 fast': 60,
    });
    sim.script({ kind: 'error', status: 429, retryAfterSeconds: 30 });
    expect(await caught(() => call(client, 'claude-opus-4-5'))).toBeInstanceOf(Anthropic.RateLimitError);
    expect(await byLimit('anthropic_governor_paused')).toEqual({
      'haiku-4.5 standard': 0,
      'opus-4 standard': 1,
      'opus-4 fast': 0,
    });
    expect(await byLimit('anthropic_governor_pauses_total')).toEqual({
      'haiku-4.5 standard': 0,
      'opus-4 standard': 1,
      'opus-4 fast': 0,
    });
  });

  it('reports no governor state before a governor exists, and no fleet state without fleet mode', async () => {
    const sim = await simulator();
    const registry = freshRegistry();
    const client = clientFor(sim, { middleware: [claudeMiddleware({ metrics: { registry } })] });
    const samples = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values.length;
    // A 0 here would say "governs alone: Redis failed" and fire AnthropicFleetGovernorAlone.
    for (const name of ['anthropic_governor_fleet_connected', 'anthropic_governor_paused']) {
      expect(await samples(name)).toBe(0);
    }
    await call(client, 'claude-haiku-4-5');
    expect(await samples('anthropic_governor_paused')).toBe(1);
    expect(await samples('anthropic_governor_fleet_connected')).toBe(0);
  });

  it('says once, by its code, that two middlewares give one limit different governor options', async () => {
    const sim = await simulator();
    // Jest's sandbox keeps process events to itself: the call is watched instead.
    const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const registry = freshRegistry();
      const withQueue = (maxQueue: number) =>
        clientFor(sim, { middleware: [claudeMiddleware({ metrics: { registry }, governor: { maxQueue } })] });
      const [first, same, second] = [withQueue(100), withQueue(100), withQueue(200)];
      await call(first, 'claude-haiku-5-5');
      await call(same, 'claude-haiku-5-5');
      expect(emitted).not.toHaveBeenCalled();
      await call(second, 'claude-haiku-5-5');
      await call(second, 'claude-haiku-5-5');
      expect(emitted).toHaveBeenCalledTimes(1);
      const [message, options] = emitted.mock.calls[0] as [string, { code?: string }];
      expect(options.code).toBe('CLAUDE_OTEL_GOVERNOR_OPTIONS_CLASH');
      expect(message).toContain('"haiku-5.5"');
    } finally {
      emitted.mockRestore();
    }
  });

  it('paces long context (over 200K input tokens) apart: its retry-after holds only long-context calls', async () => {
    const sim = await simulator();
    const middleware = [claudeMiddleware({ metrics: { registry: freshRegistry() } })];
    const client = clientFor(sim, { middleware, maxRetries: 0 });
    const long = (text: string) =>
      client.messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: text }],
      });
    const big = 'w'.repeat(900_000); // ~225K tokens
    await long(big);
    sim.script({ kind: 'error', status: 429, retryAfterSeconds: 1 });
    expect(await caught(() => long(big))).toBeInstanceOf(Anthropic.RateLimitError);
    await call(client, 'claude-sonnet-4-5'); // standard context: its own limit, not held
    const [standard] = after429(sim, 'claude-sonnet-4-5');
    expect(standard).toBeLessThan(1000); // not held: a pause holds 1 s or more
    await long(big); // long context: held by its pause
    expect(after429(sim, 'claude-sonnet-4-5').at(-1)).toBeGreaterThanOrEqual(1000);
  });

  it('keeps the number of governors bounded: 300 rotated keys of one organization use one', async () => {
    const sim = await simulator();
    const middleware = [claudeMiddleware({ metrics: { registry: freshRegistry() } })];
    const before = governorCount();
    for (let i = 0; i < 300; i++) {
      const client = clientFor(sim, { middleware, apiKey: `sk-ant-rotated-${i}`, maxRetries: 0 });
      await call(client, 'claude-haiku-4-5');
    }
    // Each new key starts on a governor of its own until its response names the organization,
    // whose governor it then joins; the key's own is closed.
    expect(governorCount() - before).toBe(1);
    expect(sim.stats().attempts).toBe(300);
  });
});
