import Anthropic from '@anthropic-ai/sdk';
import { type Simulator, startSimulator } from '../../src/simulator';
import { ask, caught, clientFor, MODEL } from '../support/sdk';

const params = {
  model: MODEL,
  max_tokens: 256,
  messages: [{ role: 'user' as const, content: 'Stream to me' }],
};

describe('simulator: streaming through the official SDK', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('sends the real event sequence with interleaved pings', async () => {
    const response = await fetch(`${sim.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ ...params, stream: true }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = [...(await response.text()).matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    const deltas = events.filter((e) => e === 'content_block_delta').length;
    expect(deltas).toBeGreaterThanOrEqual(3);
    const withoutPings = events.filter((e) => e !== 'ping');
    expect(withoutPings).toEqual([
      'message_start',
      'content_block_start',
      ...Array(deltas).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events.indexOf('ping')).toBe(2);
  });

  it('stream helpers yield the text and the final usage of the same reply as non-streaming', async () => {
    const client = clientFor(sim);
    const stream = client.messages.stream(params);
    let text = '';
    stream.on('text', (piece) => {
      text += piece;
    });
    const final = await stream.finalMessage();
    const plain = await client.messages.create(params);
    expect(text).toBe(plain.content[0].type === 'text' ? plain.content[0].text : '');
    expect(final.usage.input_tokens).toBe(plain.usage.input_tokens);
    expect(final.usage.output_tokens).toBe(plain.usage.output_tokens);
    expect(final.stop_reason).toBe('end_turn');
    expect(sim.stats().streams).toEqual({
      started: 1,
      completed: 1,
      midStreamErrors: 0,
      truncated: 0,
      clientAborted: 0,
    });
  });

  it('a mid-stream error surfaces with type overloaded_error and no status, and is not retried', async () => {
    sim.script({ kind: 'mid-stream-error', afterDeltas: 2 });
    const client = clientFor(sim);
    const seen: string[] = [];
    const error = await caught(async () => {
      const stream = await client.messages.create({ ...params, stream: true });
      for await (const event of stream) seen.push(event.type);
    });
    expect(error).toBeInstanceOf(Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.type).toBe('overloaded_error');
    expect(apiError.status).toBeUndefined();
    expect(seen.filter((t) => t === 'content_block_delta')).toHaveLength(2);
    const stats = sim.stats();
    expect(stats.attempts).toBe(1);
    expect(stats.byStatus).toEqual({ '200': 1 });
    expect(stats.byErrorType).toEqual({ overloaded_error: 1 });
    expect(stats.streams.midStreamErrors).toBe(1);
    expect(sim.attempts()[0].streamEnd).toBe('mid-stream-error');
  });

  it('a stall that ends in a cut connection makes the stream fail, not hang', async () => {
    sim.script({ kind: 'stall', afterDeltas: 1, durationMs: 50 });
    const error = await caught(async () => {
      const stream = clientFor(sim).messages.stream(params);
      await stream.finalMessage();
    });
    expect(error).toBeInstanceOf(Error);
    expect(sim.stats().streams.truncated).toBe(1);
  });

  it('a stall without end holds the stream until the client aborts', async () => {
    sim.script({ kind: 'stall', afterDeltas: 1 });
    const stream = clientFor(sim).messages.stream(params);
    let deltas = 0;
    stream.on('text', () => {
      deltas++;
      if (deltas === 1) stream.abort();
    });
    const error = await caught(() => stream.finalMessage());
    expect(error).toBeInstanceOf(Anthropic.APIUserAbortError);
    expect(deltas).toBe(1);
  });

  it('delays the first token when told to', async () => {
    sim.script({ kind: 'slow-first-token', delayMs: 300 });
    const started = performance.now();
    const stream = clientFor(sim).messages.stream(params);
    const firstText = new Promise<number>((resolve) => stream.once('text', () => resolve(performance.now())));
    await stream.finalMessage();
    expect((await firstText) - started).toBeGreaterThanOrEqual(300);
  });

  it('a mid-stream fault set beyond the reply strikes after its last delta', async () => {
    sim.script({ kind: 'mid-stream-error', afterDeltas: 1000 });
    const error = await caught(async () => {
      const stream = clientFor(sim).messages.stream({ ...params, max_tokens: 4 });
      await stream.finalMessage();
    });
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
    expect(sim.stats().streams.midStreamErrors).toBe(1);
  });

  it('stream faults never touch non-streaming requests', async () => {
    const streamy = await startSimulator({ faults: [{ kind: 'mid-stream-error' }, { kind: 'stall' }] });
    try {
      const message = await ask(clientFor(streamy));
      expect(message.type).toBe('message');
    } finally {
      await streamy.close();
    }
  });
});
