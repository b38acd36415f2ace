import Redis from 'ioredis';
import { claudeMiddleware } from '../../src';
import type { RedisClient } from '../../src/governor/fleet/options';
import { startSimulator } from '../../src/simulator';
import { freshRegistry } from '../support/metrics';
import { redisForSuite } from '../support/redis';
import { ask, clientFor } from '../support/sdk';

const redis = redisForSuite();

describe('governor.fleet options', () => {
  it.each([
    [
      { redis: 'http://127.0.0.1:6379' },
      'fleet.redis must be a redis:// URL or an ioredis client (got "http://127.0.0.1:6379")',
    ],
    [{ redis: {} }, 'fleet.redis must be an ioredis client or a redis:// URL'],
    [
      { redis: { isCluster: true, duplicate: () => undefined, evalsha: () => undefined } },
      'fleet.redis is an ioredis Cluster client, which fleet mode does not support yet: pass a client of one node (or a proxy) or its redis:// URL',
    ],
    [{ redis: 'redis://127.0.0.1:6379', timeoutMs: 0 }, 'fleet.timeoutMs must be a number > 0 (got 0)'],
    [{ redis: 'redis://127.0.0.1:6379', key: '' }, 'fleet.key must be a non-empty string'],
  ])('%j is refused when the middleware is made, saying what is wrong', (fleet, problem) => {
    expect(() =>
      claudeMiddleware({ metrics: false, governor: { fleet: fleet as unknown as { redis: string } } }),
    ).toThrow(new TypeError(`claude-otel options: governor.${problem}`));
  });

  it("an ioredis client of the app's: claude-otel opens its own connections from it and leaves it as it was", async () => {
    const sim = await startSimulator();
    const own = new Redis(redis().url);
    try {
      const client = clientFor(sim, {
        apiKey: 'sk-ant-own-client',
        middleware: [
          claudeMiddleware({
            metrics: { registry: freshRegistry() },
            governor: { fleet: { redis: own as unknown as RedisClient, key: 'app-fleet' } },
          }),
        ],
      });
      await ask(client);
      const keys = await own.keys('app-fleet:*');
      expect(keys.map((k) => k.replace(/\{\w+\}/, '{domain}')).sort()).toEqual([
        'app-fleet:{domain}:members',
        'app-fleet:{domain}:rate',
      ]);
      // The app's client is not in subscriber mode, and its connection is not one of ours.
      expect(await own.set('still', 'mine')).toBe('OK');
      const clients = String(await own.client('LIST'));
      expect(clients.split('\n').filter((line) => / sub=1 /.test(line)).length).toBe(1);
    } finally {
      own.disconnect();
      await sim.close();
    }
  });
});
