import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ConnectionListener, RedisConnection } from './redis-connection';
import { LEASE, PAUSE, PAUSE_LEFT } from './scripts';

/** This process, as the fleet knows it. */
const MEMBER = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
/** A member that has not leased for this long is not counted in the fleet. */
const LIVE_MS = 2000;
/** The furthest ahead a member reserves its next send, ms. */
const HORIZON_MS = 5000;

/** What the fleet's bucket granted. */
export interface Lease {
  /** Sends granted (0: none within the horizon: ask again after `waitMs`). */
  granted: number;
  /** Ms until the granted sends may go (a reservation), or until asking again. */
  waitMs: number;
  /** Sends the fleet has been granted so far (grows by this lease and every other member's). */
  count: number;
  /** Live members, this one included. */
  members: number;
  /** The fleet's rate now, requests/s (`Infinity`: unpaced). */
  ratePerSecond: number;
  /** Whether any member has had a response. */
  answered: boolean;
}

/** What the link tells its governor. */
export interface FleetMember {
  /** Another member paused the fleet for `ms` (`ramp`: after an acceleration limit). */
  paused(ms: number, ramp: boolean): void;
  /** Redis fell away or came back: re-check what may go. */
  changed(): void;
}

/** What the link reports (the governor's metrics). */
export interface FleetRecorder {
  fleetRoundTrip?(ms: number): void;
  fleetFellBack?(): void;
  fleetPauseReceived?(): void;
}

/** One limit domain's share of a Redis connection: its keys, its channel, its member. */
export class FleetLink implements ConnectionListener {
  private keys: { state: string; members: string; pause: string } = { state: '', members: '', pause: '' };
  private channel = '';
  private member: FleetMember | undefined;
  /** Bumped when the keys' counts start over: Redis came back, or the link moved to other keys. */
  private generation = 0;

  constructor(
    private readonly connection: RedisConnection,
    domain: string,
    private readonly recorder: FleetRecorder | undefined,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.use(domain);
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  /** Changes whenever the fleet's send count may have started over (counts of two epochs do not compare). */
  get epoch(): number {
    return this.generation;
  }

  /**
   * The limit is known by another name now (a key's governor became its organization's): share
   * that name's state with the fleet from now on, as every process using that organization does.
   */
  moveTo(domain: string): void {
    this.connection.unlisten(this.channel);
    this.use(domain);
    this.generation++;
    this.member?.changed();
  }

  /** The governor closed: its channel is dropped. */
  close(): void {
    this.connection.unlisten(this.channel);
  }

  private use(domain: string): void {
    // One hash tag per domain: a Redis Cluster keeps its keys in one slot (scripts need that).
    const id = createHash('sha256').update(domain).digest('hex').slice(0, 16);
    const prefix = `${this.connection.options.key}:{${id}}`;
    this.keys = { state: `${prefix}:rate`, members: `${prefix}:members`, pause: `${prefix}:pause` };
    this.channel = `${prefix}:pauses`;
    this.connection.listen(this.channel, this);
  }

  attach(member: FleetMember): void {
    this.member = member;
  }

  /** Asks the fleet's bucket for up to `want` sends, proposing `rate` (requests/s) for the fleet. */
  async lease(
    rate: number,
    burst: number,
    want: number,
    answered: boolean,
    coldStart: number,
  ): Promise<Lease> {
    const started = this.clock();
    const reply = (await this.connection.run(
      LEASE,
      [this.keys.state, this.keys.members],
      [MEMBER, finite(rate), burst, want, answered ? 1 : 0, finite(coldStart), LIVE_MS, HORIZON_MS],
    )) as [number, string, number, number, string, number];
    this.recorder?.fleetRoundTrip?.(this.clock() - started);
    const fleetRate = Number(reply[4]);
    return {
      granted: Number(reply[0]),
      waitMs: Number(reply[1]),
      count: Number(reply[2]),
      members: Number(reply[3]),
      ratePerSecond: fleetRate < 0 ? Number.POSITIVE_INFINITY : fleetRate,
      answered: Number(reply[5]) === 1,
    };
  }

  /** Pauses every member for `ms` (each adds its own jitter); only ever lengthens the fleet's pause. */
  pause(ms: number, ramp: boolean): void {
    if (!this.connected) return;
    const whole = Math.ceil(ms);
    this.connection
      .run(PAUSE, [this.keys.pause], [whole, `${whole}|${ramp ? 'ramp' : ''}|${MEMBER}`, this.channel])
      .catch(() => {}); // the connection fell back; this process's own pause stands
  }

  message(message: string): void {
    const [ms, kind, from] = message.split('|');
    if (from === MEMBER) return;
    const left = Number(ms);
    if (!(left > 0)) return;
    this.recorder?.fleetPauseReceived?.();
    this.member?.paused(left, kind === 'ramp');
  }

  fellBack(): void {
    this.recorder?.fleetFellBack?.();
    this.member?.changed();
  }

  /** Back in the fleet: whatever pause it holds now holds here too. */
  rejoined(): void {
    this.generation++;
    this.member?.changed();
    this.connection.run(PAUSE_LEFT, [this.keys.pause], []).then(
      (reply) => {
        const [left, message] = reply as [number, string | null];
        if (left > 0 && message) this.member?.paused(left, message.split('|')[1] === 'ramp');
      },
      () => {},
    );
  }
}

/** Lua has no Infinity: -1 stands for "no limit". */
function finite(rate: number): number {
  return Number.isFinite(rate) ? rate : -1;
}
