import { SlidingCount } from './sliding-count';

export interface LoadResponseOptions {
  /** What "before a cut" means, ms. Default 5000. */
  windowMs?: number;
  /** How long a cut is judged, ms. Default 2000. */
  trialMs?: number;
  /** Attempts in the window before any cut. Default 20. */
  minAttempts?: number;
  /** No cut for this long after one did not help, ms. Default 30000. */
  quietMs?: number;
  /** A cut pays when the error share falls below this x the share before. Default 0.8. */
  keep?: number;
  /** ...or when successful attempts per second rise to this x before. Default 1.1. */
  gain?: number;
  /** No cut in the first ms (a start-up burst says nothing about a steady state). Default 0. */
  warmupMs?: number;
  /**
   * No cut until the errors have gone on this long (no gap over the window): what was sent and
   * served before they began is no baseline for a cut or its trial. Default 0.
   */
  sustainMs?: number;
}

interface Trial {
  at: number;
  shareBefore: number;
  /** Successful attempts per second before the cut (NaN: not known well enough to judge by). */
  goodputBefore: number;
  undo: (now: number) => void;
  attempts: number;
  errors: number;
  successes: number;
}

/**
 * Tells errors the client's own traffic causes from errors it cannot change. Each slowing down
 * (one instance per kind of error) opens a trial: over the next `trialMs` and enough attempts to
 * expect 5 errors at the share before, sending less must have paid, either in the error (its
 * share fell below `keep` x what it was) or in the caller's successes (successful attempts per
 * second rose by `gain`, as when a backend that pays for its rejections is offered less).
 * Otherwise the overload is others' or random and slowing down only costs the caller: the
 * trial's cuts are undone and none is made for `quietMs`.
 */
export class LoadResponse {
  private readonly attempts: SlidingCount;
  private readonly errors: SlidingCount;
  private readonly successes: SlidingCount;
  private trial: Trial | undefined;
  private quietUntil = Number.NEGATIVE_INFINITY;
  private readonly since: number;

  private readonly windowMs: number;
  private readonly trialMs: number;
  private readonly minAttempts: number;
  private readonly quietMs: number;
  private readonly keep: number;
  private readonly gain: number;
  private readonly warmupMs: number;
  private readonly sustainMs: number;
  /** When the current run of errors began, and the latest of them. */
  private errorsSince = Number.NEGATIVE_INFINITY;
  private lastErrorAt = Number.NEGATIVE_INFINITY;

  constructor(now: number, options: LoadResponseOptions = {}) {
    this.windowMs = options.windowMs ?? 5000;
    this.trialMs = options.trialMs ?? 2000;
    this.minAttempts = options.minAttempts ?? 20;
    this.quietMs = options.quietMs ?? 30_000;
    this.keep = options.keep ?? 0.8;
    this.gain = options.gain ?? 1.1;
    this.warmupMs = options.warmupMs ?? 0;
    this.sustainMs = options.sustainMs ?? 0;
    this.since = now;
    this.attempts = new SlidingCount(this.windowMs, 250, now);
    this.errors = new SlidingCount(this.windowMs, 250, now);
    this.successes = new SlidingCount(this.windowMs, 250, now);
  }

  /** Counts a finished attempt: `error`, it met the kind of error judged here; `succeeded`, it succeeded. */
  record(error: boolean, now: number, succeeded = false): void {
    this.attempts.add(now);
    if (error) {
      this.errors.add(now);
      if (now - this.lastErrorAt > this.windowMs) this.errorsSince = now;
      this.lastErrorAt = now;
    }
    if (succeeded) this.successes.add(now);
    const trial = this.trial;
    if (!trial) return;
    trial.attempts++;
    if (error) trial.errors++;
    if (succeeded) trial.successes++;
    if (now - trial.at < this.trialMs || trial.attempts < this.trialAttempts(trial.shareBefore)) return;
    this.trial = undefined;
    if (trial.errors / trial.attempts < this.keep * trial.shareBefore) return;
    const goodput = (trial.successes * 1000) / (now - trial.at);
    if (goodput >= this.gain * trial.goodputBefore) return;
    this.quietUntil = now + this.quietMs;
    trial.undo(now);
  }

  /** In a quiet spell: slowing down for this kind of error was just seen not to help. */
  quiet(now: number): boolean {
    return now < this.quietUntil;
  }

  /** Attempts per second over a trial's length (less early on): what a cut is a share of. */
  sendingPerSecond(now: number): number {
    return this.attempts.perSecond(now, Math.max(250, Math.min(this.trialMs, now - this.since)));
  }

  /** The share of attempts in the window that met this kind of error. */
  share(now: number): number {
    const attempts = this.attempts.total(now);
    return attempts > 0 ? this.errors.total(now) / attempts : 0;
  }

  /** A cut is being judged. */
  judging(): boolean {
    return this.trial !== undefined;
  }

  /** Whether a cut may be made now: enough recent attempts to judge it by, and not in a quiet spell. */
  mayCut(now: number): boolean {
    return (
      !this.quiet(now) &&
      now - this.since >= this.warmupMs &&
      now - this.errorsSince >= this.sustainMs &&
      this.attempts.total(now) >= this.minAttempts
    );
  }

  /** A cut was made: open a trial unless one is running; `undo` puts things back if it fails. */
  cut(now: number, undo: (now: number) => void): void {
    if (this.trial) return;
    const shareBefore = this.share(now);
    // Over as long as the trial will run, so both sides see the same noise (and no older transient).
    // Only from a full window of history: a start-up transient is no baseline to beat.
    const goodputBefore =
      now - this.since >= this.windowMs ? this.successes.perSecond(now, this.trialMs) : Number.NaN;
    this.trial = { at: now, shareBefore, goodputBefore, undo, attempts: 0, errors: 0, successes: 0 };
  }

  /** Attempts a trial needs: enough to expect 5 errors at the share before (20 to 500). */
  private trialAttempts(shareBefore: number): number {
    return Math.min(500, Math.max(this.minAttempts, Math.ceil(5 / Math.max(shareBefore, 0.01))));
  }
}
