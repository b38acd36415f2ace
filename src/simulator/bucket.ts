/**
 * A continuously refilled token bucket, as the Claude API enforces its per-minute limits:
 * capacity refills at `perMinute / 60` per second up to `capacity`.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly perMinute: number,
    readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    // A time read before the last update (a caller's stale clock) must not move the clock back:
    // the next refill would count that stretch twice.
    if (now <= this.updatedAt) return;
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) * this.perMinute) / 60_000);
    this.updatedAt = now;
  }

  /** Tokens available now (may be negative after a debt). */
  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  /** Milliseconds until `amount` tokens are available (0 when they already are). */
  msUntil(amount: number, now: number): number {
    const missing = Math.min(amount, this.capacity) - this.available(now);
    return missing <= 0 ? 0 : (missing * 60_000) / this.perMinute;
  }

  /** Milliseconds until the bucket is full again. */
  msUntilFull(now: number): number {
    return this.msUntil(this.capacity, now);
  }

  take(amount: number, now: number): void {
    this.refill(now);
    this.tokens -= amount;
  }
}
