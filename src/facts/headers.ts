/** Reading the response and request headers of one attempt. Garbage in, `undefined` out. */

export const RATE_LIMIT_RESOURCES = ['requests', 'tokens', 'input_tokens', 'output_tokens'] as const;
export type RateLimitResource = (typeof RATE_LIMIT_RESOURCES)[number];

export interface RateLimitReading {
  limit?: number;
  remaining?: number;
  /** Epoch milliseconds at which the bucket is full again. */
  resetAt?: number;
}

export type RateLimits = Partial<Record<RateLimitResource, RateLimitReading>>;

/** A non-negative number header; anything else is undefined. */
function count(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const n = Number(value);
  return n >= 0 && n < Number.POSITIVE_INFINITY ? n : undefined;
}

const NAMES = Object.fromEntries(
  RATE_LIMIT_RESOURCES.map((resource) => {
    const prefix = `anthropic-ratelimit-${resource.replace('_', '-')}-`;
    return [resource, { limit: `${prefix}limit`, remaining: `${prefix}remaining`, reset: `${prefix}reset` }];
  }),
) as Record<RateLimitResource, { limit: string; remaining: string; reset: string }>;

/** The `anthropic-ratelimit-<resource>-{limit,remaining,reset}` headers of the given resources. */
export function readRateLimits(headers: Headers, resources: readonly RateLimitResource[]): RateLimits {
  const out: RateLimits = {};
  for (const resource of resources) {
    const names = NAMES[resource];
    const limit = count(headers.get(names.limit));
    const remaining = count(headers.get(names.remaining));
    const reset = headers.get(names.reset);
    const resetAt = reset === null ? Number.NaN : Date.parse(reset);
    if (limit === undefined && remaining === undefined && Number.isNaN(resetAt)) continue;
    const reading: RateLimitReading = {};
    if (limit !== undefined) reading.limit = limit;
    if (remaining !== undefined) reading.remaining = remaining;
    if (!Number.isNaN(resetAt)) reading.resetAt = resetAt;
    out[resource] = reading;
  }
  return out;
}

/** What the response advised to wait, in ms: `retry-after-ms`, else `retry-after` (seconds or HTTP date). */
export function readRetryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Number(ms);
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and zone ("Wed, 21 Oct 2026 07:28:00 GMT"); Date.parse would take "-3" too.
  const date = /GMT|UTC|[+-]\d{4}$/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The SDK's 0-based attempt number (`X-Stainless-Retry-Count`), 0 when absent or not a number. */
export function readRetryCount(headers: Headers): number {
  const value = headers.get('x-stainless-retry-count');
  return value !== null && /^\d{1,6}$/.test(value) ? Number(value) : 0;
}

/** `x-should-retry: true|false` from the server, if it says. */
export function readShouldRetry(headers: Headers): boolean | undefined {
  const value = headers.get('x-should-retry');
  return value === 'true' ? true : value === 'false' ? false : undefined;
}
