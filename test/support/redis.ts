import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import Redis from 'ioredis';
import { launchRedis } from '../../src/cli/demo/redis-process';
import { freePort } from '../../src/cli/free-port';
import { closeFleetConnections } from '../../src/governor/fleet/fleets';
import { ROOT, requireDebianBinary } from './processes';

export interface RedisProcess {
  url: string;
  port: number;
  /** One command over a fresh connection; resolves with its reply (RESP, decoded loosely). */
  command(...args: string[]): Promise<unknown>;
  /** The keys matching `pattern` (KEYS, through ioredis). */
  keys(pattern: string): Promise<string[]>;
  /** Pauses the server (DEBUG SLEEP): `sent` once the command has left, `done` when the pause is over. */
  pause(ms: number): { sent: Promise<void>; done: Promise<unknown> };
  /** Stops the server (SIGKILL: as a crash, no goodbye to clients). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The servers fleet mode must work on: Debian's Redis, and Valkey (fetched by npm test on Debian 12). */
export type Server = 'redis' | 'valkey';

const VALKEY_FETCHED = join(ROOT, '.tmp', 'valkey', 'root', 'usr', 'bin', 'valkey-server');

function binaryOf(server: Server): string {
  if (server === 'redis') {
    requireDebianBinary('redis-server');
    return 'redis-server';
  }
  try {
    execFileSync('valkey-server', ['--version'], { stdio: 'ignore' });
    return 'valkey-server';
  } catch {
    if (existsSync(VALKEY_FETCHED)) return VALKEY_FETCHED;
    throw new Error('valkey-server is not installed: npm test fetches it (scripts/test-prerequisites.sh)');
  }
}

/** A real Redis (or Valkey) on 127.0.0.1 and a free port, no persistence. */
export async function startRedis(kind: Server = 'redis'): Promise<RedisProcess> {
  const binary = binaryOf(kind);
  // DEBUG SLEEP pauses it for the fault tests (both refuse DEBUG unless told; loopback only).
  const launch = (port: number) => launchRedis(port, ['--enable-debug-command', 'yes'], binary);
  const port = await freePort();
  let server = await launch(port);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    command: (...args) => send(port, args).reply,
    keys: async (pattern) => {
      const client = new Redis(port, '127.0.0.1');
      try {
        return await client.keys(pattern);
      } finally {
        client.disconnect();
      }
    },
    pause: (ms) => {
      const { sent, reply } = send(port, ['DEBUG', 'SLEEP', String(ms / 1000)]);
      return { sent, done: reply };
    },
    kill: () => server.stop('SIGKILL'),
    restart: async () => {
      await server.stop('SIGKILL');
      server = await launch(port);
    },
    stop: () => server.stop(),
  };
}

/** Sends one command in RESP and reads one reply: enough for the tests' own checks. */
function send(port: number, args: string[]): { sent: Promise<void>; reply: Promise<unknown> } {
  const socket = new Socket();
  let flushed!: () => void;
  const sent = new Promise<void>((resolve) => {
    flushed = resolve;
  });
  const reply = new Promise((resolve, reject) => {
    let buffer = '';
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      if (!buffer.endsWith('\r\n')) return;
      socket.end();
      const [head, ...rest] = buffer.split('\r\n');
      if (head.startsWith('+')) resolve(head.slice(1));
      else if (head.startsWith(':')) resolve(Number(head.slice(1)));
      else if (head.startsWith('-')) reject(new Error(head.slice(1)));
      else if (head.startsWith('$')) resolve(head === '$-1' ? null : rest[0]);
      else resolve(buffer);
    });
    socket.connect(port, '127.0.0.1', () => {
      const body = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
      socket.write(body, () => flushed());
    });
  });
  return { sent, reply };
}

/** A Redis for the whole suite: started before its tests, stopped (and fleet links closed) after. */
export function redisForSuite(server: Server = 'redis'): () => RedisProcess {
  let redis: RedisProcess | undefined;
  beforeAll(async () => {
    redis = await startRedis(server);
  });
  afterAll(async () => {
    closeFleetConnections();
    await redis?.stop();
  });
  return () => {
    if (!redis) throw new Error('the suite has no Redis yet (use it inside a test)');
    return redis;
  };
}
