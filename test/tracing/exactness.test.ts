import { claudeMiddleware } from '../../src';
import { type ScenarioName, startSimulator } from '../../src/simulator';
import { isApiErrorType } from '../support/api-error-types';
import { clientFor } from '../support/sdk';
import { allAttributeText, startTracing } from '../support/tracing';
import { runWorkload } from '../support/workload';

const tracing = startTracing();
afterAll(() => tracing.shutdown());

describe('attempt spans equal the simulator ground truth', () => {
  it.each<[ScenarioName, number]>([
    ['chaos', 0],
    ['chaos', 2],
    ['overload', 2],
    ['rate-limited', 0],
  ])(
    '%s with maxRetries %i: one span per attempt, statuses and error types exact',
    async (name, maxRetries) => {
      tracing.reset();
      const sim = await startSimulator({ scenario: name, seed: 11, retryAfterMs: true });
      try {
        // retry-after-ms keeps the SDK's waits short; the default exponential backoff still applies to 5xx.
        const client = clientFor(sim, {
          maxRetries,
          apiKey: 'sk-secret-key-1234',
          // Spans per scenario as the API behaves; the governed chaos run is in test/governor.
          middleware: [claudeMiddleware({ governor: false })],
        });
        await runWorkload(sim, { calls: 60, concurrency: 6, client });
        const stats = sim.stats();
        const spans = await tracing.waitForAttempts(stats.attempts);
        expect(spans).toHaveLength(stats.attempts);

        const byStatus: Record<string, number> = {};
        const byErrorType: Record<string, number> = {};
        let resets = 0;
        for (const span of spans) {
          const status = span.attributes['http.response.status_code'];
          if (status === undefined) resets++;
          else byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
          const type = span.attributes['error.type'] as string | undefined;
          // Only types the API sent: the status strings and transport names are ours.
          if (isApiErrorType(type)) {
            byErrorType[type] = (byErrorType[type] ?? 0) + 1;
          }
        }
        expect(byStatus).toEqual(stats.byStatus);
        expect(resets).toBe(stats.connectionResets);
        expect(byErrorType).toEqual(stats.byErrorType);
        const ids = new Set(spans.map((s) => s.attributes['anthropic.request.id']).filter(Boolean));
        expect(ids).toEqual(
          new Set(
            sim
              .attempts()
              .filter((a) => a.status !== null)
              .map((a) => a.requestId),
          ),
        );
        expect(allAttributeText(tracing.spans())).not.toContain('sk-secret-key-1234');
        expect(allAttributeText(tracing.spans())).not.toContain('call 1');
      } finally {
        await sim.close();
      }
    },
  );
});
