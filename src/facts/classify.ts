/**
 * What an attempt's outcome was, in this package's terms: the error type, the finer error code,
 * and whether a new attempt could succeed. See "Error types" in the README for the table.
 */
export interface Classification {
  /** False for a 2xx that streamed to its end, and for an abort by the caller. */
  failed: boolean;
  /** The API's `error.type`; else the HTTP status as a string; else `connection_error` / `timeout`. */
  errorType?: string;
  /** `error.details.error_code`, e.g. `ramp_limit_exceeded`. */
  errorCode?: string;
  /** Whether another attempt could succeed (set on failures only). */
  retryable?: boolean;
  /** The caller aborted: not an error. */
  aborted?: boolean;
}

/** Error codes that no retry can fix before the billing period rolls over. */
const NEVER_RETRYABLE_CODES = new Set([
  'enforced_spend_limit_reached',
  'contract_spend_limit_reached',
  'linked_organization_spend_limit_reached',
]);

/** Error types a retry can fix (a mid-stream error carries no status, only its type). */
const RETRYABLE_TYPES = new Set(['rate_limit_error', 'overloaded_error', 'api_error', 'timeout_error']);

const IDENTIFIER = /^[A-Za-z0-9_.-]{1,64}$/;

/** Keeps an identifier from a response only when it looks like one (bounded, no spaces or markup). */
export function identifier(value: unknown): string | undefined {
  return typeof value === 'string' && IDENTIFIER.test(value) ? value : undefined;
}

/**
 * A model id as the platforms spell them: the Claude API's (`claude-sonnet-4-5`), Bedrock's
 * (`us.anthropic.claude-sonnet-4-5-20250929-v1:0`, inference-profile ARNs) and Vertex's
 * (`claude-sonnet-4-5@20250929`). Bounded, no spaces or markup.
 */
const MODEL_ID = /^[A-Za-z0-9_.:@/-]{1,200}$/;
export function modelId(value: unknown): string | undefined {
  return typeof value === 'string' && MODEL_ID.test(value) ? value : undefined;
}

export const OK: Classification = { failed: false };

/** An HTTP response that is not a success. `body` is what the error body said, when it said anything. */
export function classifyHttpError(
  status: number,
  body: { type?: string; code?: string } | undefined,
  shouldRetry: boolean | undefined,
): Classification {
  const errorType = body?.type ?? String(status);
  const errorCode = body?.code;
  let retryable: boolean;
  if (shouldRetry !== undefined) retryable = shouldRetry;
  else if (errorCode && NEVER_RETRYABLE_CODES.has(errorCode)) retryable = false;
  else retryable = status === 408 || status === 409 || status === 429 || status >= 500;
  return errorCode
    ? { failed: true, errorType, errorCode, retryable }
    : { failed: true, errorType, retryable };
}

/** An `event: error` inside a 200 stream. */
export function classifyStreamError(type: string | undefined, code: string | undefined): Classification {
  const errorType = type ?? 'stream_error';
  const result: Classification = { failed: true, errorType, retryable: RETRYABLE_TYPES.has(errorType) };
  if (code) result.errorCode = code;
  return result;
}

/** A stream that stopped without `message_stop` and without an error event. */
export const TRUNCATED: Classification = { failed: true, errorType: 'stream_truncated', retryable: true };

/**
 * No response, or a body cut off: the transport failed, timed out, or the caller aborted.
 * `requestAborted`: the attempt's own signal fired while the caller's did not, which before
 * headers only the SDK's timeout does (older SDKs hand middleware a plain Error for it).
 */
export function classifyTransportError(
  error: unknown,
  callerAborted: boolean,
  requestAborted = false,
): Classification {
  if (callerAborted) return { failed: false, aborted: true };
  const name = (error as { name?: unknown } | null)?.name;
  const text = `${String(error)} ${String((error as { cause?: unknown } | null)?.cause ?? '')}`;
  const timedOut =
    requestAborted || name === 'AbortError' || name === 'TimeoutError' || /timed? ?out/i.test(text);
  return { failed: true, errorType: timedOut ? 'timeout' : 'connection_error', retryable: true };
}
