import { timerDelayMs } from '../timers';
import { abortError, GovernorRejectedError } from './errors';
import type { TokenCost } from './request-cost';
import type { TokenTickets } from './token-budget';

/** What decides when the next attempt may go. */
export interface Pacer {
  /** Milliseconds until the next attempt (of `cost`) may go: 0 now, `Infinity` until a `release()`. */
  delayMs(now: number, cost: TokenCost | undefined): number;
  /** The next attempt goes now; returns its tickets (the pacer's counts of what was sent, itself included). */
  admit(now: number, cost: TokenCost | undefined): Tickets;
}

/** An attempt's place in the order of sends: attempts, and tokens reserved, counted up to it. */
export interface Tickets {
  ticket: number;
  tokens: TokenTickets;
}

/** An attempt let through: how long it waited, its place in the order of sends, and what it reserved. */
export interface Admission extends Tickets {
  waitedMs: number;
  /** When it was let through (the gate's clock). */
  at: number;
  cost: TokenCost | undefined;
}

/** How many waiters behind the head are looked at for one that fits. */
const BYPASS_SCAN = 32;

interface Waiter {
  resolve: (admission: Admission) => void;
  reject: (error: unknown) => void;
  cost: TokenCost | undefined;
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
    /**
     * How long a head too large for the token limits lets smaller ones go first. Default: half of
     * `maxWaitMs` (the other half is its own turn, so the bypass never times it out).
     */
    private readonly bypassMs = maxWaitMs / 2,
  ) {}

  get queued(): number {
    return this.waiting;
  }

  /** The admission at once when nobody waits and the pacer says go; else a promise of it. Rejects on abort, overflow or timeout. */
  enter(signal: AbortSignal | undefined, cost?: TokenCost): Admission | Promise<Admission> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const now = this.clock();
    if (this.waiting === 0 && this.pacer.delayMs(now, cost) === 0) {
      const { ticket, tokens } = this.pacer.admit(now, cost);
      return { waitedMs: 0, ticket, tokens, at: now, cost };
    }
    if (this.waiting >= this.maxQueue) {
      this.onReject('queue_full');
      return Promise.reject(new GovernorRejectedError('queue_full'));
    }
    return new Promise<Admission>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        cost,
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
      const delay = this.pacer.delayMs(now, waiter.cost);
      if (delay > 0) {
        if (delay === Number.POSITIVE_INFINITY) return;
        // When only its size holds the head (a request of no cost could go: no pause, rate or
        // concurrency limit, which hold all alike), a smaller request that fits the token limits
        // need not wait behind it, for a while (then the head's turn is kept, so it cannot starve).
        const sizeHolds =
          waiter.cost !== undefined &&
          now - waiter.enqueuedAt < this.bypassMs &&
          this.pacer.delayMs(now, undefined) === 0;
        const behind = sizeHolds && waiter.cost ? this.admitBehind(now, waiter.cost) : delay;
        if (behind === 0) continue;
        this.wakeAt(now + Math.min(delay, behind));
        return;
      }
      const { ticket, tokens } = this.pacer.admit(now, waiter.cost);
      this.settle(waiter);
      this.advance();
      waiter.resolve({ waitedMs: now - waiter.enqueuedAt, ticket, tokens, at: now, cost: waiter.cost });
    }
  }

  /**
   * Admits the first of the next few waiters, at most half the head's size, that may go now (0);
   * else the shortest wait among them. (A request about the head's size goes in its turn: passing
   * the head would only swap the two.)
   */
  private admitBehind(now: number, head: TokenCost): number {
    let shortest = Number.POSITIVE_INFINITY;
    const end = Math.min(this.queue.length, this.head + 1 + BYPASS_SCAN);
    const most = (head.input + head.output) / 2;
    for (let i = this.head + 1; i < end; i++) {
      const waiter = this.queue[i];
      if (!waiter || waiter.settled) continue;
      if (waiter.cost && waiter.cost.input + waiter.cost.output > most) continue;
      const delay = this.pacer.delayMs(now, waiter.cost);
      if (delay === 0) {
        const { ticket, tokens } = this.pacer.admit(now, waiter.cost);
        this.settle(waiter);
        waiter.resolve({ waitedMs: now - waiter.enqueuedAt, ticket, tokens, at: now, cost: waiter.cost });
        return 0;
      }
      shortest = Math.min(shortest, delay);
    }
    return shortest;
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
