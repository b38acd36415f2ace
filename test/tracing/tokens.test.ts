import { claudeMiddleware } from '../../src';
import { type Simulator, startSimulator } from '../../src/simulator';
import { freshRegistry, sumBy } from '../support/metrics';
import { clientFor, MODEL, SDK_HAS_CALL_SPAN } from '../support/sdk';
import { startTracing } from '../support/tracing';

const tracing = startTracing();
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
  await tracing.shutdown();
});
beforeEach(() => tracing.reset());

const TOKEN_ATTRIBUTES = [
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_write.input_tokens',
  'anthropic.usage.cache_creation.ephemeral_5m_input_tokens',
  'anthropic.usage.cache_creation.ephemeral_1h_input_tokens',
  'gen_ai.usage.reasoning.output_tokens',
];

/** A long system prompt marked for caching (5 minutes, or 1 hour), and a question. */
function cachedRequest(question: string, ttl?: '1h') {
  return {
    model: MODEL,
    max_tokens: 2048,
    system: [
      {
        type: 'text' as const,
        text: `You answer questions about rate limits. ${'Retry after the advised time. '.repeat(60)}`,
        cache_control: ttl ? { type: 'ephemeral' as const, ttl } : { type: 'ephemeral' as const },
      },
    ],
    messages: [{ role: 'user' as const, content: question }],
  };
}

const tokensOf = (attributes: Record<string, unknown>) =>
  Object.fromEntries(
    TOKEN_ATTRIBUTES.filter((k) => attributes[k] !== undefined).map((k) => [k, attributes[k]]),
  );

describe('token counts as the GenAI conventions and the SDK count them', () => {
  it("a reply that writes the cache, one that reads it, a 1-hour write with thinking, a stream: the attempt span's tokens equal the SDK call span's", async () => {
    const registry = freshRegistry();
    const client = clientFor(sim, {
      maxRetries: 0,
      middleware: [claudeMiddleware({ metrics: { registry } })],
    });
    const written = await client.messages.create(cachedRequest('What is a 429?'));
    const read = await client.messages.create(cachedRequest('What is a 529?'));
    const thought = await client.messages.create({
      ...cachedRequest('When do I back off?', '1h'),
      thinking: { type: 'enabled', budget_tokens: 1024 },
    });
    const streamed = await client.messages.create({ ...cachedRequest('And a stream?'), stream: true });
    for await (const _event of streamed) {
      // read to the end
    }
    const replies = [written.usage, read.usage, thought.usage];
    // The simulator did what caching does: a write, then a read of the same prefix, then a 1 h write.
    expect(replies.map((u) => [u.cache_creation_input_tokens, u.cache_read_input_tokens])).toEqual([
      [expect.any(Number), 0],
      [0, written.usage.cache_creation_input_tokens],
      [expect.any(Number), 0],
    ]);
    expect(written.usage.cache_creation_input_tokens).toBeGreaterThan(100);
    expect(thought.usage.cache_creation?.ephemeral_1h_input_tokens).toBeGreaterThan(100);

    const attempts = tracing.attempts();
    expect(attempts).toHaveLength(4);
    // Input tokens include the cache's reads and writes: what the caller is billed input for.
    const expectedInput = replies.map(
      (u) => u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0),
    );
    expect(attempts.slice(0, 3).map((s) => s.attributes['gen_ai.usage.input_tokens'])).toEqual(expectedInput);
    expect(tokensOf(attempts[1].attributes)).toEqual({
      'gen_ai.usage.input_tokens': expectedInput[1],
      'gen_ai.usage.output_tokens': read.usage.output_tokens,
      'gen_ai.usage.cache_read.input_tokens': read.usage.cache_read_input_tokens,
    });
    expect(tokensOf(attempts[2].attributes)).toMatchObject({
      'gen_ai.usage.cache_write.input_tokens': thought.usage.cache_creation_input_tokens,
      'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': thought.usage.cache_creation_input_tokens,
      'gen_ai.usage.reasoning.output_tokens': expect.any(Number),
    });
    if (SDK_HAS_CALL_SPAN) {
      const calls = tracing.calls();
      expect(calls).toHaveLength(4);
      for (const [i, call] of calls.entries()) {
        const sdk = tokensOf(call.attributes);
        expect(sdk['gen_ai.usage.input_tokens']).toBeDefined();
        // Every token count the SDK's call span has, the attempt span has, the same; ours leaves
        // out the parts that are 0 (each attribute costs on every attempt), the SDK writes them.
        const nonZero = Object.fromEntries(Object.entries(sdk).filter(([, v]) => v !== 0));
        expect(tokensOf(attempts[i].attributes)).toEqual(nonZero);
      }
    }
    // The counter adds up the same way: input with the cache, and its parts.
    const streamedInput = attempts[3].attributes['gen_ai.usage.input_tokens'] as number;
    const byType = await sumBy(registry, 'anthropic_tokens_total', 'type');
    expect(byType.input).toBe(expectedInput.reduce((a, b) => a + b, 0) + streamedInput);
    const streamedPart = (name: string) => (attempts[3].attributes[name] as number | undefined) ?? 0;
    // The stream read the 5-minute prefix the first call wrote.
    expect(streamedPart('gen_ai.usage.cache_read.input_tokens')).toBe(
      written.usage.cache_creation_input_tokens,
    );
    expect(byType.cache_read).toBe(
      (read.usage.cache_read_input_tokens ?? 0) + streamedPart('gen_ai.usage.cache_read.input_tokens'),
    );
    expect(byType.cache_write).toBe(
      (written.usage.cache_creation_input_tokens ?? 0) + (thought.usage.cache_creation_input_tokens ?? 0),
    );
    expect(byType.reasoning).toBe(attempts[2].attributes['gen_ai.usage.reasoning.output_tokens']);
  });
});
