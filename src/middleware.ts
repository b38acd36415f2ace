import type { Middleware } from '@anthropic-ai/sdk';
import { type Meter, type MeterProvider, metrics, type Tracer, trace } from '@opentelemetry/api';
import { register as defaultRegistry } from 'prom-client';
import type { AttemptSettings } from './attempt/attempt';
import { attemptMiddleware } from './attempt/middleware';
import {
  type ClaudeOtelConfig,
  DEFAULT_ERROR_BODY_TIMEOUT_MS,
  DEFAULT_RATE_LIMIT_RESOURCES,
  ERROR_BODY_MAX_BYTES,
} from './config';
import { resolveGovernorConfig } from './governor/config';
import { connectFleet } from './governor/fleet/fleets';
import { observeAttempt, selectGovernor } from './limit-groups';
import { ATTEMPT_METRIC_NAMES, AttemptMetrics } from './metrics/attempt-metrics';
import { GOVERNOR_METRIC_NAMES, GovernorMetrics } from './metrics/governor-metrics';
import { OtelAttemptMetrics } from './metrics/otel-metrics';
import { claimMetricNames } from './metrics/registration';
import { checkOptions } from './option-rules';
import { VERSION } from './version';

export const INSTRUMENTATION_NAME = 'claude-otel';

export function settingsOf(
  config: ClaudeOtelConfig,
  tracer: () => Tracer,
  meter: () => Meter = meterOf(config.meterProvider),
): AttemptSettings {
  const governorConfig = config.governor === false ? undefined : resolveGovernorConfig(config.governor);
  const registry = config.metrics === false ? undefined : (config.metrics?.registry ?? defaultRegistry);
  let recorder: AttemptMetrics | undefined;
  if (registry) {
    // Every name checked before any is registered: a clash throws here, not at the first request.
    claimMetricNames(
      registry,
      governorConfig ? [...ATTEMPT_METRIC_NAMES, ...GOVERNOR_METRIC_NAMES] : ATTEMPT_METRIC_NAMES,
    );
    recorder = new AttemptMetrics(config.metrics || {});
    if (governorConfig) new GovernorMetrics(registry); // registered now, so none can clash later
  }
  // Connected now, so the first calls do not wait for Redis (nor a bad URL go unnoticed until then).
  if (governorConfig?.fleet) connectFleet(governorConfig.fleet);
  const otel = config.metrics !== false && config.metrics?.otel !== false;
  return {
    governor:
      governorConfig &&
      ((origin, headers, request) => selectGovernor(origin, headers, request, governorConfig, registry)),
    observeGoverned: governorConfig && observeAttempt,
    tracer,
    recorder,
    otelRecorder: otel ? new OtelAttemptMetrics(meter) : undefined,
    rateLimitResources: config.rateLimitResources ?? DEFAULT_RATE_LIMIT_RESOURCES,
    modelGroups: governorConfig?.modelGroups,
    rateLimitAttributesOnEvery: config.rateLimitAttributes === 'every',
    errorBodyTimeoutMs: config.errorBodyTimeoutMs ?? DEFAULT_ERROR_BODY_TIMEOUT_MS,
    errorBodyMaxBytes: ERROR_BODY_MAX_BYTES,
    retryEarlyStreamErrors: config.retryEarlyStreamErrors ?? true,
  };
}

/** The meter of `provider`, or of the global MeterProvider as it is now (it may be registered later). */
function meterOf(provider: MeterProvider | undefined): () => Meter {
  let last: MeterProvider | undefined;
  let meter: Meter | undefined;
  return () => {
    const current = provider ?? metrics.getMeterProvider();
    if (current !== last || !meter) {
      last = current;
      meter = current.getMeter(INSTRUMENTATION_NAME, VERSION);
    }
    return meter;
  };
}

/**
 * The per-attempt middleware for clients you construct yourself:
 * `new Anthropic({ middleware: [claudeMiddleware()] })`. Uses the global tracer provider
 * unless `config.tracerProvider` is given.
 */
export function claudeMiddleware(config: ClaudeOtelConfig = {}): Middleware {
  checkOptions(config);
  const provider = config.tracerProvider;
  const tracer = provider
    ? provider.getTracer(INSTRUMENTATION_NAME, VERSION)
    : trace.getTracer(INSTRUMENTATION_NAME, VERSION);
  return attemptMiddleware(settingsOf(config, () => tracer));
}
