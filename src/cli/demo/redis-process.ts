import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';

export function redisAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface RedisServer {
  url: string;
  port: number;
  /** Stops it (SIGTERM; SIGKILL as a crash) and resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `redis-server` (or another server that speaks its protocol, such as `valkey-server`) on
 * 127.0.0.1:`port`, nothing saved, with `extraArgs`; resolves once it says it accepts connections
 * (its own log line).
 */
export function launchRedis(
  port: number,
  extraArgs: string[] = [],
  binary = 'redis-server',
): Promise<RedisServer> {
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('Ready to accept connections')) return;
      child.stdout.off('data', onData);
      child.stdout.resume(); // its log goes on: drained, so it never blocks on a full pipe
      resolve({ url: `redis://127.0.0.1:${port}`, port, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.resume();
    child.once('exit', (code) =>
      reject(new Error(`${binary} exited (${code}) before it was ready:\n${output}`)),
    );
    child.once('error', reject);
  });
}

/**
 * Whether a Redis answers PING at `url` within `timeoutMs`: the reason it does not (a refused
 * connection, a timeout, not Redis), or undefined when it answers.
 */
export function redisUnreachable(url: string, timeoutMs = 2000): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.resolve(`"${url}" is not a URL (redis://host:port)`);
  }
  if (parsed.protocol !== 'redis:') return Promise.resolve(`"${url}" is not a redis:// URL`);
  return new Promise((resolve) => {
    const socket = connect(Number(parsed.port || 6379), parsed.hostname.replace(/^\[|\]$/g, ''));
    const done = (reason: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => done(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.once('error', (error) => done(error.message));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      const reply = data.toString();
      // +PONG, or -NOAUTH from a server that wants a password (the URL may carry it): Redis either way.
      done(
        reply.startsWith('+PONG') || reply.startsWith('-NOAUTH')
          ? undefined
          : `it answered "${reply.trim().slice(0, 40)}", not as Redis does`,
      );
    });
  });
}
