import { createHash } from 'node:crypto';
import { GEN_AI_PROVIDER_ANTHROPIC } from '../semconv';
import { cacheBreakpointOf } from './cache-breakpoint';
import { modelId } from './classify';
import { modelGroupOf, platformModelGroupOf } from './model-groups';
import type { Provider } from './platform';

/** Which of its model group's limits a request counts against: fast mode and long context have their own. */
export type Lane = 'standard' | 'fast' | 'long_context';

/** Input tokens past which a standard-speed request counts against the long-context limits. */
export const LONG_CONTEXT_TOKENS = 200_000;
/** Characters of encoded body per token, for the lane (the governor calibrates its own estimate). */
const CHARS_PER_TOKEN = 4;

/** What a Messages request asks for, as far as its limits are concerned (never its content). */
export interface RequestFacts {
  model?: string;
  /** The model's rate-limit group (the published table, or the user's `governor.modelGroups`); on Bedrock and Vertex AI the model itself. */
  modelGroup: string;
  /** Standard speed, fast mode (`speed: "fast"`), or long context (over 200K input tokens, standard speed). */
  lane: Lane;
  /** The Claude API, or the platform (Bedrock, Vertex AI) the client or base URL belongs to. */
  provider: Provider;
  /** Bedrock's account, Vertex AI's project, with the region: the platform's quota unit, when the client is known (see `platform-client.ts`). */
  quotaUnit?: string;
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

/** The prompt-cache prefix of a request body, keyed by a one-way digest (with the model). */
export function cachePrefixOf(body: Body): CachePrefix | undefined {
  const breakpoint = cacheBreakpointOf(body);
  if (!breakpoint) return undefined;
  return {
    key: createHash('sha1').update(String(body.model)).update(breakpoint.text).digest('base64'),
    chars: breakpoint.text.length,
    ttlMs: breakpoint.oneHour ? 3_600_000 : 300_000,
  };
}

/** Reads a Messages request's limit-relevant fields from the SDK's options and encoded body. */
export function requestFactsOf(
  options: unknown,
  encoded: unknown,
  modelGroups?: Readonly<Record<string, string>>,
  provider: Provider = GEN_AI_PROVIDER_ANTHROPIC,
  quotaUnit?: string,
): RequestFacts {
  const body = ((options as { body?: unknown } | undefined)?.body ?? {}) as Body;
  const maxTokens = body.max_tokens;
  const bodyChars = typeof encoded === 'string' ? encoded.length : 0;
  const model = modelId(body.model);
  const fast = body.speed === 'fast';
  return {
    model,
    provider,
    quotaUnit,
    // The Claude API pools models in groups; Bedrock and Vertex AI keep a quota per model.
    modelGroup:
      provider === GEN_AI_PROVIDER_ANTHROPIC
        ? modelGroupOf(model, modelGroups)
        : platformModelGroupOf(model, modelGroups),
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
