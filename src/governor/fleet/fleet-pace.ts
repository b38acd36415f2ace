import { burstAt, LocalPace, type Pace } from '../pace';
import { SendRate } from '../send-rate';
import { SlidingCount } from '../sliding-count';
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
 * any member proposes), a few at a time, or one reserved slot in turn when the bucket is empty.
 * While Redis fails, this process paces alone at its share of the rate (the rate over the members
 * last seen).
 */
export class FleetPace implements Pace {
  private readonly alone: LocalPace;
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
  private fleetAnswered = false;
  private lastCount: number | undefined;
  private countEpoch = -1;
  private readonly fleetSends: SendRate;
  private readonly ownRate: SendRate;
  private readonly own: SlidingCount;
  private readonly fleet: SlidingCount;
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
    this.fleetSends = new SendRate(now);
    this.ownRate = new SendRate(now);
    this.own = new SlidingCount(10_000, 1000, now);
    this.fleet = new SlidingCount(10_000, 1000, now);
  }

  get ratePerSecond(): number {
    return this.link.connected ? this.fleetRate : this.alone.ratePerSecond;
  }

  answered(): void {
    this.alone.answered();
  }

  setRate(rate: number, burst: number, now: number): void {
    this.rate = rate;
    const paced = this.alone.hasAnswer ? rate : Math.min(rate, this.coldStartPerSecond);
    this.burst = burstAt(paced, burst);
    this.alone.setRate(rate / this.members, Math.max(1, burst / this.members), now);
  }

  waitMs(now: number): number {
    if (!this.link.connected) return this.alone.waitMs(now);
    if (this.leased > 0 && now > this.validAt + LEASE_TTL_MS) this.leased = 0;
    if (this.leased > 0) return Math.max(0, this.validAt - now);
    this.ask(now);
    return Number.POSITIVE_INFINITY;
  }

  take(now: number): void {
    this.ownRate.record(now);
    this.own.add(now);
    if (this.link.connected && this.leased > 0) {
      // Far from the limits the next lease is asked for now, so no send waits for a round trip.
      if (--this.leased === 0 && this.plenty) this.ask(now);
      return;
    }
    this.alone.take(now);
    this.sent++;
  }

  sendingPerSecond(now: number): number {
    return this.link.connected ? this.fleetSends.perSecond(now) : this.alone.sendingPerSecond(now);
  }

  state(now: number): FleetState {
    const connected = this.link.connected;
    const fleet = this.fleet.total(now);
    return {
      connected,
      members: this.members,
      share: connected && fleet > 0 ? Math.min(1, this.own.total(now) / fleet) : 1,
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
    this.fleetAnswered = lease.answered;
    if (this.fleetAnswered) this.alone.answered();
    // Sends counted by the fleet since the last lease, this one's included. After a fallback (or a
    // Redis that restarted empty) the count starts again: only this lease is known.
    const known =
      this.lastCount !== undefined && this.countEpoch === this.link.epoch && lease.count >= this.lastCount;
    const counted = known ? lease.count - (this.lastCount as number) : lease.granted;
    this.lastCount = lease.count;
    this.countEpoch = this.link.epoch;
    this.sent += counted;
    this.fleetSends.record(now, counted);
    this.fleet.add(now, counted);
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
