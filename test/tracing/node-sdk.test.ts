import { join } from 'node:path';
import { type Simulator, startSimulator } from '../../src/simulator';
import { type ReceivedSpan, startOtlpReceiver } from '../support/otlp-receiver';
import { ROOT, requireBuild, run } from '../support/processes';

const APPS = join(ROOT, 'test', 'apps');
const SPAN_KIND_CLIENT = 3;
const STATUS_ERROR = 2;

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let sim: Simulator;

beforeAll(async () => {
  requireBuild();
  receiver = await startOtlpReceiver();
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});
beforeEach(() => {
  sim.reset();
  receiver.clear();
});

function env(plan: string, endpoint = receiver.endpoint): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PLAN: plan,
    SIM_URL: sim.url,
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_LOG_LEVEL: 'none',
  };
}

async function runApp(args: string[], plan: string, endpoint?: string) {
  const done = await run('node', args, { cwd: APPS, env: env(plan, endpoint) });
  if (done.code !== 0) throw new Error(`app failed (${done.code}): ${done.stderr}`);
  return JSON.parse(done.stdout.trim()) as { ok: boolean }[];
}

const cjsApp = ['traced-app.cjs'];
const esmApp = ['--import', './register.mjs', 'traced-app.mjs'];

function attemptsOf(spans: ReceivedSpan[]) {
  return spans.filter((s) => s.scope === 'claude-otel').sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
}

describe.each([
  ['CommonJS', cjsApp],
  ['ESM', esmApp],
])('a %s app that only registers AnthropicInstrumentation with NodeSDK', (_kind, args) => {
  it('429 -> 529 -> 200 exports exactly three attempt spans under one SDK call span, over OTLP/HTTP', async () => {
    sim.script({ kind: 'error', status: 429, retryAfterSeconds: 1 }, { kind: 'error', status: 529 });
    const [result] = await runApp(args, 'one-call');
    expect(result.ok).toBe(true);

    const calls = receiver.spans.filter((s) => s.name === 'anthropic.messages.create');
    expect(calls).toHaveLength(1);
    const call = calls[0];
    const attempts = attemptsOf(receiver.spans);
    expect(attempts).toHaveLength(3);
    const truth = sim.attempts();
    expect(truth).toHaveLength(3);
    for (const [i, span] of attempts.entries()) {
      expect(span.scope).toBe('claude-otel');
      expect(span.kind).toBe(SPAN_KIND_CLIENT);
      expect(span.traceId).toBe(call.traceId);
      expect(span.parentSpanId).toBe(call.spanId);
      expect(span.attributes['anthropic.request.id']).toBe(truth[i].requestId);
      expect(span.attributes['http.response.status_code']).toBe(truth[i].status);
    }
    expect(attempts.map((s) => s.attributes['error.type'])).toEqual([
      'rate_limit_error',
      'overloaded_error',
      undefined,
    ]);
    expect(attempts.map((s) => s.attributes['http.request.resend_count'])).toEqual([undefined, 1, 2]);
    expect(attempts.map((s) => s.statusCode)).toEqual([STATUS_ERROR, STATUS_ERROR, 0]);
    expect(attempts[0].attributes['anthropic.retry_after_ms']).toBe(1000);
    expect(attempts[1].attributes['anthropic.retry.backoff_ms']).toBeGreaterThanOrEqual(1000);
    expect(JSON.stringify(receiver.spans.map((s) => s.attributes))).not.toContain('sk-ant-app-secret');
  });

  it('a stream: time to first chunk and usage on the attempt span', async () => {
    const [result] = (await runApp(args, 'one-stream')) as {
      ok: boolean;
      usage: { output_tokens: number };
    }[];
    expect(result.ok).toBe(true);
    const [attempt] = attemptsOf(receiver.spans);
    expect(attempt.attributes['gen_ai.usage.output_tokens']).toBe(result.usage.output_tokens);
    expect(attempt.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });
});

describe('an exporter that is down', () => {
  it('changes nothing the app sees: the same results as an app without telemetry', async () => {
    const chaos = await startSimulator({ scenario: 'chaos', seed: 5, retryAfterMs: true });
    try {
      const withEndpoint = (endpoint: string) => ({ ...env('sequence', endpoint), SIM_URL: chaos.url });
      const plain = await run('node', ['plain-app.cjs'], { cwd: APPS, env: withEndpoint(receiver.endpoint) });
      const plainAttempts = chaos.stats().attempts;
      chaos.reset();
      // Nothing listens on port 9 (discard) here: every export fails.
      const traced = await run('node', cjsApp, { cwd: APPS, env: withEndpoint('http://127.0.0.1:9') });
      expect(traced.code).toBe(0);
      expect(JSON.parse(traced.stdout)).toEqual(JSON.parse(plain.stdout));
      expect(chaos.stats().attempts).toBe(plainAttempts);
      expect(receiver.requests()).toBe(0);
    } finally {
      await chaos.close();
    }
  });
});

describe('disable()', () => {
  it('stops attempt spans for every client, and enable() restores them', async () => {
    const done = await run('node', ['disable-app.cjs'], { cwd: APPS, env: env('none') });
    expect(done.code).toBe(0);
    expect(receiver.spans.filter((s) => s.name === 'anthropic.messages.create')).toHaveLength(3);
    const attempts = attemptsOf(receiver.spans);
    const ids = sim.attempts().map((a) => a.requestId);
    expect(attempts.map((s) => s.attributes['anthropic.request.id'])).toEqual([ids[0], ids[2]]);
  });
});
