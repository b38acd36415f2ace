/**
 * The adaptive rate: unlimited until the first throttle, then cut to `beta` x the rate it was
 * sending at and grown back on a CUBIC curve (AWS adaptive retry mode's formula), never above
 * twice the measured send rate, so an idle client does not bank an unlimited rate.
 */
export class CubicRate {
  private wMax = 0;
  private k = 0;
  private throttledAt: number | undefined;
  private lastCutAt = Number.NEGATIVE_INFINITY;
  private frozenAt: number | undefined;
  private frozenUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly beta: number,
    private readonly scale: number,
    private readonly minRate: number,
  ) {}

  /** A 429: cut, at most once per `holdMs` (one burst of 429s is one signal). */
  throttled(now: number, current: number, measured: number, holdMs: number): void {
    if (now - this.lastCutAt < holdMs) return;
    this.lastCutAt = now;
    const sending = measured > 0 ? measured : current;
    const wMax = Number.isFinite(current) ? Math.min(current, sending) : sending;
    // Nothing known about the rate yet (no measurement, no limit): no basis for a cut.
    if (!Number.isFinite(wMax)) return;
    this.wMax = Math.max(this.minRate, wMax);
    this.k = Math.cbrt((this.wMax * (1 - this.beta)) / this.scale);
    this.throttledAt = now;
    this.frozenAt = undefined;
  }

  /** Back to unlimited, as before the first throttle (cuts that did not help). */
  reset(): void {
    this.throttledAt = undefined;
  }

  /**
   * A way back to the curve as it is at `now` (a cut that did not help is taken back, not all of
   * them), held there until the given time: the level before that cut is the one that paid.
   */
  saved(now: number): (holdUntil: number) => void {
    const { wMax, k, throttledAt } = this;
    return (holdUntil) => {
      this.wMax = wMax;
      this.k = k;
      this.throttledAt = throttledAt;
      // Held at `now` until `holdUntil`, then grown on from there (unlimited stays unlimited).
      this.frozenAt = throttledAt === undefined ? undefined : now;
      this.frozenUntil = holdUntil;
    };
  }

  /** Ends a hold now: the rate grows on from where it was held. */
  thaw(now: number): void {
    if (this.frozenAt !== undefined && now < this.frozenUntil) this.frozenUntil = now;
  }

  /** Whether the rate is held (see `saved`). */
  frozen(now: number): boolean {
    return this.frozenAt !== undefined && now < this.frozenUntil;
  }

  /** Whether a cut is in place (the curve limits the rate). */
  active(): boolean {
    return this.throttledAt !== undefined;
  }

  /** The rate allowed now (requests/s). */
  rate(now: number, measured: number): number {
    if (this.throttledAt === undefined) return Number.POSITIVE_INFINITY;
    if (this.frozenAt !== undefined && now >= this.frozenUntil) {
      this.throttledAt += this.frozenUntil - this.frozenAt;
      this.frozenAt = undefined;
    }
    const t = ((this.frozenAt ?? now) - this.throttledAt) / 1000;
    const cubic = this.scale * (t - this.k) ** 3 + this.wMax;
    const ceiling = Math.max(2 * measured, this.wMax);
    return Math.max(this.minRate, Math.min(cubic, ceiling));
  }
}
