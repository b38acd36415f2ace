import type { Alert } from './prometheus';
import type { RunSummary } from './run';
import { total, unsuccessful } from './workload';

export interface DemoSummary {
  scenario: string;
  durationSeconds: number;
  concurrency: number;
  seed: number;
  real: boolean;
  runs: RunSummary[];
  /** Whether every run's telemetry equals what its simulator counted. */
  telemetryMatchesSimulator?: boolean;
  /** With --prometheus: the alerts that were pending or firing at the end, by job. */
  alerts?: { job: string; alertname: string; severity: string; state: string }[];
}

const pct = (part: number, whole: number) => (whole ? `${((100 * part) / whole).toFixed(1)}%` : '–');
const seconds = (s: number) => `${s.toFixed(1)} s`;
const list = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

/** Wraps prose at `width` columns. */
function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

/** "1 call", "2 calls" (or the given plural). */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Does a run's telemetry equal its simulator's own count (attempts, statuses, retries, spans)? */
export function matches(run: RunSummary): boolean {
  const sim = run.simulator;
  if (!sim) return true;
  const statuses = { ...run.telemetry.byStatus };
  delete statuses[''];
  const same = (a: Record<string, number>, b: Record<string, number>) =>
    JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
  return (
    run.telemetry.attempts === sim.attempts &&
    same(statuses, sim.byStatus) &&
    run.telemetry.retries === sim.retries &&
    run.attemptSpans === sim.attempts
  );
}

export function alertsOf(alerts: Alert[]): NonNullable<DemoSummary['alerts']> {
  return alerts
    .map((a) => ({
      job: a.labels.job ?? '',
      alertname: a.labels.alertname,
      severity: a.labels.severity ?? '',
      state: a.state,
    }))
    .sort((a, b) =>
      `${a.job}${a.alertname}${a.severity}`.localeCompare(`${b.job}${b.alertname}${b.severity}`),
    );
}

/** The summary as a terminal reader sees it. */
export function renderSummary(summary: DemoSummary): string {
  const { runs } = summary;
  const row = (label: string, values: string[]) =>
    `${label.padEnd(34)}${values.map((v) => v.padStart(20)).join('')}`;
  const source = summary.real ? 'the real Claude API' : `scenario ${summary.scenario}`;
  const out = [
    '',
    `Summary: ${source}, ${summary.durationSeconds} s, ${summary.concurrency} callers per run${runs.length > 1 ? ', same workload and seed' : ''}`,
    row(
      '',
      runs.map((r) => r.label),
    ),
    row(
      'calls',
      runs.map((r) => String(r.calls.total)),
    ),
    row(
      '  succeeded',
      runs.map((r) => `${r.calls.succeeded} (${pct(r.calls.succeeded, r.calls.total)})`),
    ),
    row(
      '  failed',
      runs.map((r) => String(total(r.calls.failed))),
    ),
    row(
      '  refused by the governor',
      runs.map((r) => (r.governor ? String(total(r.calls.refused)) : '–')),
    ),
    row(
      'attempts',
      runs.map((r) => String(r.telemetry.attempts)),
    ),
    row(
      '  per call',
      runs.map((r) => (r.calls.total ? (r.telemetry.attempts / r.calls.total).toFixed(2) : '–')),
    ),
    row(
      '  rejected by the API (429, 529)',
      runs.map((r) => `${r.rejectedByApi.attempts} (${pct(r.rejectedByApi.attempts, r.telemetry.attempts)})`),
    ),
    row(
      '    429',
      runs.map((r) => String(r.telemetry.byStatus['429'] ?? 0)),
    ),
    row(
      '    529',
      runs.map((r) => String(r.telemetry.byStatus['529'] ?? 0)),
    ),
    row(
      'retries',
      runs.map((r) => String(r.telemetry.retries)),
    ),
    row(
      'backoff before retries (total)',
      runs.map((r) => seconds(r.telemetry.backoff.seconds)),
    ),
    row(
      'output tokens',
      runs.map((r) => String(r.telemetry.tokens.output ?? 0)),
    ),
    row(
      'attempt spans',
      runs.map((r) => String(r.attemptSpans)),
    ),
    '',
  ];
  const phases = [...new Set(runs.flatMap((r) => Object.keys(r.calls.byPhase ?? {})))];
  if (phases.length > 1) {
    out.push(row('by phase: succeeded / not', []));
    for (const phase of phases)
      out.push(
        row(
          `  ${phase}`,
          runs.map((r) => {
            const p = r.calls.byPhase?.[phase];
            return p ? `${p.succeeded} / ${p.unsuccessful}` : '–';
          }),
        ),
      );
    out.push('');
  }
  for (const r of runs)
    if (total(r.calls.failed)) out.push(`Failed calls ${r.label}: ${list(r.calls.failed)}.`);
  const governed = runs.find((r) => r.telemetry.governor);
  const g = governed?.telemetry.governor;
  if (governed && g) {
    const held = g.waits.count ? `${((1000 * g.waits.seconds) / g.waits.count).toFixed(0)} ms mean` : 'none';
    out.push(
      `What the governor did: held attempts at its gate for ${seconds(g.waits.seconds)} in all (${held} over ${count(g.waits.count, 'attempt')}); ` +
        `paused every sender ${count(g.pauses, 'time')} on retry-after (${seconds(g.pausedSeconds)} in all); ` +
        `vetoed ${count(total(g.vetoes), 'retry', 'retries')} (${list(g.vetoes)}); refused ${count(total(g.rejected), 'call')} (${list(g.rejected)}).`,
    );
    // The run to compare with: the one without the governor, or (--processes) the fleet's twin
    // whose processes each govern alone.
    const ungoverned = runs.find((r) => r !== governed && (!r.governor || r.processes));
    const without = ungoverned?.governor ? 'with a governor per process' : 'without it';
    if (ungoverned) {
      const perCall = (r: RunSummary) =>
        (r.calls.total ? r.telemetry.attempts / r.calls.total : 0).toFixed(2);
      const budget = g.vetoes.budget ?? 0;
      // "2 429s instead of 7", or "0 failed calls, as without it" when they are the same.
      const versus = (mine: number | string, theirs: number | string, what: string, many = `${what}s`) => {
        const said = typeof mine === 'number' ? count(mine, what, many) : `${mine} ${many}`;
        return String(mine) === String(theirs) ? `${said}, as ${without}` : `${said} instead of ${theirs}`;
      };
      const failed = (r: RunSummary) => unsuccessful(r.calls);
      // Phase by phase, counts that differ by more than chance would (2 standard deviations of
      // the difference of two counts; two identical runs differ by about 5% per phase here).
      const beyondChance = (a: number, b: number) => Math.abs(a - b) > 2 * Math.sqrt(a + b);
      const fewer = (a: number, b: number) => a < b && beyondChance(a, b);
      // The same rule for the totals as for the phases, so the two never read as a contradiction.
      const chance = (a: number, b: number) =>
        a === b
          ? ''
          : beyondChance(a, b)
            ? ` (${a < b ? 'fewer' : 'more'}, beyond chance)`
            : ' (within chance)';
      const verdicts = phases.map((phase) => {
        const mine = governed.calls.byPhase?.[phase] ?? { succeeded: 0, unsuccessful: 0 };
        const theirs = ungoverned.calls.byPhase?.[phase] ?? { succeeded: 0, unsuccessful: 0 };
        const behind =
          fewer(mine.succeeded, theirs.succeeded) || fewer(theirs.unsuccessful, mine.unsuccessful);
        const ahead =
          fewer(theirs.succeeded, mine.succeeded) || fewer(mine.unsuccessful, theirs.unsuccessful);
        return { phase, verdict: behind ? 'behind' : ahead ? 'ahead' : 'even', mine, theirs };
      });
      out.push(
        `Against the same workload ${without}: ${versus(governed.telemetry.byStatus['429'] ?? 0, ungoverned.telemetry.byStatus['429'] ?? 0, '429')}; ` +
          `${versus(perCall(governed), perCall(ungoverned), 'attempts per call', 'attempts per call')}; ` +
          `${versus(seconds(governed.telemetry.backoff.seconds), seconds(ungoverned.telemetry.backoff.seconds), 'of backoff', 'of backoff')}; ` +
          `${versus(failed(governed), failed(ungoverned), 'failed call')}${chance(failed(governed), failed(ungoverned))}` +
          (budget
            ? ` (${count(budget, 'retry was', 'retries were')} refused by the retry budget while the API was overloaded: those callers got the error at once instead of retrying into the overload; raise governor.retryBudget.ratio to trade more load for fewer failures).`
            : '.'),
      );
      if (phases.length > 1) {
        const said = verdicts.map(({ phase, verdict, mine, theirs }) => {
          const counts = `${mine.succeeded} succeeded and ${mine.unsuccessful} did not, against ${theirs.succeeded} and ${theirs.unsuccessful}`;
          return `${phase}: ${verdict === 'even' ? 'even, within chance' : verdict} (${counts})`;
        });
        const behind = verdicts.filter((v) => v.verdict === 'behind').length;
        out.push(
          `Phase by phase, the governed run was ${behind ? `behind in ${count(behind, 'phase')}` : 'never behind'}: ${said.join('; ')}.`,
        );
      }
    }
  }
  for (const r of runs) {
    const p = r.processes;
    if (!p) continue;
    const spread =
      Math.min(...p.succeeded) > 0 ? (Math.max(...p.succeeded) / Math.min(...p.succeeded)).toFixed(2) : '–';
    out.push(
      `${r.label}: successful calls per process ${p.succeeded.join(', ')} (most / fewest ${spread})` +
        (p.fleet ? `; ${count(p.pausesReceived, 'pause')} started by another process's retry-after.` : '.'),
    );
  }
  if (summary.telemetryMatchesSimulator !== undefined) {
    const parts = runs.map((r) =>
      r.simulator
        ? `${r.label}: ${r.telemetry.attempts} attempts counted = ${r.simulator.attempts} seen by the simulator, retries ${r.telemetry.retries} = ${r.simulator.retries}, ${r.attemptSpans} attempt spans`
        : `${r.label}: no simulator`,
    );
    out.push(
      `Telemetry vs the simulator's own count: ${summary.telemetryMatchesSimulator ? 'equal' : 'DIFFERENT'} (${parts.join('; ')}).`,
    );
  }
  if (summary.alerts) {
    out.push(
      summary.alerts.length
        ? `Prometheus alerts at the end: ${summary.alerts.map((a) => `${a.alertname} (${a.severity}, ${a.state}) on ${a.job}`).join('; ')}.`
        : 'Prometheus alerts at the end: none pending or firing.',
    );
  }
  // Table rows keep their columns; prose is wrapped.
  return `${out.map((line) => (line.includes('  ') ? line : wrap(line))).join('\n')}\n`;
}
