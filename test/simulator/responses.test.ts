import { type Simulator, type SimulatorStats, startSimulator } from '../../src/simulator';
import { ask, clientFor, MODEL } from '../support/sdk';

describe('simulator: successful responses through the official SDK', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ organizationId: 'org-test' });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('answers a Message the SDK parses, with the request id it recorded', async () => {
    const { data, response, request_id } = await ask(clientFor(sim)).withResponse();
    expect(data.type).toBe('message');
    expect(data.role).toBe('assistant');
    expect(data.model).toBe(MODEL);
    expect(data.content[0].type).toBe('text');
    expect(data.stop_reason).toBe('end_turn');
    expect(data.id).toMatch(/^msg_/);
    const [attempt] = sim.attempts();
    expect(attempt.status).toBe(200);
    expect(request_id).toBe(attempt.requestId);
    expect(response.headers.get('request-id')).toBe(attempt.requestId);
    expect(response.headers.get('anthropic-organization-id')).toBe('org-test');
  });

  it('sends every rate-limit header, reset as RFC 3339, remaining reflecting what was used', async () => {
    // 6 requests/min: a refill of one request takes 10 s, far longer than this test.
    const slow = await startSimulator({ limits: { requestsPerMinute: 6 } });
    try {
      const client = clientFor(slow);
      const first = (await ask(client).withResponse()).response.headers;
      const second = (await ask(client).withResponse()).response.headers;
      for (const resource of ['requests', 'input-tokens', 'output-tokens', 'tokens']) {
        for (const part of ['limit', 'remaining', 'reset']) {
          expect(first.get(`anthropic-ratelimit-${resource}-${part}`)).not.toBeNull();
        }
        expect(first.get(`anthropic-ratelimit-${resource}-reset`)).toMatch(
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
        );
      }
      expect(first.get('anthropic-ratelimit-requests-limit')).toBe('6');
      expect(first.get('anthropic-ratelimit-requests-remaining')).toBe('5');
      expect(second.get('anthropic-ratelimit-requests-remaining')).toBe('4');
      const reset = Date.parse(second.get('anthropic-ratelimit-requests-reset') ?? '');
      // Two requests used: the bucket is full again in about 20 s.
      expect(reset - Date.now()).toBeGreaterThan(15_000);
      expect(reset - Date.now()).toBeLessThanOrEqual(21_000);
      expect(first.get('anthropic-ratelimit-input-tokens-limit')).toBe('2000000');
      expect(Number(first.get('anthropic-ratelimit-tokens-remaining')) % 1000).toBe(0);
    } finally {
      await slow.close();
    }
  });

  it('derives token counts from the request alone, and count_tokens agrees', async () => {
    const client = clientFor(sim);
    const text = 'Tell me about rate limits and how they refill over a minute.';
    const a = await ask(client, text);
    const b = await ask(client, text);
    const c = await ask(client, `${text} And more words, to make it longer than before.`);
    expect(b.usage).toEqual(a.usage);
    expect(c.usage.input_tokens).toBeGreaterThan(a.usage.input_tokens);
    expect(a.content[0].type === 'text' && a.content[0].text.split(' ').length).toBe(a.usage.output_tokens);
    const counted = await client.messages.countTokens({
      model: MODEL,
      messages: [{ role: 'user', content: text }],
    });
    expect(counted.input_tokens).toBe(a.usage.input_tokens);
    expect(sim.stats().tokens).toEqual({
      input: a.usage.input_tokens * 2 + c.usage.input_tokens,
      output: a.usage.output_tokens * 2 + c.usage.output_tokens,
    });
  });

  it('stops at max_tokens with stop_reason max_tokens', async () => {
    const message = await ask(clientFor(sim), 'Hello', { max_tokens: 3 });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(3);
  });

  it('serves beta.messages too', async () => {
    const message = await clientFor(sim).beta.messages.create({
      model: MODEL,
      max_tokens: 50,
      messages: [{ role: 'user', content: 'beta' }],
    });
    expect(message.type).toBe('message');
    expect(sim.stats().byStatus).toEqual({ '200': 1 });
  });

  it('counts every attempt and reset() zeroes the counts', async () => {
    const client = clientFor(sim);
    await Promise.all([ask(client), ask(client), ask(client)]);
    const stats = sim.stats();
    expect(stats.attempts).toBe(3);
    expect(stats.byStatus).toEqual({ '200': 3 });
    expect(stats.byModel).toEqual({ [MODEL]: 3 });
    expect(new Set(sim.attempts().map((a) => a.requestId)).size).toBe(3);
    sim.reset();
    expect(sim.stats().attempts).toBe(0);
    expect(sim.attempts()).toEqual([]);
  });

  it('serves its ground truth over HTTP', async () => {
    await ask(clientFor(sim));
    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as SimulatorStats;
    expect(stats.attempts).toBe(1);
    expect(stats.byStatus).toEqual({ '200': 1 });
    const attempts = await (await fetch(`${sim.url}/_sim/attempts`)).json();
    expect(attempts).toHaveLength(1);
    expect((await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })).status).toBe(200);
    expect(sim.stats().attempts).toBe(0);
  });
});
