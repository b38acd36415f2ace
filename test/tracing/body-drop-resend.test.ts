import Anthropic from '@anthropic-ai/sdk';
import { claudeMiddleware } from '../../src';
import { type Simulator, startSimulator } from '../../src/simulator';
import { freshRegistry, sumBy } from '../support/metrics';
import { MODEL, SDK_VERSION } from '../support/sdk';
import { startTracing } from '../support/tracing';

// A connection that drops while a non-streamed 200's body is being read. SDK 1.17 sends the
// request again (counted against maxRetries); earlier SDKs fail the call. With claude-otel the
// caller sees what the plain SDK shows, and the telemetry says the first attempt failed.

const [major, minor] = SDK_VERSION.split('.').map(Number);
const RESENDS = major > 1 || (major === 1 && minor >= 17);

const tracing = startTracing();
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
  await tracing.shutdown();
});

const outcome = (client: Anthropic) =>
  client.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }).then(
    (message) => `ok ${message.type}`,
    (error: Error) => error.constructor.name,
  );

it(`a 200 whose body is cut: the same outcome as the plain SDK ${SDK_VERSION}; the cut attempt is a failed one`, async () => {
  sim.reset();
  sim.script({ kind: 'body-cut' });
  const plain = await outcome(
    new Anthropic({ baseURL: sim.url, apiKey: 'sk-ant-test', logLevel: 'off', maxRetries: 2 }),
  );
  const plainAttempts = sim.stats().attempts;
  expect(plain).toBe(RESENDS ? 'ok message' : plain);
  expect(plainAttempts).toBe(RESENDS ? 2 : 1);

  sim.reset();
  tracing.reset();
  sim.script({ kind: 'body-cut' });
  const registry = freshRegistry();
  const client = new Anthropic({
    baseURL: sim.url,
    apiKey: 'sk-ant-test',
    logLevel: 'off',
    maxRetries: 2,
    middleware: [claudeMiddleware({ metrics: { registry } })],
  });
  expect(await outcome(client)).toBe(plain);
  expect(sim.stats().attempts).toBe(plainAttempts);
  const spans = await tracing.waitForAttempts(plainAttempts);
  // The cut attempt: a 200 whose body never arrived, a failed attempt; the resend is attempt 2.
  expect(spans[0].attributes['http.response.status_code']).toBe(200);
  expect(spans[0].attributes['error.type']).toBe('connection_error');
  if (RESENDS) {
    expect(spans[1].attributes['http.request.resend_count']).toBe(1);
    // A retry of the cut attempt, its backoff measured from the cut.
    expect(spans[1].attributes['anthropic.retry.backoff_ms']).toEqual(expect.any(Number));
    expect(spans[1].attributes['error.type']).toBeUndefined();
    expect(await sumBy(registry, 'anthropic_retries_total', 'error_type')).toEqual({
      connection_error: 1,
    });
  }
  expect(await sumBy(registry, 'anthropic_attempts_total', 'error_type')).toEqual(
    RESENDS ? { connection_error: 1, '': 1 } : { connection_error: 1 },
  );
});
