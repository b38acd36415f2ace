/** A prompt's cacheable prefix as the API cuts it: up to and including its last `cache_control` block. */
export interface CacheBreakpoint {
  /** The prefix's blocks, encoded (tools, system, then the messages' content, in the API's order). */
  text: string;
  /** `ttl: "1h"` on the breakpoint (else the 5-minute cache). */
  oneHour: boolean;
}

type Block = Record<string, unknown>;
const blocks = (value: unknown): Block[] =>
  Array.isArray(value) ? value.filter((b): b is Block => Boolean(b) && typeof b === 'object') : [];

/** The prefix up to the last block with `cache_control`, or undefined when no block has one. */
export function cacheBreakpointOf(body: Record<string, unknown>): CacheBreakpoint | undefined {
  const parts = [...blocks(body.tools), ...blocks(body.system)];
  for (const message of blocks(body.messages)) parts.push(...blocks(message.content));
  let last = -1;
  for (let i = 0; i < parts.length; i++) if (parts[i].cache_control) last = i;
  if (last === -1) return undefined;
  const ttl = (parts[last].cache_control as { ttl?: unknown } | undefined)?.ttl;
  return { text: JSON.stringify(parts.slice(0, last + 1)), oneHour: ttl === '1h' };
}
