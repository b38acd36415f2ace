import { resolveConfig } from './config';
import { TrafficModel } from './traffic';

const request = {
  model: 'claude-x',
  stream: false,
  limited: {
    organization: 'org',
    group: 'x',
    lane: 'standard' as const,
    priority: false,
    inputTokens: 10,
    maxTokens: 10,
  },
};

/** Offers `perSecond` requests a second for `seconds` of virtual time; counts 529s in the last `lastSeconds`. */
function offer(model: TrafficModel, from: number, perSecond: number, seconds: number, lastSeconds = seconds) {
  let overloaded = 0;
  let offered = 0;
  const step = 1000 / perSecond;
  for (let t = from; t < from + seconds * 1000; t += step) {
    const decision = model.decide(request, t);
    if (t >= from + (seconds - lastSeconds) * 1000) {
      offered++;
      if (decision.kind === 'reject' && decision.status === 529) overloaded++;
    }
  }
  return { share: overloaded / offered, end: from + seconds * 1000 };
}

const model = (rejectionCost = 0) =>
  new TrafficModel(
    resolveConfig({
      limits: { requestsPerMinute: 1e7, inputTokensPerMinute: 1e10, outputTokensPerMinute: 1e10 },
      sharedCapacity: { capacityPerSecond: 60, otherTenantsPerSecond: 30, rejectionCost },
    }),
    0,
  );

describe('a shared backend: 529s that respond to load', () => {
  it('under capacity (20/s of ours + 30/s of others < 60/s): no 529 at all', () => {
    expect(offer(model(), 0, 20, 10).share).toBe(0);
  });

  it('over capacity, the excess share is answered 529: 90/s of ours + 30/s of others -> 50%', () => {
    const { share } = offer(model(), 0, 90, 10, 8);
    expect(share).toBeGreaterThan(0.45);
    expect(share).toBeLessThan(0.55);
  });

  it('backing off helps: from 90/s to 20/s, the 529s stop within a window', () => {
    const traffic = model();
    const { end } = offer(traffic, 0, 90, 5);
    expect(offer(traffic, end + 1000, 20, 5).share).toBe(0);
  });

  it('with a rejection cost, overload collapses: k 0.25 at 90/s + 30/s serves (60 - 30) / 0.75 = 40 of 120 -> 67% 529s', () => {
    const { share } = offer(model(0.25), 0, 90, 10, 8);
    expect(share).toBeGreaterThan(0.62);
    expect(share).toBeLessThan(0.72);
  });

  it('with a rejection cost, the backend serves more in all when offered less: 40/s of ours beats 90/s', () => {
    const served = (perSecond: number) => perSecond * (1 - offer(model(0.25), 0, perSecond, 10, 8).share);
    // 40 + 30 = 70 offered: S = (60 - 17.5) / 0.75 = 56.7, ours 40/70 of it = 32.4; at 90/s ours is 30.
    expect(served(40)).toBeGreaterThan(served(90));
  });

  it('a rejection cost of 1: everything offered past capacity is rejected', () => {
    expect(offer(model(1), 0, 90, 10, 8).share).toBe(1);
  });

  it('refuses a rejection cost outside 0..1', () => {
    expect(() => resolveConfig({ sharedCapacity: { capacityPerSecond: 60, rejectionCost: 1.5 } })).toThrow(
      /rejectionCost/,
    );
  });

  it('a phase may bring its own shared backend: 529s in that phase only', () => {
    const traffic = new TrafficModel(
      resolveConfig({
        limits: { requestsPerMinute: 1e7, inputTokensPerMinute: 1e10, outputTokensPerMinute: 1e10 },
        phases: [
          { name: 'calm', durationMs: 5000 },
          {
            name: 'crowded',
            durationMs: 5000,
            sharedCapacity: { capacityPerSecond: 60, otherTenantsPerSecond: 30 },
          },
          { name: 'after', durationMs: 5000 },
        ],
        repeatPhases: false,
      }),
      0,
    );
    expect(offer(traffic, 0, 90, 5).share).toBe(0);
    const crowded = offer(traffic, 5000, 90, 5, 3).share;
    expect(crowded).toBeGreaterThan(0.45);
    expect(crowded).toBeLessThan(0.55);
    expect(offer(traffic, 10_000, 90, 5).share).toBe(0);
  });
});
