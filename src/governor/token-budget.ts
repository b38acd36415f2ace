import type { RateLimitReading } from '../facts/headers';
import type { TokenCost } from './request-cost';

/** This process's counts of one token limit just after an attempt reserved: tokens reserved and given back. */
export interface BucketTicket {
  reserved: number;
  returned: number;
}

export interface TokenTickets {
  input: BucketTicket;
  output: BucketTicket;
}

/**
 * One token limit of a group as the API keeps it, modelled here: a bucket of `limit` tokens
 * refilled at `limit` per minute. It is read from the latest response's headers and, between
 * readings, moved by what this process reserves (at admission) and gives back (when a reply
 * settles below its reservation), so a request goes only when the bucket holds what it will take.
 */
class ModelledBucket {
  private limit = 0;
  private remaining = 0;
  /**
   * How much the bucket holds at the most, as far as replies showed it (what remained plus their
   * own reservation): the limit, or less where its burst is smaller. 0 until a reply: the limit.
   */
  private fullest = 0;
  private readAt = 0;
  /** Cumulative tokens reserved and given back by this process; what they were at the reading. */
  private reserved = 0;
  private returned = 0;
  /** The reading's place in the order of reservations (a newer one wins), and what had come back then. */
  private reservedAtReading = Number.NEGATIVE_INFINITY;
  private returnedAtReading = 0;
  /** Recent gives back (when, and the count after them): what had come back when a reading was taken. */
  private readonly returns: { at: number; total: number }[] = [];
  /**
   * Reservations the API refused (they never reached its bucket), by their place in the order of
   * reservations: those made after the reading are taken off what it has to subtract.
   */
  private readonly refused: { at: number; amount: number }[] = [];
  private refusedSinceReading = 0;

  get known(): boolean {
    return this.limit > 0;
  }

  /**
   * A response's reading, taken as its attempt reached the API (`ticket`: this process's counts
   * just after it reserved); `own` what the attempt itself holds in it (the bucket held that much more).
   */
  read(
    reading: RateLimitReading | undefined,
    ticket: BucketTicket,
    at: number,
    own: number,
    held: boolean,
    lagMs: number,
  ): void {
    // A refused attempt's reservation never reached the bucket: the reading is from before it.
    const reservedThen = held ? ticket.reserved : ticket.reserved - own;
    if (reading?.limit === undefined || reading.remaining === undefined || !(reading.limit > 0)) return;
    // A new limit is a new bucket: how full the old one got says nothing of it. A refusal's
    // reading (nothing of its own in it) says only that the bucket was short, not how big it is.
    const full = held ? Math.min(reading.limit, reading.remaining + own) : 0;
    this.fullest = reading.limit === this.limit ? Math.max(this.fullest, full) : full;
    // An older reading of the same limit says less than the newest.
    if (reading.limit === this.limit && reservedThen < this.reservedAtReading) return;
    this.limit = reading.limit;
    this.remaining = reading.remaining;
    this.readAt = at;
    this.reservedAtReading = reservedThen;
    this.refusedSinceReading = 0;
    for (const r of this.refused) if (r.at > reservedThen) this.refusedSinceReading += r.amount;
    // What had come back when the API took the reading: replies processed here later than that
    // were still reserved in it, and count on top (a count taken when the reading is read would
    // lose them). The API took it about `lagMs` after the attempt went, and a reply it sent just
    // before is processed here just after: what came back within that lag counts as in the reading.
    this.returnedAtReading = ticket.returned;
    for (const r of this.returns)
      if (r.at <= at + lagMs) this.returnedAtReading = Math.max(this.returnedAtReading, r.total);
  }

  private get size(): number {
    return this.fullest > 0 ? this.fullest : this.limit;
  }

  /** The counts just after a reservation: what a reading taken then is measured from. */
  get ticket(): BucketTicket {
    return { reserved: this.reserved, returned: this.returned };
  }

  /** Tokens the API holds for this group now, as far as this process can tell. */
  level(now: number): number {
    const refilled = Math.min(
      this.size,
      this.remaining + (this.limit * Math.max(0, now - this.readAt)) / 60_000,
    );
    const since =
      this.returned -
      this.returnedAtReading -
      (this.reserved - this.reservedAtReading - this.refusedSinceReading);
    return Math.min(this.size, refilled + since);
  }

  /**
   * Ms until `amount` fits with a margin of `reserve` x `amount` (an estimate's error); 0 now. The
   * margin is a share of the request, not of the bucket: where one request is a third of the
   * bucket, a reserve of the bucket's 5% would cost a third of the throughput.
   */
  waitMs(amount: number, reserve: number, now: number): number {
    if (!this.known || amount <= 0) return 0;
    // A request larger than the bucket goes when it is full (the API admits it then).
    const needed = Math.min(amount * (1 + reserve), this.size);
    const missing = needed - this.level(now);
    return missing <= 0 ? 0 : (missing * 60_000) / this.limit;
  }

  reserve(amount: number): void {
    this.reserved += amount;
  }

  giveBack(amount: number, now: number): void {
    if (amount === 0) return;
    this.returned += amount;
    if (this.returns.length >= 256) this.returns.shift();
    this.returns.push({ at: now, total: this.returned });
  }

  /** The API refused the request of `ticket`: its reservation never reached the bucket. */
  cancel(amount: number, ticket: BucketTicket): void {
    if (amount <= 0) return;
    if (ticket.reserved > this.reservedAtReading) this.refusedSinceReading += amount;
    // Remembered for readings of attempts made before it that are read later (bounded).
    if (this.refused.length >= 256) this.refused.shift();
    this.refused.push({ at: ticket.reserved, amount });
  }
}

/**
 * The input- and output-token limits of one group, priced per request: a request waits until both
 * buckets hold its cost, reserves it when it goes, and gives back what its reply did not use.
 */
export class TokenBudget {
  readonly input = new ModelledBucket();
  readonly output = new ModelledBucket();
  private lagMs = Number.POSITIVE_INFINITY;

  constructor(private readonly reserve: number) {}

  /** Ms until `cost` fits both buckets (0 now; 0 too for buckets no response has described). */
  waitMs(cost: TokenCost | undefined, now: number): number {
    if (!cost) return 0;
    // The input is an estimate: it keeps a margin. The output is `max_tokens`, what the API
    // reserves to the token: none.
    return Math.max(
      this.input.waitMs(cost.input, this.reserve, now),
      this.output.waitMs(cost.output, 0, now),
    );
  }

  /** The request goes now: its cost is reserved; returns the counts after it (its tickets). */
  take(cost: TokenCost | undefined): TokenTickets {
    if (cost) {
      this.input.reserve(cost.input);
      this.output.reserve(cost.output);
    }
    return { input: this.input.ticket, output: this.output.ticket };
  }

  /**
   * A response's readings, taken as its attempt (of cost `own`, at `tickets`) reached the API;
   * `held`: the reading holds the attempt's own reservation (a reply), or not (a refusal).
   */
  read(
    input: RateLimitReading | undefined,
    output: RateLimitReading | undefined,
    tickets: TokenTickets,
    at: number,
    own: TokenCost | undefined,
    held: boolean,
    durationMs: number,
  ): void {
    // The shortest attempt seen is the round trip: the API took the reading within it.
    this.lagMs = Math.min(this.lagMs, Math.max(0, durationMs));
    const lag = Number.isFinite(this.lagMs) ? this.lagMs : 0;
    this.input.read(input, tickets.input, at, own?.input ?? 0, held, lag);
    this.output.read(output, tickets.output, at, own?.output ?? 0, held, lag);
  }

  /** The request ended: what it used (undefined: the API took nothing, e.g. a 429) settles its reservation. */
  settle(
    cost: TokenCost | undefined,
    used: { input?: number; output?: number } | undefined,
    tickets: TokenTickets,
    now: number,
  ): void {
    if (!cost) return;
    if (!used) {
      this.input.cancel(cost.input, tickets.input);
      this.output.cancel(cost.output, tickets.output);
      return;
    }
    if (used.input !== undefined) this.input.giveBack(cost.input - used.input, now);
    if (used.output !== undefined) this.output.giveBack(cost.output - used.output, now);
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
