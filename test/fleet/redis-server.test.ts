import Redis from 'ioredis';
import { type RedisProcess, startRedis } from '../support/redis';

// The real Redis the fleet governor's tests run against (issue 15): started on a free loopback
// port, and able to misbehave on demand (a pause with DEBUG SLEEP, a crash, a restart).
describe('a real Redis for the tests', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it('answers on its own loopback port, and keeps what it is given', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await redis.command('PING')).toBe('PONG');
    expect(await redis.command('SET', 'claude-otel:test', 'x', 'PX', '60000')).toBe('OK');
    expect(await redis.command('GET', 'claude-otel:test')).toBe('x');
  });

  it('pauses on DEBUG SLEEP: another client sent a command after it is answered only after it', async () => {
    const pause = redis.pause(300);
    await pause.sent;
    const started = performance.now();
    expect(await redis.command('PING')).toBe('PONG');
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    expect(await pause.done).toBe('OK');
  });

  it('crashes and comes back empty on the same port', async () => {
    await redis.kill();
    await expect(redis.command('PING')).rejects.toThrow(/ECONNREFUSED/);
    await redis.restart();
    expect(await redis.command('PING')).toBe('PONG');
    expect(await redis.command('GET', 'claude-otel:test')).toBeNull();
  });
});

describe('a real Valkey for the tests (fleet mode must work on it too)', () => {
  it('is Valkey, and answers as Redis does', async () => {
    const valkey = await startRedis('valkey');
    try {
      const client = new Redis(valkey.url);
      const info = await client.info('server');
      client.disconnect();
      expect(info).toMatch(/valkey_version:\d+\.\d+/);
      expect(await valkey.command('PING')).toBe('PONG');
    } finally {
      await valkey.stop();
    }
  });
});
