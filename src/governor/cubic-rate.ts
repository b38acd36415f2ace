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
  }

  /** Back to unlimited, as before the first throttle (cuts that did not help). */
  reset(): void {
    this.throttledAt = undefined;
  }

  /** The rate allowed now (requests/s). */
  rate(now: number, measured: number): number {
    if (this.throttledAt === undefined) return Number.POSITIVE_INFINITY;
    const t = (now - this.throttledAt) / 1000;
    const cubic = this.scale * (t - this.k) ** 3 + this.wMax;
    const ceiling = Math.max(2 * measured, this.wMax);
    return Math.max(this.minRate, Math.min(cubic, ceiling));
  }
}
