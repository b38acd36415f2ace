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
import { RATE_LIMIT_RESOURCES, type RateLimitResource } from '../facts/headers';
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

/** The rate-limit attribute names of each resource, made once. */
const RATE_LIMIT_ATTRIBUTES = Object.fromEntries(
  RATE_LIMIT_RESOURCES.map((r) => [
    r,
    { remaining: attrRateLimit(r, 'remaining'), limit: attrRateLimit(r, 'limit') },
  ]),
) as Record<RateLimitResource, { remaining: string; limit: string }>;

/** Writes what the attempt was onto its span (the rate limits of `resources`) and ends it. */
export function endAttemptSpan(
  span: Span,
  facts: AttemptFacts,
  resources: readonly RateLimitResource[],
): void {
  // A span the sampler dropped records nothing: skip building what it would throw away.
  if (!span.isRecording()) {
    span.end();
    return;
  }
  // One setAttribute per value: no intermediate object, nothing for a span to copy.
  if (facts.status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, facts.status);
  if (facts.requestId) span.setAttribute(ATTR_ANTHROPIC_REQUEST_ID, facts.requestId);
  if (facts.retryAfterMs !== undefined)
    span.setAttribute(ATTR_ANTHROPIC_RETRY_AFTER_MS, Math.round(facts.retryAfterMs));
  const limits = facts.rateLimits;
  if (limits) {
    for (const resource of resources) {
      const reading = limits[resource];
      if (!reading) continue;
      const names = RATE_LIMIT_ATTRIBUTES[resource];
      if (reading.remaining !== undefined) span.setAttribute(names.remaining, reading.remaining);
      if (reading.limit !== undefined) span.setAttribute(names.limit, reading.limit);
    }
  }
  const { outcome, reply } = facts;
  if (outcome.errorType) span.setAttribute(ATTR_ERROR_TYPE, outcome.errorType);
  if (outcome.errorCode) span.setAttribute(ATTR_ANTHROPIC_ERROR_CODE, outcome.errorCode);
  if (outcome.retryable !== undefined) span.setAttribute(ATTR_ANTHROPIC_RETRYABLE, outcome.retryable);
  if (outcome.aborted) span.setAttribute(ATTR_ANTHROPIC_ABORTED, true);
  if (facts.veto) span.setAttribute(ATTR_ANTHROPIC_GOVERNOR_RETRY_VETO, facts.veto);
  if (reply) {
    if (reply.id) span.setAttribute(ATTR_GEN_AI_RESPONSE_ID, reply.id);
    if (reply.model) span.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, reply.model);
    if (reply.finishReason) span.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, [reply.finishReason]);
    const usage = reply.usage;
    // Input counts the cache's reads and writes too, as the conventions and the SDK's call span do.
    const input = totalInput(usage);
    if (input !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, input);
    if (usage.output !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, usage.output);
    // The parts only when there were any: every attribute costs on every attempt.
    if (usage.cacheRead) span.setAttribute(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheRead);
    if (usage.cacheWrite) span.setAttribute(ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS, usage.cacheWrite);
    if (usage.cacheWrite5m) span.setAttribute(ATTR_ANTHROPIC_USAGE_CACHE_WRITE_5M, usage.cacheWrite5m);
    if (usage.cacheWrite1h) span.setAttribute(ATTR_ANTHROPIC_USAGE_CACHE_WRITE_1H, usage.cacheWrite1h);
    if (usage.reasoning) span.setAttribute(ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoning);
  }
  if (facts.timeToFirstChunk !== undefined)
    span.setAttribute(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, facts.timeToFirstChunk);
  if (outcome.failed) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorType });
  span.end();
}
