// A token bucket that hands out send slots one at a time, in order (never overdrawn): what a
// fixed-rate limiter (p-queue, bottleneck) or the oracle pacing at capacity amounts to.
export class Pacer {
  constructor(rate, burst = 1) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.last = performance.now();
    this.tail = Promise.resolve();
  }

  setRate(rate) {
    this.refill();
    this.rate = rate;
  }

  refill() {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  /** Resolves when the caller may send; callers are served in order. */
  take() {
    const turn = this.tail.then(async () => {
      this.refill();
      if (this.tokens < 1) await sleep(((1 - this.tokens) / this.rate) * 1000);
      this.refill();
      this.tokens -= 1;
    });
    this.tail = turn;
    return turn;
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
