import {
  type ScenarioName,
  type Simulator,
  scenario,
  scenarioNames,
  startSimulator,
} from '../../src/simulator';
import { runWorkload } from '../support/workload';

describe('simulator: every named scenario through the official SDK', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  const expectations: Record<ScenarioName, (outcome: Awaited<ReturnType<typeof runWorkload>>) => void> = {
    healthy: (o) => expect(o.succeeded).toBe(o.calls),
    'rate-limited': (o) => {
      expect(o.byStatus['429']).toBeGreaterThan(0);
      expect(o.byErrorType.rate_limit_error).toBe(o.byStatus['429']);
    },
    overload: (o) => {
      expect(o.byStatus['529']).toBeGreaterThan(10);
      expect(o.byErrorType.overloaded_error).toBeGreaterThan(o.byStatus['529']); // plus mid-stream ones
    },
    'shared-overload': (o) => {
      expect(o.byStatus['529']).toBeGreaterThan(0); // 8 callers with no latency far exceed 30/s
      expect(o.byErrorType.overloaded_error).toBe(o.byStatus['529']);
    },
    acceleration: (o) => expect(o.byStatus['429']).toBeGreaterThan(0),
    'spend-limit': (o) => expect(o.byStatus['429']).toBe(o.calls - 20),
    chaos: (o) => {
      expect(o.succeeded).toBeGreaterThan(o.calls * 0.6);
      expect(o.calls - o.succeeded).toBeGreaterThan(10);
    },
    cycle: (o) => expect(o.succeeded).toBeGreaterThan(0),
  };

  it.each(scenarioNames)(
    '%s: what callers saw equals the simulator ground truth, attempt for attempt',
    async (name) => {
      sim = await startSimulator({ scenario: name, latency: { responseMs: 0, firstTokenMs: 0, deltaMs: 0 } });
      const outcome = await runWorkload(sim, { calls: 150, concurrency: 8 });
      const stats = sim.stats();
      expect(stats.scenario).toBe(name);
      expect(stats.attempts).toBe(outcome.calls);
      expect(stats.byStatus).toEqual(outcome.byStatus);
      expect(stats.connectionResets).toBe(outcome.connectionErrors);
      expect(stats.byErrorType).toEqual(outcome.byErrorType);
      expect(stats.streams.truncated).toBe(outcome.brokenStreams);
      expectations[name](outcome);
    },
  );

  it('cycle moves healthy -> rate-limited -> overload -> recovery', async () => {
    const cycle = scenario('cycle');
    expect(cycle.phases?.map((p) => p.name)).toEqual(['healthy', 'rate-limited', 'overload', 'recovery']);
    // 300 ms phases; the rate-limited one with a bucket of one request (refilled every 100 ms, and
    // said exactly in retry-after-ms), so that a slow machine sending only a few requests in it
    // still meets a 429 and its callers still reach the next phase.
    const phases = cycle.phases?.map((p) => ({
      ...p,
      durationMs: 300,
      ...(p.name === 'rate-limited' ? { limits: { requestsPerMinute: 600, burstSeconds: 0.1 } } : {}),
    }));
    sim = await startSimulator({
      ...cycle,
      phases,
      retryAfterMs: true,
      logSize: 1_000_000, // every attempt of the run, not the last 1000 (a fast machine sends more)
      latency: { responseMs: 0, firstTokenMs: 0, deltaMs: 0 },
    });
    const deadline = performance.now() + 1500;
    while (performance.now() < deadline) await runWorkload(sim, { calls: 4, concurrency: 4, streamEvery: 0 });
    const byPhase = new Map<string, Set<number | null>>();
    for (const a of sim.attempts()) byPhase.set(a.phase, (byPhase.get(a.phase) ?? new Set()).add(a.status));
    expect([...byPhase.keys()].sort()).toEqual(['healthy', 'overload', 'rate-limited', 'recovery']);
    expect(byPhase.get('healthy')).toEqual(new Set([200]));
    expect(byPhase.get('overload')?.has(529)).toBe(true);
    expect(byPhase.get('rate-limited')?.has(429)).toBe(true);
  });

  it('scenario() hands out a copy: editing it leaves the named scenario alone', () => {
    const copy = scenario('overload');
    copy.faults?.splice(0);
    expect(scenario('overload').faults).toHaveLength(2);
    expect(() => scenario('nope' as ScenarioName)).toThrow(/Known scenarios: healthy/);
  });
});
