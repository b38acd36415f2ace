import { AnthropicBedrock } from '@anthropic-ai/bedrock-sdk';
import { AnthropicVertex } from '@anthropic-ai/vertex-sdk';
import type { InstrumentationModuleFile } from '@opentelemetry/instrumentation';
import { AnthropicInstrumentation, claudeMiddleware } from '../../src';
import { governorCount } from '../../src/limit-groups';
import { type Simulator, startSimulator } from '../../src/simulator';
import { freshRegistry, sumBy } from '../support/metrics';
import { startTracing } from '../support/tracing';

// The real platform clients (@anthropic-ai/bedrock-sdk, @anthropic-ai/vertex-sdk) against the
// simulator's Bedrock and Vertex AI modes, instrumented as AnthropicInstrumentation instruments
// them in an app: its patch applied to the SDK file the platform packages load
// (`@anthropic-ai/sdk/client`), as the require hook applies it (jest's module registry bypasses
// the hook). Each platform keeps a quota per account (project), region and model.

const BEDROCK_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const OTHER_BEDROCK_MODEL = 'anthropic.claude-haiku-4-5-20251001-v1:0';
const VERTEX_MODEL = 'claude-sonnet-4-5@20250929';

const tracing = startTracing();
const registry = freshRegistry();
const instrumentation = new AnthropicInstrumentation({ metrics: { registry } });
const clientFile = instrumentation
  .getModuleDefinitions()[0]
  .files.find((f) => f.name === '@anthropic-ai/sdk/client.js') as InstrumentationModuleFile;
const sdkClient = require('@anthropic-ai/sdk/client');

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ latency: { responseMs: 2 } });
});
afterAll(async () => {
  clientFile.unpatch(sdkClient, '1.17.0');
  instrumentation.disable();
  await sim.close();
  await tracing.shutdown();
});
beforeEach(() => {
  sim.reset();
  tracing.reset();
  clientFile.patch(sdkClient, '1.17.0');
});
afterEach(() => clientFile.unpatch(sdkClient, '1.17.0'));

interface BedrockOptions {
  apiKey?: string;
  awsAccessKey?: string;
  awsSecretKey?: string;
  awsRegion?: string;
  maxRetries?: number;
}
const bedrock = (options: BedrockOptions = {}) =>
  new AnthropicBedrock({
    baseURL: sim.url,
    awsRegion: 'us-east-1',
    logLevel: 'off',
    ...(options.apiKey ? {} : { awsAccessKey: 'AKIDACCOUNTA', awsSecretKey: 'secret-a' }),
    ...options,
  } as ConstructorParameters<typeof AnthropicBedrock>[0]);

const googleCredential = (projectId: string) => ({
  projectId,
  getRequestHeaders: async () => new Headers({ authorization: 'Bearer google-token' }),
});
const vertex = (projectId: string | null, region = 'us-east5') =>
  new AnthropicVertex({
    baseURL: `${sim.url}/v1`,
    region,
    projectId,
    // biome-ignore lint/suspicious/noExplicitAny: a Google credential without the network
    authClient: googleCredential(projectId ?? 'learned-project') as any,
    logLevel: 'off',
  });

type Client = { messages: { create: (body: never) => Promise<unknown> } };
const call = (client: Client, model: string) =>
  client.messages.create({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] } as never);

/** Governors made by `fn`. */
async function governorsMadeBy(fn: () => Promise<unknown>): Promise<number> {
  const before = governorCount();
  await fn();
  return governorCount() - before;
}

describe('governed per the platform quota unit', () => {
  it('Bedrock: one governor per account (access key), region and model; a copy of a client shares its own', async () => {
    const a = bedrock();
    expect(await governorsMadeBy(() => call(a, BEDROCK_MODEL))).toBe(1);
    // The same account from another client, and a copy with other options: the same governor.
    expect(await governorsMadeBy(() => call(bedrock(), BEDROCK_MODEL))).toBe(0);
    expect(await governorsMadeBy(() => call(a.withOptions({ timeout: 30_000 }), BEDROCK_MODEL))).toBe(0);
    // Another account, another region, another model: each its own.
    const b = bedrock({ awsAccessKey: 'AKIDACCOUNTB', awsSecretKey: 'secret-b' });
    expect(await governorsMadeBy(() => call(b, BEDROCK_MODEL))).toBe(1);
    expect(await governorsMadeBy(() => call(bedrock({ awsRegion: 'eu-west-1' }), BEDROCK_MODEL))).toBe(1);
    expect(await governorsMadeBy(() => call(a, OTHER_BEDROCK_MODEL))).toBe(1);
    // A Bedrock API key is an account of its own.
    expect(await governorsMadeBy(() => call(bedrock({ apiKey: 'bedrock-api-key' }), BEDROCK_MODEL))).toBe(1);
    // Every attempt through a governor: the wait is on every span, the governor's gauges per model.
    const spans = await tracing.waitForAttempts(7);
    expect(spans.map((s) => s.attributes['anthropic.governor.wait_ms'])).toEqual(Array(7).fill(0));
    expect(await sumBy(registry, 'anthropic_governor_concurrency_limit', 'model_group')).toMatchObject({
      [BEDROCK_MODEL]: expect.any(Number),
      [OTHER_BEDROCK_MODEL]: expect.any(Number),
    });
    expect(sim.stats().attempts).toBe(7);
  });

  it('Vertex AI: governed, one governor per project, region and model', async () => {
    const p1 = vertex('project-1');
    expect(await governorsMadeBy(() => call(p1, VERTEX_MODEL))).toBe(1);
    expect(await governorsMadeBy(() => call(vertex('project-1'), VERTEX_MODEL))).toBe(0);
    expect(await governorsMadeBy(() => call(vertex('project-2'), VERTEX_MODEL))).toBe(1);
    expect(await governorsMadeBy(() => call(vertex('project-1', 'europe-west1'), VERTEX_MODEL))).toBe(1);
    // A client not told its project learns it from its credentials at the first request.
    const learning = vertex(null);
    await call(learning, VERTEX_MODEL);
    expect(await governorsMadeBy(() => call(learning, VERTEX_MODEL))).toBe(1);
    expect(await governorsMadeBy(() => call(vertex('learned-project'), VERTEX_MODEL))).toBe(0);
    const spans = await tracing.waitForAttempts(7);
    expect(spans.every((s) => s.attributes['anthropic.governor.wait_ms'] === 0)).toBe(true);
    expect(spans.every((s) => s.attributes['gen_ai.provider.name'] === 'gcp.vertex_ai')).toBe(true);
  });
});

describe('the caller sees what the plain platform client shows', () => {
  // A fault run (throttles, unavailability, a reset, a bad request), plain and instrumented.
  const faults = () =>
    sim.script(
      { kind: 'error', status: 429 },
      { kind: 'error', status: 529, type: 'overloaded_error' },
      { kind: 'connection-reset' },
      { kind: 'error', status: 500 },
      { kind: 'error', status: 429 },
      { kind: 'error', status: 429 },
      { kind: 'error', status: 429 },
      { kind: 'error', status: 400, type: 'invalid_request_error' },
    );
  const outcomes = async (client: Client, model: string) => {
    const seen: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      seen.push(
        await call(client, model).then(
          () => 'ok',
          (error: { constructor: { name: string }; status?: number }) =>
            `${error.constructor.name} ${error.status}`,
        ),
      );
    }
    return seen;
  };

  it.each([
    ['Bedrock', () => bedrock({ maxRetries: 2 }), BEDROCK_MODEL],
    ['Vertex AI', () => vertex('project-1') as unknown as Client, VERTEX_MODEL],
  ] as const)('%s', async (_name, make, model) => {
    clientFile.unpatch(sdkClient, '1.17.0');
    faults();
    const plain = await outcomes(make() as Client, model);
    // 429, 503 (or 529), reset: out of retries; 500, 429, 429; 429, 400; then a success.
    expect(plain).toEqual([
      'APIConnectionError undefined',
      'RateLimitError 429',
      'BadRequestError 400',
      'ok',
    ]);
    const plainAttempts = sim.stats().attempts;
    expect(plainAttempts).toBe(9);
    sim.reset();
    clientFile.patch(sdkClient, '1.17.0');
    faults();
    const instrumented = await outcomes(make() as Client, model);
    expect(instrumented).toEqual(plain);
    expect(sim.stats().attempts).toBe(plainAttempts);
    // One span per attempt, each the simulator's classification.
    const spans = await tracing.waitForAttempts(plainAttempts);
    expect(spans.map((s) => s.attributes['error.type'] ?? null)).toEqual(
      sim.attempts().map((a) => (a.status === null ? 'connection_error' : a.errorType)),
    );
  });
});

describe('claudeMiddleware() given to a platform client by hand', () => {
  it("traces and counts in the platform's terms; governs only what it can tell apart, and says so once", async () => {
    clientFile.unpatch(sdkClient, '1.17.0');
    // Jest's sandbox keeps process events to itself: the call is watched instead.
    const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const own = freshRegistry();
      const middleware = [claudeMiddleware({ metrics: { registry: own } })];
      const signed = new AnthropicBedrock({
        baseURL: sim.url,
        awsRegion: 'us-east-1',
        awsAccessKey: 'AKIDACCOUNTA',
        awsSecretKey: 'secret-a',
        logLevel: 'off',
        middleware,
      });
      const keyed = new AnthropicBedrock({
        baseURL: sim.url,
        apiKey: 'bedrock-api-key',
        logLevel: 'off',
        middleware,
      });
      // SigV4: the account is signed after the middleware, so no governor (and none reported).
      expect(await governorsMadeBy(() => call(signed, BEDROCK_MODEL))).toBe(0);
      expect(await governorsMadeBy(() => call(signed, BEDROCK_MODEL))).toBe(0);
      // A Bedrock API key is visible to middleware: governed by it.
      expect(await governorsMadeBy(() => call(keyed, BEDROCK_MODEL))).toBe(1);
      const spans = await tracing.waitForAttempts(3);
      // The simulator's URL names no platform: the client's user agent does.
      expect(spans.map((s) => s.attributes['gen_ai.provider.name'])).toEqual(Array(3).fill('aws.bedrock'));
      expect(spans.map((s) => s.attributes['anthropic.governor.wait_ms'])).toEqual([undefined, undefined, 0]);
      expect(emitted.mock.calls.map(([, options]) => (options as { code?: string }).code)).toEqual([
        'CLAUDE_OTEL_PLATFORM_UNGOVERNED',
      ]);
      expect(await sumBy(own, 'anthropic_attempts_total', 'status_code')).toEqual({ '200': 3 });
    } finally {
      emitted.mockRestore();
    }
  });
});
