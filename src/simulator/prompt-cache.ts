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

type Block = Record<string, unknown>;

const asBlocks = (value: unknown): Block[] =>
  Array.isArray(value) ? value.filter((b): b is Block => Boolean(b) && typeof b === 'object') : [];

/**
 * The prefix up to the last block with `cache_control`, in the API's order (tools, system,
 * messages); its tokens counted as the simulator counts input (four characters a token).
 */
export function cachePrefix(fields: Record<string, unknown>): CachePrefix | undefined {
  const parts: Block[] = [...asBlocks(fields.tools), ...asBlocks(fields.system)];
  for (const message of asBlocks(fields.messages)) parts.push(...asBlocks(message.content));
  let last = -1;
  for (const [i, part] of parts.entries()) if (part.cache_control) last = i;
  if (last === -1) return undefined;
  const prefix = JSON.stringify(parts.slice(0, last + 1));
  const control = parts[last].cache_control as { ttl?: unknown };
  return {
    key: hashString(`${fields.model}\n${prefix}`),
    tokens: Math.max(1, Math.ceil(prefix.length / 4)),
    oneHour: control?.ttl === '1h',
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
