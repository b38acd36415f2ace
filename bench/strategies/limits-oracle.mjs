// The oracle for limits kept per model group and token kind: a replica of the simulator's own
// limit book (same limits, same groups, same prompt cache), consulted before each send. Each
// limit's requests go in order, each when its bucket holds what the request takes (1 request,
// its counted input, its max_tokens), and give back the unused output when the reply ends: it
// knows every limit exactly, as no real client can.
import { createRequire } from 'node:module';
import { sleep } from './pacer.mjs';

const require = createRequire(import.meta.url);
const { LimitBook } = require('../../dist/cjs/simulator/limits.js');
const { parseMessagesRequest } = require('../../dist/cjs/simulator/messages.js');
const { PromptCache } = require('../../dist/cjs/simulator/prompt-cache.js');
const { resolveConfig } = require('../../dist/cjs/simulator/config.js');
const { modelGroupOf } = require('../../dist/cjs/facts/model-groups.js');

export function limitsOracleMiddleware(simOptions) {
  const config = resolveConfig(simOptions);
  const book = new LimitBook(config.limits, config.limitShape);
  const cache = new PromptCache();
  /** One line per limit: requests of a group go in order. */
  const lines = new Map();
  return async (request, next) => {
    if (!new URL(request.url).pathname.endsWith('/v1/messages') || typeof request.body !== 'string')
      return next(request);
    const parsed = parseMessagesRequest(request.body, true);
    if (!parsed.model) return next(request);
    const limitedAt = (now) => ({
      organization: config.organizationId,
      group: modelGroupOf(parsed.model, config.modelGroups ?? undefined),
      lane: parsed.fast ? 'fast' : parsed.inputTokens > 200_000 ? 'long-context' : 'standard',
      priority: false,
      inputTokens: Math.max(0, parsed.inputTokens - cache.peek(parsed.cache, now).read),
      maxTokens: parsed.maxTokens,
    });
    const key = `${modelGroupOf(parsed.model, config.modelGroups ?? undefined)} ${parsed.fast}`;
    const turn = (lines.get(key) ?? Promise.resolve()).then(async () => {
      for (;;) {
        const now = performance.now();
        const hit = book.check(limitedAt(now), now);
        if (!hit) return book.take(limitedAt(now), now);
        // Replies give back output while it waits: look again soon.
        await sleep(Math.min(20, Math.max(1, hit.waitMs + 1)));
      }
    });
    lines.set(
      key,
      turn.catch(() => undefined),
    );
    const reservation = await turn;
    const response = await next(request);
    if (!response.ok) {
      book.settle(reservation, 0, performance.now());
      return response;
    }
    cache.use(parsed.cache, performance.now());
    response
      .clone()
      .json()
      .then((body) => book.settle(reservation, body?.usage?.output_tokens ?? 0, performance.now()))
      .catch(() => book.settle(reservation, 0, performance.now()));
    return response;
  };
}
