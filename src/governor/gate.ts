import { timerDelayMs } from '../timers';
import { abortError, GovernorRejectedError } from './errors';

/** What decides when the next attempt may go. */
export interface Pacer {
  /** Milliseconds until the next attempt may go: 0 now, `Infinity` until a `release()`. */
  delayMs(now: number): number;
  /** The next attempt goes now; returns its ticket (the pacer's count of attempts sent). */
  admit(now: number): number;
}

/** An attempt let through: how long it waited, and its place in the order of sends. */
export interface Admission {
  waitedMs: number;
  ticket: number;
  /** When it was let through (the gate's clock). */
  at: number;
}

interface Waiter {
  resolve: (admission: Admission) => void;
  reject: (error: unknown) => void;
  enqueuedAt: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
}

/**
 * A FIFO queue in front of a pacer. One pump admits waiters in order and re-checks the pacer
 * after every wait, so waiters never overdraw; the queue length and each wait are bounded, and
 * an aborted request leaves the queue at once. The fast path (nobody waiting, pacer says go)
 * admits without a promise.
 */
export class Gate {
  private readonly queue: (Waiter | undefined)[] = [];
  private head = 0;
  private waiting = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly pacer: Pacer,
    private readonly clock: () => number,
    private readonly maxQueue: number,
    private readonly maxWaitMs: number,
    private readonly onReject: (reason: 'queue_full' | 'wait_timeout') => void,
  ) {}

  get queued(): number {
    return this.waiting;
  }

  /** The admission at once when nobody waits and the pacer says go; else a promise of it. Rejects on abort, overflow or timeout. */
  enter(signal: AbortSignal | undefined): Admission | Promise<Admission> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const now = this.clock();
    if (this.waiting === 0 && this.pacer.delayMs(now) === 0) {
      return { waitedMs: 0, ticket: this.pacer.admit(now), at: now };
    }
    if (this.waiting >= this.maxQueue) {
      this.onReject('queue_full');
      return Promise.reject(new GovernorRejectedError('queue_full'));
    }
    return new Promise<Admission>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        enqueuedAt: now,
        signal,
        onAbort: undefined,
        timer: undefined,
        settled: false,
      };
      waiter.timer = setTimeout(() => {
        this.onReject('wait_timeout');
        this.leave(waiter, new GovernorRejectedError('wait_timeout'));
      }, timerDelayMs(this.maxWaitMs));
      if (signal) {
        waiter.onAbort = () => this.leave(waiter, abortError(signal));
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.waiting++;
      this.pump();
    });
  }

  /** Something changed (a release, a pause ended, the rate rose): admit whoever can go. */
  pump(): void {
    this.drain();
    // Nobody left waiting: no wake-up is needed (a pending one would keep the process alive).
    if (this.waiting === 0) this.stopTimer();
  }

  /** Stops the wake-up timer; waiters still queued time out on their own timers. */
  close(): void {
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private drain(): void {
    while (this.waiting > 0) {
      const waiter = this.queue[this.head];
      if (!waiter || waiter.settled) {
        this.advance();
        continue;
      }
      const now = this.clock();
      const delay = this.pacer.delayMs(now);
      if (delay > 0) {
        if (delay !== Number.POSITIVE_INFINITY) this.wakeAt(now + delay);
        return;
      }
      const ticket = this.pacer.admit(now);
      this.settle(waiter);
      this.advance();
      waiter.resolve({ waitedMs: now - waiter.enqueuedAt, ticket, at: now });
    }
  }

  private leave(waiter: Waiter, error: unknown): void {
    if (waiter.settled) return;
    this.settle(waiter);
    waiter.reject(error);
    // The head may have been waiting on this one: let the next go if it can.
    queueMicrotask(() => this.pump());
  }

  private settle(waiter: Waiter): void {
    waiter.settled = true;
    this.waiting--;
    if (waiter.timer) clearTimeout(waiter.timer);
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
  }

  private advance(): void {
    this.queue[this.head] = undefined;
    this.head++;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private wakeAt(at: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      timerDelayMs(at - this.clock()),
    );
  }
}
