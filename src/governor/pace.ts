import { SendRate } from './send-rate';
import { TokenBucket } from './token-bucket';

/**
 * What paces the sends of a limit group: this process's token bucket, or the fleet's in Redis.
 * The governor decides the rate; the pace hands out the sends and counts them.
 */
export interface Pace {
  /** The rate sends are paced at now, requests/s (`Infinity`: unpaced). */
  readonly ratePerSecond: number;
  /** Sends counted so far by whoever this pace counts (the process, or the fleet): the tickets. */
  readonly sent: number;
  /**
   * The rates the governor allows, requests/s: `shared` by everyone the pace counts (the API's
   * limits, from the headers), `own` by this process (its reactions to 429s and 529s). Until an
   * answer, the cold-start rate caps both.
   */
  setRate(shared: number, own: number, burst: number, now: number): void;
  /** A response arrived: the limits can be read, so the cold-start rate no longer applies. */
  answered(): void;
  /** Ms until the next send may go: 0 now, `Infinity` until the pace calls back. */
  waitMs(now: number): number;
  /** The next send goes now (only after `waitMs` said 0). */
  take(now: number): void;
  /** This process's sends per second. */
  sendingPerSecond(now: number): number;
}

/** One process's pace: a token bucket and its own count of sends. */
export class LocalPace implements Pace {
  private readonly bucket: TokenBucket;
  private readonly rate: SendRate;
  sent = 0;
  /** Whether a response has arrived (before it: the cold-start rate). */
  hasAnswer = false;

  constructor(
    burst: number,
    private readonly coldStartPerSecond: number,
    now: number,
  ) {
    this.bucket = new TokenBucket(Number.POSITIVE_INFINITY, burst, now);
    this.rate = new SendRate(now);
  }

  get ratePerSecond(): number {
    return this.bucket.ratePerSecond;
  }

  answered(): void {
    this.hasAnswer = true;
  }

  setRate(shared: number, own: number, burst: number, now: number): void {
    const rate = Math.min(shared, own);
    const paced = this.hasAnswer ? rate : Math.min(rate, this.coldStartPerSecond);
    this.bucket.setRate(paced, burstAt(paced, burst), now);
  }

  waitMs(now: number): number {
    return this.bucket.waitMs(now);
  }

  take(now: number): void {
    this.bucket.take(now);
    this.sent++;
    this.rate.record(now);
  }

  sendingPerSecond(now: number): number {
    return this.rate.perSecond(now);
  }
}

/** At low rates a full burst would overshoot a one-second window: at most 0.1 s worth. */
export function burstAt(rate: number, burst: number): number {
  return Math.min(burst, Math.max(1, rate * 0.1));
}
