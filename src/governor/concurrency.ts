/**
 * An AIMD limit on attempts in flight: unlimited until the API reports overload (529) or a
 * timeout, then cut to `decrease` x what was in flight (at most once per `holdMs`), and grown by
 * one per success while the limit is in use, back to unlimited past `max`.
 */
export class ConcurrencyLimit {
  private limit = Number.POSITIVE_INFINITY;
  private lastCutAt = Number.NEGATIVE_INFINITY;
  inFlight = 0;

  constructor(
    private readonly min: number,
    private readonly max: number,
    private readonly decrease: number,
  ) {}

  get current(): number {
    return this.limit;
  }

  full(): boolean {
    return this.inFlight >= this.limit;
  }

  /** Cuts the limit (at most once per `holdMs`); returns whether it did. */
  overloaded(now: number, holdMs: number): boolean {
    if (now - this.lastCutAt < holdMs) return false;
    this.lastCutAt = now;
    const base = Math.min(this.limit, this.inFlight + 1);
    this.limit = Math.max(this.min, Math.floor(base * this.decrease));
    return true;
  }

  /** Puts the limit back where it was (cuts that did not help). */
  restore(limit: number): void {
    this.limit = limit;
  }

  succeeded(): void {
    if (this.limit === Number.POSITIVE_INFINITY || this.inFlight * 2 < this.limit) return;
    this.limit += 1;
    if (this.limit > this.max) this.limit = Number.POSITIVE_INFINITY;
  }
}
