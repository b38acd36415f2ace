import Anthropic from '@anthropic-ai/sdk';
import { type Simulator, startSimulator } from '../../src/simulator';
import { caught, clientFor } from '../support/sdk';

// The simulator keeps the limits as the API does: per organization, model group and lane
// (standard, fast, long context), input counted without cache reads, output reserved from
// max_tokens at the start and settled at the reply's end, Priority Tier beside.

type ApiError = InstanceType<typeof Anthropic.APIError>;
const HIGH = { requestsPerMinute: 1e7, inputTokensPerMinute: 1e10, outputTokensPerMinute: 1e10 };

const sims: Simulator[] = [];
afterAll(() => Promise.all(sims.map((s) => s.close())));
async function start(options: Parameters<typeof startSimulator>[0]) {
  const sim = await startSimulator(options);
  sims.push(sim);
  return sim;
}

function send(client: Anthropic, body: Record<string, unknown>) {
  return client.messages
    .create({ max_tokens: 64, messages: [{ role: 'user', content: 'hi' }], ...body } as never)
    .withResponse();
}

describe('simulator: limits per organization, model group and lane', () => {
  it('keeps one request bucket per model group: another group is not touched, the same group is', async () => {
    // One request per 10 s in each group.
    const sim = await start({ limits: { ...HIGH, requestsPerMinute: 6, burstSeconds: 10 } });
    const client = clientFor(sim, { maxRetries: 0 });
    await send(client, { model: 'claude-opus-4-5' });
    await send(client, { model: 'claude-haiku-4-5' });
    const error = (await caught(() => send(client, { model: 'claude-opus-4-1' }))) as ApiError;
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.message).toMatch(/6 requests per minute for the model group opus-4/);
  });

  it('counts input and cache writes against the input limit, not cache reads', async () => {
    const sim = await start({ limits: { ...HIGH, inputTokensPerMinute: 600, burstSeconds: 60 } });
    const client = clientFor(sim, { maxRetries: 0 });
    const cached = (seed: string) => [
      { type: 'text', text: `${seed} ${'c'.repeat(2000)}`, cache_control: { type: 'ephemeral' } },
    ];
    // About 510 input tokens, 500 of them written to the cache: 90 or so left.
    const first = await send(client, { model: 'claude-sonnet-4-5', system: cached('a') });
    expect(first.data.usage.cache_creation_input_tokens).toBeGreaterThan(490);
    // The same prefix is read: only the ~10 tokens after it count.
    const second = await send(client, { model: 'claude-sonnet-4-5', system: cached('a') });
    expect(second.data.usage.cache_read_input_tokens).toBe(first.data.usage.cache_creation_input_tokens);
    // Another prefix is written: ~510 do not fit.
    const error = (await caught(() =>
      send(client, { model: 'claude-sonnet-4-5', system: cached('b') }),
    )) as ApiError;
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.message).toMatch(/input tokens per minute/);
  });

  it('reserves max_tokens from the output limit when a request starts and settles it at its end', async () => {
    const sim = await start({
      limits: { ...HIGH, outputTokensPerMinute: 600, burstSeconds: 60 },
      latency: { responseMs: 100 },
    });
    const client = clientFor(sim, { maxRetries: 0 });
    const first = await send(client, { model: 'claude-sonnet-4-5', max_tokens: 500 });
    // The headers are those of its start: its 500 still held.
    const remaining = Number(first.response.headers.get('anthropic-ratelimit-output-tokens-remaining'));
    expect(remaining).toBeGreaterThanOrEqual(100);
    expect(remaining).toBeLessThan(105);
    // Settled to its real output: 500 fit again.
    await send(client, { model: 'claude-sonnet-4-5', max_tokens: 500 });
    // Two at once: the second finds the first's 500 reserved.
    const both = await Promise.allSettled([
      send(client, { model: 'claude-sonnet-4-5', max_tokens: 500 }),
      send(client, { model: 'claude-sonnet-4-5', max_tokens: 500 }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('fast mode has limits and headers of its own; so does long context', async () => {
    const sim = await start({ limits: { ...HIGH, requestsPerMinute: 6, burstSeconds: 10 } });
    const client = clientFor(sim, { maxRetries: 0 });
    const standard = await send(client, { model: 'claude-opus-4-5' });
    expect(standard.response.headers.get('anthropic-ratelimit-input-tokens-limit')).not.toBeNull();
    expect(standard.response.headers.get('anthropic-fast-input-tokens-limit')).toBeNull();
    const fast = await send(client, { model: 'claude-opus-4-5', speed: 'fast' });
    expect(fast.response.headers.get('anthropic-fast-output-tokens-remaining')).not.toBeNull();
    expect(fast.response.headers.get('anthropic-ratelimit-input-tokens-limit')).toBeNull();
    expect((fast.data.usage as unknown as { speed?: string }).speed).toBe('fast');
    // Over 200K input tokens: the group's long-context bucket, not the standard one (used up).
    const long = await send(client, {
      model: 'claude-opus-4-5',
      messages: [{ role: 'user', content: 'x'.repeat(800_100) }],
    });
    expect(long.data.usage.input_tokens).toBeGreaterThan(200_000);
    expect(await caught(() => send(client, { model: 'claude-opus-4-5' }))).toBeInstanceOf(
      Anthropic.RateLimitError,
    );
  });

  it('serves from Priority Tier capacity with its headers, unless the request asks for standard only', async () => {
    const sim = await start({ limits: HIGH, limitShape: { priority: { outputTokensPerMinute: 100_000 } } });
    const client = clientFor(sim, { maxRetries: 0 });
    const priority = await send(client, { model: 'claude-sonnet-4-5' });
    expect(priority.data.usage.service_tier).toBe('priority');
    expect(priority.response.headers.get('anthropic-priority-output-tokens-limit')).toBe('100000');
    const standard = await send(client, { model: 'claude-sonnet-4-5', service_tier: 'standard_only' });
    expect(standard.data.usage.service_tier).toBe('standard');
  });

  it('keeps the limits per organization: each key answers with its own, and keys of one share them', async () => {
    const sim = await start({
      limits: { ...HIGH, requestsPerMinute: 6, burstSeconds: 10 },
      organizations: { 'sk-ant-a1': 'org-a', 'sk-ant-a2': 'org-a', 'sk-ant-b': 'org-b' },
    });
    const a1 = clientFor(sim, { apiKey: 'sk-ant-a1', maxRetries: 0 });
    const a2 = clientFor(sim, { apiKey: 'sk-ant-a2', maxRetries: 0 });
    const b = clientFor(sim, { apiKey: 'sk-ant-b', maxRetries: 0 });
    const first = await send(a1, { model: 'claude-haiku-4-5' });
    expect(first.response.headers.get('anthropic-organization-id')).toBe('org-a');
    const other = await send(b, { model: 'claude-haiku-4-5' });
    expect(other.response.headers.get('anthropic-organization-id')).toBe('org-b');
    const error = (await caught(() => send(a2, { model: 'claude-haiku-4-5' }))) as ApiError;
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.headers?.get('anthropic-organization-id')).toBe('org-a');
  });
});
