import { TokenBucket } from './bucket';
import type { LimitShape, RateLimits } from './config';

export type LimitedResource = 'requests' | 'input_tokens' | 'output_tokens';

/** Which of a model group's limits a request counts against. */
export type Lane = 'standard' | 'fast' | 'long-context';

/** What a Messages request takes of its limits, as the API prices it at the start. */
export interface LimitedRequest {
  organization: string;
  /** The model's rate-limit group. */
  group: string;
  lane: Lane;
  /** Served from Priority Tier capacity while it has room (`service_tier` not `standard_only`). */
  priority: boolean;
  /** Input tokens the limit counts: input and cache writes, not cache reads (cache-aware). */
  inputTokens: number;
  /** Reserved from the output limit at the start (settled to the real output at the end). */
  maxTokens: number;
}

export interface LimitHit {
  resource: LimitedResource;
  lane: Lane;
  group: string;
  limit: number;
  /** Milliseconds until the request would fit. */
  waitMs: number;
}

/** What an admitted request holds until it settles. */
export interface Reservation {
  set: BucketSet;
  /** The Priority Tier set it was served from, if any (its tokens, not its request). */
  priority: BucketSet | undefined;
  output: number;
}

class BucketSet {
  requests: TokenBucket;
  input_tokens: TokenBucket;
  output_tokens: TokenBucket;

  constructor(
    public limits: RateLimits,
    now: number,
  ) {
    this.requests = bucket(limits.requestsPerMinute, limits, now);
    this.input_tokens = bucket(limits.inputTokensPerMinute, limits, now);
    this.output_tokens = bucket(limits.outputTokensPerMinute, limits, now);
  }

  /** New limits (a phase change) without refilling what was used. */
  update(limits: RateLimits, now: number): void {
    this.limits = limits;
    this.requests = bucket(limits.requestsPerMinute, limits, now, this.requests);
    this.input_tokens = bucket(limits.inputTokensPerMinute, limits, now, this.input_tokens);
    this.output_tokens = bucket(limits.outputTokensPerMinute, limits, now, this.output_tokens);
  }

  /** The first token limit `input` and `output` would exceed, or null. */
  tokensHit(input: number, output: number, now: number): [LimitedResource, TokenBucket, number] | null {
    if (!fits(this.input_tokens, input, now)) return ['input_tokens', this.input_tokens, input];
    if (!fits(this.output_tokens, output, now)) return ['output_tokens', this.output_tokens, output];
    return null;
  }
}

function bucket(perMinute: number, limits: RateLimits, now: number, old?: TokenBucket): TokenBucket {
  const made = new TokenBucket(perMinute, (perMinute * limits.burstSeconds) / 60, now);
  // A limit change keeps what was used: a smaller bucket holds no more than the old one did,
  // a larger one is short of what the old one had used.
  if (old) {
    const left = old.available(now);
    const kept = Math.min(made.capacity, Math.max(left, made.capacity - (old.capacity - left)));
    made.take(made.capacity - kept, now);
  }
  return made;
}

/** A request larger than the bucket passes when the bucket is full (as the API admits it). */
function fits(bucket: TokenBucket, amount: number, now: number): boolean {
  return amount <= 0 || bucket.available(now) >= Math.min(amount, bucket.capacity);
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

/**
 * The API's per-minute limits, kept as it keeps them: one set of buckets (requests, input tokens,
 * output tokens) per organization, model group and lane (standard speed, fast mode, long context),
 * plus Priority Tier's token buckets where the organization has them.
 */
export class LimitBook {
  private readonly sets = new Map<string, BucketSet>();
  private readonly prioritySets = new Map<string, BucketSet>();

  constructor(
    private base: RateLimits,
    private readonly shape: LimitShape,
  ) {}

  /** Applies new base limits (a phase change) to every set, without refilling what was used. */
  update(base: RateLimits, now: number): void {
    if (JSON.stringify(base) === JSON.stringify(this.base)) return;
    this.base = base;
    for (const [key, set] of this.sets) set.update(this.limitsOf(key), now);
    for (const [key, set] of this.prioritySets) set.update(this.limitsOf(key, true), now);
  }

  /** The first limit the request would exceed, or null when it fits. */
  check(request: LimitedRequest, now: number): LimitHit | null {
    const set = this.setOf(request, now);
    if (!fits(set.requests, 1, now)) return this.hit(request, 'requests', set.requests, 1, now);
    const priority = this.priorityRoom(request, now);
    if (priority) return null;
    const tokens = set.tokensHit(request.inputTokens, request.maxTokens, now);
    return tokens ? this.hit(request, tokens[0], tokens[1], tokens[2], now) : null;
  }

  /** Takes the request's reservation (call after `check` said it fits). */
  take(request: LimitedRequest, now: number): Reservation {
    const set = this.setOf(request, now);
    const priority = this.priorityRoom(request, now);
    set.requests.take(1, now);
    const tokens = priority ?? set;
    tokens.input_tokens.take(request.inputTokens, now);
    tokens.output_tokens.take(request.maxTokens, now);
    return { set, priority, output: request.maxTokens };
  }

  /** The reply is done: the output reservation settles to what it used. */
  settle(reservation: Reservation, outputTokens: number, now: number): void {
    const tokens = reservation.priority ?? reservation.set;
    tokens.output_tokens.take(outputTokens - reservation.output, now);
    reservation.output = outputTokens;
  }

  /** The rate-limit headers of a response to `request` (its group and lane's buckets as they are now). */
  headers(request: LimitedRequest, now: number, epochNow: number): Record<string, string> {
    const set = this.setOf(request, now);
    const out: Record<string, string> = {};
    const describe = (prefix: string, bucket: TokenBucket) => {
      const remaining = Math.max(0, Math.floor(bucket.available(now)));
      out[`${prefix}-limit`] = String(bucket.perMinute);
      out[`${prefix}-remaining`] = String(remaining);
      out[`${prefix}-reset`] = rfc3339(epochNow + bucket.msUntilFull(now));
      return remaining / bucket.capacity;
    };
    describe('anthropic-ratelimit-requests', set.requests);
    if (request.lane === 'fast') {
      describe('anthropic-fast-input-tokens', set.input_tokens);
      describe('anthropic-fast-output-tokens', set.output_tokens);
      return out;
    }
    const inputShare = describe('anthropic-ratelimit-input-tokens', set.input_tokens);
    const outputShare = describe('anthropic-ratelimit-output-tokens', set.output_tokens);
    // `tokens-*` reports the most restrictive token limit, remaining rounded to the nearest thousand.
    const tight = inputShare <= outputShare ? set.input_tokens : set.output_tokens;
    out['anthropic-ratelimit-tokens-limit'] = String(tight.perMinute);
    out['anthropic-ratelimit-tokens-remaining'] = String(
      Math.round(Math.max(0, tight.available(now)) / 1000) * 1000,
    );
    out['anthropic-ratelimit-tokens-reset'] = rfc3339(epochNow + tight.msUntilFull(now));
    const priority = this.shape.priority && this.prioritySet(request, now);
    if (priority) {
      describe('anthropic-priority-input-tokens', priority.input_tokens);
      describe('anthropic-priority-output-tokens', priority.output_tokens);
    }
    return out;
  }

  private key(request: LimitedRequest): string {
    return `${request.organization}\u0000${request.group}\u0000${request.lane}`;
  }

  private setOf(request: LimitedRequest, now: number): BucketSet {
    const key = this.key(request);
    let set = this.sets.get(key);
    if (!set) {
      set = new BucketSet(this.limitsOf(key), now);
      this.sets.set(key, set);
    }
    return set;
  }

  private prioritySet(request: LimitedRequest, now: number): BucketSet | undefined {
    if (!this.shape.priority || request.lane !== 'standard') return undefined;
    const key = this.key(request);
    let set = this.prioritySets.get(key);
    if (!set) {
      set = new BucketSet(this.limitsOf(key, true), now);
      this.prioritySets.set(key, set);
    }
    return set;
  }

  /** The Priority Tier set when the request may use it and it holds the request's tokens. */
  private priorityRoom(request: LimitedRequest, now: number): BucketSet | undefined {
    if (!request.priority) return undefined;
    const set = this.prioritySet(request, now);
    return set && !set.tokensHit(request.inputTokens, request.maxTokens, now) ? set : undefined;
  }

  /** A set's limits: the base (with the phase's), the group's own, then the lane's. */
  private limitsOf(key: string, priority = false): RateLimits {
    const [, group, lane] = key.split('\u0000');
    const limits = { ...this.base, ...this.shape.groups?.[group] };
    if (priority) return { ...limits, ...this.shape.priority };
    if (lane === 'fast') return { ...limits, ...this.shape.fast };
    if (lane === 'long-context') return { ...limits, ...this.shape.longContext };
    return limits;
  }

  private hit(
    request: LimitedRequest,
    resource: LimitedResource,
    bucket: TokenBucket,
    amount: number,
    now: number,
  ): LimitHit {
    return {
      resource,
      lane: request.lane,
      group: request.group,
      limit: bucket.perMinute,
      waitMs: bucket.msUntil(amount, now),
    };
  }
}
