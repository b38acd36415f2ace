/**
 * The send times of the last `windowMs`, oldest first: how many went in any trailing window, and
 * how long until fewer have. Bounded: past `maxEntries` the oldest are forgotten (at such rates a
 * per-send count is not what limits anything).
 */
export class SendWindow {
  private times: number[] = [];
  private head = 0;

  constructor(
    readonly windowMs: number,
    private readonly maxEntries = 4096,
  ) {}

  add(at: number): void {
    this.times.push(at);
    if (this.times.length - this.head > this.maxEntries) this.head++;
    this.compact();
  }

  /** Takes one send at `at` back (the API turned it away); newest first, as those are the likely ones. */
  remove(at: number): void {
    for (let i = this.times.length - 1; i >= this.head; i--) {
      if (this.times[i] === at) {
        this.times.splice(i, 1);
        return;
      }
    }
  }

  /** Sends within the trailing window at `now`. */
  count(now: number): number {
    this.expire(now);
    return this.times.length - this.head;
  }

  /** Sends in the `spanMs` that end at `at` (within the window), among those still kept. */
  countEndingAt(at: number, spanMs: number, now: number): number {
    this.expire(now);
    let n = 0;
    for (let i = this.head; i < this.times.length; i++) {
      const t = this.times[i];
      if (t > at - spanMs && t <= at) n++;
    }
    return n;
  }

  /** ms until at most `allowed` sends are within the window (0: already). */
  msUntilAtMost(allowed: number, now: number): number {
    const over = this.count(now) - Math.max(0, allowed);
    if (over <= 0) return 0;
    return Math.max(0, this.times[this.head + over - 1] + this.windowMs - now);
  }

  private expire(now: number): void {
    // Send times arrive in order, up to a clock's tie: the oldest are at the head.
    while (this.head < this.times.length && this.times[this.head] <= now - this.windowMs) this.head++;
    this.compact();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}
