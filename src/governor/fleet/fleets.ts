import { FleetLink, type FleetRecorder } from './fleet-link';
import type { RedisClient, ResolvedFleetOptions } from './options';
import { describeRedis, RedisConnection } from './redis-connection';

/** This process's connections, one per Redis named (client object or URL). */
const connections = new Map<RedisClient | string, RedisConnection>();

/** The process's one connection to the named Redis, opened on first use. */
export function connectFleet(options: ResolvedFleetOptions): RedisConnection {
  let connection = connections.get(options.redis);
  if (!connection) {
    connection = new RedisConnection(options, describeRedis(options.redis));
    connections.set(options.redis, connection);
  }
  return connection;
}

/** The fleet link of a limit domain, on the process's one connection to the named Redis. */
export function fleetLinkFor(
  options: ResolvedFleetOptions,
  domain: string,
  recorder?: FleetRecorder,
): FleetLink {
  return new FleetLink(connectFleet(options), domain, recorder);
}

/** Closes every fleet connection of the process (tests, and a clean shutdown). */
export function closeFleetConnections(): void {
  for (const connection of connections.values()) connection.close();
  connections.clear();
}
