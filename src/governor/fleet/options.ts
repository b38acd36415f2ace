/** The part of an ioredis `Redis` client the fleet uses (to a Redis or a Valkey server). */
export interface RedisClient {
  /** A new connection with this client's settings (claude-otel opens two of its own this way). */
  duplicate(override?: Record<string, unknown>): RedisClient;
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  ping(): Promise<unknown>;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: string, listener: (...args: never[]) => void): unknown;
  connect(): Promise<unknown>;
  disconnect(): void;
  readonly status: string;
}

/** Fleet mode: every process of a service shares one governor per limit group through Redis. */
export interface FleetOptions {
  /**
   * An ioredis `Redis` client (to Redis or Valkey; a `Cluster` is not supported yet) or a `redis://` / `rediss://`
   * URL (needs the `ioredis` package). From a client claude-otel opens two connections of its own
   * (`duplicate()`), so your settings apply and your client's traffic is untouched.
   */
  redis: RedisClient | string;
  /** Prefix of every key and channel claude-otel uses. Default `claude-otel`. */
  key?: string;
  /** Longest a Redis command may take before this process governs alone (and says so), ms. Default 200. */
  timeoutMs?: number;
  /** How often a process governing alone checks whether Redis answers again, ms. Default 1000. */
  retryMs?: number;
}

export type ResolvedFleetOptions = Required<FleetOptions>;

export function resolveFleetOptions(options: FleetOptions, problems: string[]): ResolvedFleetOptions {
  const resolved = { key: 'claude-otel', timeoutMs: 200, retryMs: 1000, ...options };
  const { redis } = resolved;
  if (typeof redis === 'string') {
    if (!/^rediss?:\/\//.test(redis))
      problems.push(`fleet.redis must be a redis:// URL or an ioredis client (got "${redis}")`);
  } else if (typeof redis?.duplicate !== 'function' || typeof redis.evalsha !== 'function') {
    problems.push('fleet.redis must be an ioredis client or a redis:// URL');
  } else if ((redis as { isCluster?: boolean }).isCluster) {
    problems.push(
      'fleet.redis is an ioredis Cluster client, which fleet mode does not support yet: pass a client of one node (or a proxy) or its redis:// URL',
    );
  }
  if (!(resolved.timeoutMs > 0))
    problems.push(`fleet.timeoutMs must be a number > 0 (got ${resolved.timeoutMs})`);
  if (!(resolved.retryMs > 0)) problems.push(`fleet.retryMs must be a number > 0 (got ${resolved.retryMs})`);
  if (typeof resolved.key !== 'string' || resolved.key === '')
    problems.push('fleet.key must be a non-empty string');
  return resolved;
}
