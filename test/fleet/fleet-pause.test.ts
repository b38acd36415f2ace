import { claudeMiddleware } from '../../src';
import { startSimulator } from '../../src/simulator';
import { startMember, stopMember } from '../support/fleet-member';
import { freshRegistry } from '../support/metrics';
import { redisForSuite } from '../support/redis';
import { caught, clientFor, MODEL } from '../support/sdk';

/**
 * The model the simulator always answers with a 429 and `retry-after: 1`: a dated id of the
 * other process's model, so in the same rate-limit group (a pause holds that group only).
 */
const LIMITED = `${MODEL}-20261201`;
const API_KEY = 'sk-ant-fleet-test';

jest.setTimeout(60_000);

const servers = { redis: redisForSuite('redis'), valkey: redisForSuite('valkey') };

/**
 * This process (A) gets a 429 with `retry-after: 1` while another process (B) of the same
 * service calls in a loop; returns B's attempts (ms after A's 429 reached the simulator).
 */
async function otherProcessAttemptsAround429(
  redisUrl: string | undefined,
  other: { apiKey: string; organizations?: Record<string, string> } = { apiKey: API_KEY },
) {
  const sim = await startSimulator({
    latency: { responseMs: 5 },
    faults: [{ kind: 'error', status: 429, retryAfterSeconds: 1, models: [LIMITED] }],
    organizations: other.organizations,
  });
  try {
    const member = await startMember({
      simulatorUrl: sim.url,
      apiKey: other.apiKey,
      redisUrl,
    });
    const client = clientFor(sim, {
      apiKey: API_KEY,
      maxRetries: 0,
      middleware: [
        claudeMiddleware({
          metrics: { registry: freshRegistry() },
          governor: { fleet: redisUrl ? { redis: redisUrl } : false },
        }),
      ],
    });
    // Both processes have had a response (which names the organization of their keys).
    await client.messages.create({
      model: MODEL,
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    while (sim.attempts().filter((a) => a.model === MODEL).length < 5) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const error = await caught(() =>
      client.messages.create({ model: LIMITED, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect((error as { status?: number }).status).toBe(429);
    // B goes on until it has called for 1.5 s past the 429.
    const limited = sim.attempts().find((a) => a.model === LIMITED);
    if (!limited) throw new Error('no 429 was sent');
    while (!sim.attempts().some((a) => a.model === MODEL && a.at > limited.at + 1500)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const outcome = await stopMember(member);
    return {
      outcome,
      after: sim
        .attempts()
        .filter((a) => a.model === MODEL && a.at >= limited.at)
        .map((a) => a.at - limited.at),
    };
  } finally {
    await sim.close();
  }
}

describe('one retry-after pauses every process of the fleet', () => {
  it.each(['redis', 'valkey'] as const)(
    "through %s: another process's next attempt waits out this process's retry-after (1 s, jitter <= 250 ms)",
    async (server) => {
      const { outcome, after } = await otherProcessAttemptsAround429(servers[server]().url);
      // Only what B's 4 callers sent before the pause reached it lands after the 429 (A's SDK reads
      // the 429, the pause goes through Redis: two rounds of 5 ms calls at most, however slow a
      // busy machine makes that; unpaused they would send ~800 in the second); then nothing until
      // the retry-after is over; then B goes on.
      expect(after.filter((ms) => ms < 1000).length).toBeLessThanOrEqual(8);
      const resumed = after.find((ms) => ms >= 1000) as number;
      expect(resumed).toBeLessThan(1000 + 250 + 100);
      expect(outcome.failed).toBe(0);
    },
  );

  it("through redis: another key of the organization waits out this key's retry-after; another organization's does not", async () => {
    const url = servers.redis().url;
    const sameOrganization = await otherProcessAttemptsAround429(url, { apiKey: 'sk-ant-fleet-other' });
    expect(sameOrganization.after.filter((ms) => ms < 1000).length).toBeLessThanOrEqual(8);
    expect(sameOrganization.outcome.failed).toBe(0);
    const otherOrganization = await otherProcessAttemptsAround429(url, {
      apiKey: 'sk-ant-fleet-other',
      organizations: { [API_KEY]: 'org-a', 'sk-ant-fleet-other': 'org-b' },
    });
    expect(otherOrganization.after.filter((ms) => ms >= 50 && ms < 1000).length).toBeGreaterThan(50);
    expect(otherOrganization.outcome.failed).toBe(0);
  });

  it('without fleet mode the other process does not wait (the test can fail)', async () => {
    const { outcome, after } = await otherProcessAttemptsAround429(undefined);
    expect(after.filter((ms) => ms >= 50 && ms < 1000).length).toBeGreaterThan(50);
    expect(outcome.failed).toBe(0);
  });
});
