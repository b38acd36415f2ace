import { SlidingCount } from './sliding-count';

export interface RetryBudgetOptions {
  /** Retries allowed as a share of first attempts over the window. Default 0.1. */
  ratio: number;
  /** Retries always allowed per second, on top of the ratio. Default 1. */
  minPerSecond: number;
  /** The window both are counted over, ms. Default 10000. */
  windowMs: number;
}

/** Retries stay within `ratio` x first attempts + `minPerSecond` over a trailing window. */
export class RetryBudget {
  private readonly firsts: SlidingCount;
  private readonly retries: SlidingCount;

  constructor(
    private readonly options: RetryBudgetOptions,
    now: number,
  ) {
    this.firsts = new SlidingCount(options.windowMs, 250, now);
    this.retries = new SlidingCount(options.windowMs, 250, now);
  }

  record(isRetry: boolean, now: number): void {
    (isRetry ? this.retries : this.firsts).add(now);
  }

  /** Whether one more retry fits the budget now. */
  allows(now: number): boolean {
    const allowance =
      this.options.ratio * this.firsts.total(now) +
      (this.options.minPerSecond * this.options.windowMs) / 1000;
    return this.retries.total(now) + 1 <= allowance;
  }
}
