import { identifier } from './classify';

/** Token counts of a reply, as the API reports them. */
export interface Usage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheCreation?: number;
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
  const cacheCreation = tokens(u.cache_creation_input_tokens);
  if (input !== undefined) usage.input = input;
  if (output !== undefined) usage.output = output;
  if (cacheRead !== undefined) usage.cacheRead = cacheRead;
  if (cacheCreation !== undefined) usage.cacheCreation = cacheCreation;
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
