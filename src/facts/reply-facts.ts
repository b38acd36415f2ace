import { identifier } from './classify';

/** Token counts of a reply, as the API reports them. */
export interface Usage {
  /** Input tokens after the last cache breakpoint (the API's `input_tokens`: no cache in it). */
  input?: number;
  output?: number;
  cacheRead?: number;
  /** Written to the cache (the API's `cache_creation_input_tokens`), and by lifetime. */
  cacheWrite?: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  /** Of `output`, spent thinking (`output_tokens_details.thinking_tokens`). */
  reasoning?: number;
}

/** All input tokens, cache reads and writes included, as the GenAI conventions and the SDK count them. */
export function totalInput(usage: Usage): number | undefined {
  if (usage.input === undefined) return undefined;
  return usage.input + (usage.cacheRead ?? 0) + (usage.cacheWrite ?? 0);
}

/** What a successful reply's body told about itself (never its content). */
export interface ReplyFacts {
  id?: string;
  model?: string;
  finishReason?: string;
  usage: Usage;
}

function tokens(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Merges the counts an API `usage` object holds into `usage` (later values win). */
export function mergeUsage(usage: Usage, raw: unknown): void {
  if (!raw || typeof raw !== 'object') return;
  const u = raw as Record<string, unknown>;
  const input = tokens(u.input_tokens);
  const output = tokens(u.output_tokens);
  const cacheRead = tokens(u.cache_read_input_tokens);
  const cacheWrite = tokens(u.cache_creation_input_tokens);
  const byLifetime = (u.cache_creation ?? {}) as Record<string, unknown>;
  const cacheWrite5m = tokens(byLifetime.ephemeral_5m_input_tokens);
  const cacheWrite1h = tokens(byLifetime.ephemeral_1h_input_tokens);
  const reasoning = tokens((u.output_tokens_details as Record<string, unknown> | undefined)?.thinking_tokens);
  if (input !== undefined) usage.input = input;
  if (output !== undefined) usage.output = output;
  if (cacheRead !== undefined) usage.cacheRead = cacheRead;
  if (cacheWrite !== undefined) usage.cacheWrite = cacheWrite;
  if (cacheWrite5m !== undefined) usage.cacheWrite5m = cacheWrite5m;
  if (cacheWrite1h !== undefined) usage.cacheWrite1h = cacheWrite1h;
  if (reasoning !== undefined) usage.reasoning = reasoning;
}

/** Reads id, model, stop reason and usage off a Message object. */
export function mergeMessage(facts: ReplyFacts, raw: unknown): void {
  if (!raw || typeof raw !== 'object') return;
  const m = raw as Record<string, unknown>;
  const id = identifier(m.id);
  const model = identifier(m.model);
  const finishReason = identifier(m.stop_reason);
  if (id) facts.id = id;
  if (model) facts.model = model;
  if (finishReason) facts.finishReason = finishReason;
  mergeUsage(facts.usage, m.usage);
}
