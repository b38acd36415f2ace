import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { RateLimitResource } from './facts/headers';
import type { GovernorConfig } from './governor/config';
import type { MetricsConfig } from './metrics/attempt-metrics';

/** Options shared by `AnthropicInstrumentation` and `claudeMiddleware`. */
export interface ClaudeOtelConfig {
  /**
   * Rate-limit resources whose `remaining` and `limit` headers become span attributes.
   * Default: `['requests', 'tokens', 'input_tokens', 'output_tokens']`.
   */
  rateLimitResources?: RateLimitResource[];
  /**
   * Which attempt spans carry the `anthropic.ratelimit.*` attributes: `'failed'` attempts (a
   * 429, a 529, any error: where headroom explains the failure), or `'every'` attempt. The
   * `anthropic_ratelimit_*` gauges show the headroom of every response either way. On every
   * attempt they cost eight header reads and eight attributes per attempt. Default: `'failed'`.
   */
  rateLimitAttributes?: 'failed' | 'every';
  /**
   * How long to wait for an error response's body (to read its `error.type`) before classifying
   * the attempt by its status alone. Default: 1000 ms.
   */
  errorBodyTimeoutMs?: number;
  /** Tracer provider for `claudeMiddleware`. Default: the global one. (The instrumentation uses its own.) */
  tracerProvider?: TracerProvider;
  /** Meter provider for `claudeMiddleware`'s OpenTelemetry metrics. Default: the global one. (The instrumentation uses its own.) */
  meterProvider?: MeterProvider;
  /**
   * Prometheus metrics of every attempt (prom-client), or `false` for none.
   * Default: `{}`, i.e. into prom-client's default registry, 20 model names before `other`.
   */
  metrics?: MetricsConfig | false;
  /**
   * Retry a stream whose first event after the headers is a retryable error (such as
   * `overloaded_error`) before any content, as the SDK retries a 529: the caller then sees a
   * normal stream. The stream reaches the SDK at its first content event. Default: true.
   */
  retryEarlyStreamErrors?: boolean;
  /**
   * The traffic governor that paces every Messages attempt (see "The governor" in the README), or `false`
   * for none. Default: `{}`, i.e. on, with the defaults of `GovernorConfig`.
   */
  governor?: GovernorConfig | false;
}

export const DEFAULT_RATE_LIMIT_RESOURCES: RateLimitResource[] = [
  'requests',
  'tokens',
  'input_tokens',
  'output_tokens',
];
export const DEFAULT_ERROR_BODY_TIMEOUT_MS = 1000;
/** Error bodies larger than this are not read (the API's are a few hundred bytes). */
export const ERROR_BODY_MAX_BYTES = 64 * 1024;
