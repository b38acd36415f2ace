import type { Run } from './run';
import { readTelemetry, type Telemetry } from './telemetry';
import { unsuccessful } from './workload';

/** Per-second rates of one run between two readings. */
interface Rates {
  ok: number;
  r429: number;
  r529: number;
  other: number;
}

function rates(now: Telemetry, before: Telemetry | undefined, seconds: number): Rates {
  const delta = (pick: (t: Telemetry) => number) => (pick(now) - (before ? pick(before) : 0)) / seconds;
  const status = (match: (code: string) => boolean) => (t: Telemetry) =>
    Object.entries(t.byStatus).reduce((sum, [code, n]) => sum + (match(code) ? n : 0), 0);
  return {
    ok: delta(status((c) => c.startsWith('2'))),
    r429: delta(status((c) => c === '429')),
    r529: delta(status((c) => c === '529')),
    other: delta(status((c) => !c.startsWith('2') && c !== '429' && c !== '529')),
  };
}

const rate = (n: number) => n.toFixed(1);
const allowed = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)}/s` : 'unlimited');
const limit = (n: number) => (Number.isFinite(n) ? String(Math.round(n)) : 'unlimited');

function bar(fraction: number, width = 24): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}]`;
}

/** The live view: a redrawn block on a terminal, periodic plain lines elsewhere. */
export class LiveView {
  /** Recent readings per run: rates are taken over the last `windowMs`. */
  private readonly history = new Map<Run, { telemetry: Telemetry; at: number }[]>();
  private drawn = 0;
  private lastLine = 0;
  private lastWhen = '';

  constructor(
    private readonly runs: Run[],
    private readonly out: NodeJS.WriteStream,
    private readonly tty: boolean,
    private readonly startedAt: number,
    private readonly durationS: number,
    /** Seconds between plain lines. */
    private readonly lineEveryS: number,
  ) {}

  async tick(final = false): Promise<void> {
    const now = Date.now();
    if (!this.tty && !final && now - this.lastLine < this.lineEveryS * 1000 - 50) return;
    const readings = await Promise.all(this.runs.map((run) => readTelemetry(run.registry)));
    const windowMs = this.tty ? 2000 : this.lineEveryS * 1000;
    const rows = this.runs.map((run, i) => {
      const history = this.history.get(run) ?? [];
      while (history.length > 1 && history[1].at <= now - windowMs) history.shift();
      const before = history[0];
      const seconds = Math.max(0.001, (now - (before?.at ?? this.startedAt)) / 1000);
      history.push({ telemetry: readings[i], at: now });
      this.history.set(run, history);
      return { run, telemetry: readings[i], rates: rates(readings[i], before?.telemetry, seconds) };
    });
    const elapsed = Math.min(this.durationS, (now - this.startedAt) / 1000);
    // The scenario's phases repeat: once the traffic is over, the phase "now" is the next pass's.
    const phase = final ? 'done' : this.runs[0].phase();
    if (this.tty) this.draw(rows, elapsed, phase);
    else this.line(rows, elapsed, phase);
    this.lastLine = now;
  }

  private line(
    rows: { run: Run; telemetry: Telemetry; rates: Rates }[],
    elapsed: number,
    phase?: string,
  ): void {
    const parts = rows.map(({ run, telemetry, rates: r }) => {
      const g = telemetry.governor;
      // "allowed": summed over the model groups; headroom the rate-limit headers leave (see --help).
      const governor = g
        ? `, queue ${g.queued}, allowed ${allowed(g.allowedPerSecond)} (headroom)${g.paused ? ', paused' : ''}`
        : '';
      return `${run.spec.label}: ${rate(r.ok)} ok/s ${rate(r.r429)} 429/s ${rate(r.r529)} 529/s, calls ${run.calls.succeeded} ok ${unsuccessful(run.calls)} failed${governor}`;
    });
    const when = `[${elapsed.toFixed(0).padStart(3)}s${phase ? ` ${phase}` : ''}]`;
    // The final tick often lands on the second of the last periodic one: one line per second.
    if (when === this.lastWhen) return;
    this.lastWhen = when;
    this.out.write(`${when} ${parts.join(' | ')}\n`);
  }

  private draw(
    rows: { run: Run; telemetry: Telemetry; rates: Rates }[],
    elapsed: number,
    phase?: string,
  ): void {
    const col = (values: string[]) => values.map((v) => v.padStart(18)).join('');
    const lines = [
      ` ${bar(elapsed / this.durationS)} ${elapsed.toFixed(0).padStart(3)} s / ${this.durationS} s${phase ? `   phase: ${phase}` : ''}`,
      `${''.padEnd(26)}${col(rows.map((r) => r.run.spec.label))}`,
      ` attempts/s   2xx         ${col(rows.map((r) => rate(r.rates.ok)))}`,
      `              429         ${col(rows.map((r) => rate(r.rates.r429)))}`,
      `              529         ${col(rows.map((r) => rate(r.rates.r529)))}`,
      `              other       ${col(rows.map((r) => rate(r.rates.other)))}`,
      ` calls ok / failed        ${col(rows.map((r) => `${r.run.calls.succeeded} / ${unsuccessful(r.run.calls)}`))}`,
      ` retries so far           ${col(rows.map((r) => String(r.telemetry.retries)))}`,
    ];
    const g = rows.find((r) => r.telemetry.governor)?.telemetry.governor;
    if (g) {
      lines.push(
        ` governor: allowed ${allowed(g.allowedPerSecond)} · concurrency ${limit(g.concurrencyLimit)} · queue ${g.queued} · ${g.paused ? 'PAUSED (retry-after)' : 'not paused'} · pauses ${g.pauses}`,
        // What "allowed" is: a full bucket lets through far more than its refill, for a while.
        "   (allowed: summed over the model groups; from the rate-limit headers, each limit's refill plus",
        '    what its bucket holds above a 5% reserve spread over 10 s; cut after 429s and 529s)',
      );
    }
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A`);
    for (const text of lines) this.out.write(`\x1b[2K${text}\n`);
    this.drawn = lines.length;
  }
}
