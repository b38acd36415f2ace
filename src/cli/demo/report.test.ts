import { renderSummary } from './report';
import type { RunSummary } from './run';
import type { Telemetry } from './telemetry';

const telemetry = (t: Partial<Telemetry>): Telemetry => ({
  attempts: 10,
  byStatus: { '200': 9, '429': 1 },
  byErrorType: {},
  retries: 1,
  backoff: { count: 1, seconds: 1 },
  accelerationSpikes: 0,
  tokens: {},
  inFlight: 0,
  ...t,
});

const run = (
  label: string,
  failed: number,
  t: Partial<Telemetry>,
  byPhase: RunSummary['calls']['byPhase'] = {},
): RunSummary => ({
  label,
  governor: t.governor !== undefined,
  calls: {
    started: 9,
    succeeded: 9 - failed,
    failed: failed ? { overloaded_error: failed } : {},
    refused: {},
    byPhase,
    total: 9,
  },
  telemetry: telemetry(t),
  rejectedByApi: { attempts: 1, share: 0.1 },
  attemptSpans: 10,
});

const governor = {
  allowedPerSecond: 5,
  concurrencyLimit: Infinity,
  queued: 0,
  paused: false,
  waits: { count: 1, seconds: 0.5 },
  rejected: {},
  vetoes: {},
  pauses: 1,
  pausedSeconds: 1,
};

/** The summary's prose on one line, for two runs. */
const rendered = (runs: RunSummary[]) =>
  renderSummary({
    scenario: 'cycle',
    durationSeconds: 4,
    concurrency: 2,
    seed: 1,
    real: false,
    runs,
  }).replace(/\n/g, ' ');

describe('the demo summary', () => {
  it('counts in the singular where there is one, and says "as without it" where the runs agree', () => {
    const text = rendered([run('with governor', 1, { governor }), run('without governor', 1, {})]);
    expect(text).toContain('over 1 attempt);');
    expect(text).toContain('paused every sender 1 time on retry-after');
    expect(text).toContain('vetoed 0 retries (none); refused 0 calls (none)');
    expect(text).toContain(
      'Against the same workload without it: 1 429, as without it; 1.11 attempts per call, as without it; 1.0 s of backoff, as without it; 1 failed call, as without it.',
    );
  });

  it('says whether the failed calls differ beyond chance, by the rule the phases use', () => {
    const versus = (mine: number, theirs: number) =>
      rendered([run('with governor', mine, { governor }), run('without governor', theirs, {})]);
    expect(versus(29, 58)).toContain('29 failed calls instead of 58 (fewer, beyond chance).');
    expect(versus(17, 13)).toContain('17 failed calls instead of 13 (within chance).');
  });

  it('says "instead of" where they differ', () => {
    const text = rendered([
      run('with governor', 0, { governor, byStatus: { '200': 10 } }),
      run('without governor', 2, { attempts: 12, backoff: { count: 3, seconds: 3.5 } }),
    ]);
    expect(text).toContain(
      'Against the same workload without it: 0 429s instead of 1; 1.11 attempts per call instead of 1.33; 1.0 s of backoff instead of 3.5 s; 0 failed calls instead of 2 (within chance).',
    );
  });

  it('shows each phase side by side, and judges each beyond chance only', () => {
    /** Two runs by phase: [succeeded, unsuccessful] for healthy and overload, governed first. */
    const byPhase = (mine: number[][], theirs: number[][]) => {
      const phases = (counts: number[][]) => ({
        healthy: { succeeded: counts[0][0], unsuccessful: counts[0][1] },
        overload: { succeeded: counts[1][0], unsuccessful: counts[1][1] },
      });
      return rendered([
        run('with governor', 1, { governor }, phases(mine)),
        run('without governor', 2, {}, phases(theirs)),
      ]);
    };
    const text = byPhase(
      [
        [590, 0],
        [160, 2],
      ],
      [
        [610, 0],
        [100, 40],
      ],
    );
    expect(text).toMatch(/ {2}overload +160 \/ 2 +100 \/ 40/);
    // 590 against 610 is within 2 x sqrt(1200) = 69 of each other: chance.
    expect(text).toContain(
      'Phase by phase, the governed run was never behind: healthy: even, within chance (590 succeeded and 0 did not, against 610 and 0); overload: ahead (160 succeeded and 2 did not, against 100 and 40).',
    );
    const behind = byPhase(
      [
        [400, 0],
        [3, 1],
      ],
      [
        [600, 0],
        [2, 2],
      ],
    );
    expect(behind).toContain(
      'Phase by phase, the governed run was behind in 1 phase: healthy: behind (400 succeeded',
    );
  });
});
