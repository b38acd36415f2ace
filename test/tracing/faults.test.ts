import { claudeMiddleware } from '../../src';
import { type Simulator, startSimulator } from '../../src/simulator';
import { spansThatThrowEverywhere, throwingProvider, throwingSpans } from '../support/broken-tracers';
import { freshRegistry, sumBy } from '../support/metrics';
import { ask, clientFor } from '../support/sdk';
import { runWorkload } from '../support/workload';

describe('telemetry failures never reach the caller', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ scenario: 'chaos', seed: 3 });
  });
  afterAll(() => sim.close());

  it.each([
    ['a tracer that throws', throwingProvider],
    ['spans that throw', throwingSpans],
  ])(
    '%s: the same chaos workload gives exactly the same results as without telemetry',
    async (_name, provider) => {
      sim.reset();
      // One call at a time: the seeded faults then fall on the same calls in both runs.
      const plain = await runWorkload(sim, { calls: 100, concurrency: 1 });
      sim.reset();
      const client = clientFor(sim, {
        maxRetries: 0,
        middleware: [claudeMiddleware({ tracerProvider: provider })],
      });
      const traced = await runWorkload(sim, { calls: 100, concurrency: 1, client });
      expect(traced).toEqual(plain);
    },
  );

  it('a successful call returns the same message with and without a broken tracer', async () => {
    const quiet = await startSimulator();
    try {
      const plain = await ask(clientFor(quiet), 'same question');
      const broken = await ask(
        clientFor(quiet, { middleware: [claudeMiddleware({ tracerProvider: throwingSpans })] }),
        'same question',
      );
      expect({ ...broken, id: '' }).toEqual({ ...plain, id: '' });
    } finally {
      await quiet.close();
    }
  });
});

describe('metrics do not depend on tracing', () => {
  it('with spans that throw even from spanContext(), every attempt is counted and none stays in flight', async () => {
    const sim = await startSimulator();
    try {
      const registry = freshRegistry();
      const middleware = claudeMiddleware({
        tracerProvider: spansThatThrowEverywhere,
        metrics: { registry },
      });
      const client = clientFor(sim, { maxRetries: 0, middleware: [middleware] });
      for (let i = 0; i < 3; i++) await ask(client);
      expect(await sumBy(registry, 'anthropic_attempts_total', 'status_code')).toEqual({ '200': 3 });
      expect((await registry.getSingleMetric('anthropic_attempts_in_flight')?.get())?.values[0].value).toBe(
        0,
      );
    } finally {
      await sim.close();
    }
  });

  it('with a tracer that throws, every attempt is still counted', async () => {
    const sim = await startSimulator({ scenario: 'chaos', seed: 9 });
    try {
      const registry = freshRegistry();
      const middleware = claudeMiddleware({ tracerProvider: throwingProvider, metrics: { registry } });
      await runWorkload(sim, {
        calls: 60,
        concurrency: 4,
        client: clientFor(sim, { maxRetries: 0, middleware: [middleware] }),
      });
      const byStatus = await sumBy(registry, 'anthropic_attempts_total', 'status_code');
      const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
      expect(total).toBe(sim.stats().attempts);
    } finally {
      await sim.close();
    }
  });
});
