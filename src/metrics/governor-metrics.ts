import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { VetoReason } from '../facts/attempt-facts';
import type { RejectReason } from '../governor/errors';
import type { FleetState } from '../governor/fleet/fleet-pace';
import type { GovernorRecorder, GovernorState } from '../governor/governor';
import type { AnyRegistry } from './attempt-metrics';
import { WAIT_BUCKETS } from './buckets';
import { claimMetricNames } from './registration';

/** A governor's state, read at scrape time. */
type StateOf = () => GovernorState;

/** The limit a governor paces: its model group and lane (`standard`, `fast`, `long_context`). */
export type GovernorLabels = { model_group: string; lane: string } & Record<string, string>;
const LIMIT_LABELS = ['model_group', 'lane'];

function create(registry: AnyRegistry) {
  const registers = [registry as Registry];
  /** Governors whose state the gauges report, with their limit's labels. */
  const sources = new Map<StateOf, GovernorLabels>();
  /**
   * One sample per limit (model group x lane): the governors of one limit on several
   * organizations or base URLs are combined (rates and queues summed, a pause if any is paused).
   */
  const each =
    (fn: (state: GovernorState) => number | undefined, combine: (a: number, b: number) => number) =>
    (g: Gauge) => {
      g.reset();
      const values = new Map<string, { labels: GovernorLabels; value: number }>();
      for (const [source, labels] of sources) {
        const v = fn(source());
        if (v === undefined) continue;
        const key = `${labels.model_group}\u0000${labels.lane}`;
        const seen = values.get(key);
        if (seen) seen.value = combine(v, seen.value);
        else values.set(key, { labels, value: v });
      }
      for (const { labels, value } of values.values()) g.set({ ...labels }, value);
    };
  const sum = (a: number, b: number) => a + b;
  /** Fleet mode only: no sample while no governor shares its state through Redis. */
  const fleet = (fn: (state: FleetState) => number, combine: (a: number, b: number) => number) =>
    each((state) => (state.fleet ? fn(state.fleet) : undefined), combine);
  const limitGauge = (name: string, help: string, fill: (g: Gauge) => void) =>
    new Gauge({
      name,
      help,
      labelNames: LIMIT_LABELS,
      registers,
      collect() {
        fill(this);
      },
    });
  return {
    sources,
    allowed: limitGauge(
      'anthropic_governor_allowed_requests_per_second',
      'The request rate the governor allows now on each limit (model group x lane): the least of what the latest rate-limit headers leave (the refill rate plus what the bucket holds above a reserve, spread over 10 s: far above the limit while the bucket is full), a rate cut after 429s, and the ramp limiter; +Inf while nothing limits it.',
      each((s) => s.allowedRatePerSecond, sum),
    ),
    concurrency: limitGauge(
      'anthropic_governor_concurrency_limit',
      'The governor’s limit on attempts in flight on each limit (model group x lane); +Inf until the API reports overload.',
      each((s) => s.concurrencyLimit, sum),
    ),
    queued: limitGauge(
      'anthropic_governor_queued_requests',
      'Attempts waiting for the governor, by limit (model group x lane).',
      each((s) => s.queued, sum),
    ),
    paused: limitGauge(
      'anthropic_governor_paused',
      '1 while a retry-after pause holds every sender to this limit (model group x lane), else 0.',
      each((s) => (s.paused ? 1 : 0), Math.max),
    ),
    wait: new Histogram({
      name: 'anthropic_governor_wait_seconds',
      help: 'How long each attempt waited for the governor before it was sent, by limit (model group x lane).',
      buckets: WAIT_BUCKETS,
      labelNames: LIMIT_LABELS,
      registers,
    }),
    rejected: new Counter({
      name: 'anthropic_governor_rejected_total',
      help: 'Calls the governor refused to send, by reason (queue_full, wait_timeout, overloaded) and limit.',
      labelNames: ['reason', ...LIMIT_LABELS],
      registers,
    }),
    vetoes: new Counter({
      name: 'anthropic_governor_retry_vetoes_total',
      help: 'Error responses the governor told the SDK not to retry, by reason (budget, not_retryable, retry_after_too_long) and limit.',
      labelNames: ['reason', ...LIMIT_LABELS],
      registers,
    }),
    pauses: new Counter({
      name: 'anthropic_governor_pauses_total',
      help: 'Pauses of every sender to a limit started by a retry-after (one that lengthens a pause is not counted), by limit.',
      labelNames: LIMIT_LABELS,
      registers,
    }),
    pausedSeconds: new Counter({
      name: 'anthropic_governor_paused_seconds_total',
      help: 'Seconds of pause the retry-afters added (overlapping pauses counted once), by limit.',
      labelNames: LIMIT_LABELS,
      registers,
    }),
    // Fleet mode only: absent (no sample) while no governor shares its state through Redis.
    fleetConnected: limitGauge(
      'anthropic_governor_fleet_connected',
      '1 while the pause and the rate of this limit are shared with the fleet through Redis; 0 while this process governs it alone (Redis failed). No sample without fleet mode.',
      fleet((f) => (f.connected ? 1 : 0), Math.min),
    ),
    fleetMembers: limitGauge(
      'anthropic_governor_fleet_members',
      'Processes sharing the governor of this limit (that leased a send in the last 2 s), as Redis last counted them.',
      fleet((f) => f.members, Math.max),
    ),
    fleetShare: limitGauge(
      'anthropic_governor_fleet_share',
      'This process’s share of the fleet’s sends to this limit over the last 10 s (1 while it governs alone).',
      fleet((f) => f.share, Math.max),
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
  private readonly labels: GovernorLabels;

  /** The metrics of the governor of one limit (`labels`); without labels, only registers them. */
  constructor(registry: AnyRegistry, labels?: GovernorLabels) {
    let instruments = byRegistry.get(registry);
    if (!instruments) {
      claimMetricNames(registry, GOVERNOR_METRIC_NAMES);
      instruments = create(registry);
      byRegistry.set(registry, instruments);
    }
    this.m = instruments;
    this.labels = labels ?? { model_group: '', lane: '' };
    if (!labels) return;
    // A limit's series exist from its first request at 0: rates and alerts see 0, not "no data".
    for (const reason of REJECT_REASONS) this.m.rejected.inc({ reason, ...labels }, 0);
    for (const reason of VETO_REASONS) this.m.vetoes.inc({ reason, ...labels }, 0);
    this.m.pauses.inc(labels, 0);
    this.m.pausedSeconds.inc(labels, 0);
  }

  /** Reports this governor's state in the gauges, until the returned function is called. */
  watch(state: StateOf): () => void {
    this.m.sources.set(state, this.labels);
    return () => this.m.sources.delete(state);
  }

  waited(ms: number): void {
    this.m.wait.observe(this.labels, ms / 1000);
  }

  rejected(reason: RejectReason): void {
    this.m.rejected.inc({ reason, ...this.labels });
  }

  vetoed(reason: VetoReason): void {
    this.m.vetoes.inc({ reason, ...this.labels });
  }

  paused(addedMs: number, started: boolean): void {
    if (started) this.m.pauses.inc(this.labels);
    this.m.pausedSeconds.inc(this.labels, addedMs / 1000);
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
