import { type ChildProcess, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import Redis from 'ioredis';
import { freePort } from '../../src/cli/free-port';
import { requireDebianBinary } from './processes';

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

/** Starts redis-server and resolves once it says it accepts connections (its own log line). */
function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      // DEBUG SLEEP pauses it for the fault tests (Redis 7 refuses DEBUG unless told; loopback only).
      '--enable-debug-command',
      'yes',
      '--loglevel',
      'notice',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)),
    );
    child.once('error', reject);
  });
}

function exited(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** A real Redis on 127.0.0.1 and a free port, no persistence. */
export async function startRedis(): Promise<RedisProcess> {
  requireDebianBinary('redis-server');
  const port = await freePort();
  let child = await launch(port);
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
    kill: () => exited(child, 'SIGKILL'),
    restart: async () => {
      await exited(child, 'SIGKILL');
      child = await launch(port);
    },
    stop: () => exited(child, 'SIGTERM'),
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
