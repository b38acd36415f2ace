import { ConcurrencyLimit } from './concurrency';
import { CubicRate } from './cubic-rate';
import { HeaderCap } from './header-cap';
import { LoadResponse } from './load-response';
import { OverloadSteps } from './overload-steps';
import { Ramp } from './ramp';
import { RetryBudget } from './retry-budget';
import { TokenBucket } from './token-bucket';
import { TokenBudget } from './token-budget';

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

describe('CubicRate, taken back', () => {
  it('goes back to the curve as it was when saved, holds it there until told, then grows on from there', () => {
    const rate = new CubicRate(0.5, 0.4, 0.5);
    rate.throttled(0, Number.POSITIVE_INFINITY, 100, 500);
    const back = rate.saved(1000);
    const atSave = rate.rate(1000, 100);
    rate.throttled(1000, 100, 60, 500); // the cut being judged
    expect(rate.rate(1000, 100)).toBeCloseTo(30, 6);
    back(13_000); // judged at 3 s: did not pay
    expect(rate.rate(3000, 100)).toBeCloseTo(atSave, 6);
    expect(rate.rate(12_999, 100)).toBeCloseTo(atSave, 6);
    // After the hold, the curve goes on from the second it was saved at.
    expect(rate.rate(13_000 + 500, 100)).toBeCloseTo(rate.rate(13_500, 100), 6);
    const unheld = new CubicRate(0.5, 0.4, 0.5);
    unheld.throttled(0, Number.POSITIVE_INFINITY, 100, 500);
    expect(rate.rate(14_000, 100)).toBeCloseTo(unheld.rate(2000, 100), 6);
  });

  it('saved before any throttle, goes back to unlimited', () => {
    const rate = new CubicRate(0.5, 0.4, 0.5);
    const back = rate.saved(0);
    rate.throttled(0, Number.POSITIVE_INFINITY, 100, 500);
    back(30_000);
    expect(rate.rate(1000, 100)).toBe(Number.POSITIVE_INFINITY);
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

  it('takes a new limit for a new bucket: the reserve follows the new size, not the old fullest', () => {
    const cap = new HeaderCap(0.05, 10_000);
    cap.update({ requests: { limit: 4000, remaining: 3900 } }, { at: 0, ticket: 1 });
    // The limit drops to 900/min with a 30-request bucket, full: reserve 5% of 31, not of 3901.
    cap.update({ requests: { limit: 900, remaining: 30 } }, { at: 0, ticket: 2 });
    expect(cap.cap(0, 2)).toBeCloseTo(15 + (30 - 0.05 * 31) / 10, 6);
    // A late answer from before the change does not bring the old bucket back.
    cap.update({ requests: { limit: 4000, remaining: 3000 } }, { at: 0, ticket: 1 });
    expect(cap.cap(0, 2)).toBeCloseTo(15 + (30 - 0.05 * 31) / 10, 6);
  });
});

describe('TokenBudget', () => {
  const reading = (limit: number, remaining: number) => ({ limit, remaining });
  const cost = { input: 100, output: 4000 };

  it('lets everything go until a response has described the limits', () => {
    const budget = new TokenBudget(0);
    expect(budget.waitMs({ input: 1e9, output: 1e9 }, 0)).toBe(0);
  });

  it('reserves max_tokens when a request goes, and the reply gives back what it did not use', () => {
    const budget = new TokenBudget(0);
    const tickets = budget.take(cost);
    budget.read(reading(1e6, 1e6), reading(12_000, 8000), tickets, 0, cost, true, 0);
    // 8,000 left after the first request's own 4,000: two more fit, the fourth waits for the refill.
    budget.take(cost);
    budget.take(cost);
    expect(budget.waitMs(cost, 0)).toBeCloseTo((4000 * 60_000) / 12_000, 6);
    // The first reply used 100 of its 4,000: 3,900 come back, and the wait is the 100 short.
    budget.settle(cost, { input: 100, output: 100 }, tickets, 0);
    expect(budget.waitMs(cost, 0)).toBeCloseTo((100 * 60_000) / 12_000, 6);
    expect(budget.waitMs(cost, 500)).toBe(0);
  });

  it('counts what replies of attempts in flight gave back after a reading was taken, not after it was read', () => {
    const budget = new TokenBudget(0);
    const first = budget.take(cost);
    const second = budget.take(cost);
    // The first reply comes back (its 3,900 unused return), then the second's reading, taken
    // while the first was still in flight: 12,000 - 8,000 = 4,000 then, 7,900 now.
    budget.read(undefined, reading(12_000, 8000), first, 0, cost, true, 0);
    budget.settle(cost, { input: 100, output: 100 }, first, 1000);
    budget.read(undefined, reading(12_000, 4000), second, 0, cost, true, 0);
    budget.take(cost);
    expect(budget.waitMs(cost, 0)).toBeCloseTo((100 * 60_000) / 12_000, 6);
  });

  it('counts a reply processed within the round trip after an attempt went as already in its reading', () => {
    const budget = new TokenBudget(0);
    const first = budget.take(cost);
    const second = budget.take(cost);
    budget.read(undefined, reading(12_000, 8000), first, 0, cost, true, 5);
    // The first reply was sent before the API took the second's reading (which shows it back),
    // and processed here 3 ms after the second went: within the 5 ms round trip.
    budget.settle(cost, { input: 100, output: 100 }, first, 3);
    budget.read(undefined, reading(12_000, 7900), second, 0, cost, true, 5);
    // 7,900 held: one more fits, then 3,900 are 100 short (counted twice, 11,800 would let two go).
    expect(budget.waitMs(cost, 0)).toBe(0);
    budget.take(cost);
    expect(budget.waitMs(cost, 0)).toBeCloseTo((100 * 60_000) / 12_000, 6);
  });

  it('gives back all of a request the API refused, and keeps a margin on the input estimate', () => {
    const budget = new TokenBudget(0.1);
    const big = { input: 4000, output: 1 };
    const tickets = budget.take(big);
    // Refused: its reading is of the bucket without it; all of it comes back.
    budget.read(reading(12_000, 12_000), reading(1e6, 1e6), tickets, 0, big, false, 0);
    budget.settle(big, undefined, tickets, 0);
    // 12,000 held; 4,000 needs 4,400 with its 10% margin: it fits twice, then 4,000 are 400 short.
    budget.take(big);
    expect(budget.waitMs(big, 0)).toBe(0);
    budget.take(big);
    expect(budget.waitMs(big, 0)).toBeCloseTo((400 * 60_000) / 12_000, 6);
  });

  it('a refusal read after a newer reading gives back nothing that reading did not subtract', () => {
    const budget = new TokenBudget(0);
    // Ten go at once; the tenth is refused with 0 left, then the fourth to ninth are refused too:
    // the bucket held three (12,000), and the tenth's reading already shows them all gone.
    const tickets = Array.from({ length: 10 }, () => budget.take(cost));
    budget.read(undefined, reading(12_000, 0), tickets[9], 0, cost, false, 0);
    budget.settle(cost, undefined, tickets[9], 0);
    for (const t of tickets.slice(3, 9)) budget.settle(cost, undefined, t, 0);
    expect(budget.waitMs(cost, 0)).toBeCloseTo(20_000, 6);
  });

  it('reads only the newest response: a late answer from an older attempt changes nothing', () => {
    const budget = new TokenBudget(0);
    const first = budget.take(cost);
    const second = budget.take(cost);
    budget.read(undefined, reading(12_000, 4000), second, 0, cost, true, 0);
    budget.read(undefined, reading(12_000, 8000), first, 0, cost, true, 0);
    expect(budget.waitMs(cost, 0)).toBe(0);
    budget.take(cost);
    expect(budget.waitMs(cost, 0)).toBeCloseTo(20_000, 6);
  });

  it('tells a token limit from the request limit: a bucket below what the request needed', () => {
    const budget = new TokenBudget(0);
    expect(budget.short(cost, reading(1e6, 5000), reading(12_000, 3000))).toBe(true);
    expect(budget.short(cost, reading(1e6, 5000), reading(12_000, 5000))).toBe(false);
    expect(budget.short(cost, undefined, undefined)).toBe(false);
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

  it('starts at the floor and allows 1.5x the trailing baseline', () => {
    const ramp = new Ramp(options, 0);
    expect(ramp.cap(0)).toBe(4);
    for (let t = 0; t < 10_000; t += 100) ramp.record(t);
    // 96 sends in the baseline window (the 4 of the latest second left out) over 10 s.
    expect(ramp.cap(10_500)).toBeCloseTo(1.5 * 9.6, 6);
  });

  it('counts each second send by send: at the floor of 4, the 4th send in a second waits for the 1st to age out', () => {
    const ramp = new Ramp(options, 0);
    for (const t of [0, 10, 20]) {
      expect(ramp.waitMs(t)).toBe(0);
      ramp.record(t);
    }
    expect(ramp.waitMs(30)).toBe(0);
    ramp.record(30);
    // Four in the last second: the next goes when the first is a second (and a 25 ms guard) old.
    expect(ramp.waitMs(40)).toBe(1025 - 40);
    expect(ramp.waitMs(1025)).toBe(0);
  });

  it('leaves sends the API turned away out of the baseline and out of the second', () => {
    const ramp = new Ramp(options, 0);
    for (let t = 0; t < 10_000; t += 100) ramp.record(t);
    for (let t = 0; t < 10_000; t += 200) ramp.rejected(t, 10_500);
    expect(ramp.cap(10_500)).toBeCloseTo(1.5 * 4.8, 6);
    const fresh = new Ramp(options, 0);
    for (const t of [0, 10, 20, 30]) fresh.record(t);
    fresh.rejected(10, 40);
    expect(fresh.waitMs(40)).toBe(0);
  });

  it("learns the API's floor from what it served in one second that growth cannot explain", () => {
    const ramp = new Ramp(options, 0);
    for (let i = 0; i < 6; i++) {
      ramp.record(i * 10);
      ramp.accepted(i * 10, 100);
    }
    expect(ramp.cap(200)).toBe(6);
    // Four served later in a second tell nothing new: the floor stays at 6.
    for (let i = 0; i < 4; i++) ramp.accepted(5000 + i, 5100);
    expect(ramp.cap(5100)).toBe(6);
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
  function feed(response: LoadResponse, from: number, n: number, every: number, spacingMs = 10) {
    for (let i = 0; i < n; i++) response.record(i % every === 0, from + i * spacingMs, i % every !== 0);
    return { end: from + n * spacingMs };
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

  /** `perSecond` attempts a second for `seconds` from `from`, `errorsIn20` of every 20 errors, the rest successes. */
  function feedShare(
    response: LoadResponse,
    from: number,
    seconds: number,
    perSecond: number,
    errorsIn20: number,
  ) {
    const n = seconds * perSecond;
    for (let i = 0; i < n; i++) {
      const error = i % 20 < errorsIn20;
      response.record(error, from + (i * 1000) / perSecond, !error);
    }
    return { end: from + seconds * 1000 };
  }

  it('keeps a cut that raised the successes per second though the share fell little (a backend that pays for rejections)', () => {
    const response = new LoadResponse(0);
    const { end } = feedShare(response, 0, 5, 100, 16); // 100/s, 80% overloaded: 20 successes/s
    expect(response.sendingPerSecond(end)).toBeCloseTo(100, 0);
    let undone = 0;
    response.cut(end, () => undone++);
    // 70/s at 65%: the share only fell to 0.81x, but 24.5 successes/s is 1.23x.
    const after = feedShare(response, end, 3, 70, 13);
    expect(undone).toBe(0);
    expect(response.mayCut(after.end)).toBe(true);
  });

  it('undoes a cut that lowered the share a little and the successes with it (the others take what it gave up)', () => {
    const response = new LoadResponse(0);
    const { end } = feedShare(response, 0, 5, 100, 16); // 20 successes/s
    let undone = 0;
    response.cut(end, () => undone++);
    const after = feedShare(response, end, 3, 70, 14); // 70% (0.88x): 21 successes/s, 1.05x
    expect(undone).toBe(1);
    expect(response.mayCut(after.end)).toBe(false);
  });

  it('makes no cut in its warm-up', () => {
    const response = new LoadResponse(0, { warmupMs: 5000 });
    const { end } = feedShare(response, 0, 4, 100, 16);
    expect(response.mayCut(end)).toBe(false);
    expect(response.mayCut(5000)).toBe(true);
  });

  it('with a sustain time, makes no cut until the errors have gone on that long', () => {
    const response = new LoadResponse(0, { sustainMs: 2000 });
    feedShare(response, 0, 5, 100, 0); // 5 s without errors
    const { end } = feedShare(response, 5000, 1, 100, 10); // errors for 1 s
    expect(response.mayCut(end)).toBe(false);
    const later = feedShare(response, end, 1.5, 100, 10);
    expect(response.mayCut(later.end)).toBe(true);
  });
});

describe('OverloadSteps', () => {
  /** 100 attempts/s for `seconds` from `from`, `errorsIn20` of every 20 overloaded. */
  function feed(steps: OverloadSteps, from: number, seconds: number, errorsIn20: number) {
    for (let i = 0; i < seconds * 100; i++) {
      const overloaded = i % 20 < errorsIn20;
      steps.record(overloaded, !overloaded, from + i * 10, Number.POSITIVE_INFINITY);
    }
    return from + seconds * 1000;
  }

  it('takes no step for a 5% share of 529s (the SDK retries cost the caller less than a step would)', () => {
    const steps = new OverloadSteps(0, 0.5, new ConcurrencyLimit(1, 1000, 0.9), 500);
    const end = feed(steps, 0, 10, 1);
    expect(steps.rate(end, 100)).toBe(Number.POSITIVE_INFINITY);
    expect(steps.pausesOthers(end)).toBe(false);
  });

  it('after the warm-up and 2 s of a 30% share, halves the rate it was sending; then 529s pause every sender', () => {
    const steps = new OverloadSteps(0, 0.5, new ConcurrencyLimit(1, 1000, 0.9), 500);
    feed(steps, 0, 5, 0);
    expect(steps.pausesOthers(5000)).toBe(false);
    const end = feed(steps, 5000, 2.1, 6);
    expect(steps.rate(end, 100)).toBeLessThan(55);
    expect(steps.rate(end, 100)).toBeGreaterThan(45);
    expect(steps.pausesOthers(end)).toBe(true);
  });
});
