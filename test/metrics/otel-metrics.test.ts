import { join } from 'node:path';
import { claudeMiddleware } from '../../src';
import { type Simulator, startSimulator } from '../../src/simulator';
import { freshRegistry, inMemoryMeterProvider } from '../support/metrics';
import { type ReceivedPoint, startOtlpReceiver } from '../support/otlp-receiver';
import { ROOT, requireBuild, run } from '../support/processes';
import { ask, clientFor } from '../support/sdk';

let sim: Simulator;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
beforeAll(async () => {
  requireBuild();
  sim = await startSimulator();
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});

const total = (xs: (number | undefined)[]) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);
/** Sums `field` of the points, by the value of attribute `by`. */
function sumsBy(points: ReceivedPoint[], by: string, field: 'count' | 'value' | 'sum') {
  const out: Record<string, number> = {};
  for (const p of points) {
    const key = String(p.attributes[by] ?? '');
    out[key] = (out[key] ?? 0) + (p[field] ?? 0);
  }
  return out;
}

describe('OpenTelemetry metrics, exported over OTLP', () => {
  it("an app with NodeSDK and an OTLP metric exporter receives the GenAI client metrics; their counts equal the simulator's", async () => {
    // The first call (a stream) meets a 429 and a 529 before it succeeds.
    sim.script({ kind: 'error', status: 429, retryAfterSeconds: 1 }, { kind: 'error', status: 529 });
    const done = await run('node', [join(ROOT, 'test', 'apps', 'otel-metrics-app.cjs')], {
      env: {
        ...process.env,
        SIM_URL: sim.url,
        PLAN: 'sequence',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
      },
    });
    expect({ code: done.code, stderr: done.stderr }).toEqual({ code: 0, stderr: '' });
    const results = JSON.parse(done.stdout.trim().split('\n')[0]) as {
      ok: boolean;
      usage: { input_tokens: number; output_tokens: number };
    }[];
    expect(results.filter((r) => r.ok)).toHaveLength(30);
    const attempts = sim.attempts();
    expect(attempts).toHaveLength(32);
    const points = receiver.latestMetrics();
    const of = (name: string) => points.filter((p) => p.metric === name);
    expect(new Set(points.map((p) => p.scope))).toEqual(new Set(['claude-otel']));

    // One duration per attempt, each with the conventions' attributes; failures by error.type.
    const duration = of('gen_ai.client.operation.duration');
    expect(duration[0].unit).toBe('s');
    expect(total(duration.map((p) => p.count))).toBe(attempts.length);
    expect(sumsBy(duration, 'error.type', 'count')).toEqual({
      '': 30,
      rate_limit_error: 1,
      overloaded_error: 1,
    });
    const { port } = new URL(sim.url);
    for (const p of duration)
      expect(p.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-5-5',
        'server.address': '127.0.0.1',
        'server.port': Number(port),
      });

    // Tokens of the successful replies, input and output, as the callers got them.
    const tokens = of('gen_ai.client.token.usage');
    expect(tokens[0].unit).toBe('{token}');
    expect(sumsBy(tokens, 'gen_ai.token.type', 'sum')).toEqual({
      input: total(results.map((r) => r.usage.input_tokens)),
      output: total(results.map((r) => r.usage.output_tokens)),
    });
    expect(sumsBy(tokens, 'gen_ai.token.type', 'count')).toEqual({ input: 30, output: 30 });

    // Time to first chunk: one per successful stream (every third call).
    expect(total(of('gen_ai.client.operation.time_to_first_chunk').map((p) => p.count))).toBe(10);

    // The attempt counters, as the Prometheus ones count them.
    expect(sumsBy(of('anthropic.attempts'), 'http.response.status_code', 'value')).toEqual({
      '200': 30,
      '429': 1,
      '529': 1,
    });
    const retried = attempts.filter((a) => (a.retryCount ?? 0) > 0).length;
    expect(sumsBy(of('anthropic.retries'), 'error.type', 'value')).toEqual({
      rate_limit_error: 1,
      overloaded_error: 1,
    });
    expect(retried).toBe(2);
    expect(total(of('anthropic.attempts.in_flight').map((p) => p.value))).toBe(0);
  });
});

describe("claudeMiddleware's OpenTelemetry metrics", () => {
  /** A MeterProvider of the test's own, read on demand. */
  function meterProvider() {
    const { provider, metric } = inMemoryMeterProvider();
    const attempts = async () =>
      total(((await metric('anthropic.attempts'))?.dataPoints ?? []).map((p) => p.value as number));
    return { provider, attempts };
  }

  it.each([
    [{}, 2],
    [{ otel: false }, 0],
  ])('metrics %j: %i attempts counted in the given meterProvider', async (metrics, expected) => {
    const { provider, attempts } = meterProvider();
    const client = clientFor(sim, {
      middleware: [
        claudeMiddleware({ metrics: { registry: freshRegistry(), ...metrics }, meterProvider: provider }),
      ],
    });
    await ask(client);
    await ask(client);
    expect(await attempts()).toBe(expected);
    await provider.shutdown();
  });
});
