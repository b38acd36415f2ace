import type { Middleware } from '@anthropic-ai/sdk';
import Anthropic from '@anthropic-ai/sdk';
import { claudeMiddleware, type GovernorConfig, GovernorRejectedError, type Signals } from '../../src';
import { type Simulator, startSimulator } from '../../src/simulator';
import { freshRegistry, histogramTotals, sumBy } from '../support/metrics';
import { ask, caught, clientFor, errorCodeOf, MODEL } from '../support/sdk';
import { startTracing } from '../support/tracing';

const tracing = startTracing();

const sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

/** A simulator with limits far above anything these tests send, so only scripted faults happen. */
async function simulator(options: Parameters<typeof startSimulator>[0] = {}) {
  const sim = await startSimulator({
    limits: { requestsPerMinute: 1e7, inputTokensPerMinute: 1e10, outputTokensPerMinute: 1e10 },
    ...options,
  });
  sims.push(sim);
  return sim;
}

/** A client with the governor (fresh metrics registry); `outer` runs around it and sees what the SDK will see. */
function governed(
  sim: Simulator,
  governor: GovernorConfig = {},
  options: { maxRetries?: number; outer?: Middleware } = {},
) {
  const registry = freshRegistry();
  const middleware = [claudeMiddleware({ metrics: { registry }, governor })];
  if (options.outer) middleware.unshift(options.outer);
  const client = clientFor(sim, { middleware, maxRetries: options.maxRetries ?? 2 });
  return { client, registry, middleware };
}

const total = async (registry: ReturnType<typeof freshRegistry>, name: string, by = 'reason') =>
  sumBy(registry, name, by);

describe('the governor', () => {
  it('pauses every sender of the domain on one retry-after, never earlier than advised', async () => {
    const sim = await simulator();
    sim.script({ kind: 'error', status: 429, retryAfterSeconds: 1 });
    let sawRateLimit!: () => void;
    const rateLimited = new Promise<void>((resolve) => {
      sawRateLimit = resolve;
    });
    // Outside claude-otel's middleware: by the time it sees the 429, the governor has paused.
    const outer: Middleware = async (request, next) => {
      const response = await next(request);
      if (response.status === 429) sawRateLimit();
      return response;
    };
    const { client, registry, middleware } = governed(sim, { overloadSheddingK: 0 }, { outer });
    const other = clientFor(sim, { middleware }); // another client, same key and base URL
    const first = ask(client);
    await rateLimited;
    const second = ask(other);
    await Promise.all([first, second]);

    const attempts = sim.attempts();
    expect(attempts.map((a) => a.status)).toEqual([429, 200, 200]);
    const pausedAt = attempts[0].at;
    for (const later of attempts.slice(1)) expect(later.at - pausedAt).toBeGreaterThanOrEqual(1000);
    // The other client's attempt span says how long it was held.
    const held = tracing
      .attempts()
      .filter(
        (span) =>
          span.attributes['anthropic.request.id'] ===
          attempts.find((a) => a.retryCount === 0 && a.status === 200)?.requestId,
      );
    expect(held).toHaveLength(1);
    expect(held[0].attributes['anthropic.governor.wait_ms']).toBeGreaterThanOrEqual(990);
    expect((await histogramTotals(registry, 'anthropic_governor_wait_seconds')).count).toBe(3);
    // One pause, as long as the retry-after plus at most the 250 ms jitter.
    expect(await total(registry, 'anthropic_governor_pauses_total', 'x')).toEqual({ '': 1 });
    const [pausedSeconds] = Object.values(
      await total(registry, 'anthropic_governor_paused_seconds_total', 'x'),
    );
    expect(pausedSeconds).toBeGreaterThanOrEqual(1);
    expect(pausedSeconds).toBeLessThanOrEqual(1.25);
  });

  it('stops the SDK retrying what no retry can fix: the caller gets the spend-limit error after one attempt', async () => {
    const sim = await simulator();
    const spendLimit = { kind: 'error' as const, status: 429, errorCode: 'enforced_spend_limit_reached' };
    sim.script(spendLimit, spendLimit, spendLimit);
    const { client, registry } = governed(sim);
    const error = await caught(() => ask(client));
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(errorCodeOf(error)).toBe('enforced_spend_limit_reached');
    expect(sim.stats().attempts).toBe(1);
    expect(await total(registry, 'anthropic_governor_retry_vetoes_total')).toEqual({
      budget: 0,
      not_retryable: 1,
      retry_after_too_long: 0,
    });
    const [span] = tracing
      .attempts()
      .filter((s) => s.attributes['anthropic.request.id'] === sim.attempts()[0].requestId);
    expect(span.attributes['anthropic.governor.retry_veto']).toBe('not_retryable');

    // The same script without the governor: the SDK retries twice more, to no avail.
    sim.reset();
    sim.script(spendLimit, spendLimit, spendLimit);
    const plain = clientFor(sim, { middleware: [claudeMiddleware({ metrics: false, governor: false })] });
    expect(await caught(() => ask(plain))).toBeInstanceOf(Anthropic.RateLimitError);
    expect(sim.stats().attempts).toBe(3);
  });

  it('keeps retries within the budget: past it, the caller gets the real error at once', async () => {
    const sim = await simulator();
    const overloaded = { kind: 'error' as const, status: 529 };
    sim.script(overloaded, overloaded, overloaded, overloaded);
    // A budget of exactly one retry in the window.
    const { client, registry } = governed(sim, {
      retryBudget: { ratio: 0, minPerSecond: 0.1, windowMs: 10_000 },
      overloadSheddingK: 0,
    });
    for (let call = 0; call < 2; call++) {
      const error = await caught(() => ask(client));
      expect(error).toBeInstanceOf(Anthropic.InternalServerError);
      expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    }
    // Call 1: 529, retried (the one retry), 529 vetoed. Call 2: 529 vetoed.
    expect(sim.attempts().map((a) => a.retryCount)).toEqual([0, 1, 0]);
    expect(await total(registry, 'anthropic_governor_retry_vetoes_total')).toEqual({
      budget: 2,
      not_retryable: 0,
      retry_after_too_long: 0,
    });
  });

  it('bounds the queue, an abort leaves it at once, and a pause holds the rest until it ends; nothing else is sent', async () => {
    const sim = await simulator();
    sim.script({ kind: 'error', status: 429, retryAfterSeconds: 1 });
    const { client, registry } = governed(sim, { maxQueue: 2, maxWaitMs: 5000 }, { maxRetries: 0 });
    expect(await caught(() => ask(client))).toBeInstanceOf(Anthropic.RateLimitError);

    // Paused for 1 s now (the model's group): two calls queue, the third is refused at once.
    const controller = new AbortController();
    const waiting = ask(client);
    const aborted = caught(() =>
      client.messages.create({ model: MODEL, max_tokens: 1, messages: [] }, { signal: controller.signal }),
    );
    const refused = await caught(() => ask(client));
    expect(refused).toBeInstanceOf(GovernorRejectedError);
    expect((refused as GovernorRejectedError).reason).toBe('queue_full');
    expect(refused.message).toMatch(/maxQueue/);
    expect(await total(registry, 'anthropic_governor_paused', 'x')).toEqual({ '': 1 });

    controller.abort();
    expect(await aborted).toBeInstanceOf(Anthropic.APIUserAbortError);
    expect(sim.stats().attempts).toBe(1);
    // The pause (1 s plus jitter) is within the 5 s bound: the waiting call goes when it ends.
    expect((await waiting).type).toBe('message');

    expect(sim.stats().attempts).toBe(2);
    expect(await total(registry, 'anthropic_governor_rejected_total')).toEqual({
      queue_full: 1,
      wait_timeout: 0,
      overloaded: 0,
    });
    expect(await total(registry, 'anthropic_governor_queued_requests', 'x')).toEqual({ '': 0 });
    expect(await total(registry, 'anthropic_governor_paused', 'x')).toEqual({ '': 0 });
  });

  it('against an acceleration limit: one ramp 429 arms it, it learns the floor from what the API served, and no second is over', async () => {
    const sim = await simulator({
      latency: { responseMs: 20 },
      acceleration: { shortWindowMs: 1000, baselineWindowMs: 10_000, growth: 0.5, floorPerSecond: 5 },
    });
    const { client } = governed(sim);
    // 20 calls, 10 at a time: the API admits 5 a second (its floor; the governor's default is 4).
    let next = 0;
    const worker = async () => {
      while (next < 20) {
        next++;
        await ask(client);
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    const attempts = sim.attempts();
    const served = attempts.filter((a) => a.status === 200).map((a) => a.at);
    expect(served).toHaveLength(20);
    const ramp = attempts.filter((a) => a.errorCode === 'ramp_limit_exceeded');
    // The cold start's burst meets the limit; once armed, nothing more does.
    expect(ramp.length).toBeGreaterThanOrEqual(1);
    const armedAt = Math.min(...ramp.map((a) => a.at));
    expect(ramp.every((a) => a.at < armedAt + 1000)).toBe(true);
    // The most served in any one second is the API's floor of 5 (learned), never more.
    const most = Math.max(...served.map((at) => served.filter((t) => t > at - 1000 && t <= at).length));
    expect(most).toBe(5);
  });

  it('slows nothing while the API is healthy: every attempt goes at once', async () => {
    const sim = await simulator();
    const { client, registry } = governed(sim);
    // Once the domain has answered (before that, the cold-start pace applies), 40 at once.
    await ask(client);
    await Promise.all(Array.from({ length: 40 }, () => ask(client)));
    expect(await histogramTotals(registry, 'anthropic_governor_wait_seconds')).toEqual({ count: 41, sum: 0 });
    expect(sim.stats().attempts).toBe(41);
  });

  it('sheds load locally while the signals say most attempts are overloaded (SRE throttling)', async () => {
    const sim = await simulator();
    let firstRead!: () => void;
    const read = new Promise<void>((resolve) => {
      firstRead = resolve;
    });
    const signals: Signals = {
      windowSeconds: 30,
      attempts: 10,
      rateLimited: 0,
      overloaded: 10,
      accelerationLimited: 0,
      retries: 0,
    };
    const { client, registry } = governed(sim, {
      controlIntervalMs: 10,
      overloadSheddingK: 2, // off by default: it refuses calls the SDK alone might complete
      signals: {
        read() {
          queueMicrotask(firstRead);
          return signals;
        },
      },
    });
    // The governor (and its control loop) starts with the domain's first call.
    await ask(client);
    await read;
    await new Promise((resolve) => setImmediate(resolve));
    const results = await Promise.allSettled(Array.from({ length: 49 }, () => ask(client)));
    const shed = results.filter(
      (r) =>
        r.status === 'rejected' &&
        r.reason instanceof GovernorRejectedError &&
        r.reason.reason === 'overloaded',
    ).length;
    // p = (300 - 0) / 301, capped at 0.9: some calls went, most were shed, none lost.
    expect(shed).toBeGreaterThan(25);
    expect(shed + sim.stats().attempts).toBe(50);
    expect(await total(registry, 'anthropic_governor_rejected_total')).toEqual({
      queue_full: 0,
      wait_timeout: 0,
      overloaded: shed,
    });
  });
});

describe('the governor over a long chaos run', () => {
  it('loses no call, and its metrics equal what it did', async () => {
    const sim = await startSimulator({ scenario: 'chaos', seed: 11 });
    sims.push(sim);
    let vetoed = 0;
    const outer: Middleware = async (request, next) => {
      const response = await next(request);
      // The simulator never sends x-should-retry: every `false` the SDK sees is a veto.
      if (response.headers.get('x-should-retry') === 'false') vetoed++;
      return response;
    };
    const { client, registry } = governed(sim, {}, { outer });
    const calls = 150;
    let next = 0;
    const settled: PromiseSettledResult<unknown>[] = [];
    const worker = async () => {
      while (next < calls) {
        const i = next++;
        const call =
          i % 3 === 0
            ? client.messages
                .stream({
                  model: 'claude-sonnet-5-5',
                  max_tokens: 64,
                  messages: [{ role: 'user', content: `s${i}` }],
                })
                .finalMessage()
            : ask(client, `c${i}`);
        settled.push(...(await Promise.allSettled([call])));
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));

    expect(settled).toHaveLength(calls);
    const refused = settled.filter(
      (r) => r.status === 'rejected' && r.reason instanceof GovernorRejectedError,
    ).length;
    const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    expect(sum(await total(registry, 'anthropic_governor_rejected_total'))).toBe(refused);
    expect(sum(await total(registry, 'anthropic_governor_retry_vetoes_total'))).toBe(vetoed);
    const attempts = sim.stats().attempts;
    expect(sum(await total(registry, 'anthropic_attempts_total', 'status_code'))).toBe(attempts);
    expect((await histogramTotals(registry, 'anthropic_governor_wait_seconds')).count).toBe(attempts);
  });
});
