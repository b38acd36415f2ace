import { burstAt, LocalPace, type Pace } from '../pace';
import { SendRate } from '../send-rate';
import { SlidingCount } from '../sliding-count';
import { TokenBucket } from '../token-bucket';
import type { FleetLink, Lease } from './fleet-link';

/** Leased sends not used this long after they became valid are dropped (their caller left). */
const LEASE_TTL_MS = 1000;
/** A lease asks for this many ms of the process's own sending, at most `MAX_LEASE` sends. */
const LEASE_MS = 50;
const MAX_LEASE = 16;

/** What the fleet is and this process's part in it, for the gauges. */
export interface FleetState {
  connected: boolean;
  members: number;
  /** This process's share of the fleet's sends over the last 10 s (1 while governing alone). */
  share: number;
}

/**
 * The fleet's pace: sends are leased from one token bucket in Redis at the fleet's rate (the lowest
 * any member proposes of the API's limits), a few at a time, or one reserved slot in turn when the
 * bucket is empty. This process's own reactions (to 429s and 529s) pace its sends before they
 * lease. While Redis fails, it paces alone at its share of the fleet's rate (over the members last
 * seen).
 */
export class FleetPace implements Pace {
  private readonly alone: LocalPace;
  /** This process's own rate (its reactions to 429s and 529s). */
  private readonly own: TokenBucket;
  private rate = Number.POSITIVE_INFINITY;
  private burst: number;
  private leased = 0;
  private validAt = 0;
  private asking = false;
  private askAgainAt = Number.NEGATIVE_INFINITY;
  /** Whether the last lease got all it asked for at once (the fleet is far from its limits). */
  private plenty = false;
  private wanted = 1;
  private retry: NodeJS.Timeout | undefined;
  private fleetRate = Number.POSITIVE_INFINITY;
  private members = 1;
  private lastCount: number | undefined;
  private countEpoch = -1;
  private readonly ownRate: SendRate;
  private readonly ownSends: SlidingCount;
  private readonly fleetSends: SlidingCount;
  sent = 0;

  constructor(
    private readonly link: FleetLink,
    burst: number,
    private readonly coldStartPerSecond: number,
    now: number,
    private readonly clock: () => number,
    /** Something changed: re-check what may go. */
    private readonly pump: () => void,
    /** Other members sent `count` since the last lease. */
    private readonly othersSent: (count: number, now: number) => void,
  ) {
    this.burst = burst;
    this.alone = new LocalPace(burst, coldStartPerSecond, now);
    this.own = new TokenBucket(Number.POSITIVE_INFINITY, burst, now);
    this.ownRate = new SendRate(now);
    this.ownSends = new SlidingCount(10_000, 1000, now);
    this.fleetSends = new SlidingCount(10_000, 1000, now);
  }

  get ratePerSecond(): number {
    return this.link.connected ? Math.min(this.fleetRate, this.own.ratePerSecond) : this.alone.ratePerSecond;
  }

  answered(): void {
    this.alone.answered();
  }

  setRate(shared: number, own: number, burst: number, now: number): void {
    this.rate = shared;
    const paced = this.alone.hasAnswer ? shared : Math.min(shared, this.coldStartPerSecond);
    this.burst = burstAt(paced, burst);
    this.own.setRate(own, burstAt(own, burst), now);
    this.alone.setRate(shared / this.members, own, Math.max(1, burst / this.members), now);
  }

  waitMs(now: number): number {
    if (!this.link.connected) return this.alone.waitMs(now);
    const own = this.own.waitMs(now);
    if (own > 0) return own;
    if (this.leased > 0 && now > this.validAt + LEASE_TTL_MS) this.leased = 0;
    if (this.leased > 0) return Math.max(0, this.validAt - now);
    this.ask(now);
    return Number.POSITIVE_INFINITY;
  }

  take(now: number): void {
    this.ownRate.record(now);
    this.ownSends.add(now);
    if (this.link.connected && this.leased > 0) {
      this.own.take(now);
      // Far from the limits the next lease is asked for now, so no send waits for a round trip.
      if (--this.leased === 0 && this.plenty) this.ask(now);
      return;
    }
    this.alone.take(now);
    this.sent++;
  }

  sendingPerSecond(now: number): number {
    return this.ownRate.perSecond(now);
  }

  state(now: number): FleetState {
    const connected = this.link.connected;
    const fleet = this.fleetSends.total(now);
    return {
      connected,
      members: this.members,
      share: connected && fleet > 0 ? Math.min(1, this.ownSends.total(now) / fleet) : 1,
    };
  }

  close(): void {
    if (this.retry) clearTimeout(this.retry);
  }

  private ask(now: number): void {
    if (this.asking || now < this.askAgainAt) return;
    this.asking = true;
    const want = Math.max(1, Math.min(MAX_LEASE, Math.ceil((this.ownRate.perSecond(now) * LEASE_MS) / 1000)));
    this.wanted = want;
    this.link.lease(this.rate, this.burst, want, this.alone.hasAnswer, this.coldStartPerSecond).then(
      (lease) => {
        this.asking = false;
        this.granted(lease, this.clock());
        this.pump();
      },
      () => {
        // The connection fell back: the process paces alone from here.
        this.asking = false;
        this.pump();
      },
    );
  }

  private granted(lease: Lease, now: number): void {
    this.members = lease.members;
    this.fleetRate = lease.ratePerSecond;
    if (lease.answered) this.alone.answered();
    // Sends counted by the fleet since the last lease, this one's included. After a fallback (or a
    // Redis that restarted empty) the count starts again: only this lease is known.
    const known =
      this.lastCount !== undefined && this.countEpoch === this.link.epoch && lease.count >= this.lastCount;
    const counted = known ? lease.count - (this.lastCount as number) : lease.granted;
    this.lastCount = lease.count;
    this.countEpoch = this.link.epoch;
    this.sent += counted;
    this.fleetSends.add(now, counted);
    if (counted > lease.granted) this.othersSent(counted - lease.granted, now);
    this.plenty = lease.waitMs === 0 && lease.granted >= this.wanted;
    if (lease.granted > 0) {
      this.leased += lease.granted;
      this.validAt = now + lease.waitMs;
    } else {
      // No slot within the horizon: ask again when one may be.
      const again = Math.min(lease.waitMs, 1000);
      this.askAgainAt = now + again;
      if (this.retry) clearTimeout(this.retry);
      this.retry = setTimeout(() => this.pump(), again);
      this.retry.unref();
    }
  }
}
