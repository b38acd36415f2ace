import { diag } from '@opentelemetry/api';
import type { RedisClient, ResolvedFleetOptions } from './options';
import type { Script } from './scripts';

/** What a connection tells the limit domains that use it. */
export interface ConnectionListener {
  /** A message on the domain's channel. */
  message(message: string): void;
  /** Redis stopped answering: the domain governs alone. */
  fellBack(): void;
  /** Redis answers again: the domain rejoins the fleet. */
  rejoined(): void;
}

/** The fallback is a process warning once per process; so is the first rejoin after it. */
let warned = false;
let warnedRejoin = false;

/**
 * This process's two connections to one Redis (commands, and pub/sub), shared by every limit
 * domain that names it. Any failed or slow command, or a lost connection, puts every domain on its
 * local governor at once (said once); a probe every `retryMs` reconnects and rejoins. Its sockets
 * and timers never keep the process alive.
 */
export class RedisConnection {
  connected = true;
  /** Counts rejoins, so a domain can tell counts taken before a fallback from counts after. */
  epoch = 0;
  private readonly commands: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly channels = new Map<string, ConnectionListener>();
  private probe: NodeJS.Timeout | undefined;
  private probing = false;
  private closed = false;

  constructor(
    readonly options: ResolvedFleetOptions,
    private readonly describe: string,
  ) {
    // Our own connections: commands time out, nothing reconnects behind our back (the probe does).
    const ours = {
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(options.timeoutMs, 1000),
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      lazyConnect: false,
    };
    const base = typeof options.redis === 'string' ? clientFor(options.redis, ours) : options.redis;
    this.commands = base.duplicate(ours);
    this.subscriber = base.duplicate(ours);
    if (typeof options.redis === 'string') base.disconnect();
    for (const client of [this.commands, this.subscriber]) {
      // ioredis would print each error; the fallback says why, once: the error that ended the
      // connection (a refused connect) where there was one.
      let lastError: Error | undefined;
      client.on('connect', () => {
        lastError = undefined;
        (client as { stream?: { unref?: () => void } }).stream?.unref?.();
      });
      client.on('error', (error: Error) => {
        lastError = error;
      });
      client.on('end', () => this.lost(lastError ?? 'the connection closed'));
    }
    this.subscriber.on('message', ((channel: string, message: string) =>
      this.channels.get(channel)?.message(message)) as (...args: never[]) => void);
  }

  /** Messages on `channel` go to `listener`. */
  listen(channel: string, listener: ConnectionListener): void {
    this.channels.set(channel, listener);
    this.subscriber.subscribe(channel).catch((error) => this.lost(error));
  }

  /** No more messages on `channel` (its domain closed or moved). */
  unlisten(channel: string): void {
    if (!this.channels.delete(channel) || this.closed) return;
    this.subscriber.unsubscribe(channel).catch(() => {}); // a lost connection subscribes anew on rejoin
  }

  /** Runs a script; a failure or timeout falls back (and rejects). */
  async run(script: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      try {
        return await this.commands.evalsha(script.sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
        return await this.commands.eval(script.source, keys.length, ...keys, ...args);
      }
    } catch (error) {
      this.lost(error);
      throw error;
    }
  }

  close(): void {
    this.closed = true;
    if (this.probe) clearInterval(this.probe);
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  /** Redis failed us: every domain governs alone until the probe gets an answer. */
  lost(reason: unknown): void {
    if (!this.connected || this.closed) return;
    this.connected = false;
    // Duck-typed: an error from another realm (a test sandbox) is an Error all the same.
    const text = (reason as { message?: unknown } | null)?.message;
    const why = typeof text === 'string' ? text : String(reason);
    const message =
      `claude-otel fleet: Redis (${this.describe}) failed (${why}); each process governs its own ` +
      `traffic until Redis answers again (checked every ${this.options.retryMs} ms).`;
    diag.warn(message);
    if (!warned) {
      warned = true;
      process.emitWarning(message, { type: 'ClaudeOtelWarning', code: 'CLAUDE_OTEL_FLEET_FALLBACK' });
    }
    for (const listener of this.channels.values()) listener.fellBack();
    this.probe = setInterval(() => this.tryRejoin(), this.options.retryMs);
    this.probe.unref();
  }

  private async tryRejoin(): Promise<void> {
    if (this.probing || this.connected || this.closed) return;
    this.probing = true;
    try {
      for (const client of [this.commands, this.subscriber]) {
        if (client.status === 'end') await client.connect().catch(() => {});
      }
      await this.commands.ping();
      if (this.channels.size > 0) await this.subscriber.subscribe(...this.channels.keys());
      if (this.closed || this.connected) return;
      this.connected = true;
      this.epoch++;
      if (this.probe) clearInterval(this.probe);
      this.probe = undefined;
      const message = `claude-otel fleet: Redis (${this.describe}) answers again; the fleet governs together.`;
      diag.warn(message);
      // Told where the fallback was told: a warning that it failed with no word of the recovery
      // leaves an operator thinking the fleet still governs alone.
      if (warned && !warnedRejoin) {
        warnedRejoin = true;
        process.emitWarning(message, { type: 'ClaudeOtelWarning', code: 'CLAUDE_OTEL_FLEET_REJOINED' });
      }
      for (const listener of this.channels.values()) listener.rejoined();
    } catch {
      // Still down: the next probe tries again.
    } finally {
      this.probing = false;
    }
  }
}

/** An ioredis client for a URL, or a clear error when ioredis is not installed. */
function clientFor(url: string, options: Record<string, unknown>): RedisClient {
  let Redis: new (url: string, options: Record<string, unknown>) => RedisClient;
  try {
    Redis = require('ioredis');
  } catch {
    throw new TypeError(
      'claude-otel governor.fleet: a Redis URL needs the ioredis package: run `npm install ioredis`, or pass an ioredis client as fleet.redis',
    );
  }
  return new Redis(url, { ...options, lazyConnect: true });
}

/** Where a connection goes, for messages (never its password). */
export function describeRedis(redis: RedisClient | string): string {
  if (typeof redis !== 'string') {
    const o = (redis as { options?: { host?: string; port?: number } }).options;
    return o?.host ? `${o.host}:${o.port}` : 'the given client';
  }
  try {
    const url = new URL(redis);
    return `${url.hostname}:${url.port || 6379}`;
  } catch {
    return 'the given URL';
  }
}
