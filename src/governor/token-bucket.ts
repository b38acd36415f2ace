/** A token bucket whose rate can change at any time; `Infinity` means unlimited. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private rate: number,
    private burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  get ratePerSecond(): number {
    return this.rate;
  }

  setRate(rate: number, burst: number, now: number): void {
    this.refill(now);
    this.rate = rate;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }

  /** Milliseconds until a token is available (0: now). */
  waitMs(now: number): number {
    if (this.rate === Number.POSITIVE_INFINITY) return 0;
    this.refill(now);
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.rate) * 1000;
  }

  /** Takes one token; call only when `waitMs` said 0 (never overdraws below zero otherwise). */
  take(now: number): void {
    if (this.rate === Number.POSITIVE_INFINITY) return;
    this.refill(now);
    this.tokens = Math.max(0, this.tokens - 1);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    if (this.rate === Number.POSITIVE_INFINITY) this.tokens = this.burst;
    else this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rate);
  }
}
