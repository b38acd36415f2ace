import { TokenBucket } from './bucket';
import type { RateLimits } from './config';

export type LimitedResource = 'requests' | 'input_tokens' | 'output_tokens';

export interface LimitHit {
  resource: LimitedResource;
  /** Milliseconds until the request would fit. */
  waitMs: number;
}

interface Buckets {
  requests: TokenBucket;
  input_tokens: TokenBucket;
  output_tokens: TokenBucket;
}

function bucketsFor(limits: RateLimits, now: number, previous?: Buckets): Buckets {
  const make = (perMinute: number, old?: TokenBucket) => {
    const bucket = new TokenBucket(perMinute, (perMinute * limits.burstSeconds) / 60, now);
    // A limit change keeps what was used: a smaller bucket holds no more than the old one did,
    // a larger one is short of what the old one had used.
    if (old) {
      const left = old.available(now);
      const kept = Math.min(bucket.capacity, Math.max(left, bucket.capacity - (old.capacity - left)));
      bucket.take(bucket.capacity - kept, now);
    }
    return bucket;
  };
  return {
    requests: make(limits.requestsPerMinute, previous?.requests),
    input_tokens: make(limits.inputTokensPerMinute, previous?.input_tokens),
    output_tokens: make(limits.outputTokensPerMinute, previous?.output_tokens),
  };
}

const formatted = new Map<number, string>();

/** RFC 3339 at whole seconds (rounded up), memoized: a busy simulator formats the same few seconds. */
function rfc3339(epochMs: number): string {
  const second = Math.ceil(epochMs / 1000);
  let text = formatted.get(second);
  if (text === undefined) {
    if (formatted.size > 1000) formatted.clear();
    text = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    formatted.set(second, text);
  }
  return text;
}

/** The organization's per-minute limits for requests, input tokens and output tokens. */
export class RateLimiter {
  private buckets: Buckets;

  constructor(
    private limits: RateLimits,
    now: number,
  ) {
    this.buckets = bucketsFor(limits, now);
  }

  /** Applies new limits (a phase change) without refilling what was used. */
  update(limits: RateLimits, now: number): void {
    if (JSON.stringify(limits) === JSON.stringify(this.limits)) return;
    this.limits = limits;
    this.buckets = bucketsFor(limits, now, this.buckets);
  }

  /** The first limit the request would exceed, or null when it fits. */
  check(inputTokens: number, outputTokens: number, now: number): LimitHit | null {
    const needs: [LimitedResource, number][] = [
      ['requests', 1],
      ['input_tokens', inputTokens],
      ['output_tokens', outputTokens],
    ];
    for (const [resource, amount] of needs) {
      const bucket = this.buckets[resource];
      if (bucket.available(now) < Math.min(amount, bucket.capacity)) {
        return { resource, waitMs: bucket.msUntil(amount, now) };
      }
    }
    return null;
  }

  take(inputTokens: number, outputTokens: number, now: number): void {
    this.buckets.requests.take(1, now);
    this.buckets.input_tokens.take(inputTokens, now);
    this.buckets.output_tokens.take(outputTokens, now);
  }

  /** `anthropic-ratelimit-*` headers describing the buckets now. */
  headers(now: number, epochNow: number): Record<string, string> {
    const out: Record<string, string> = {};
    const describe = (name: string, bucket: TokenBucket) => {
      const remaining = Math.max(0, Math.floor(bucket.available(now)));
      out[`anthropic-ratelimit-${name}-limit`] = String(bucket.perMinute);
      out[`anthropic-ratelimit-${name}-remaining`] = String(remaining);
      out[`anthropic-ratelimit-${name}-reset`] = rfc3339(epochNow + bucket.msUntilFull(now));
      return remaining / bucket.capacity;
    };
    describe('requests', this.buckets.requests);
    const inputShare = describe('input-tokens', this.buckets.input_tokens);
    const outputShare = describe('output-tokens', this.buckets.output_tokens);
    // `tokens-*` reports the most restrictive token limit, remaining rounded to the nearest thousand.
    const tight = inputShare <= outputShare ? this.buckets.input_tokens : this.buckets.output_tokens;
    out['anthropic-ratelimit-tokens-limit'] = String(tight.perMinute);
    out['anthropic-ratelimit-tokens-remaining'] = String(
      Math.round(Math.max(0, tight.available(now)) / 1000) * 1000,
    );
    out['anthropic-ratelimit-tokens-reset'] = rfc3339(epochNow + tight.msUntilFull(now));
    return out;
  }
}
