import { ConcurrencyLimit } from './concurrency';
import { CubicRate } from './cubic-rate';
import { HeaderCap } from './header-cap';
import { LoadResponse } from './load-response';
import { Ramp } from './ramp';
import { RetryBudget } from './retry-budget';
import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('never lets more than burst + rate x time through', () => {
    const bucket = new TokenBucket(10, 2, 0);
    let sent = 0;
    for (let t = 0; t <= 1000; t += 1) {
      while (bucket.waitMs(t) === 0) {
        bucket.take(t);
        sent++;
      }
    }
    expect(sent).toBe(2 + 10);
  });

  it('is unlimited at an infinite rate', () => {
    const bucket = new TokenBucket(Number.POSITIVE_INFINITY, 1, 0);
    for (let i = 0; i < 100; i++) bucket.take(0);
    expect(bucket.waitMs(0)).toBe(0);
  });
});

describe('CubicRate', () => {
  it('is unlimited before the first throttle, cuts to 0.7x on one, and grows back past it on the CUBIC curve', () => {
    const rate = new CubicRate(0.7, 0.4, 0.5);
    expect(rate.rate(0, 0)).toBe(Number.POSITIVE_INFINITY);
    rate.throttled(0, Number.POSITIVE_INFINITY, 50, 500);
    expect(rate.rate(0, 50)).toBeCloseTo(35, 6);
    const k = Math.cbrt((50 * 0.3) / 0.4);
    expect(rate.rate(k * 1000, 50)).toBeCloseTo(50, 6);
    expect(rate.rate((k + 2) * 1000, 50)).toBeCloseTo(50 + 0.4 * 8, 6);
    // Never above twice what is actually being sent.
    expect(rate.rate(60_000, 10)).toBe(50);
  });

  it('does not cut on a 429 while nothing is known of the rate (no limit, no measurement)', () => {
    const rate = new CubicRate(0.7, 0.4, 0.5);
    rate.throttled(0, Number.POSITIVE_INFINITY, 0, 500);
    expect(rate.rate(0, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('takes a burst of 429s within the hold time as one signal', () => {
    const rate = new CubicRate(0.7, 0.4, 0.5);
    rate.throttled(0, Number.POSITIVE_INFINITY, 100, 500);
    rate.throttled(100, 70, 100, 500);
    const once = new CubicRate(0.7, 0.4, 0.5);
    once.throttled(0, Number.POSITIVE_INFINITY, 100, 500);
    expect(rate.rate(100, 100)).toBe(once.rate(100, 100));
  });
});

describe('HeaderCap', () => {
  const reading = (remaining: number) => ({ requests: { limit: 3000, remaining } });

  it('allows far more than the refill rate while the bucket is full, and converges on it at the reserve', () => {
    const cap = new HeaderCap(0.05, 10_000);
    cap.update(reading(3000), { at: 0, ticket: 1 });
    expect(cap.cap(0, 1)).toBeCloseTo(50 + (3000 - 150) / 10, 6);
    cap.update(reading(150), { at: 0, ticket: 2 });
    expect(cap.cap(0, 2)).toBeCloseTo(50, 6);
    // Ten more sent since that reading: the bucket holds ten less.
    expect(cap.cap(0, 12)).toBeCloseTo(50 - 10 / 10, 6);
    // A second later it has refilled by 50.
    expect(cap.cap(1000, 12)).toBeCloseTo(50 + 40 / 10, 6);
    // A reading older than the latest is ignored.
    cap.update(reading(3000), { at: 0, ticket: 1 });
    expect(cap.cap(0, 2)).toBeCloseTo(50, 6);
    cap.update(reading(0), { at: 0, ticket: 3 });
    expect(cap.cap(0, 3)).toBeCloseTo(50 - 150 / 10, 6);
  });

  it('keeps its reserve as a share of the bucket it has seen, when that is smaller than the limit', () => {
    const cap = new HeaderCap(0.1, 10_000);
    cap.update(reading(49), { at: 0, ticket: 1 });
    expect(cap.cap(0, 1)).toBeCloseTo(50 + (49 - 5) / 10, 6);
  });

  it('paces on input tokens by the tokens a request takes', () => {
    const cap = new HeaderCap(0, 10_000);
    cap.update({ input_tokens: { limit: 60_000, remaining: 0 } }, { at: 0, ticket: 1 });
    cap.usage(100, 10);
    expect(cap.cap(0, 1)).toBeCloseTo(1000 / 100, 6);
  });
});

describe('Ramp', () => {
  const options = {
    mode: 'always' as const,
    growth: 0.5,
    baselineMs: 10_000,
    floorPerSecond: 4,
    armedForMs: 600_000,
  };

  it('starts at the floor and allows 1.5x the trailing baseline less a margin', () => {
    const ramp = new Ramp(options, 0);
    expect(ramp.cap(0)).toBe(4);
    for (let t = 0; t < 10_000; t += 100) ramp.record(t);
    // 96 sends in the baseline window (the 4 of the latest second left out) over 10 s; 1.5 under 1.5x.
    expect(ramp.cap(10_500)).toBeCloseTo(1.5 * 9.6 - 1.5, 6);
  });

  it('grows from its floor: sending at the floor lifts the cap above it', () => {
    const ramp = new Ramp(options, 0);
    for (let t = 0; t < 11_000; t += 250) ramp.record(t);
    // 4/s accepted over the baseline: min(0.9 x 6, 6 - 1.5) = 4.5 > the floor of 4.
    expect(ramp.cap(11_000)).toBeCloseTo(4.5, 6);
  });

  it('leaves sends the API turned away out of the baseline', () => {
    const ramp = new Ramp(options, 0);
    for (let t = 0; t < 10_000; t += 100) ramp.record(t);
    for (let t = 0; t < 10_000; t += 200) ramp.rejected(t, 10_500);
    expect(ramp.cap(10_500)).toBeCloseTo(1.5 * 4.8 - 1.5, 6);
  });

  it('in auto mode, limits nothing until an acceleration-limit 429 arms it', () => {
    const ramp = new Ramp({ ...options, mode: 'auto' }, 0);
    expect(ramp.cap(0)).toBe(Number.POSITIVE_INFINITY);
    ramp.hit(0);
    expect(ramp.cap(1)).toBe(4);
    expect(ramp.cap(600_001)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('ConcurrencyLimit', () => {
  it('is unlimited until overload, then cuts what was in flight by 0.9 and grows by one per success', () => {
    const limit = new ConcurrencyLimit(1, 1000, 0.9);
    limit.inFlight = 39;
    expect(limit.full()).toBe(false);
    limit.overloaded(0, 500);
    expect(limit.current).toBe(36);
    limit.overloaded(100, 500);
    expect(limit.current).toBe(36);
    limit.inFlight = 36;
    expect(limit.full()).toBe(true);
    limit.succeeded();
    expect(limit.current).toBe(37);
  });
});

describe('RetryBudget', () => {
  it('allows ratio x first attempts plus the floor over the window', () => {
    const budget = new RetryBudget({ ratio: 0.1, minPerSecond: 0.1, windowMs: 10_000 }, 0);
    for (let i = 0; i < 20; i++) budget.record(false, 0);
    // 0.1 x 20 + 0.1 x 10 = 3 retries.
    for (let i = 0; i < 3; i++) {
      expect(budget.allows(0)).toBe(true);
      budget.record(true, 0);
    }
    expect(budget.allows(0)).toBe(false);
    expect(budget.allows(10_250)).toBe(true);
  });
});

describe('LoadResponse', () => {
  /** `n` attempts at 10 ms apart from `from`, every `every`-th an error. */
  function feed(response: LoadResponse, from: number, n: number, every: number) {
    for (let i = 0; i < n; i++) response.record(i % every === 0, from + i * 10);
    return { end: from + n * 10 };
  }

  it('does not allow a cut before there are attempts to judge it by', () => {
    const response = new LoadResponse(0);
    feed(response, 0, 5, 1);
    expect(response.mayCut(50)).toBe(false);
  });

  it('undoes cuts that did not lower the overloaded share (errors the client cannot change), then holds off', () => {
    const response = new LoadResponse(0);
    const { end } = feed(response, 0, 100, 10); // 10% overloaded
    expect(response.mayCut(end)).toBe(true);
    let undone = 0;
    response.cut(end, () => undone++);
    const after = feed(response, end, 300, 10); // still 10%, 3 s later
    expect(undone).toBe(1);
    expect(response.mayCut(after.end)).toBe(false);
    const later = feed(response, after.end + 30_000, 50, 10);
    expect(response.mayCut(later.end)).toBe(true);
  });

  it("keeps cuts that lowered the share (an overload the client's own traffic feeds)", () => {
    const response = new LoadResponse(0);
    const { end } = feed(response, 0, 100, 2); // 50% overloaded
    let undone = 0;
    response.cut(end, () => undone++);
    const after = feed(response, end, 300, 10); // 10% after the cut
    expect(undone).toBe(0);
    expect(response.mayCut(after.end)).toBe(true);
  });
});
