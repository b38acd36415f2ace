import { MAX_TIMER_MS } from '../timers';

/** The SDK's own rule (1.x `shouldRetry`): the server's `x-should-retry`, else 408, 409, 429 and 5xx. */
export function sdkWouldRetry(status: number, shouldRetry: boolean | undefined): boolean {
  if (shouldRetry !== undefined) return shouldRetry;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Whether the SDK reads this (non-stream) response's body with `json()`, as its parser decides. */
export function sdkReadsJson(response: Response): boolean {
  if (response.status === 204 || response.headers.get('content-length') === '0') return false;
  const contentType = response.headers.get('content-type') ?? '';
  return contentType.includes('json') || contentType.includes('text/event-stream');
}

/**
 * The wait a `retry-after` advises, read as the SDK reads it: the SDK sleeps it only when it is
 * above 0 and within a timer's range, and otherwise falls back to its own backoff.
 */
export function advisedWaitMs(retryAfterMs: number | undefined): number | undefined {
  return retryAfterMs !== undefined && retryAfterMs > 0 && retryAfterMs <= MAX_TIMER_MS
    ? retryAfterMs
    : undefined;
}
