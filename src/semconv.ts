/** Attribute and span names this package writes: OpenTelemetry's where they exist, ours otherwise. */

// OpenTelemetry HTTP and URL conventions
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_HTTP_REQUEST_RESEND_COUNT = 'http.request.resend_count';
export const ATTR_URL_FULL = 'url.full';
/** The path with ids as `{placeholders}`; the attempt span is named `{http.request.method} {url.template}`. */
export const ATTR_URL_TEMPLATE = 'url.template';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_ERROR_TYPE = 'error.type';

// OpenTelemetry GenAI conventions
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const GEN_AI_PROVIDER_ANTHROPIC = 'anthropic';
export const GEN_AI_PROVIDER_AWS_BEDROCK = 'aws.bedrock';
export const GEN_AI_PROVIDER_GCP_VERTEX_AI = 'gcp.vertex_ai';
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';

// This package's own
export const ATTR_ANTHROPIC_REQUEST_ID = 'anthropic.request.id';
/** Cache writes by lifetime (the SDK's call span uses the same names). */
export const ATTR_ANTHROPIC_USAGE_CACHE_WRITE_5M = 'anthropic.usage.cache_creation.ephemeral_5m_input_tokens';
export const ATTR_ANTHROPIC_USAGE_CACHE_WRITE_1H = 'anthropic.usage.cache_creation.ephemeral_1h_input_tokens';
export const ATTR_ANTHROPIC_ERROR_CODE = 'anthropic.error.code';
export const ATTR_ANTHROPIC_RETRYABLE = 'anthropic.retryable';
export const ATTR_ANTHROPIC_RETRY_BACKOFF_MS = 'anthropic.retry.backoff_ms';
export const ATTR_ANTHROPIC_RETRY_AFTER_MS = 'anthropic.retry_after_ms';
export const ATTR_ANTHROPIC_ABORTED = 'anthropic.aborted';
export const ATTR_ANTHROPIC_STREAM = 'anthropic.stream';
/** Time the attempt waited for the governor before it was sent. */
export const ATTR_ANTHROPIC_GOVERNOR_WAIT_MS = 'anthropic.governor.wait_ms';
/** Why the governor stopped the SDK from retrying this response (`budget`, `not_retryable`, ...). */
export const ATTR_ANTHROPIC_GOVERNOR_RETRY_VETO = 'anthropic.governor.retry_veto';
/** `anthropic.ratelimit.<resource>.remaining` / `.limit` */
export const attrRateLimit = (resource: string, part: 'remaining' | 'limit') =>
  `anthropic.ratelimit.${resource}.${part}`;

// OpenTelemetry metrics of our own (what the Prometheus metrics count, where the conventions have no name)
export const METRIC_ANTHROPIC_ATTEMPTS = 'anthropic.attempts';
export const METRIC_ANTHROPIC_RETRIES = 'anthropic.retries';
export const METRIC_ANTHROPIC_ACCELERATION_SPIKES = 'anthropic.acceleration_limit.spikes';
export const METRIC_ANTHROPIC_ATTEMPTS_IN_FLIGHT = 'anthropic.attempts.in_flight';
