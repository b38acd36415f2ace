import { type AnyRegistry, claudeMiddleware } from '../../src';
import { type ScenarioName, startSimulator } from '../../src/simulator';
import { isApiErrorType } from '../support/api-error-types';
import { freshRegistry, sumBy } from '../support/metrics';
import { clientFor } from '../support/sdk';
import { startTracing } from '../support/tracing';
import { runWorkload } from '../support/workload';

const tracing = startTracing();
afterAll(() => tracing.shutdown());

function withoutEmpty(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([k, v]) => k !== '' && v > 0));
}

async function drive(name: ScenarioName, registry: AnyRegistry, maxRetries: number) {
  const sim = await startSimulator({ scenario: name, seed: 21, retryAfterMs: true });
  try {
    // Telemetry exactness per scenario, as the API behaves; the governed chaos run is in test/governor.
    const client = clientFor(sim, {
      maxRetries,
      middleware: [claudeMiddleware({ metrics: { registry }, governor: false })],
    });
    await runWorkload(sim, { calls: 80, concurrency: 8, client });
    return sim.stats();
  } finally {
    await sim.close();
  }
}

describe('metrics equal the simulator ground truth, exactly', () => {
  it.each<[ScenarioName, number]>([
    ['healthy', 0],
    ['chaos', 0],
    ['chaos', 2],
    ['overload', 2],
    ['rate-limited', 1],
    ['spend-limit', 1],
  ])('%s, maxRetries %i: attempts by status and by error type', async (name, maxRetries) => {
    tracing.reset();
    const registry = freshRegistry();
    const stats = await drive(name, registry, maxRetries);
    const attempts = await tracing.waitForAttempts(stats.attempts);
    expect(attempts).toHaveLength(stats.attempts);

    const byStatus = await sumBy(registry, 'anthropic_attempts_total', 'status_code');
    expect(withoutEmpty(byStatus)).toEqual(stats.byStatus);
    expect(byStatus[''] ?? 0).toBe(stats.connectionResets);
    const byType = await sumBy(registry, 'anthropic_attempts_total', 'error_type');
    const apiTypes = Object.fromEntries(Object.entries(byType).filter(([k]) => isApiErrorType(k)));
    expect(apiTypes).toEqual(stats.byErrorType);
    const retries = Object.values(await sumBy(registry, 'anthropic_retries_total', 'model')).reduce(
      (a, b) => a + b,
      0,
    );
    expect(retries).toBe(stats.attempts - 80);
    const inFlight = await sumBy(registry, 'anthropic_attempts_in_flight', 'x');
    expect(Object.values(inFlight)).toEqual([0]);
  });

  it('acceleration: spikes equal the ramp_limit_exceeded count', async () => {
    const registry = freshRegistry();
    const stats = await drive('acceleration', registry, 0);
    expect(stats.byErrorCode.ramp_limit_exceeded).toBeGreaterThan(0);
    const spikes = await sumBy(registry, 'anthropic_acceleration_limit_spikes_total', 'model');
    expect(Object.values(spikes).reduce((a, b) => a + b, 0)).toBe(stats.byErrorCode.ramp_limit_exceeded);
  });

  it('tokens equal what the simulator served', async () => {
    const registry = freshRegistry();
    const stats = await drive('healthy', registry, 0);
    const tokens = await sumBy(registry, 'anthropic_tokens_total', 'type');
    expect(tokens).toEqual({ input: stats.tokens.input, output: stats.tokens.output });
  });
});
