import type { RateLimitReading } from '../facts/headers';
import type { TokenCost } from './request-cost';

/**
 * One token limit of a group as the API keeps it, modelled here: a bucket of `limit` tokens
 * refilled at `limit` per minute. It is read from the latest response's headers and, between
 * readings, moved by what this process reserves (at admission) and gives back (when a reply
 * settles below its reservation), so a request goes only when the bucket holds what it will take.
 */
class ModelledBucket {
  private limit = 0;
  private remaining = 0;
  /** How much the bucket holds at the most, as far as seen: the limit, or less (a smaller burst). */
  private size = 0;
  private readAt = 0;
  /** Cumulative tokens reserved and given back by this process; what they were at the reading. */
  private reserved = 0;
  private returned = 0;
  private reservedAtReading = 0;
  private returnedAtReading = 0;
  /** Whose reading it is: the reserve count after its attempt's own reservation (newer wins). */
  private readingTicket = Number.NEGATIVE_INFINITY;

  get known(): boolean {
    return this.limit > 0;
  }

  /**
   * A response's reading; `reservedThen` is this process's reserve count once its attempt had
   * reserved, `own` what the attempt itself holds in it (the bucket held at least that much more).
   */
  read(reading: RateLimitReading | undefined, reservedThen: number, at: number, own: number): void {
    if (reading?.limit === undefined || reading.remaining === undefined || !(reading.limit > 0)) return;
    const held = Math.min(reading.limit, reading.remaining + own);
    // A new limit is a new bucket: how full the old one got says nothing of it.
    this.size = reading.limit === this.limit ? Math.max(this.size, held) : held;
    // An older reading of the same limit says less than the newest.
    if (reading.limit === this.limit && reservedThen < this.readingTicket) return;
    this.limit = reading.limit;
    this.remaining = reading.remaining;
    this.readAt = at;
    this.readingTicket = reservedThen;
    this.reservedAtReading = reservedThen;
    this.returnedAtReading = this.returned;
  }

  get reservedSoFar(): number {
    return this.reserved;
  }

  /** Tokens the API holds for this group now, as far as this process can tell. */
  level(now: number): number {
    const refilled = Math.min(
      this.size,
      this.remaining + (this.limit * Math.max(0, now - this.readAt)) / 60_000,
    );
    const since = this.returned - this.returnedAtReading - (this.reserved - this.reservedAtReading);
    return Math.min(this.size, refilled + since);
  }

  /** Ms until `amount` fits with `reserve` (a share of the bucket) left over; 0 now. */
  waitMs(amount: number, reserve: number, now: number): number {
    if (!this.known || amount <= 0) return 0;
    // A request larger than the bucket goes when it is full (the API admits it then).
    const needed = Math.min(amount + reserve * this.size, this.size);
    const missing = needed - this.level(now);
    return missing <= 0 ? 0 : (missing * 60_000) / this.limit;
  }

  reserve(amount: number): void {
    this.reserved += amount;
  }

  giveBack(amount: number): void {
    this.returned += amount;
  }
}

/**
 * The input- and output-token limits of one group, priced per request: a request waits until both
 * buckets hold its cost, reserves it when it goes, and gives back what its reply did not use.
 */
export class TokenBudget {
  readonly input = new ModelledBucket();
  readonly output = new ModelledBucket();

  constructor(private readonly reserve: number) {}

  /** Ms until `cost` fits both buckets (0 now; 0 too for buckets no response has described). */
  waitMs(cost: TokenCost | undefined, now: number): number {
    if (!cost) return 0;
    return Math.max(
      this.input.waitMs(cost.input, this.reserve, now),
      this.output.waitMs(cost.output, this.reserve, now),
    );
  }

  /** The request goes now: its cost is reserved; returns the reserve counts after it (its tickets). */
  take(cost: TokenCost | undefined): { input: number; output: number } {
    if (cost) {
      this.input.reserve(cost.input);
      this.output.reserve(cost.output);
    }
    return { input: this.input.reservedSoFar, output: this.output.reservedSoFar };
  }

  /** A response's readings, taken when its attempt (of `own` cost, if its reading holds it) had reserved up to `tickets`. */
  read(
    input: RateLimitReading | undefined,
    output: RateLimitReading | undefined,
    tickets: { input: number; output: number },
    at: number,
    own: TokenCost | undefined,
  ): void {
    this.input.read(input, tickets.input, at, own?.input ?? 0);
    this.output.read(output, tickets.output, at, own?.output ?? 0);
  }

  /** The request ended: what it used (undefined: the API took nothing, e.g. a 429) settles its reservation. */
  settle(cost: TokenCost | undefined, used: { input?: number; output?: number } | undefined): void {
    if (!cost) return;
    if (!used) {
      this.input.giveBack(cost.input);
      this.output.giveBack(cost.output);
      return;
    }
    if (used.input !== undefined) this.input.giveBack(cost.input - used.input);
    if (used.output !== undefined) this.output.giveBack(cost.output - used.output);
  }

  /** Whether a bucket this request needed held less than its cost: a token limit, not the request limit. */
  short(
    cost: TokenCost | undefined,
    input: RateLimitReading | undefined,
    output: RateLimitReading | undefined,
  ): boolean {
    if (!cost) return false;
    const below = (reading: RateLimitReading | undefined, amount: number) =>
      reading?.remaining !== undefined &&
      amount > 0 &&
      reading.remaining < Math.min(amount, reading.limit ?? amount);
    return below(input, cost.input) || below(output, cost.output);
  }
}
