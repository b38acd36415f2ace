import { abortError, GovernorRejectedError } from './errors';

/** What decides when the next attempt may go. */
export interface Pacer {
  /** Milliseconds until the next attempt may go: 0 now, `Infinity` until a `release()`. */
  delayMs(now: number): number;
  /** The next attempt goes now. */
  admit(now: number): void;
}

interface Waiter {
  resolve: (waitedMs: number) => void;
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

  /** 0 when admitted at once; else a promise of the ms waited. Rejects on abort, overflow or timeout. */
  enter(signal: AbortSignal | undefined): number | Promise<number> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const now = this.clock();
    if (this.waiting === 0 && this.pacer.delayMs(now) === 0) {
      this.pacer.admit(now);
      return 0;
    }
    if (this.waiting >= this.maxQueue) {
      this.onReject('queue_full');
      return Promise.reject(new GovernorRejectedError('queue_full'));
    }
    return new Promise<number>((resolve, reject) => {
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
      }, this.maxWaitMs);
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
      this.pacer.admit(now);
      this.settle(waiter);
      this.advance();
      waiter.resolve(now - waiter.enqueuedAt);
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
      Math.max(1, Math.ceil(at - this.clock())),
    );
  }
}
