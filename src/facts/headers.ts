/** Reading the response and request headers of one attempt. Garbage in, `undefined` out. */

export const RATE_LIMIT_RESOURCES = [
  'requests',
  'tokens',
  'input_tokens',
  'output_tokens',
  // Fast mode's own limits (`anthropic-fast-*`) and Priority Tier's (`anthropic-priority-*`).
  'fast_input_tokens',
  'fast_output_tokens',
  'priority_input_tokens',
  'priority_output_tokens',
] as const;
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
    const [, kind, rest] = /^(fast_|priority_)?(.*)$/.exec(resource) as RegExpExecArray;
    const family = kind ? `anthropic-${kind.slice(0, -1)}` : 'anthropic-ratelimit';
    const prefix = `${family}-${rest.replace('_', '-')}-`;
    return [resource, { limit: `${prefix}limit`, remaining: `${prefix}remaining`, reset: `${prefix}reset` }];
  }),
) as Record<RateLimitResource, { limit: string; remaining: string; reset: string }>;

/** An RFC 3339 (or HTTP) date header as epoch ms; garbage is undefined. */
function date(value: string | null): number | undefined {
  if (value === null) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}

/** One resource's reading: limit and remaining read at once, the reset date parsed only when asked. */
class HeaderReading implements RateLimitReading {
  private reset: number | undefined | null = null;

  constructor(
    readonly limit: number | undefined,
    readonly remaining: number | undefined,
    private readonly headers: Headers,
    private readonly resetName: string,
  ) {}

  get resetAt(): number | undefined {
    if (this.reset === null) this.reset = date(this.headers.get(this.resetName));
    return this.reset;
  }
}

function readingOf(headers: Headers, resource: RateLimitResource): RateLimitReading | undefined {
  const names = NAMES[resource];
  const limit = count(headers.get(names.limit));
  const remaining = count(headers.get(names.remaining));
  if (limit !== undefined || remaining !== undefined)
    return new HeaderReading(limit, remaining, headers, names.reset);
  const resetAt = date(headers.get(names.reset));
  return resetAt === undefined ? undefined : { resetAt };
}

/**
 * The `anthropic-ratelimit-<resource>-{limit,remaining,reset}` headers of one response (and fast
 * mode's `anthropic-fast-*`, Priority Tier's `anthropic-priority-*`), each
 * resource read the first time it is asked for (and its reset date only when that is): the
 * governor, the span and the gauges each read what they use, and nothing is read twice.
 */
export class ResponseRateLimits implements RateLimits {
  // One slot per resource: null until read, then the reading or undefined (no such headers).
  private r: RateLimitReading | undefined | null = null;
  private t: RateLimitReading | undefined | null = null;
  private i: RateLimitReading | undefined | null = null;
  private o: RateLimitReading | undefined | null = null;
  private fi: RateLimitReading | undefined | null = null;
  private fo: RateLimitReading | undefined | null = null;
  private pi: RateLimitReading | undefined | null = null;
  private po: RateLimitReading | undefined | null = null;

  constructor(private readonly headers: Headers) {}

  get requests(): RateLimitReading | undefined {
    if (this.r === null) this.r = readingOf(this.headers, 'requests');
    return this.r;
  }
  get tokens(): RateLimitReading | undefined {
    if (this.t === null) this.t = readingOf(this.headers, 'tokens');
    return this.t;
  }
  get input_tokens(): RateLimitReading | undefined {
    if (this.i === null) this.i = readingOf(this.headers, 'input_tokens');
    return this.i;
  }
  get output_tokens(): RateLimitReading | undefined {
    if (this.o === null) this.o = readingOf(this.headers, 'output_tokens');
    return this.o;
  }
  get fast_input_tokens(): RateLimitReading | undefined {
    if (this.fi === null) this.fi = readingOf(this.headers, 'fast_input_tokens');
    return this.fi;
  }
  get fast_output_tokens(): RateLimitReading | undefined {
    if (this.fo === null) this.fo = readingOf(this.headers, 'fast_output_tokens');
    return this.fo;
  }
  get priority_input_tokens(): RateLimitReading | undefined {
    if (this.pi === null) this.pi = readingOf(this.headers, 'priority_input_tokens');
    return this.pi;
  }
  get priority_output_tokens(): RateLimitReading | undefined {
    if (this.po === null) this.po = readingOf(this.headers, 'priority_output_tokens');
    return this.po;
  }
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
