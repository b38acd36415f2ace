import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { VetoReason } from '../facts/attempt-facts';
import type { RejectReason } from '../governor/errors';
import type { FleetState } from '../governor/fleet/fleet-pace';
import type { GovernorRecorder, GovernorState } from '../governor/governor';
import type { AnyRegistry } from './attempt-metrics';
import { WAIT_BUCKETS } from './buckets';
import { claimMetricNames } from './registration';

/** Governors whose state the gauges report (summed; one per limit domain, usually one). */
type StateOf = () => GovernorState;

function create(registry: AnyRegistry) {
  const registers = [registry as Registry];
  const sources = new Set<StateOf>();
  const each = (fn: (state: GovernorState) => number, combine: (a: number, b: number) => number) => {
    let value: number | undefined;
    for (const source of sources) {
      const v = fn(source());
      value = value === undefined ? v : combine(v, value);
    }
    return value;
  };
  const sum = (a: number, b: number) => a + b;
  const fleet = (fn: (state: FleetState) => number, combine: (a: number, b: number) => number) => {
    let value: number | undefined;
    for (const source of sources) {
      const state = source().fleet;
      if (!state) continue;
      const v = fn(state);
      value = value === undefined ? v : combine(v, value);
    }
    return value;
  };
  const gauge = (name: string, help: string, read: () => number | undefined) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const value = read();
        if (value !== undefined) this.set(value);
      },
    });
  return {
    sources,
    allowed: gauge(
      'anthropic_governor_allowed_requests_per_second',
      'The request rate the governor allows now (+Inf while nothing limits it).',
      () => each((s) => s.allowedRatePerSecond, sum),
    ),
    concurrency: gauge(
      'anthropic_governor_concurrency_limit',
      'The governor’s limit on attempts in flight (+Inf until the API reports overload).',
      () => each((s) => s.concurrencyLimit, sum),
    ),
    queued: gauge('anthropic_governor_queued_requests', 'Attempts waiting for the governor.', () =>
      each((s) => s.queued, sum),
    ),
    paused: gauge(
      'anthropic_governor_paused',
      '1 while a retry-after pause holds every sender, else 0.',
      () => each((s) => (s.paused ? 1 : 0), Math.max),
    ),
    wait: new Histogram({
      name: 'anthropic_governor_wait_seconds',
      help: 'How long each attempt waited for the governor before it was sent.',
      buckets: WAIT_BUCKETS,
      registers,
    }),
    rejected: zeroed(
      new Counter({
        name: 'anthropic_governor_rejected_total',
        help: 'Calls the governor refused to send, by reason (queue_full, wait_timeout, overloaded).',
        labelNames: ['reason'],
        registers,
      }),
      REJECT_REASONS,
    ),
    vetoes: zeroed(
      new Counter({
        name: 'anthropic_governor_retry_vetoes_total',
        help: 'Error responses the governor told the SDK not to retry, by reason (budget, not_retryable, retry_after_too_long).',
        labelNames: ['reason'],
        registers,
      }),
      VETO_REASONS,
    ),
    pauses: new Counter({
      name: 'anthropic_governor_pauses_total',
      help: 'Pauses of every sender started by a retry-after (a retry-after that lengthens a pause is not counted).',
      registers,
    }),
    pausedSeconds: new Counter({
      name: 'anthropic_governor_paused_seconds_total',
      help: 'Seconds of pause the retry-afters added (overlapping pauses counted once).',
      registers,
    }),
    // Fleet mode only: absent (no sample) while no governor shares its state through Redis.
    fleetConnected: gauge(
      'anthropic_governor_fleet_connected',
      '1 while the pause and the rate are shared with the fleet through Redis; 0 while this process governs alone (Redis failed).',
      () => fleet((f) => (f.connected ? 1 : 0), Math.min),
    ),
    fleetMembers: gauge(
      'anthropic_governor_fleet_members',
      'Processes sharing the governor (that leased a send in the last 2 s), as Redis last counted them.',
      () => fleet((f) => f.members, Math.max),
    ),
    fleetShare: gauge(
      'anthropic_governor_fleet_share',
      'This process’s share of the fleet’s sends over the last 10 s (1 while it governs alone).',
      () => fleet((f) => f.share, Math.max),
    ),
    fleetFallbacks: new Counter({
      name: 'anthropic_governor_fleet_fallbacks_total',
      help: 'Times Redis failed (error, timeout, lost connection) and this process went on governing alone.',
      registers,
    }),
    fleetPausesReceived: new Counter({
      name: 'anthropic_governor_fleet_pauses_received_total',
      help: 'Pauses started or lengthened by another process’s retry-after.',
      registers,
    }),
    fleetRoundTrip: new Histogram({
      name: 'anthropic_governor_fleet_redis_seconds',
      help: 'Round trip of each lease of sends from the fleet’s bucket in Redis.',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers,
    }),
  };
}

const REJECT_REASONS: RejectReason[] = ['queue_full', 'wait_timeout', 'overloaded'];
const VETO_REASONS: VetoReason[] = ['budget', 'not_retryable', 'retry_after_too_long'];

/** Every reason's series exists from the start at 0: rates and alerts see 0, not "no data". */
function zeroed(counter: Counter, reasons: string[]): Counter {
  for (const reason of reasons) counter.inc({ reason }, 0);
  return counter;
}

/** Every metric GovernorMetrics registers (checked against the registry before any is). */
export const GOVERNOR_METRIC_NAMES = [
  'anthropic_governor_allowed_requests_per_second',
  'anthropic_governor_concurrency_limit',
  'anthropic_governor_queued_requests',
  'anthropic_governor_paused',
  'anthropic_governor_wait_seconds',
  'anthropic_governor_rejected_total',
  'anthropic_governor_retry_vetoes_total',
  'anthropic_governor_pauses_total',
  'anthropic_governor_paused_seconds_total',
  'anthropic_governor_fleet_connected',
  'anthropic_governor_fleet_members',
  'anthropic_governor_fleet_share',
  'anthropic_governor_fleet_fallbacks_total',
  'anthropic_governor_fleet_pauses_received_total',
  'anthropic_governor_fleet_redis_seconds',
] as const;

type Instruments = ReturnType<typeof create>;
const byRegistry = new WeakMap<AnyRegistry, Instruments>();

/** Records what a governor did into prom-client metrics. */
export class GovernorMetrics implements GovernorRecorder {
  private readonly m: Instruments;

  constructor(registry: AnyRegistry) {
    let instruments = byRegistry.get(registry);
    if (!instruments) {
      claimMetricNames(registry, GOVERNOR_METRIC_NAMES);
      instruments = create(registry);
      byRegistry.set(registry, instruments);
    }
    this.m = instruments;
  }

  /** Reports this governor's state in the gauges. */
  watch(state: StateOf): void {
    this.m.sources.add(state);
  }

  waited(ms: number): void {
    this.m.wait.observe(ms / 1000);
  }

  rejected(reason: RejectReason): void {
    this.m.rejected.inc({ reason });
  }

  vetoed(reason: VetoReason): void {
    this.m.vetoes.inc({ reason });
  }

  paused(addedMs: number, started: boolean): void {
    if (started) this.m.pauses.inc();
    this.m.pausedSeconds.inc(addedMs / 1000);
  }

  fleetRoundTrip(ms: number): void {
    this.m.fleetRoundTrip.observe(ms / 1000);
  }

  fleetFellBack(): void {
    this.m.fleetFallbacks.inc();
  }

  fleetPauseReceived(): void {
    this.m.fleetPausesReceived.inc();
  }
}
