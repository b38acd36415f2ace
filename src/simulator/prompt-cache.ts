import { cacheBreakpointOf } from '../facts/cache-breakpoint';
import { hashString } from './random';

/** A request's cacheable prefix: up to and including its last `cache_control` breakpoint. */
export interface CachePrefix {
  key: number;
  tokens: number;
  /** `ttl: '1h'` on the breakpoint (else the 5-minute cache). */
  oneHour: boolean;
}

/** What the cache did for one reply, in tokens. */
export interface CacheUse {
  read: number;
  write5m: number;
  write1h: number;
}

/** A request's cache prefix, its tokens counted as the simulator counts input (four characters a token). */
export function cachePrefix(fields: Record<string, unknown>): CachePrefix | undefined {
  const breakpoint = cacheBreakpointOf(fields);
  if (!breakpoint) return undefined;
  return {
    key: hashString(`${fields.model}\n${breakpoint.text}`),
    tokens: Math.max(1, Math.ceil(breakpoint.text.length / 4)),
    oneHour: breakpoint.oneHour,
  };
}

/** The most prefixes kept; past it the cache starts empty again (a simulator, not a store). */
const MAX_ENTRIES = 10_000;

/** Prompt caching: a prefix seen within its lifetime is read, else written (and kept that long). */
export class PromptCache {
  private readonly expires = new Map<number, number>();

  /** What `use` would do now, without doing it (the limits price a request before it is served). */
  peek(prefix: CachePrefix | undefined, now: number): CacheUse {
    const use: CacheUse = { read: 0, write5m: 0, write1h: 0 };
    if (!prefix) return use;
    if ((this.expires.get(prefix.key) ?? Number.NEGATIVE_INFINITY) > now) use.read = prefix.tokens;
    else if (prefix.oneHour) use.write1h = prefix.tokens;
    else use.write5m = prefix.tokens;
    return use;
  }

  use(prefix: CachePrefix | undefined, now: number): CacheUse {
    const use: CacheUse = { read: 0, write5m: 0, write1h: 0 };
    if (!prefix) return use;
    const lifetime = prefix.oneHour ? 3_600_000 : 300_000;
    if ((this.expires.get(prefix.key) ?? Number.NEGATIVE_INFINITY) > now) use.read = prefix.tokens;
    else if (prefix.oneHour) use.write1h = prefix.tokens;
    else use.write5m = prefix.tokens;
    if (this.expires.size >= MAX_ENTRIES) this.expires.clear();
    this.expires.set(prefix.key, now + lifetime);
    return use;
  }

  clear(): void {
    this.expires.clear();
  }
}
