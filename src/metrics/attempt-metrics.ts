import {
  Counter,
  register as defaultRegistry,
  Gauge,
  Histogram,
  type OpenMetricsContentType,
  type PrometheusContentType,
  type Registry,
  Registry as RegistryClass,
} from 'prom-client';

/** A prom-client registry of either format. */
export type AnyRegistry = Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;

/** A new OpenMetrics registry: metrics recorded into it carry exemplars (trace_id, span_id). */
export function openMetricsRegistry(): Registry<OpenMetricsContentType> {
  // prom-client's typings omit the constructor's content-type parameter.
  const Make = RegistryClass as unknown as new (contentType: string) => Registry<OpenMetricsContentType>;
  return new Make(RegistryClass.OPENMETRICS_CONTENT_TYPE);
}

import { isAccelerationLimit } from '../facts/acceleration';
import type { AttemptFacts } from '../facts/attempt-facts';
import { RATE_LIMIT_RESOURCES, type RateLimitReading, type RateLimits } from '../facts/headers';
import { totalInput } from '../facts/reply-facts';
import type { RequestFacts } from '../facts/request-facts';
import { BACKOFF_BUCKETS, LATENCY_BUCKETS } from './buckets';
import { errorTypeLabel, ModelLabels } from './labels';
import { claimMetricNames } from './registration';

export interface MetricsConfig {
  /**
   * The prom-client registry to record into. Default: prom-client's default registry.
   * An OpenMetrics registry (`new Registry(Registry.OPENMETRICS_CONTENT_TYPE)`) also gets exemplars.
   */
  registry?: AnyRegistry;
  /** Distinct model names that keep their own series; the rest are labelled `other`. Default: 20. */
  maxModels?: number;
  /**
   * Also record OpenTelemetry metrics (the GenAI client metrics `gen_ai.client.operation.duration`,
   * `gen_ai.client.token.usage`, `gen_ai.client.operation.time_to_first_chunk`, and `anthropic.attempts`,
   * `anthropic.retries`, `anthropic.acceleration_limit.spikes`, `anthropic.attempts.in_flight`)
   * through the MeterProvider: NodeSDK's for the instrumentation, `meterProvider` or the global one
   * for `claudeMiddleware`. Nothing is kept until a MeterProvider with a reader is registered.
   * Default: true.
   */
  otel?: boolean;
}

export const DEFAULT_MAX_MODELS = 20;

/** Every metric AttemptMetrics registers (checked against the registry before any is). */
export const ATTEMPT_METRIC_NAMES = [
  'anthropic_attempts_total',
  'anthropic_acceleration_limit_spikes_total',
  'anthropic_retries_total',
  'anthropic_backoff_seconds',
  'anthropic_attempt_duration_seconds',
  'anthropic_time_to_first_token_seconds',
  'anthropic_tokens_total',
  'anthropic_ratelimit_limit',
  'anthropic_ratelimit_remaining',
  'anthropic_ratelimit_reset_seconds',
  'anthropic_attempts_in_flight',
] as const;

/** Trace and span of the attempt, for exemplars. */
export interface SpanIds {
  traceId: string;
  spanId: string;
}

function create(registry: AnyRegistry) {
  const registers = [registry as Registry];
  const exemplars = (registry.contentType as string) === RegistryClass.OPENMETRICS_CONTENT_TYPE;
  const counter = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers, enableExemplars: exemplars });
  const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) =>
    new Histogram({ name, help, labelNames, buckets, registers, enableExemplars: exemplars });
  // Gauges are filled at scrape time from what the attempts left here: no per-attempt cost.
  // One slot per limit (model group x lane): each response's headers describe its own limit.
  const latest = new Map<string, Map<string, LimitSlot>>();
  const state = { inFlight: 0 };
  const flush = () => {
    for (const lanes of latest.values())
      for (const slot of lanes.values()) {
        if (!slot.pending) continue;
        merge(slot.readings, slot.pending);
        slot.pending = undefined;
      }
  };
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        fill(this);
      },
    });
  const headroom = (pick: (r: RateLimitReading) => number | undefined) => (g: Gauge) => {
    flush();
    for (const lanes of latest.values())
      for (const slot of lanes.values())
        for (const [resource, reading] of slot.readings) {
          const value = pick(reading);
          if (value !== undefined) g.set({ resource, ...slot.labels }, value);
        }
  };
  return {
    exemplars,
    attempts: counter('anthropic_attempts_total', 'Every HTTP attempt to the Claude API, by outcome.', [
      'operation',
      'model',
      'status_code',
      'error_type',
    ]),
    accelerationSpikes: counter(
      'anthropic_acceleration_limit_spikes_total',
      '429s from the acceleration (ramp) limit: error code ramp_limit_exceeded, or a rate_limit_error whose own rate-limit headers still show capacity.',
      ['operation', 'model'],
    ),
    retries: counter(
      'anthropic_retries_total',
      'Attempts that were retries, by the error type of the attempt before.',
      ['operation', 'model', 'error_type'],
    ),
    backoff: histogram(
      'anthropic_backoff_seconds',
      'Measured wait before each retry.',
      ['operation', 'model'],
      BACKOFF_BUCKETS,
    ),
    duration: histogram(
      'anthropic_attempt_duration_seconds',
      'From send to the end of the response (the end of the stream for streams).',
      ['operation', 'model', 'status_code'],
      LATENCY_BUCKETS,
    ),
    timeToFirstToken: histogram(
      'anthropic_time_to_first_token_seconds',
      'From send to the first content delta of a stream.',
      ['operation', 'model'],
      LATENCY_BUCKETS,
    ),
    tokens: counter('anthropic_tokens_total', 'Tokens of successful replies, by type.', [
      'operation',
      'model',
      'type',
    ]),
    latest,
    state,
    /** Models whose spike series exists, by operation: looked up per attempt with no string built. */
    spikesSeen: new Map<string, Set<string>>(),
    rateLimit: gauge(
      'anthropic_ratelimit_limit',
      'The rate limit the latest response of each limit (model group x lane) reported.',
      RATE_LIMIT_LABELS,
      headroom((r) => r.limit),
    ),
    rateRemaining: gauge(
      'anthropic_ratelimit_remaining',
      'What the latest response of each limit (model group x lane) reported remaining.',
      RATE_LIMIT_LABELS,
      headroom((r) => r.remaining),
    ),
    rateReset: gauge(
      'anthropic_ratelimit_reset_seconds',
      'Seconds until the bucket is full again, from the latest response of each limit (model group x lane), as of the scrape.',
      RATE_LIMIT_LABELS,
      headroom((r) => (r.resetAt === undefined ? undefined : Math.max(0, (r.resetAt - Date.now()) / 1000))),
    ),
    inFlight: gauge('anthropic_attempts_in_flight', 'Attempts sent and not yet finished.', [], (g) =>
      g.set(state.inFlight),
    ),
  };
}

type Instruments = ReturnType<typeof create>;

/** One set of instruments per registry, however many clients or instrumentations share it. */
const byRegistry = new WeakMap<AnyRegistry, Instruments>();

/** Records every attempt into prom-client metrics. */
export class AttemptMetrics {
  private readonly m: Instruments;
  private readonly models: ModelLabels;

  constructor(config: MetricsConfig = {}) {
    const registry = config.registry ?? defaultRegistry;
    let instruments = byRegistry.get(registry);
    if (!instruments) {
      claimMetricNames(registry, ATTEMPT_METRIC_NAMES);
      instruments = create(registry);
      byRegistry.set(registry, instruments);
    }
    this.m = instruments;
    this.models = new ModelLabels(config.maxModels ?? DEFAULT_MAX_MODELS);
  }

  /** An OpenMetrics registry records exemplars: the attempt span's ids. */
  get exemplars(): boolean {
    return this.m.exemplars;
  }

  started(): void {
    this.m.state.inFlight++;
  }

  ended(facts: AttemptFacts, ids: SpanIds | undefined, previousErrorType: string | undefined): void {
    const m = this.m;
    m.state.inFlight--;
    const model = this.models.label(facts.model);
    const operation = facts.operation;
    // Instruments of an OpenMetrics registry take only the object form, with or without an
    // exemplar: the two-argument form would count an unlabelled series.
    const exemplar = ids ? { trace_id: ids.traceId, span_id: ids.spanId } : undefined;
    const count = (counter: Counter, labels: Record<string, string>, value = 1) => {
      if (m.exemplars) counter.inc({ labels, value, exemplarLabels: exemplar });
      else counter.inc(labels, value);
    };
    const observe = (histogram: Histogram, labels: Record<string, string>, value: number) => {
      if (m.exemplars) histogram.observe({ labels, value, exemplarLabels: exemplar });
      else histogram.observe(labels, value);
    };
    const status = facts.status === undefined ? '' : String(facts.status);
    count(m.attempts, {
      operation,
      model,
      status_code: status,
      error_type: errorTypeLabel(facts.outcome.errorType),
    });
    let seenModels = m.spikesSeen.get(operation);
    if (!seenModels) {
      seenModels = new Set();
      m.spikesSeen.set(operation, seenModels);
    }
    if (!seenModels.has(model)) {
      // A series of spikes starts at 0: "no spikes" rather than "no data".
      seenModels.add(model);
      if (m.exemplars) m.accelerationSpikes.inc({ labels: { operation, model }, value: 0 });
      else m.accelerationSpikes.inc({ operation, model }, 0);
    }
    if (isAccelerationLimit(facts)) count(m.accelerationSpikes, { operation, model });
    if (facts.retryCount > 0) {
      count(m.retries, { operation, model, error_type: errorTypeLabel(previousErrorType) || 'unknown' });
      if (facts.backoffMs !== undefined) observe(m.backoff, { operation, model }, facts.backoffMs / 1000);
    }
    observe(m.duration, { operation, model, status_code: status }, facts.durationMs / 1000);
    if (facts.timeToFirstChunk !== undefined)
      observe(m.timeToFirstToken, { operation, model }, facts.timeToFirstChunk);
    const usage = facts.reply?.usage;
    if (usage && !facts.outcome.failed) {
      // `input` counts the cache too (as the GenAI conventions do); `cache_read` and `cache_write`
      // are parts of it, `reasoning` a part of `output`.
      const input = totalInput(usage);
      if (input) count(m.tokens, { operation, model, type: 'input' }, input);
      if (usage.output) count(m.tokens, { operation, model, type: 'output' }, usage.output);
      if (usage.cacheRead) count(m.tokens, { operation, model, type: 'cache_read' }, usage.cacheRead);
      if (usage.cacheWrite) count(m.tokens, { operation, model, type: 'cache_write' }, usage.cacheWrite);
      if (usage.reasoning) count(m.tokens, { operation, model, type: 'reasoning' }, usage.reasoning);
    }
    const limits = facts.rateLimits;
    if (limits) {
      // A response with rate-limit headers is read at the next scrape, if no newer one of its
      // limit has come; one without them (a proxy's page) leaves the latest readings as they were.
      const slot = slotOf(m.latest, facts.request);
      if (limits.requests) slot.pending = limits;
      else merge(slot.readings, limits);
    }
  }
}

/** The rate-limit gauges' labels besides `resource`: the limit a response's headers describe. */
const RATE_LIMIT_LABELS = ['resource', 'model_group', 'lane'];

/** A limit's latest readings, and the newest response's not yet read. */
interface LimitSlot {
  labels: { model_group: string; lane: string };
  readings: Map<string, RateLimitReading>;
  pending: RateLimits | undefined;
}

/** The slot of a request's limit (model group x lane); endpoints other than Messages share one of empty labels. */
function slotOf(latest: Map<string, Map<string, LimitSlot>>, request: RequestFacts | undefined): LimitSlot {
  const group = request?.modelGroup ?? '';
  const lane = request?.lane ?? '';
  let lanes = latest.get(group);
  if (!lanes) {
    lanes = new Map();
    latest.set(group, lanes);
  }
  let slot = lanes.get(lane);
  if (!slot) {
    slot = { labels: { model_group: group, lane }, readings: new Map(), pending: undefined };
    lanes.set(lane, slot);
  }
  return slot;
}

/** Keeps the reading of each resource `limits` reports, for the headroom gauges. */
function merge(latest: Map<string, RateLimitReading>, limits: RateLimits): void {
  for (const resource of RATE_LIMIT_RESOURCES) {
    const reading = limits[resource];
    if (reading) latest.set(resource, reading);
  }
}
