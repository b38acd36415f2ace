import Anthropic from '@anthropic-ai/sdk';
import { type Simulator, startSimulator } from '../../src/simulator';
import { ask, caught, clientFor } from '../support/sdk';

type ApiError = InstanceType<typeof Anthropic.APIError>;

/** Settles every call, returning the value or the error of each. */
function settleAll<T>(calls: Promise<T>[]): Promise<(T | Error)[]> {
  return Promise.all(calls.map((call) => call.catch((error: Error) => error)));
}

describe('simulator: rate, acceleration and spend limits', () => {
  const sims: Simulator[] = [];
  const start = async (options: Parameters<typeof startSimulator>[0]) => {
    const sim = await startSimulator(options);
    sims.push(sim);
    return sim;
  };
  afterAll(() => Promise.all(sims.map((s) => s.close())));

  it('429 rate_limit_error once the request bucket is empty, retry-after computed from the refill', async () => {
    // Capacity 1, refilled one request per 10 s.
    const sim = await start({ limits: { requestsPerMinute: 6, burstSeconds: 10 } });
    const client = clientFor(sim, { maxRetries: 0 });
    await ask(client);
    const error = (await caught(() => ask(client))) as ApiError;
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.type).toBe('rate_limit_error');
    expect(error.errorCode).toBeNull();
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThanOrEqual(9);
    expect(Number(error.headers?.get('retry-after'))).toBeLessThanOrEqual(10);
    expect(error.headers?.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(error.requestID).toBe(sim.attempts()[1].requestId);
  });

  it('an input-token limit rejects a request larger than what is left', async () => {
    const sim = await start({ limits: { inputTokensPerMinute: 600, burstSeconds: 60 } });
    const client = clientFor(sim, { maxRetries: 0 });
    const long = 'word '.repeat(400); // about 500 input tokens
    await ask(client, long);
    const error = (await caught(() => ask(client, long))) as ApiError;
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(Number(error.headers?.get('anthropic-ratelimit-input-tokens-remaining'))).toBeLessThan(500);
  });

  it('the SDK honors retry-after: the retry waits at least the advised time and then succeeds', async () => {
    // Capacity 1, one request a second: of two concurrent calls one meets a 429 with retry-after 1.
    const sim = await start({ limits: { requestsPerMinute: 60, burstSeconds: 1 } });
    const client = clientFor(sim, { maxRetries: 2 });
    const results = await settleAll([ask(client), ask(client)]);
    expect(results.every((r) => !(r instanceof Error))).toBe(true);
    const attempts = sim.attempts();
    expect(attempts.map((a) => a.status)).toEqual([200, 429, 200]);
    expect(attempts[1].retryAfterSeconds).toBe(1);
    expect(attempts[2].retryCount).toBe(1);
    expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(1000);
  });

  it('acceleration: from a cold start only the floor passes; the rest get ramp_limit_exceeded', async () => {
    const sim = await start({ scenario: 'acceleration' });
    const client = clientFor(sim, { maxRetries: 0 });
    const results = await settleAll(Array.from({ length: 20 }, () => ask(client)));
    const errors = results.filter((r): r is ApiError => r instanceof Error);
    expect(results.length - errors.length).toBe(5);
    expect(errors).toHaveLength(15);
    for (const error of errors) {
      expect(error.constructor.name).toBe('RampLimitExceededError');
      expect(error).toBeInstanceOf(Anthropic.RateLimitError);
      expect(error.errorCode).toBe('ramp_limit_exceeded');
      expect(error.headers?.get('retry-after')).toBe('1');
      // Below its nominal limits: the headers still show capacity.
      expect(Number(error.headers?.get('anthropic-ratelimit-requests-remaining'))).toBeGreaterThan(0);
    }
    expect(sim.stats().byErrorCode).toEqual({ ramp_limit_exceeded: 15 });
  });

  it('spend limit: 429 enforced_spend_limit_reached without retry-after; the SDK still retries it', async () => {
    const sim = await start({ spendLimit: { afterRequests: 2 } });
    const client = clientFor(sim, { maxRetries: 2 });
    await ask(client);
    await ask(client);
    const error = (await caught(() => ask(client))) as ApiError;
    expect(error.constructor.name).toBe('EnforcedSpendLimitReachedError');
    expect(error.errorCode).toBe('enforced_spend_limit_reached');
    expect(error.headers?.get('retry-after')).toBeNull();
    const stats = sim.stats();
    expect(stats.byStatus).toEqual({ '200': 2, '429': 3 });
    expect(stats.byErrorCode).toEqual({ enforced_spend_limit_reached: 3 });
  });

  it('phases switch faults and limits on schedule; every attempt is answered by its own phase', async () => {
    const sim = await start({
      phases: [
        { name: 'calm', durationMs: 120 },
        { name: 'storm', durationMs: 120, faults: [{ kind: 'error', status: 529 }] },
        { name: 'tight', durationMs: 120, limits: { requestsPerMinute: 6, burstSeconds: 10 } },
      ],
    });
    const client = clientFor(sim, { maxRetries: 0 });
    const deadline = performance.now() + 800;
    while (performance.now() < deadline) await ask(client).catch(() => undefined);
    const seen = new Set<string>();
    for (const attempt of sim.attempts()) {
      seen.add(attempt.phase);
      if (attempt.phase === 'calm') expect(attempt.status).toBe(200);
      if (attempt.phase === 'storm')
        expect(attempt).toMatchObject({ status: 529, errorType: 'overloaded_error' });
      if (attempt.phase === 'tight') expect([200, 429]).toContain(attempt.status);
    }
    expect(seen).toEqual(new Set(['calm', 'storm', 'tight']));
    // The tight phase admits at most one request a visit (capacity 1, refill 1 per 10 s).
    const tight = sim.attempts().filter((a) => a.phase === 'tight' && a.status === 200);
    expect(tight.length).toBeLessThanOrEqual(3);
  });

  it('the same seed gives the same fault decisions; another seed differs', async () => {
    const run = async (seed: number) => {
      const sim = await start({ seed, faults: [{ kind: 'error', status: 529, probability: 0.5 }] });
      const client = clientFor(sim, { maxRetries: 0 });
      for (let i = 0; i < 40; i++) await ask(client).catch(() => undefined);
      return sim.attempts().map((a) => a.status);
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.filter((s) => s === 529).length).toBeGreaterThan(5);
    expect(a.filter((s) => s === 200).length).toBeGreaterThan(5);
  });
});
