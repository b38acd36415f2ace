import { AccelerationGuard } from './acceleration';
import { type Fault, type Phase, resolveSharedCapacity, type SimulatorConfig } from './config';
import { errorTypeFor } from './errors';
import { LimitBook, type LimitedRequest, type Reservation } from './limits';
import { type Random, seededRandom } from './random';
import { SharedBackend } from './shared-capacity';

/** Faults that shape a 200 stream rather than replace the response. */
export type StreamFault = Extract<Fault, { kind: 'mid-stream-error' | 'stall' | 'slow-first-token' }>;

const STREAM_ONLY = new Set<Fault['kind']>(['mid-stream-error', 'stall', 'slow-first-token']);

export type Decision =
  | {
      kind: 'reject';
      status: number;
      type: string;
      errorCode?: string;
      /** Advised wait; sent as `retry-after` (whole seconds, at least 1). */
      retryAfterMs?: number;
      /** Send garbage in place of the retry-after, rate-limit and request-id headers. */
      garbageHeaders?: boolean;
      /** The error's message (a rate limit names the limit it hit). */
      message?: string;
    }
  | { kind: 'connection-reset' }
  | {
      kind: 'serve';
      streamFaults: StreamFault[];
      malformed?: boolean;
      /** Non-streamed replies: the connection drops half-way through the body. */
      bodyCut?: boolean;
      reservation: Reservation;
    };

/** The answer a fault gives before any reply (an error, a reset, garbage headers); null for the others. */
export function rejectionOf(fault: Fault): Decision | null {
  switch (fault.kind) {
    case 'error': {
      // A 429 advises a wait, unless it is a spend limit: no wait makes that one pass.
      const spend = fault.errorCode?.includes('spend_limit') ?? false;
      const retryAfterSeconds = fault.retryAfterSeconds ?? (fault.status === 429 && !spend ? 1 : undefined);
      return {
        kind: 'reject',
        status: fault.status,
        type: fault.type ?? errorTypeFor(fault.status),
        errorCode: fault.errorCode,
        retryAfterMs: retryAfterSeconds === undefined ? undefined : retryAfterSeconds * 1000,
      };
    }
    case 'connection-reset':
      return { kind: 'connection-reset' };
    case 'garbage-headers': {
      const status = fault.status ?? 429;
      return { kind: 'reject', status, type: errorTypeFor(status), garbageHeaders: true };
    }
    default:
      return null;
  }
}

export interface Admission {
  model: string;
  stream: boolean;
  /** Which limits it counts against, and what it takes of them. */
  limited: LimitedRequest;
}

interface ActivePhase {
  index: number;
  name: string;
  startedAt: number;
  faults: Fault[];
}

/**
 * Everything that decides how the simulated API answers an admitted request: the phase,
 * scripted outcomes, the spend limit, the acceleration limit, the rate limits and the faults.
 */
export class TrafficModel {
  private random: Random;
  private limiter: LimitBook;
  private acceleration: AccelerationGuard | null;
  private backend: SharedBackend | null;
  private admitted = 0;
  private startedAt: number;
  private phase: ActivePhase;
  private readonly scripted: Fault[] = [];

  constructor(
    private readonly config: SimulatorConfig,
    now: number,
  ) {
    this.startedAt = now;
    this.random = seededRandom(config.seed);
    this.limiter = new LimitBook(config.limits, config.limitShape);
    this.acceleration = config.acceleration ? new AccelerationGuard(config.acceleration, now) : null;
    this.phase = this.phaseAt(now);
    this.backend = this.backendFor(this.phase.index, now);
  }

  /** The shared backend of a phase: its own (fresh), else the scenario's, else none. */
  private backendFor(index: number, now: number): SharedBackend | null {
    const shared = this.config.phases[index]?.sharedCapacity;
    if (shared) return new SharedBackend(resolveSharedCapacity(shared), now);
    return this.config.sharedCapacity ? new SharedBackend(this.config.sharedCapacity, now) : null;
  }

  reset(now: number): void {
    this.startedAt = now;
    this.random = seededRandom(this.config.seed);
    this.limiter = new LimitBook(this.config.limits, this.config.limitShape);
    this.acceleration = this.config.acceleration
      ? new AccelerationGuard(this.config.acceleration, now)
      : null;
    this.admitted = 0;
    this.scripted.length = 0;
    this.phase = this.phaseAt(now);
    this.backend = this.backendFor(this.phase.index, now);
  }

  /** Queues outcomes for the next requests to /v1/messages, in order, before any other rule. */
  script(faults: Fault[]): void {
    this.scripted.push(...faults);
  }

  elapsed(now: number): number {
    return now - this.startedAt;
  }

  phaseName(now: number): string {
    return this.currentPhase(now).name;
  }

  private phaseAt(now: number): ActivePhase {
    const phases: Phase[] = this.config.phases;
    const base = { index: -1, name: this.config.name, startedAt: this.startedAt, faults: this.config.faults };
    if (phases.length === 0) return base;
    const cycle = phases.reduce((sum, p) => sum + p.durationMs, 0);
    let offset = now - this.startedAt;
    if (offset >= cycle && !this.config.repeatPhases) {
      const last = phases[phases.length - 1];
      return {
        index: phases.length - 1,
        name: last.name,
        startedAt: now,
        faults: last.faults ?? this.config.faults,
      };
    }
    const cycleStart = now - (offset % cycle);
    offset %= cycle;
    let start = cycleStart;
    for (const [index, phase] of phases.entries()) {
      if (offset < phase.durationMs) {
        return { index, name: phase.name, startedAt: start, faults: phase.faults ?? this.config.faults };
      }
      offset -= phase.durationMs;
      start += phase.durationMs;
    }
    return base;
  }

  private currentPhase(now: number): ActivePhase {
    const phase = this.phaseAt(now);
    if (phase.index !== this.phase.index) {
      const limits = { ...this.config.limits, ...this.config.phases[phase.index]?.limits };
      this.limiter.update(limits, now);
      // A phase with its own backend starts it fresh; leaving one goes back to the scenario's.
      if (
        this.config.phases[phase.index]?.sharedCapacity ||
        this.config.phases[this.phase.index]?.sharedCapacity
      )
        this.backend = this.backendFor(phase.index, now);
    }
    this.phase = phase;
    return phase;
  }

  private applies(fault: Fault, request: Admission, now: number, phaseStart: number): boolean {
    const offset = now - phaseStart;
    if (fault.fromMs !== undefined && offset < fault.fromMs) return false;
    if (fault.untilMs !== undefined && offset >= fault.untilMs) return false;
    if (fault.models && !fault.models.includes(request.model)) return false;
    if (fault.stream !== undefined && fault.stream !== request.stream) return false;
    if (!request.stream && STREAM_ONLY.has(fault.kind)) return false;
    return this.random.chance(fault.probability ?? 1);
  }

  private fromFault(
    fault: Fault,
    streamFaults: StreamFault[],
    flags: { malformed?: boolean; bodyCut?: boolean },
  ): Decision | null {
    const decision = rejectionOf(fault);
    if (decision) return decision;
    if (fault.kind === 'malformed-body') flags.malformed = true;
    else if (fault.kind === 'body-cut') flags.bodyCut = true;
    else if (fault.kind !== 'error' && fault.kind !== 'connection-reset' && fault.kind !== 'garbage-headers')
      streamFaults.push(fault);
    return null;
  }

  decide(request: Admission, now: number): Decision {
    const phase = this.currentPhase(now);
    const streamFaults: StreamFault[] = [];
    const flags: { malformed?: boolean; bodyCut?: boolean } = {};
    const script = this.scripted.shift();
    if (script) {
      const decision = this.fromFault(script, streamFaults, flags);
      if (decision) return decision;
    }
    const spend = this.config.spendLimit;
    if (spend && this.admitted >= spend.afterRequests) {
      return {
        kind: 'reject',
        status: 429,
        type: 'rate_limit_error',
        errorCode: spend.errorCode ?? 'enforced_spend_limit_reached',
      };
    }
    if (this.acceleration?.wouldExceed(now)) {
      return {
        kind: 'reject',
        status: 429,
        type: 'rate_limit_error',
        errorCode: 'ramp_limit_exceeded',
        retryAfterMs: this.config.acceleration?.shortWindowMs,
      };
    }
    const hit = this.limiter.check(request.limited, now);
    if (hit) {
      const per = hit.resource === 'requests' ? 'requests' : hit.resource.replace('_', ' ');
      const lane = hit.lane === 'standard' ? '' : ` (${hit.lane})`;
      return {
        kind: 'reject',
        status: 429,
        type: 'rate_limit_error',
        retryAfterMs: hit.waitMs,
        message: `This request would exceed your organization's rate limit of ${hit.limit} ${per} per minute for the model group ${hit.group}${lane}.`,
      };
    }
    // Past the front door's limits, the shared backend: every arrival counts toward its load.
    if (this.backend?.overloaded(now, this.random))
      return { kind: 'reject', status: 529, type: 'overloaded_error' };
    for (const fault of phase.faults) {
      if (!this.applies(fault, request, now, phase.startedAt)) continue;
      const decision = this.fromFault(fault, streamFaults, flags);
      if (decision) return decision;
    }
    const reservation = this.limiter.take(request.limited, now);
    this.acceleration?.record(now);
    this.admitted++;
    return { kind: 'serve', streamFaults, ...flags, reservation };
  }

  /** A served reply is done: its output reservation settles to what it used. */
  settle(reservation: Reservation, outputTokens: number, now: number): void {
    this.limiter.settle(reservation, outputTokens, now);
  }

  /** The rate-limit headers of a response to `request`: its group's buckets as they are now. */
  rateLimitHeaders(request: LimitedRequest, now: number): Record<string, string> {
    this.currentPhase(now);
    return this.limiter.headers(request, now, Date.now());
  }
}
