import { SlidingCount } from './sliding-count';

interface Trial {
  at: number;
  shareBefore: number;
  undo: () => void;
  attempts: number;
  errors: number;
}

/**
 * Tells errors the client's own traffic causes from errors it cannot change. Each slowing down
 * (a cut of the concurrency limit for 529s, of the rate for 429s: one instance per kind) opens a
 * trial: if, over the next `trialMs` and enough attempts to expect 5 errors at the share before,
 * the share of attempts meeting that error has not fallen below `keep` x what it was, sending
 * less did not help (the overload is others', or random): the trial's cuts are undone and none
 * is made for `quietMs`.
 */
export class LoadResponse {
  private readonly attempts: SlidingCount;
  private readonly errors: SlidingCount;
  private trial: Trial | undefined;
  private quietUntil = Number.NEGATIVE_INFINITY;

  constructor(
    now: number,
    windowMs = 5000,
    private readonly trialMs = 2000,
    private readonly minAttempts = 20,
    private readonly quietMs = 30_000,
    private readonly keep = 0.8,
  ) {
    this.attempts = new SlidingCount(windowMs, 250, now);
    this.errors = new SlidingCount(windowMs, 250, now);
  }

  /** Counts a finished attempt (`error`: it met the kind of error this instance judges). */
  record(error: boolean, now: number): void {
    this.attempts.add(now);
    if (error) this.errors.add(now);
    const trial = this.trial;
    if (!trial) return;
    trial.attempts++;
    if (error) trial.errors++;
    if (now - trial.at < this.trialMs || trial.attempts < this.trialAttempts(trial.shareBefore)) return;
    this.trial = undefined;
    if (trial.errors / trial.attempts < this.keep * trial.shareBefore) return;
    this.quietUntil = now + this.quietMs;
    trial.undo();
  }

  /** In a quiet spell: slowing down for this kind of error was just seen not to help. */
  quiet(now: number): boolean {
    return now < this.quietUntil;
  }

  /** Whether a cut may be made now: enough recent attempts to judge it by, and not in a quiet spell. */
  mayCut(now: number): boolean {
    return !this.quiet(now) && this.attempts.total(now) >= this.minAttempts;
  }

  /** A cut was made: open a trial unless one is running; `undo` puts things back if it fails. */
  cut(now: number, undo: () => void): void {
    if (this.trial) return;
    const attempts = this.attempts.total(now);
    const shareBefore = attempts > 0 ? this.errors.total(now) / attempts : 0;
    this.trial = { at: now, shareBefore, undo, attempts: 0, errors: 0 };
  }

  /** Attempts a trial needs: enough to expect 5 errors at the share before (20 to 500). */
  private trialAttempts(shareBefore: number): number {
    return Math.min(500, Math.max(this.minAttempts, Math.ceil(5 / Math.max(shareBefore, 0.01))));
  }
}
