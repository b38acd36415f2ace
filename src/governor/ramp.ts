import { SendWindow } from './send-window';
import { SlidingCount } from './sliding-count';

export interface RampOptions {
  /** `auto`: armed by the first acceleration-limit 429; `always`: from the start (cold start at the floor); `off`. Default `auto`. */
  mode: 'auto' | 'always' | 'off';
  /** How much the send rate may exceed its trailing baseline (0.5 = 50%). Default 0.5. */
  growth: number;
  /** The trailing window the baseline is averaged over, ms. Default 10000. */
  baselineMs: number;
  /** The rate that is always allowed, requests/s (the cold start); raised to what the API is seen to serve at its floor. Default 4. */
  floorPerSecond: number;
  /** How long the limiter stays armed after the last acceleration-limit 429 (`auto`), ms. Default 600000. */
  armedForMs: number;
}

const SLOT_MS = 100;
/** The API's short window: what went in the last second is held against the allowance. */
const SHORT_MS = 1000;
/** Kept on top of the short window: sends can reach the API a little out of step. */
const GUARD_MS = 25;
/**
 * What the API served within this span is what it allows per second: less than a second, since
 * its window may be counted in slots (100 ms in the simulator) and so span a little more of ours.
 */
const LEARN_SPAN_MS = 900;
/** The floor is learned from seconds of fewer sends than this (half of it per second). */
const MAX_LEARNING = 256;

/**
 * Keeps the sends of any trailing second within `(1 + growth)` x the trailing baseline, or the
 * floor: counted send by send, as the API counts, so it can go as fast as the limit allows and no
 * faster. The floor is the configured one or, once seen, what the API accepted in one second
 * that growth cannot explain even half of (a cold start learns the API's floor from its first
 * second).
 */
/** Other processes' sends held against one second, at most (beyond it the window is full anyway). */
const MAX_OTHERS = 1024;

export class Ramp {
  private readonly sends: SlidingCount;
  private readonly lastSecond = new SendWindow(SHORT_MS + GUARD_MS);
  private readonly acceptedSends = new SendWindow(2 * SHORT_MS, MAX_LEARNING);
  private floorSeen = 0;
  private armedUntil: number;

  constructor(
    private readonly options: RampOptions,
    now: number,
  ) {
    this.sends = new SlidingCount(options.baselineMs + SHORT_MS, SLOT_MS, now);
    this.armedUntil = options.mode === 'always' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  record(now: number): void {
    this.sends.add(now);
    this.lastSecond.add(now);
  }

  /** Sends by the fleet's other processes, learned at `now` (the API counts them with ours). */
  recordOthers(count: number, now: number): void {
    this.sends.add(now, count);
    for (let i = 0; i < Math.min(count, MAX_OTHERS); i++) this.lastSecond.add(now);
  }

  /** A send the API turned away (429, 529) does not count toward the baseline, as it does not for the API. */
  rejected(sentAt: number, now: number): void {
    this.sends.remove(sentAt, now);
    this.lastSecond.remove(sentAt);
  }

  /** A send the API served: what it served in one second is allowed (the floor is at least that). */
  accepted(sentAt: number, now: number): void {
    this.acceptedSends.add(sentAt);
    // Far past any floor, counting would cost more than it could tell.
    if (this.acceptedSends.count(now) >= MAX_LEARNING) return;
    const served = this.acceptedSends.countEndingAt(sentAt, LEARN_SPAN_MS, now);
    // Only what growth cannot explain even half of: a baseline a little off must not pass for a floor.
    if (served > this.floor() && served > 2 * (1 + this.options.growth) * this.baseline(now))
      this.floorSeen = served;
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

  /** Requests the API allows in a second now: `(1 + growth)` x the baseline, or the floor. */
  allowance(now: number): number {
    return Math.max(this.floor(), (1 + this.options.growth) * this.baseline(now));
  }

  /** The pace, requests/s (`Infinity` when not armed); `waitMs` keeps each second within it. */
  cap(now: number): number {
    return this.armed(now) ? this.allowance(now) : Number.POSITIVE_INFINITY;
  }

  /** ms until one more send keeps the last second within the allowance (0: now). */
  waitMs(now: number): number {
    if (!this.armed(now)) return 0;
    // The API admits a request while the second's count with it stays within the allowance.
    return this.lastSecond.msUntilAtMost(Math.floor(this.allowance(now) - 1), now);
  }

  private floor(): number {
    return Math.max(this.options.floorPerSecond, this.floorSeen);
  }

  /** Sends per second over the baseline window, the latest second left out as the API leaves it. */
  private baseline(now: number): number {
    return (this.sends.total(now) - this.sends.recent(now, SHORT_MS)) / (this.options.baselineMs / 1000);
  }
}
