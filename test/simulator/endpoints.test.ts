import { request } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { type Simulator, startSimulator } from '../../src/simulator';
import { DEFAULT_CONFIG } from '../../src/simulator/config';
import { caught, clientFor, MODEL } from '../support/sdk';

type ApiError = InstanceType<typeof Anthropic.APIError>;
const MB = 1024 * 1024;

const params = (text = 'Hello, batch') => ({
  model: MODEL,
  max_tokens: 64,
  messages: [{ role: 'user' as const, content: text }],
});

/** A raw request with `body`, its length declared (or another length, or none: -1 sends it chunked). */
function send(
  sim: Simulator,
  method: string,
  path: string,
  body: Buffer,
  contentType = 'application/json',
  declaredLength = body.length,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, sim.url);
    const req = request(
      url,
      {
        method,
        headers: {
          'x-api-key': 'k',
          'anthropic-version': '2023-06-01',
          'content-type': contentType,
          ...(declaredLength >= 0 ? { 'content-length': String(declaredLength) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('simulator: the batches, files and models endpoints through the official SDK', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ batches: { processingMs: 150 } });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  it('a batch is created, polled until it ends, read, listed and deleted', async () => {
    const client = clientFor(sim);
    const created = await client.messages.batches.create({
      requests: [
        { custom_id: 'good', params: params() },
        { custom_id: 'unknown-model', params: { ...params(), model: 'gpt-x' } },
        { custom_id: 'no-max-tokens', params: { model: MODEL, messages: params().messages } as never },
      ],
    });
    expect(created).toMatchObject({
      type: 'message_batch',
      processing_status: 'in_progress',
      request_counts: { processing: 3, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
      results_url: null,
    });
    expect(created.id).toMatch(/^msgbatch_/);
    let batch = created;
    let polls = 0;
    while (batch.processing_status !== 'ended') {
      await new Promise((resolve) => setTimeout(resolve, 40)); // polling is what a client does
      batch = await client.messages.batches.retrieve(created.id);
      polls++;
    }
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(batch.request_counts).toEqual({
      processing: 0,
      succeeded: 1,
      errored: 2,
      canceled: 0,
      expired: 0,
    });
    expect(batch.results_url).toBe(`${sim.url}/v1/messages/batches/${created.id}/results`);
    const results: Anthropic.Messages.MessageBatchIndividualResponse[] = [];
    for await (const line of await client.messages.batches.results(created.id)) results.push(line);
    expect(results.map((r) => [r.custom_id, r.result.type])).toEqual([
      ['good', 'succeeded'],
      ['unknown-model', 'errored'],
      ['no-max-tokens', 'errored'],
    ]);
    const good = results[0].result as Anthropic.Messages.MessageBatchSucceededResult;
    expect(good.message.usage.output_tokens).toBeGreaterThan(0);
    const missing = results[2].result as Anthropic.Messages.MessageBatchErroredResult;
    expect(missing.error.error).toEqual({
      type: 'invalid_request_error',
      message: 'max_tokens: Field required',
    });

    const second = await client.messages.batches.create({ requests: [{ custom_id: 'x', params: params() }] });
    const page = await client.messages.batches.list({ limit: 1 });
    expect(page.data.map((b) => b.id)).toEqual([second.id]); // newest first
    expect(page.has_more).toBe(true);
    const all: string[] = [];
    for await (const b of client.messages.batches.list({ limit: 1 })) all.push(b.id);
    expect(all).toEqual([second.id, created.id]);

    // Still processing: it cannot be deleted; canceled, it ends with its requests canceled.
    const refused = (await caught(() => client.messages.batches.delete(second.id))) as ApiError;
    expect(refused.status).toBe(400);
    expect((await client.messages.batches.cancel(second.id)).processing_status).toBe('canceling');
    const canceled = await client.messages.batches.retrieve(second.id);
    expect(canceled.processing_status).toBe('ended');
    expect(canceled.request_counts.canceled).toBe(1);
    expect(await client.messages.batches.delete(created.id)).toEqual({
      id: created.id,
      type: 'message_batch_deleted',
    });
    const gone = (await caught(() => client.messages.batches.retrieve(created.id))) as ApiError;
    expect(gone).toBeInstanceOf(Anthropic.NotFoundError);
    expect(sim.stats().byRoute).toMatchObject({
      'POST /v1/messages/batches': 2,
      'GET /v1/messages/batches/{id}': polls + 3, // the polls, results' own retrieve, after cancel, gone
      'GET /v1/messages/batches/{id}/results': 1,
      'GET /v1/messages/batches': 3,
      'POST /v1/messages/batches/{id}/cancel': 1,
      'DELETE /v1/messages/batches/{id}': 2,
    });
    // Ids never reach the counts' keys.
    expect(Object.keys(sim.stats().byPath).join()).not.toContain('msgbatch_');
  });

  it('a file is uploaded, listed, read back and deleted; an uploaded file cannot be downloaded', async () => {
    const client = clientFor(sim);
    const file = await client.beta.files.upload({
      file: await Anthropic.toFile(Buffer.from('name,score\nada,3\n'), 'scores.csv', { type: 'text/csv' }),
    });
    expect(file).toMatchObject({
      type: 'file',
      filename: 'scores.csv',
      mime_type: 'text/csv',
      size_bytes: 17,
      downloadable: false,
    });
    expect((await client.beta.files.list()).data.map((f) => f.id)).toEqual([file.id]);
    expect(await client.beta.files.retrieveMetadata(file.id)).toEqual(file);
    const download = (await caught(() => client.beta.files.download(file.id))) as ApiError;
    expect(download.status).toBe(400);
    expect(await client.beta.files.delete(file.id)).toEqual({ id: file.id, type: 'file_deleted' });
    expect(((await caught(() => client.beta.files.retrieveMetadata(file.id))) as ApiError).status).toBe(404);
  });

  it('models are listed and retrieved', async () => {
    const client = clientFor(sim);
    const ids: string[] = [];
    for await (const model of client.models.list({ limit: 2 })) ids.push(model.id);
    expect(ids).toEqual(['claude-opus-4-5', 'claude-sonnet-4-5', 'claude-haiku-4-5']);
    expect((await client.models.retrieve(MODEL)).id).toBe(MODEL);
    expect(((await caught(() => client.models.retrieve('gpt-x'))) as ApiError).status).toBe(404);
  });

  it('a scripted fault answers the next request of its route only', async () => {
    sim.scriptRoute('GET /v1/models', { kind: 'error', status: 429 });
    const client = clientFor(sim, { maxRetries: 0 });
    expect(((await caught(() => client.models.list())) as ApiError).status).toBe(429);
    expect((await client.models.list()).data).toHaveLength(3);
    expect(() => sim.scriptRoute('GET /v1/nothing', { kind: 'error', status: 429 })).toThrow(/no route/);
    expect(() => sim.scriptRoute('GET /v1/models', { kind: 'truncate-stream' } as never)).toThrow(
      /needs a reply/,
    );
  });
});

describe('simulator: the documented request size limits (413 request_too_large)', () => {
  it('defaults: Messages and Token Counting 32 MB, Batches 256 MB, Files 500 MB', () => {
    expect(DEFAULT_CONFIG.bodyLimits).toEqual({ messages: 32 * MB, batches: 256 * MB, files: 500 * MB });
  });

  describe('at the limit and one byte over, by endpoint', () => {
    let sim: Simulator;
    beforeAll(async () => {
      sim = await startSimulator({ bodyLimits: { messages: 1000, batches: 2000, files: 3000 } });
    });
    afterAll(() => sim.close());

    it.each([
      ['/v1/messages', 1000],
      ['/v1/messages/count_tokens', 1000],
      ['/v1/messages/batches', 2000],
      ['/v1/files', 3000],
    ])('POST %s: %i bytes are read, one more is refused', async (path, limit) => {
      const atLimit = await send(sim, 'POST', path, Buffer.alloc(limit, 0x20));
      expect(atLimit.status).toBe(400); // read and found wanting, not refused for its size
      const over = await send(sim, 'POST', path, Buffer.alloc(limit + 1, 0x20));
      expect(over.status).toBe(413);
      expect(over.text).toContain('<html'); // the CDN's page, not the API's JSON
      // Sent chunked, with no length to go by: counted as it arrives.
      const chunked = await send(sim, 'POST', path, Buffer.alloc(limit + 1, 0x20), 'application/json', -1);
      expect(chunked.status).toBe(413);
      expect((await send(sim, 'POST', path, Buffer.alloc(limit, 0x20), 'application/json', -1)).status).toBe(
        400,
      );
    });

    it('a declared length over the limit is refused before the body arrives', async () => {
      // 600 MB declared, 10 bytes sent: only an answer from the header can come back.
      const reply = await send(sim, 'POST', '/v1/files', Buffer.alloc(10), 'multipart/form-data', 600 * MB);
      expect(reply.status).toBe(413);
    });
  });

  describe('through the official SDK at the documented sizes: 413, not retried', () => {
    let sim: Simulator;
    beforeAll(async () => {
      sim = await startSimulator();
    });
    afterAll(() => sim.close());
    beforeEach(() => sim.reset());

    const big = (bytes: number) => 'x'.repeat(bytes);
    it.each([
      ['messages.create', (c: Anthropic) => c.messages.create(params(big(32 * MB)))],
      [
        'messages.countTokens',
        (c: Anthropic) => c.messages.countTokens({ model: MODEL, messages: params(big(32 * MB)).messages }),
      ],
      [
        'messages.batches.create',
        (c: Anthropic) =>
          c.messages.batches.create({ requests: [{ custom_id: 'a', params: params(big(256 * MB)) }] }),
      ],
      [
        'beta.files.upload',
        async (c: Anthropic) =>
          c.beta.files.upload({ file: await Anthropic.toFile(Buffer.alloc(500 * MB + 1), 'big.bin') }),
      ],
    ])(
      '%s',
      async (_, call) => {
        const error = (await caught(() => call(clientFor(sim)))) as ApiError;
        expect(error.status).toBe(413);
        expect(sim.stats().attempts).toBe(1);
        expect(sim.stats().byStatus).toEqual({ '413': 1 });
      },
      60_000,
    );
  });
});
