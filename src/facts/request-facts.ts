import { createHash } from 'node:crypto';
import { identifier } from './classify';
import { modelGroupOf } from './model-groups';

/** Which of its model group's limits a request counts against: fast mode and long context have their own. */
export type Lane = 'standard' | 'fast' | 'long_context';

/** Input tokens past which a standard-speed request counts against the long-context limits. */
export const LONG_CONTEXT_TOKENS = 200_000;
/** Characters of encoded body per token, for the lane (the governor calibrates its own estimate). */
const CHARS_PER_TOKEN = 4;

/** What a Messages request asks for, as far as its limits are concerned (never its content). */
export interface RequestFacts {
  model?: string;
  /** The model's rate-limit group (the published table, or the user's `governor.modelGroups`). */
  modelGroup: string;
  /** Standard speed, fast mode (`speed: "fast"`), or long context (over 200K input tokens, standard speed). */
  lane: Lane;
  /** `max_tokens`: what the API reserves of the output-token limit when the request starts. */
  maxTokens?: number;
  /** `speed: "fast"` (fast mode has limits of its own), else standard. */
  fast: boolean;
  stream: boolean;
  /** Characters of the encoded body: what the input tokens are estimated from. */
  bodyChars: number;
  /** The prompt-cache prefix (up to its last `cache_control`), when the request marks one. */
  cachePrefix?: CachePrefix;
}

export interface CachePrefix {
  /** A one-way digest of the prefix (with the model): the same prefix, the same key. */
  key: string;
  /** Characters of the prefix, encoded as in the body. */
  chars: number;
  /** Its lifetime in the cache: 5 minutes, or 1 hour with `ttl: "1h"`. */
  ttlMs: number;
}

type Body = Record<string, unknown>;
const blocks = (value: unknown): Body[] =>
  Array.isArray(value) ? value.filter((b): b is Body => Boolean(b) && typeof b === 'object') : [];

/** The prefix up to the last block with `cache_control`, in the API's order: tools, system, messages. */
export function cachePrefixOf(body: Body): CachePrefix | undefined {
  const parts = [...blocks(body.tools), ...blocks(body.system)];
  for (const message of blocks(body.messages)) parts.push(...blocks(message.content));
  let last = -1;
  for (let i = 0; i < parts.length; i++) if (parts[i].cache_control) last = i;
  if (last === -1) return undefined;
  const text = JSON.stringify(parts.slice(0, last + 1));
  const ttl = (parts[last].cache_control as { ttl?: unknown } | undefined)?.ttl;
  return {
    key: createHash('sha1').update(String(body.model)).update(text).digest('base64'),
    chars: text.length,
    ttlMs: ttl === '1h' ? 3_600_000 : 300_000,
  };
}

/** Reads a Messages request's limit-relevant fields from the SDK's options and encoded body. */
export function requestFactsOf(
  options: unknown,
  encoded: unknown,
  modelGroups?: Readonly<Record<string, string>>,
): RequestFacts {
  const body = ((options as { body?: unknown } | undefined)?.body ?? {}) as Body;
  const maxTokens = body.max_tokens;
  const bodyChars = typeof encoded === 'string' ? encoded.length : 0;
  const model = identifier(body.model);
  const fast = body.speed === 'fast';
  return {
    model,
    modelGroup: modelGroupOf(model, modelGroups),
    lane: fast ? 'fast' : bodyChars > LONG_CONTEXT_TOKENS * CHARS_PER_TOKEN ? 'long_context' : 'standard',
    maxTokens:
      typeof maxTokens === 'number' && maxTokens > 0 && Number.isFinite(maxTokens) ? maxTokens : undefined,
    fast,
    stream: body.stream === true,
    bodyChars,
    // Only a body that names cache_control is searched for its prefix.
    cachePrefix:
      typeof encoded === 'string' && encoded.includes('"cache_control"') ? cachePrefixOf(body) : undefined,
  };
}
