/** The measured send rate (requests/s): 0.5 s buckets smoothed as in AWS adaptive mode. */
export class SendRate {
  private measured = 0;
  private rolled = false;
  private count = 0;
  private bucketStart: number;

  constructor(now: number) {
    this.bucketStart = now;
  }

  record(now: number): void {
    this.roll(now);
    this.count++;
  }

  perSecond(now: number): number {
    this.roll(now);
    if (this.measured === 0 && !this.rolled) {
      // Before the first bucket closes: what has been sent so far, over at least 100 ms.
      return (this.count * 1000) / Math.max(100, now - this.bucketStart);
    }
    return this.measured;
  }

  private roll(now: number): void {
    const elapsed = now - this.bucketStart;
    if (elapsed < 500) return;
    // An idle gap decays the estimate as if its buckets had been empty.
    this.measured = 0.8 * ((this.count * 1000) / elapsed) + 0.2 * this.measured;
    this.count = 0;
    this.bucketStart = now;
    this.rolled = true;
  }
}
