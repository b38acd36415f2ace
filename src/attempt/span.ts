import {
  context,
  INVALID_SPAN_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { AttemptFacts } from '../facts/attempt-facts';
import { totalInput } from '../facts/reply-facts';
import {
  ATTR_ANTHROPIC_ABORTED,
  ATTR_ANTHROPIC_ERROR_CODE,
  ATTR_ANTHROPIC_GOVERNOR_RETRY_VETO,
  ATTR_ANTHROPIC_REQUEST_ID,
  ATTR_ANTHROPIC_RETRY_AFTER_MS,
  ATTR_ANTHROPIC_RETRYABLE,
  ATTR_ANTHROPIC_USAGE_CACHE_WRITE_1H,
  ATTR_ANTHROPIC_USAGE_CACHE_WRITE_5M,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  attrRateLimit,
} from '../semconv';

/** The attempt span; a tracer that fails gives a span that records nothing, so metrics go on. */
export function startAttemptSpan(
  tracer: () => Tracer,
  name: string,
  attributes: Record<string, string | number | boolean>,
): Span {
  try {
    return tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes }, context.active());
  } catch {
    return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
  }
}

/** Writes what the attempt was onto its span and ends it. */
export function endAttemptSpan(span: Span, facts: AttemptFacts): void {
  // A span the sampler dropped records nothing: skip building what it would throw away.
  if (!span.isRecording()) {
    span.end();
    return;
  }
  const attributes: Record<string, string | number | boolean | string[]> = {};
  if (facts.status !== undefined) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = facts.status;
  if (facts.requestId) attributes[ATTR_ANTHROPIC_REQUEST_ID] = facts.requestId;
  if (facts.retryAfterMs !== undefined)
    attributes[ATTR_ANTHROPIC_RETRY_AFTER_MS] = Math.round(facts.retryAfterMs);
  for (const [resource, reading] of Object.entries(facts.rateLimits ?? {})) {
    if (reading.remaining !== undefined) attributes[attrRateLimit(resource, 'remaining')] = reading.remaining;
    if (reading.limit !== undefined) attributes[attrRateLimit(resource, 'limit')] = reading.limit;
  }
  const { outcome, reply } = facts;
  if (outcome.errorType) attributes[ATTR_ERROR_TYPE] = outcome.errorType;
  if (outcome.errorCode) attributes[ATTR_ANTHROPIC_ERROR_CODE] = outcome.errorCode;
  if (outcome.retryable !== undefined) attributes[ATTR_ANTHROPIC_RETRYABLE] = outcome.retryable;
  if (outcome.aborted) attributes[ATTR_ANTHROPIC_ABORTED] = true;
  if (facts.veto) attributes[ATTR_ANTHROPIC_GOVERNOR_RETRY_VETO] = facts.veto;
  if (reply) {
    if (reply.id) attributes[ATTR_GEN_AI_RESPONSE_ID] = reply.id;
    if (reply.model) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = reply.model;
    if (reply.finishReason) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [reply.finishReason];
    const usage = reply.usage;
    // Input counts the cache's reads and writes too, as the conventions and the SDK's call span do.
    const input = totalInput(usage);
    if (input !== undefined) attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = input;
    if (usage.output !== undefined) attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = usage.output;
    // The parts only when there were any: every attribute costs on every attempt.
    if (usage.cacheRead) attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = usage.cacheRead;
    if (usage.cacheWrite) attributes[ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS] = usage.cacheWrite;
    if (usage.cacheWrite5m) attributes[ATTR_ANTHROPIC_USAGE_CACHE_WRITE_5M] = usage.cacheWrite5m;
    if (usage.cacheWrite1h) attributes[ATTR_ANTHROPIC_USAGE_CACHE_WRITE_1H] = usage.cacheWrite1h;
    if (usage.reasoning) attributes[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = usage.reasoning;
  }
  if (facts.timeToFirstChunk !== undefined) {
    attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = facts.timeToFirstChunk;
  }
  span.setAttributes(attributes);
  if (outcome.failed) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorType });
  span.end();
}
