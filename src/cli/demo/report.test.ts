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

const run = (label: string, failed: number, t: Partial<Telemetry>): RunSummary => ({
  label,
  governor: t.governor !== undefined,
  calls: {
    started: 9,
    succeeded: 9 - failed,
    failed: failed ? { overloaded_error: failed } : {},
    refused: {},
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

  it('says "instead of" where they differ', () => {
    const text = rendered([
      run('with governor', 0, { governor, byStatus: { '200': 10 } }),
      run('without governor', 2, { attempts: 12, backoff: { count: 3, seconds: 3.5 } }),
    ]);
    expect(text).toContain(
      'Against the same workload without it: 0 429s instead of 1; 1.11 attempts per call instead of 1.33; 1.0 s of backoff instead of 3.5 s; 0 failed calls instead of 2.',
    );
  });
});
