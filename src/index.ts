export type { ClaudeOtelConfig } from './config';
export { isAccelerationLimit } from './facts/acceleration';
export type { VetoReason } from './facts/attempt-facts';
export type { Classification } from './facts/classify';
export type { RateLimitResource } from './facts/headers';
export type { GovernorConfig } from './governor/config';
export { GovernorRejectedError, type RejectReason } from './governor/errors';
export type { GovernorState } from './governor/governor';
export type { RampOptions } from './governor/ramp';
export type { RetryBudgetOptions } from './governor/retry-budget';
export type { SignalSource, Signals } from './governor/signals';
export {
  AnthropicInstrumentation,
  type AnthropicInstrumentationConfig,
  SUPPORTED_SDK_VERSIONS,
  TESTED_SDK_VERSIONS,
} from './instrumentation';
export {
  type AnyRegistry,
  AttemptMetrics,
  type MetricsConfig,
  openMetricsRegistry,
} from './metrics/attempt-metrics';
export { LATENCY_BUCKETS } from './metrics/buckets';
export { errorTypeLabel, KNOWN_ERROR_TYPES } from './metrics/labels';
export {
  type MetricsServer,
  type MetricsServerOptions,
  metricsHandler,
  startMetricsServer,
} from './metrics/serve';
export { MetricsSignalSource } from './metrics/signal-source';
export { claudeMiddleware } from './middleware';
export { type ShutdownOnExitOptions, shutdownOnExit } from './shutdown-on-exit';
export { VERSION } from './version';
