import { DiagLogLevel, diag } from '@opentelemetry/api';
import { claudeMiddleware } from '../../src';
import { freePort } from '../../src/cli/free-port';
import { startSimulator } from '../../src/simulator';
import { freshRegistry, sumBy } from '../support/metrics';
import { redisForSuite } from '../support/redis';
import { ask, clientFor } from '../support/sdk';

jest.setTimeout(60_000);

const servers = { redis: redisForSuite('redis'), valkey: redisForSuite('valkey') };
// Jest's sandbox keeps process events to itself: the warnings are watched as calls.
const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
afterAll(() => {
  emitted.mockRestore();
  diag.disable();
});

/** Resolves when claude-otel says something matching `pattern` through OpenTelemetry's diag. */
function said(pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const log = (message: string) => {
      if (pattern.test(message)) resolve(message);
    };
    const quiet = () => {};
    diag.setLogger({ warn: log, error: log, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
  });
}

/**
 * Four callers of one fleet-mode process call in a loop while `fault` runs against its Redis;
 * every call's outcome and duration, and the governor's fleet metrics, are returned.
 */
async function callingThrough(
  redisUrl: string,
  fault: (successes: (n: number) => Promise<void>) => Promise<void>,
) {
  const sim = await startSimulator({ latency: { responseMs: 5 } });
  const registry = freshRegistry();
  const client = clientFor(sim, {
    maxRetries: 2,
    middleware: [claudeMiddleware({ metrics: { registry }, governor: { fleet: { redis: redisUrl } } })],
  });
  const calls: { ok: boolean; ms: number }[] = [];
  const waiting: { at: number; resolve: () => void }[] = [];
  let ok = 0;
  let stopping = false;
  /** Resolves after `n` more successful calls. */
  const successes = (n: number) => new Promise<void>((resolve) => waiting.push({ at: ok + n, resolve }));
  const worker = async () => {
    while (!stopping) {
      const started = performance.now();
      const succeeded = await ask(client).then(
        () => true,
        () => false,
      );
      calls.push({ ok: succeeded, ms: performance.now() - started });
      if (succeeded) ok++;
      for (const w of waiting.filter((w) => ok >= w.at)) w.resolve();
    }
  };
  const workers = Array.from({ length: 4 }, worker);
  try {
    await successes(20);
    await fault(successes);
    stopping = true;
    await Promise.all(workers);
    const metric = async (name: string) => (await sumBy(registry, name, 'none'))[''];
    return {
      calls,
      failed: calls.filter((c) => !c.ok).length,
      slowestMs: Math.max(...calls.map((c) => c.ms)),
      fallbacks: await metric('anthropic_governor_fleet_fallbacks_total'),
      connected: await metric('anthropic_governor_fleet_connected'),
      attempts: sim.attempts().length,
    };
  } finally {
    stopping = true;
    await Promise.all(workers);
    await sim.close();
  }
}

describe('a Redis that refuses the connection', () => {
  it('is named as such in the fallback (not "the connection closed"), and calls go on', async () => {
    const sim = await startSimulator();
    try {
      const dead = `redis://127.0.0.1:${await freePort()}`;
      const fellBack = said(/failed/);
      const client = clientFor(sim, {
        middleware: [
          claudeMiddleware({ metrics: { registry: freshRegistry() }, governor: { fleet: { redis: dead } } }),
        ],
      });
      await ask(client);
      expect(await fellBack).toMatch(
        /Redis \(127\.0\.0\.1:\d+\) failed \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)/,
      );
      expect(sim.stats().attempts).toBe(1);
    } finally {
      await sim.close();
    }
  });
});

describe.each(['redis', 'valkey'] as const)(
  '%s failing never fails or holds a call: the process governs alone, says so, and rejoins',
  (server) => {
    const redisOf = servers[server];
    it('Redis stopped mid-run (a crash), then started again empty', async () => {
      const result = await callingThrough(redisOf().url, async (successes) => {
        const fellBack = said(/Redis \(127\.0\.0\.1:\d+\) failed/);
        await redisOf().kill();
        expect(await fellBack).toMatch(/each process governs its own traffic until Redis answers again/);
        await successes(100); // calls go on without Redis
        const rejoined = said(/answers again/);
        await redisOf().restart();
        await rejoined;
        await successes(100);
      });
      expect(result.failed).toBe(0);
      expect(result.slowestMs).toBeLessThan(1000);
      expect(result.fallbacks).toBe(1);
      expect(result.connected).toBe(1);
      expect(result.attempts).toBe(result.calls.length);
    });

    it('Redis paused 1.5 s (DEBUG SLEEP): no call waits it out', async () => {
      const result = await callingThrough(redisOf().url, async (successes) => {
        const fellBack = said(/failed \(Command timed out\)/);
        const pause = redisOf().pause(1500);
        await pause.sent;
        await fellBack;
        await successes(50); // during the sleep
        const rejoined = said(/answers again/);
        await pause.done;
        await rejoined;
        await successes(50);
      });
      expect(result.failed).toBe(0);
      // The lease that met the sleep waited its 200 ms timeout; nothing waited 1.5 s.
      expect(result.slowestMs).toBeLessThan(800);
      expect(result.fallbacks).toBe(1);
      expect(result.connected).toBe(1);
    });

    it("Redis drops the process's connections (CLIENT KILL)", async () => {
      const result = await callingThrough(redisOf().url, async (successes) => {
        const fellBack = said(/failed \(the connection closed\)/);
        await redisOf().command('CLIENT', 'KILL', 'TYPE', 'normal');
        await redisOf().command('CLIENT', 'KILL', 'TYPE', 'pubsub');
        await fellBack;
        const rejoined = said(/answers again/);
        await rejoined;
        await successes(50);
      });
      expect(result.failed).toBe(0);
      expect(result.slowestMs).toBeLessThan(1000);
      expect(result.fallbacks).toBe(1);
      expect(result.connected).toBe(1);
    });
  },
);

it('tells the process once that the fleet fell back, and once that it rejoined (not only the diag logger)', () => {
  const codes = emitted.mock.calls.map(([, options]) => (options as { code?: string }).code);
  expect(codes).toEqual(['CLAUDE_OTEL_FLEET_FALLBACK', 'CLAUDE_OTEL_FLEET_REJOINED']);
});
