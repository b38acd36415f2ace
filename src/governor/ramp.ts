import { SlidingCount } from './sliding-count';

export interface RampOptions {
  /** `auto`: armed by the first acceleration-limit 429; `always`: from the start (cold start at the floor); `off`. Default `auto`. */
  mode: 'auto' | 'always' | 'off';
  /** How much the send rate may exceed its trailing baseline (0.5 = 50%). Default 0.5. */
  growth: number;
  /** The trailing window the baseline is averaged over, ms. Default 10000. */
  baselineMs: number;
  /** The rate that is always allowed, requests/s (the cold start). Default 4. */
  floorPerSecond: number;
  /** How long the limiter stays armed after the last acceleration-limit 429 (`auto`), ms. Default 600000. */
  armedForMs: number;
}

const SLOT_MS = 100;
/** Keep a margin under the allowance: the token bucket's burst must not overshoot it. */
const MARGIN = 0.9;
/** Requests/s kept under the allowance at low rates, where 10% is less than one request. */
const SLACK = 1.5;

/** Keeps the send rate within `(1 + growth)` x its trailing baseline, above a floor. */
export class Ramp {
  private readonly sends: SlidingCount;
  private armedUntil: number;

  constructor(
    private readonly options: RampOptions,
    now: number,
  ) {
    this.sends = new SlidingCount(options.baselineMs + 1000, SLOT_MS, now);
    this.armedUntil = options.mode === 'always' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  record(now: number): void {
    this.sends.add(now);
  }

  /** A send the API turned away (429, 529) does not count toward the baseline, as it does not for the API. */
  rejected(sentAt: number, now: number): void {
    this.sends.remove(sentAt, now);
  }

  /** An acceleration-limit 429 (or the signal source saw one). */
  hit(now: number): void {
    if (this.options.mode === 'auto') this.armedUntil = now + this.options.armedForMs;
  }

  /** Disarms an `auto` limiter (its hits proved not to be ours to fix); `always` stays armed. */
  disarm(): void {
    if (this.options.mode === 'auto') this.armedUntil = Number.NEGATIVE_INFINITY;
  }

  armed(now: number): boolean {
    return now < this.armedUntil;
  }

  /** The highest rate allowed now, requests/s (`Infinity` when not armed). */
  cap(now: number): number {
    if (!this.armed(now)) return Number.POSITIVE_INFINITY;
    // The baseline excludes the latest second, as the API's short window does.
    const baseline =
      (this.sends.total(now) - this.sends.recent(now, 1000)) / (this.options.baselineMs / 1000);
    // The growth less a margin (10%, and at least the request or so the token bucket's burst and
    // the API's window edges may add), or the floor, whichever is higher.
    const growth = (1 + this.options.growth) * baseline;
    return Math.max(this.options.floorPerSecond, Math.min(MARGIN * growth, growth - SLACK));
  }
}
