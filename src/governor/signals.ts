import { isAccelerationLimit } from '../facts/acceleration';
import type { AttemptFacts } from '../facts/attempt-facts';
import { SlidingCount } from './sliding-count';

/** Rates (per second) over a trailing window: what the slow control loop steers by. */
export interface Signals {
  attempts: number;
  /** 429s of any kind. */
  rateLimited: number;
  /** 529s and mid-stream `overloaded_error`s. */
  overloaded: number;
  /** 429s classified as acceleration-limit. */
  accelerationLimited: number;
  retries: number;
  /** The window the rates were taken over, seconds. */
  windowSeconds: number;
}

/**
 * Where the governor's control loop reads its signals. The default reads this process's
 * prom-client metrics; a fleet source (Prometheus' HTTP API) can implement the same shape.
 * `undefined` (or a rejection) means "no reading": the governor keeps its local control.
 */
export interface SignalSource {
  read(): Signals | undefined | Promise<Signals | undefined>;
}

export type Counted = Exclude<keyof Signals, 'windowSeconds'>;

/** The signals over a window of `seconds`, each rate from `rate`. */
export function ratesOver(seconds: number, rate: (key: Counted) => number): Signals {
  return {
    windowSeconds: seconds,
    attempts: rate('attempts'),
    rateLimited: rate('rateLimited'),
    overloaded: rate('overloaded'),
    accelerationLimited: rate('accelerationLimited'),
    retries: rate('retries'),
  };
}

/** The governor's own counts, for when there are no metrics to read (`metrics: false`). */
export class LocalSignals implements SignalSource {
  private readonly counts: Record<Counted, SlidingCount>;

  constructor(
    private readonly windowMs = 30_000,
    private readonly clock: () => number = () => performance.now(),
  ) {
    const now = clock();
    const count = () => new SlidingCount(windowMs, 1000, now);
    this.counts = {
      attempts: count(),
      rateLimited: count(),
      overloaded: count(),
      accelerationLimited: count(),
      retries: count(),
    };
  }

  record(facts: AttemptFacts, now: number): void {
    this.counts.attempts.add(now);
    if (facts.status === 429) this.counts.rateLimited.add(now);
    if (facts.outcome.errorType === 'overloaded_error') this.counts.overloaded.add(now);
    if (isAccelerationLimit(facts)) this.counts.accelerationLimited.add(now);
    if (facts.retryCount > 0) this.counts.retries.add(now);
  }

  read(): Signals {
    const now = this.clock();
    const seconds = this.windowMs / 1000;
    return ratesOver(seconds, (key) => this.counts[key].total(now) / seconds);
  }
}
