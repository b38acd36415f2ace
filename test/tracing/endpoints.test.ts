import Anthropic from '@anthropic-ai/sdk';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { claudeMiddleware } from '../../src';
import { type Simulator, startSimulator } from '../../src/simulator';
import { freshRegistry, inMemoryMeterProvider, sumBy } from '../support/metrics';
import { ask, clientFor, MODEL, SDK_HAS_CALL_SPAN } from '../support/sdk';
import { parentOf, startTracing } from '../support/tracing';

/** The simulator's routes, and the name and template claude-otel must give each. */
const NAMES: Record<string, [operation: string, template: string]> = {
  'POST /v1/messages': ['chat', '/v1/messages'],
  'POST /v1/messages/count_tokens': ['count_tokens', '/v1/messages/count_tokens'],
  'POST /v1/messages/batches': ['messages.batches.create', '/v1/messages/batches'],
  'GET /v1/messages/batches': ['messages.batches.list', '/v1/messages/batches'],
  'GET /v1/messages/batches/{id}': ['messages.batches.retrieve', '/v1/messages/batches/{message_batch_id}'],
  'DELETE /v1/messages/batches/{id}': ['messages.batches.delete', '/v1/messages/batches/{message_batch_id}'],
  'POST /v1/messages/batches/{id}/cancel': [
    'messages.batches.cancel',
    '/v1/messages/batches/{message_batch_id}/cancel',
  ],
  'GET /v1/messages/batches/{id}/results': [
    'messages.batches.results',
    '/v1/messages/batches/{message_batch_id}/results',
  ],
  'POST /v1/files': ['files.upload', '/v1/files'],
  'GET /v1/files': ['files.list', '/v1/files'],
  'GET /v1/files/{id}': ['files.retrieve_metadata', '/v1/files/{file_id}'],
  'DELETE /v1/files/{id}': ['files.delete', '/v1/files/{file_id}'],
  'GET /v1/files/{id}/content': ['files.download', '/v1/files/{file_id}/content'],
  'GET /v1/models': ['models.list', '/v1/models'],
  'GET /v1/models/{id}': ['models.retrieve', '/v1/models/{model_id}'],
};

const params = {
  model: MODEL,
  max_tokens: 64,
  messages: [{ role: 'user' as const, content: 'Hello, batch' }],
};

/** What the caller saw at each step: a value's shape, or an error's status. */
type Outcome = [step: string, seen: string];

/** A service's day with every endpoint: chat, a batch polled to its end, files, models. */
async function useEveryEndpoint(client: Anthropic, sim: Simulator): Promise<Outcome[]> {
  const seen: Outcome[] = [];
  const step = async (name: string, call: () => Promise<unknown>) => {
    try {
      const value = (await call()) as { type?: string; processing_status?: string } | undefined;
      seen.push([name, `ok ${value?.processing_status ?? value?.type ?? ''}`]);
      return value;
    } catch (error) {
      seen.push([name, `error ${(error as { status?: number }).status}`]);
      return undefined;
    }
  };
  await step('chat', () => ask(client));
  await step('count', () => client.messages.countTokens({ model: MODEL, messages: params.messages }));
  const batch = (await step('create', () =>
    client.messages.batches.create({
      requests: [
        { custom_id: 'a', params },
        { custom_id: 'b', params: { ...params, model: 'gpt-x' } },
      ],
    }),
  )) as Anthropic.Messages.MessageBatch;
  // The first poll meets a 429 (retry-after 50 ms), which the SDK retries.
  sim.scriptRoute('GET /v1/messages/batches/{id}', { kind: 'error', status: 429, retryAfterSeconds: 0.05 });
  let status = batch.processing_status;
  while (status !== 'ended') {
    await new Promise((resolve) => setTimeout(resolve, 40)); // the client's polling interval
    status = (await client.messages.batches.retrieve(batch.id)).processing_status;
  }
  await step('results', async () => {
    const lines: string[] = [];
    for await (const line of await client.messages.batches.results(batch.id)) lines.push(line.result.type);
    return { type: lines.join(',') };
  });
  await step('list', () =>
    client.messages.batches.list({ limit: 5 }).then((p) => ({ type: `${p.data.length}` })),
  );
  const second = (await step('create 2', () =>
    client.messages.batches.create({ requests: [{ custom_id: 'c', params }] }),
  )) as Anthropic.Messages.MessageBatch;
  await step('cancel', () => client.messages.batches.cancel(second.id));
  await step('delete', () => client.messages.batches.delete(batch.id));
  const file = (await step('upload', async () =>
    client.beta.files.upload({ file: await Anthropic.toFile(Buffer.from('a,b\n1,2\n'), 'data.csv') }),
  )) as { id: string };
  await step('files', () => client.beta.files.list().then((p) => ({ type: `${p.data.length}` })));
  await step('metadata', () => client.beta.files.retrieveMetadata(file.id));
  await step('download', () => client.beta.files.download(file.id));
  await step('delete file', () => client.beta.files.delete(file.id));
  await step('models', () => client.models.list().then((p) => ({ type: `${p.data.length}` })));
  await step('model', () => client.models.retrieve(MODEL));
  await step('chat again', () => ask(client));
  return seen;
}

describe('every endpoint named: a batch, files and models beside chat, through the real SDK', () => {
  let sim: Simulator;
  const tracing = startTracing();
  const registry = freshRegistry();
  const { provider: meterProvider, metric } = inMemoryMeterProvider();
  let withTelemetry: Outcome[];
  let plain: Outcome[];
  /** Attempts the simulator answered, by the operation name claude-otel must give them. */
  let truth: Record<string, number>;
  let spans: ReadableSpan[];

  beforeAll(async () => {
    sim = await startSimulator({ batches: { processingMs: 200 }, retryAfterMs: true });
    // The same calls with the SDK alone: the caller must see the same.
    plain = await useEveryEndpoint(clientFor(sim), sim);
    sim.reset();
    const client = clientFor(sim, {
      middleware: [claudeMiddleware({ metrics: { registry }, meterProvider })],
    });
    withTelemetry = await useEveryEndpoint(client, sim);
    truth = {};
    for (const [route, count] of Object.entries(sim.stats().byRoute)) {
      const [operation] = NAMES[route];
      truth[operation] = (truth[operation] ?? 0) + count;
    }
    spans = await tracing.waitForAttempts(sim.stats().attempts);
  }, 30_000);
  afterAll(async () => {
    await sim.close();
    await tracing.shutdown();
    await meterProvider.shutdown();
  });

  it('the caller sees what the SDK alone gives it', () => {
    expect(withTelemetry).toEqual(plain);
    expect(withTelemetry).toContainEqual(['results', 'ok succeeded,errored']);
    expect(withTelemetry).toContainEqual(['download', 'error 400']);
    expect(Object.keys(truth).sort()).toEqual(
      Object.values(NAMES)
        .map(([operation]) => operation)
        .sort(),
    ); // every endpoint was called
  });

  it('each attempt span is named `{method} {url.template}`, with its operation, ids only in url.full', () => {
    expect(spans).toHaveLength(sim.stats().attempts);
    const byOperation: Record<string, number> = {};
    for (const span of spans) {
      const operation = span.attributes['gen_ai.operation.name'] as string;
      byOperation[operation] = (byOperation[operation] ?? 0) + 1;
      const route = Object.entries(NAMES).find(([, [name]]) => name === operation)?.[0] as string;
      const template = NAMES[route][1];
      expect(span.attributes['url.template']).toBe(template);
      expect(span.name).toBe(`${route.split(' ')[0]} ${template}`);
      expect(span.name).not.toMatch(/msgbatch_|file_011|claude-/);
      if (template.includes('{')) expect(span.attributes['url.full']).toMatch(/msgbatch_|file_011|claude-/);
    }
    expect(byOperation).toEqual(truth);
    expect(truth.chat).toBe(2);
  });

  it("each attempt span is the child of the SDK's call span of its method, with the same route", () => {
    if (!SDK_HAS_CALL_SPAN) return;
    const calls = new Map(tracing.calls().map((s) => [s.spanContext().spanId, s]));
    for (const span of spans) {
      const operation = span.attributes['gen_ai.operation.name'] as string;
      const parent = calls.get(parentOf(span) as string);
      const method =
        { chat: 'messages.create', count_tokens: 'messages.count_tokens' }[operation] ?? operation;
      expect(parent?.name).toBe(`anthropic.${method}`);
      expect(parent?.attributes['http.route']).toBe(span.attributes['url.template']);
    }
  });

  it('the 429 on a batch poll is counted under messages.batches.retrieve, and does not pause chat', async () => {
    const limited = spans.filter((s) => s.attributes['error.type'] === 'rate_limit_error');
    expect(limited.map((s) => s.attributes['gen_ai.operation.name'])).toEqual(['messages.batches.retrieve']);
    expect(await sumBy(registry, 'anthropic_retries_total', 'operation')).toEqual({
      'messages.batches.retrieve': 1,
    });
    // Only the Messages API is governed: the other endpoints have limits of their own.
    expect(await sumBy(registry, 'anthropic_governor_pauses_total', '')).toEqual({ '': 0 });
    for (const span of spans) {
      const governed = span.attributes['gen_ai.operation.name'] === 'chat';
      expect(span.attributes['anthropic.governor.wait_ms'] !== undefined).toBe(governed);
    }
  });

  it('a raw body (batch results) ends its span with the headers, as a success', () => {
    const results = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'messages.batches.results');
    expect(results).toHaveLength(1);
    expect(results[0].attributes['http.response.status_code']).toBe(200);
    expect(results[0].attributes['error.type']).toBeUndefined();
    expect(results[0].attributes['anthropic.stream']).toBeUndefined();
  });

  it('Prometheus series by operation equal the simulator: none of the batch, file or model attempts under chat', async () => {
    expect(await sumBy(registry, 'anthropic_attempts_total', 'operation')).toEqual(truth);
    const durations =
      (await registry.getSingleMetric('anthropic_attempt_duration_seconds')?.get())?.values ?? [];
    const counted: Record<string, number> = {};
    for (const v of durations as { metricName?: string; labels: Record<string, string>; value: number }[]) {
      if (v.metricName === 'anthropic_attempt_duration_seconds_count')
        counted[v.labels.operation] = (counted[v.labels.operation] ?? 0) + v.value;
    }
    expect(counted).toEqual(truth);
    const text = await registry.metrics();
    expect(text).not.toMatch(/msgbatch_|file_011/);
  });

  it('OpenTelemetry metrics by gen_ai.operation.name equal the simulator', async () => {
    const duration = await metric('gen_ai.client.operation.duration');
    const counted: Record<string, number> = {};
    for (const point of duration?.dataPoints ?? []) {
      const operation = point.attributes['gen_ai.operation.name'] as string;
      counted[operation] = (counted[operation] ?? 0) + (point.value as { count: number }).count;
    }
    expect(counted).toEqual(truth);
  });
});
