import { type CachePrefix, type CacheUse, cachePrefix } from './prompt-cache';
import { hashString } from './random';

/** A request the simulator found invalid: answered with this status and `error.type`. */
export class InvalidRequest {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly message: string,
  ) {}
}

export interface MessagesRequest {
  model: string;
  maxTokens: number;
  stream: boolean;
  inputTokens: number;
  /** A fingerprint of the request, for deterministic output. */
  fingerprint: number;
  /** Its prompt-cache prefix, when it marks one with `cache_control`. */
  cache?: CachePrefix;
  /** Thinking tokens its reply spends (extended thinking enabled), else 0. */
  thinkingTokens: number;
  /** `speed: "fast"`: fast mode, with limits of its own. */
  fast: boolean;
  /** `service_tier: "standard_only"` keeps it off Priority Tier capacity. */
  standardOnly: boolean;
}

const ROLES = new Set(['user', 'assistant']);

export function invalid(message: string): InvalidRequest {
  return new InvalidRequest(400, 'invalid_request_error', message);
}

/** Characters of text a JSON value holds (strings anywhere inside it). */
function textLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + textLength(item), 0);
  if (value && typeof value === 'object') {
    let sum = 0;
    for (const item of Object.values(value)) sum += textLength(item);
    return sum;
  }
  return 0;
}

/** Input tokens, derived from the request: about four characters a token, plus a few per message. */
export function countInputTokens(body: Record<string, unknown>): number {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const text = textLength(body.system) + textLength(messages) + textLength(body.tools);
  return Math.max(1, Math.ceil(text / 4) + 3 * messages.length + 4);
}

/** Parses and validates a Messages (or count_tokens) body the way the API does. */
export function parseMessagesRequest(raw: string, needsMaxTokens: boolean): MessagesRequest | InvalidRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return invalid('The request body is not valid JSON.');
  }
  return readMessagesRequest(body, needsMaxTokens);
}

/** Validates a parsed Messages body (or a batch request's `params`) the way the API does. */
export function readMessagesRequest(
  body: unknown,
  needsMaxTokens: boolean,
): MessagesRequest | InvalidRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return invalid('The request body must be a JSON object.');
  const fields = body as Record<string, unknown>;
  if (typeof fields.model !== 'string' || fields.model.length === 0) return invalid('model: Field required');
  if (needsMaxTokens) {
    if (fields.max_tokens === undefined) return invalid('max_tokens: Field required');
    if (!Number.isInteger(fields.max_tokens) || (fields.max_tokens as number) < 1) {
      return invalid('max_tokens: Input should be a valid integer greater than or equal to 1');
    }
  }
  if (!Array.isArray(fields.messages)) return invalid('messages: Field required');
  if (fields.messages.length === 0) return invalid('messages: at least one message is required');
  for (const [index, message] of fields.messages.entries()) {
    const role = (message as { role?: unknown } | null)?.role;
    if (typeof role !== 'string' || !ROLES.has(role)) {
      return invalid(`messages.${index}.role: Input should be 'user' or 'assistant'`);
    }
    const content = (message as { content?: unknown }).content;
    if (typeof content !== 'string' && !Array.isArray(content)) {
      return invalid(`messages.${index}.content: Input should be a valid string or list`);
    }
  }
  if (fields.stream !== undefined && typeof fields.stream !== 'boolean') {
    return invalid('stream: Input should be a valid boolean');
  }
  // The conversation alone decides the reply: streaming or not, the same words.
  const fingerprint = hashString(
    `${fields.model}\n${JSON.stringify(fields.system ?? '')}\n${JSON.stringify(fields.messages)}`,
  );
  const thinking = fields.thinking as { type?: unknown; budget_tokens?: unknown } | undefined;
  const budget = typeof thinking?.budget_tokens === 'number' ? thinking.budget_tokens : 0;
  return {
    model: fields.model,
    maxTokens: needsMaxTokens ? (fields.max_tokens as number) : 0,
    stream: fields.stream === true,
    inputTokens: countInputTokens(fields),
    fingerprint,
    cache: cachePrefix(fields),
    thinkingTokens: thinking?.type === 'enabled' ? Math.min(budget, 16 + (fingerprint % 48)) : 0,
    fast: fields.speed === 'fast',
    standardOnly: fields.service_tier === 'standard_only',
  };
}

const WORDS = (
  'the a latency retry budget token stream span metric trace window rate limit request answer model ' +
  'queue pause capacity signal header backoff client server burst steady growth quiet signal simple'
).split(' ');

export interface GeneratedReply {
  /** One entry per output token. */
  words: string[];
  stopReason: 'end_turn' | 'max_tokens';
}

/** The reply to a request: its length and words follow from the request alone. */
export function generateReply(request: MessagesRequest): GeneratedReply {
  const natural = 8 + (request.fingerprint % 57);
  const length = Math.min(natural, request.maxTokens);
  const words: string[] = [];
  let state = request.fingerprint;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    words.push(WORDS[state % WORDS.length]);
  }
  return { words, stopReason: length < natural ? 'max_tokens' : 'end_turn' };
}

/** Splits a reply into the text of its content deltas (three tokens each). */
export function deltaTexts(words: string[]): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += 3) {
    const piece = words.slice(i, i + 3).join(' ');
    chunks.push(i === 0 ? piece : ` ${piece}`);
  }
  return chunks;
}

/** A reply's token counts: what `usage` reports. */
export interface TokenCounts {
  /** Input tokens after the last cache breakpoint (the API's `input_tokens`). */
  input: number;
  output: number;
  cache: CacheUse;
  /** Of `output`, spent thinking. */
  thinking: number;
  /** Served from Priority Tier capacity. */
  priority?: boolean;
  /** Fast mode. */
  fast?: boolean;
}

/** The counts of a reply: the request's input less what the cache read or wrote. */
export function tokenCounts(request: MessagesRequest, cache: CacheUse, replyWords: number): TokenCounts {
  const cached = cache.read + cache.write5m + cache.write1h;
  return {
    input: Math.max(1, request.inputTokens - cached),
    output: replyWords + request.thinkingTokens,
    cache,
    thinking: request.thinkingTokens,
  };
}

export function usage(counts: TokenCounts, outputTokens = counts.output) {
  return {
    input_tokens: counts.input,
    cache_creation_input_tokens: counts.cache.write5m + counts.cache.write1h,
    cache_read_input_tokens: counts.cache.read,
    cache_creation: {
      ephemeral_5m_input_tokens: counts.cache.write5m,
      ephemeral_1h_input_tokens: counts.cache.write1h,
    },
    output_tokens: outputTokens,
    ...(counts.thinking ? { output_tokens_details: { thinking_tokens: counts.thinking } } : {}),
    service_tier: counts.priority ? 'priority' : 'standard',
    ...(counts.fast ? { speed: 'fast' } : {}),
  };
}

export function messageBody(id: string, model: string, counts: TokenCounts, reply: GeneratedReply) {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: reply.words.join(' ') }],
    stop_reason: reply.stopReason,
    stop_sequence: null,
    usage: usage(counts),
  };
}
