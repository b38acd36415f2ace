/**
 * Claude on Amazon Bedrock and Google Vertex AI: the platform clients send the Messages API's
 * requests under their own paths and answer errors in their own shapes. What an attempt was is
 * read here in the Claude API's terms, so every consumer (span, metrics, governor) reads one thing.
 */

import {
  GEN_AI_PROVIDER_ANTHROPIC,
  GEN_AI_PROVIDER_AWS_BEDROCK,
  GEN_AI_PROVIDER_GCP_VERTEX_AI,
} from '../semconv';

/** `gen_ai.provider.name` of each platform, as the SDK's own call span names it. */
export type Provider =
  | typeof GEN_AI_PROVIDER_ANTHROPIC
  | typeof GEN_AI_PROVIDER_AWS_BEDROCK
  | typeof GEN_AI_PROVIDER_GCP_VERTEX_AI;

/**
 * The platform a URL belongs to: from its path once the platform client has rewritten it (a
 * gateway keeps the path), else from the platform's own hosts.
 */
export function providerOf(url: string): Provider {
  if (BEDROCK_PATH.test(url) || BEDROCK_HOST.test(url)) return GEN_AI_PROVIDER_AWS_BEDROCK;
  if (VERTEX_PATH.test(url) || VERTEX_HOST.test(url)) return GEN_AI_PROVIDER_GCP_VERTEX_AI;
  return GEN_AI_PROVIDER_ANTHROPIC;
}

/**
 * The platform a client names in its user agent (`AnthropicBedrock/JS 1.2.1`, `AnthropicVertex/JS
 * 1.1.5`): what a middleware given by hand, which never sees the client, can still tell.
 */
export function providerOfUserAgent(userAgent: string | null): Provider | undefined {
  if (!userAgent) return undefined;
  if (userAgent.startsWith('AnthropicBedrock/')) return GEN_AI_PROVIDER_AWS_BEDROCK;
  if (userAgent.startsWith('AnthropicVertex/')) return GEN_AI_PROVIDER_GCP_VERTEX_AI;
  return undefined;
}

const BEDROCK_HOST = /^https?:\/\/bedrock(?:-runtime)?[.-][^/]*\.amazonaws\.com(?:[:/]|$)/;
const VERTEX_HOST = /^https?:\/\/(?:[a-z0-9-]+-)?aiplatform(?:\.[a-z]+\.rep)?\.googleapis\.com(?:[:/]|$)/;

const BEDROCK_PATH = /\/model\/[^/?]+\/(?:invoke|invoke-with-response-stream|count-tokens)(?:[?#]|$)/;
const VERTEX_PATH = /\/publishers\/anthropic\/models\/[^/?]+:(?:rawPredict|streamRawPredict)(?:[?#]|$)/;

/** Bedrock's error types (`x-amzn-errortype`, before any `:`), in the Claude API's error types. */
const BEDROCK_ERRORS: Record<string, string> = {
  ThrottlingException: 'rate_limit_error',
  ServiceQuotaExceededException: 'rate_limit_error',
  ServiceUnavailableException: 'overloaded_error',
  ModelNotReadyException: 'overloaded_error',
  ModelTimeoutException: 'timeout_error',
  InternalServerException: 'api_error',
  ModelErrorException: 'api_error',
  ValidationException: 'invalid_request_error',
  AccessDeniedException: 'permission_error',
  UnrecognizedClientException: 'authentication_error',
  ResourceNotFoundException: 'not_found_error',
};

/** Google's canonical error statuses (`error.status` of a Vertex error body), in the Claude API's error types. */
const VERTEX_ERRORS: Record<string, string> = {
  RESOURCE_EXHAUSTED: 'rate_limit_error',
  UNAVAILABLE: 'overloaded_error',
  INTERNAL: 'api_error',
  DEADLINE_EXCEEDED: 'timeout_error',
  INVALID_ARGUMENT: 'invalid_request_error',
  FAILED_PRECONDITION: 'invalid_request_error',
  PERMISSION_DENIED: 'permission_error',
  UNAUTHENTICATED: 'authentication_error',
  NOT_FOUND: 'not_found_error',
};

/** The Claude API error type a Bedrock error response stands for, from its `x-amzn-errortype`. */
export function bedrockErrorType(header: string | null): string | undefined {
  if (!header) return undefined;
  const colon = header.indexOf(':');
  return BEDROCK_ERRORS[colon === -1 ? header : header.slice(0, colon)];
}

/** The Claude API error type a Vertex error body's `error.status` stands for. */
export function vertexErrorType(status: unknown): string | undefined {
  return typeof status === 'string' ? VERTEX_ERRORS[status] : undefined;
}

/** A platform's request id: Bedrock's `x-amzn-requestid` (the Claude API's own `request-id` is read first). */
export const PLATFORM_REQUEST_ID_HEADERS = ['x-amzn-requestid'] as const;
