import type { AnyRegistry } from '../../metrics/attempt-metrics';
import { ATTEMPT_METRIC_NAMES } from '../../metrics/attempt-metrics';
import { GOVERNOR_METRIC_NAMES } from '../../metrics/governor-metrics';

/** What one run's prom-client registry says: the numbers a dashboard would show. */
export interface Telemetry {
  attempts: number;
  /** By `status_code` ("" = no response). */
  byStatus: Record<string, number>;
  byErrorType: Record<string, number>;
  retries: number;
  backoff: { count: number; seconds: number };
  accelerationSpikes: number;
  tokens: Record<string, number>;
  inFlight: number;
  governor?: {
    allowedPerSecond: number;
    concurrencyLimit: number;
    queued: number;
    paused: boolean;
    waits: { count: number; seconds: number };
    rejected: Record<string, number>;
    vetoes: Record<string, number>;
    pauses: number;
    pausedSeconds: number;
  };
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** Every metric claude-otel registers (a few the demo does not show cost nothing to read). */
const NAMES = [...ATTEMPT_METRIC_NAMES, ...GOVERNOR_METRIC_NAMES];

/**
 * Reads a registry (gauges are collected as at a scrape). Each metric by the name it was
 * registered under: an OpenMetrics registry renames its counters (drops `_total`) at the first scrape.
 */
export async function readTelemetry(registry: AnyRegistry): Promise<Telemetry> {
  const metrics = new Map<string, Sample[]>();
  for (const name of NAMES) {
    const metric = registry.getSingleMetric(name);
    if (metric) metrics.set(name, (await metric.get()).values as unknown as Sample[]);
  }
  const samples = (name: string) => metrics.get(name) ?? [];
  const total = (name: string) => samples(name).reduce((sum, s) => sum + s.value, 0);
  const by = (name: string, label: string) => {
    const out: Record<string, number> = {};
    for (const s of samples(name)) {
      if (s.value === 0) continue;
      const key = String(s.labels[label] ?? '');
      out[key] = (out[key] ?? 0) + s.value;
    }
    return out;
  };
  const histogram = (name: string) => {
    let count = 0;
    let seconds = 0;
    for (const s of samples(name)) {
      if (s.metricName === `${name}_count`) count += s.value;
      if (s.metricName === `${name}_sum`) seconds += s.value;
    }
    return { count, seconds };
  };
  const telemetry: Telemetry = {
    attempts: total('anthropic_attempts_total'),
    byStatus: by('anthropic_attempts_total', 'status_code'),
    byErrorType: by('anthropic_attempts_total', 'error_type'),
    retries: total('anthropic_retries_total'),
    backoff: histogram('anthropic_backoff_seconds'),
    accelerationSpikes: total('anthropic_acceleration_limit_spikes_total'),
    tokens: by('anthropic_tokens_total', 'type'),
    inFlight: total('anthropic_attempts_in_flight'),
  };
  delete telemetry.byErrorType[''];
  if (metrics.has('anthropic_governor_wait_seconds')) {
    telemetry.governor = {
      allowedPerSecond: total('anthropic_governor_allowed_requests_per_second'),
      concurrencyLimit: total('anthropic_governor_concurrency_limit'),
      queued: total('anthropic_governor_queued_requests'),
      paused: total('anthropic_governor_paused') > 0,
      waits: histogram('anthropic_governor_wait_seconds'),
      rejected: by('anthropic_governor_rejected_total', 'reason'),
      vetoes: by('anthropic_governor_retry_vetoes_total', 'reason'),
      pauses: total('anthropic_governor_pauses_total'),
      pausedSeconds: total('anthropic_governor_paused_seconds_total'),
    };
  }
  return telemetry;
}
