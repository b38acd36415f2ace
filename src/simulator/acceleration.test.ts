import { AccelerationGuard } from './acceleration';

const limit = { shortWindowMs: 1000, baselineWindowMs: 10_000, growth: 0.5, floorPerSecond: 5 };

/** Records `perSecond` requests a second, evenly, from `from` to `to` (ms). */
function steady(guard: AccelerationGuard, perSecond: number, from: number, to: number): void {
  for (let t = from; t < to; t += 1000 / perSecond) guard.record(t);
}

describe('AccelerationGuard', () => {
  it('allows the floor from a cold start and no more', () => {
    const guard = new AccelerationGuard(limit, 0);
    let admitted = 0;
    for (let i = 0; i < 20; i++) {
      if (!guard.wouldExceed(10)) {
        guard.record(10);
        admitted++;
      }
    }
    expect(admitted).toBe(5);
  });

  it('allows (1 + growth) times the trailing baseline once traffic is established', () => {
    const guard = new AccelerationGuard(limit, 0);
    steady(guard, 10, 0, 11_000);
    // Baseline: 10/s over the 10 s before the last second, so 15/s is allowed.
    expect(guard.allowedRate(11_000)).toBe(15);
  });

  it('forgets old traffic: after a quiet spell only the floor is left', () => {
    const guard = new AccelerationGuard(limit, 0);
    steady(guard, 10, 0, 11_000);
    expect(guard.allowedRate(40_000)).toBe(5);
  });

  it('a sudden jump above the allowed rate is refused', () => {
    const guard = new AccelerationGuard(limit, 0);
    steady(guard, 10, 0, 11_000);
    let admitted = 0;
    for (let i = 0; i < 40; i++) {
      if (!guard.wouldExceed(11_500)) {
        guard.record(11_500);
        admitted++;
      }
    }
    // 15/s allowed over the last second, which already holds 4 requests from the steady run.
    expect(admitted).toBe(11);
  });
});
