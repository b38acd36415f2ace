import type { Usage } from '../facts/reply-facts';
import type { RequestFacts } from '../facts/request-facts';

/** What one request takes of its group's token limits when it starts, as the API prices it. */
export interface TokenCost {
  /** Input tokens the input limit counts: all input but cache reads (cache-aware limits). */
  input: number;
  /** Output tokens reserved: the request's `max_tokens` (settled to the real output at its end). */
  output: number;
}

/** Tokens per character of an encoded body before any reply has calibrated it (about 4 characters a token). */
const DEFAULT_TOKENS_PER_CHAR = 0.25;
/** Weight of each new reply in the calibration. */
const ALPHA = 0.2;
/** Calibrations (one per model group) and cache prefixes remembered; past these, they start over. */
const MAX_GROUPS = 256;
const MAX_PREFIXES = 4096;

/**
 * Prices requests before they are sent: input tokens estimated from the encoded body, calibrated
 * per model group against what replies report; a cache prefix a recent reply read or wrote is
 * predicted read (not counted); output reserved at `max_tokens`.
 */
export class RequestPricing {
  private readonly tokensPerChar = new Map<string, number>();
  /** Cache prefixes seen live, by key: when they expire (the cache refreshes them on each use). */
  private readonly prefixes = new Map<string, number>();

  /** The cost of `request` in `group`, and whether its cache prefix is predicted to be read. */
  price(request: RequestFacts, group: string, now: number): TokenCost {
    const ratio = this.tokensPerChar.get(group) ?? DEFAULT_TOKENS_PER_CHAR;
    const prefix = request.cachePrefix;
    const read =
      prefix && (this.prefixes.get(prefix.key) ?? Number.NEGATIVE_INFINITY) > now ? prefix.chars : 0;
    return {
      input: Math.max(1, Math.ceil(ratio * (request.bodyChars - read))),
      output: request.maxTokens ?? 0,
    };
  }

  /** A reply's usage: calibrates the group's estimate and remembers a cache prefix it read or wrote. */
  observe(request: RequestFacts, group: string, usage: Usage, now: number): void {
    const input = usage.input;
    if (input === undefined || request.bodyChars <= 0) return;
    const total = input + (usage.cacheRead ?? 0) + (usage.cacheWrite ?? 0);
    const observed = total / request.bodyChars;
    const previous = this.tokensPerChar.get(group);
    if (previous === undefined && this.tokensPerChar.size >= MAX_GROUPS) this.tokensPerChar.clear();
    this.tokensPerChar.set(
      group,
      previous === undefined ? observed : previous + ALPHA * (observed - previous),
    );
    const prefix = request.cachePrefix;
    if (prefix && ((usage.cacheRead ?? 0) > 0 || (usage.cacheWrite ?? 0) > 0)) {
      if (this.prefixes.size >= MAX_PREFIXES && !this.prefixes.has(prefix.key)) this.prefixes.clear();
      this.prefixes.set(prefix.key, now + prefix.ttlMs);
    }
  }
}

/** What the input limit counts of a reply: its input and cache writes, not its cache reads. */
export function countedInput(usage: Usage): number | undefined {
  return usage.input === undefined ? undefined : usage.input + (usage.cacheWrite ?? 0);
}
