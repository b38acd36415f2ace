import type { ConcurrencyLimit } from './concurrency';
import { CubicRate } from './cubic-rate';
import { LoadResponse } from './load-response';

/** No step in a group's first 5 s (one judging window): a start-up burst is no steady state. */
const WARMUP_MS = 5000;
/** No step before the 529s have gone on this long: a step and its trial start from their own regime. */
const SUSTAIN_MS = 2000;
/** After a step that did not pay: no step, and the rate held where it paid, this long. */
const QUIET_MS = 30_000;
/** Each step halves the rate (a smaller one is lost in the noise of a 2 s trial). */
const STEP = 0.5;
/**
 * No step while fewer attempts than this meet 529s: the SDK's two retries then leave under 0.1%
 * of calls failing, and a step (half the rate for 2 s) would cost the caller more than it saves.
 */
const MIN_SHARE = 0.1;
/** How fast the rate grows back after a step (CUBIC's scale, requests/s per s^3). */
const REGROWTH = 0.4;

/**
 * Slowing down for 529s and timeouts, one judged step at a time: the rate to `STEP` x what was
 * sent over the trial's length, and the attempts in flight cut (AIMD), both grown back after.
 * Each step is kept only if it paid (see `LoadResponse`); else it is taken back to the last step
 * that did, held there, and no step is taken for a while.
 */
export class OverloadSteps {
  private readonly curve: CubicRate;
  private readonly response: LoadResponse;

  constructor(
    now: number,
    minRatePerSecond: number,
    private readonly concurrency: ConcurrencyLimit,
    private readonly holdMs: number,
  ) {
    this.curve = new CubicRate(STEP, REGROWTH, minRatePerSecond);
    this.response = new LoadResponse(now, { warmupMs: WARMUP_MS, sustainMs: SUSTAIN_MS, quietMs: QUIET_MS });
  }

  /** A finished attempt: `overloaded` (a 529 or a timeout), `succeeded`; `allowed` is the rate allowed now. */
  record(overloaded: boolean, succeeded: boolean, now: number, allowed: number): void {
    this.response.record(overloaded, now, succeeded);
    // The overload is over (no 529 or timeout in the window): a rate held where a step paid
    // would only keep the caller waiting (the demo's recovery completed half the calls of the SDK
    // alone for the 30 s of the hold), so it grows back from there.
    if (!overloaded) {
      if (this.curve.frozen(now) && this.response.share(now) === 0) this.curve.thaw(now);
      return;
    }
    if (this.response.judging() || !this.response.mayCut(now)) return;
    if (this.response.share(now) < MIN_SHARE) return;
    const limit = this.concurrency.current;
    const restoreRate = this.curve.saved(now);
    this.concurrency.overloaded(now, this.holdMs);
    this.curve.throttled(now, allowed, this.response.sendingPerSecond(now), this.holdMs);
    this.response.cut(now, (at) => {
      this.concurrency.restore(limit);
      restoreRate(at + QUIET_MS);
    });
  }

  /** The rate these steps allow now, requests/s (`Infinity` before the first). */
  rate(now: number, measured: number): number {
    return this.curve.rate(now, measured);
  }

  /**
   * Whether a 529's `retry-after` should pause every sender: only while a step is in place and
   * not yet seen to fail (a 529 may be nobody's fault: until then, only its own call waits).
   */
  pausesOthers(now: number): boolean {
    return this.curve.active() && !this.response.quiet(now);
  }
}
