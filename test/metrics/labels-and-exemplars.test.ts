import { claudeMiddleware, errorTypeLabel, isAccelerationLimit, startMetricsServer } from '../../src';
import { AttemptMetrics } from '../../src/metrics/attempt-metrics';
import { type Simulator, startSimulator } from '../../src/simulator';
import { freshRegistry, sumBy } from '../support/metrics';
import { ask, clientFor } from '../support/sdk';
import { startTracing } from '../support/tracing';

/** Where the attempts went (the facts carry it; the Prometheus metrics do not label it). */
const ENDPOINT = {
  operation: 'chat',
  serverAddress: 'api.anthropic.com',
  serverPort: 443,
  provider: 'anthropic' as const,
};

const tracing = startTracing();
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
  await tracing.shutdown();
});

describe('cardinality stays bounded', () => {
  it('10,000 distinct model names produce at most maxModels + 1 series per label set', async () => {
    const registry = freshRegistry();
    const metrics = new AttemptMetrics({ registry, maxModels: 5 });
    for (let i = 0; i < 10_000; i++) {
      metrics.started();
      metrics.ended(
        {
          ...ENDPOINT,
          model: `claude-model-${i}`,
          stream: false,
          retryCount: 0,
          status: 200,
          outcome: { failed: false },
          durationMs: 5,
        },
        undefined,
        undefined,
      );
    }
    const byModel = await sumBy(registry, 'anthropic_attempts_total', 'model');
    expect(Object.keys(byModel)).toHaveLength(6);
    expect(byModel.other).toBe(10_000 - 5);
    const text = await registry.metrics();
    expect(text.match(/^anthropic_attempts_total\{/gm)).toHaveLength(6);
  });

  it('unknown error types become other; statuses and known types stay', () => {
    expect(errorTypeLabel('overloaded_error')).toBe('overloaded_error');
    expect(errorTypeLabel('502')).toBe('502');
    expect(errorTypeLabel('some_new_error_type')).toBe('other');
    expect(errorTypeLabel(undefined)).toBe('');
  });

  it('the acceleration rule: the code, or a plain rate_limit_error with capacity left in its own headers', () => {
    const limits = (remaining: number) => ({ requests: { remaining }, tokens: { remaining: 5000 } });
    const rate = (code?: string, remaining = 0) => ({
      status: 429,
      outcome: { failed: true, errorType: 'rate_limit_error', ...(code ? { errorCode: code } : {}) },
      rateLimits: limits(remaining),
    });
    expect(isAccelerationLimit(rate('ramp_limit_exceeded'))).toBe(true);
    expect(isAccelerationLimit(rate(undefined, 12))).toBe(true);
    expect(isAccelerationLimit(rate(undefined, 0))).toBe(false);
    expect(isAccelerationLimit(rate('enforced_spend_limit_reached', 12))).toBe(false);
    expect(
      isAccelerationLimit({ status: 429, outcome: { failed: true, errorType: 'rate_limit_error' } }),
    ).toBe(false);
  });
});

describe('exemplars link metrics to traces', () => {
  it('an OpenMetrics registry carries trace_id and span_id of the attempt span', async () => {
    tracing.reset();
    const registry = freshRegistry(true);
    await ask(clientFor(sim, { middleware: [claudeMiddleware({ metrics: { registry } })] }));
    const [span] = await tracing.waitForAttempts(1);
    const { traceId, spanId } = span.spanContext();
    const text = await registry.metrics();
    expect(text).toContain(`# {trace_id="${traceId}",span_id="${spanId}"} 1`);
    expect(text).toMatch(/anthropic_attempt_duration_seconds_bucket\{.*\} 1 # \{trace_id="[0-9a-f]{32}"/);
  });

  it('an OpenMetrics registry counts attempts with no span (no tracer) by their labels, and no spike appears from nowhere', async () => {
    const registry = freshRegistry(true);
    const metrics = new AttemptMetrics({ registry });
    for (const status of [200, 529]) {
      metrics.started();
      const outcome = status === 200 ? { failed: false } : { failed: true, errorType: 'overloaded_error' };
      metrics.ended(
        { ...ENDPOINT, model: 'claude-x', stream: false, retryCount: 0, status, outcome, durationMs: 5 },
        undefined,
        undefined,
      );
    }
    const text = await registry.metrics();
    expect(text).toContain(
      'anthropic_attempts_total{operation="chat",model="claude-x",status_code="200",error_type=""} 1\n',
    );
    expect(text).toContain(
      'anthropic_attempts_total{operation="chat",model="claude-x",status_code="529",error_type="overloaded_error"} 1\n',
    );
    expect(text).not.toMatch(/^anthropic_\w+_total \d/m); // no counter series without labels
    expect(text).toContain(
      'anthropic_acceleration_limit_spikes_total{operation="chat",model="claude-x"} 0\n',
    );
    expect(text).toContain(
      'anthropic_attempt_duration_seconds_count{operation="chat",model="claude-x",status_code="529"} 1\n',
    );
    expect(text).not.toContain('trace_id');
  });

  it('a Prometheus-format registry works without exemplars', async () => {
    const registry = freshRegistry(false);
    await ask(clientFor(sim, { middleware: [claudeMiddleware({ metrics: { registry } })] }));
    const text = await registry.metrics();
    expect(text).toContain(
      'anthropic_attempts_total{operation="chat",model="claude-sonnet-5-5",status_code="200",error_type=""} 1',
    );
    expect(text).not.toContain('trace_id');
  });
});

describe('serving', () => {
  it('startMetricsServer serves the registry in its own content type', async () => {
    const registry = freshRegistry(true);
    await ask(clientFor(sim, { middleware: [claudeMiddleware({ metrics: { registry } })] }));
    const server = await startMetricsServer({ port: 0, registry });
    try {
      const response = await fetch(server.url);
      expect(response.headers.get('content-type')).toBe(registry.contentType);
      expect(await response.text()).toContain('anthropic_attempts_total');
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('headroom gauges', () => {
  it('hold what the latest response reported, reset measured at scrape time', async () => {
    const limited = await startSimulator({ limits: { requestsPerMinute: 60, burstSeconds: 60 } });
    try {
      const registry = freshRegistry();
      const client = clientFor(limited, { middleware: [claudeMiddleware({ metrics: { registry } })] });
      await ask(client);
      const { response } = await ask(client).withResponse();
      const limit = await sumBy(registry, 'anthropic_ratelimit_limit', 'resource');
      const remaining = await sumBy(registry, 'anthropic_ratelimit_remaining', 'resource');
      const reset = await sumBy(registry, 'anthropic_ratelimit_reset_seconds', 'resource');
      expect(limit.requests).toBe(60);
      expect(remaining.requests).toBe(Number(response.headers.get('anthropic-ratelimit-requests-remaining')));
      expect(remaining.requests).toBe(58);
      expect(remaining.input_tokens).toBe(
        Number(response.headers.get('anthropic-ratelimit-input-tokens-remaining')),
      );
      // Two requests used at 1/s: full again in about 2 s.
      expect(reset.requests).toBeGreaterThan(0);
      expect(reset.requests).toBeLessThanOrEqual(3);
      expect(await sumBy(registry, 'anthropic_attempts_in_flight', 'x')).toEqual({ '': 0 });
    } finally {
      await limited.close();
    }
  });
});
