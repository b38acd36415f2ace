import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { MODEL } from './sdk';

/**
 * Another process of the service (test/apps/fleet-member.cjs): `workers` callers in a loop until
 * stopped, in fleet mode through `redisUrl` when given. Resolves after its first successful call.
 */
export async function startMember(options: {
  simulatorUrl: string;
  apiKey: string;
  redisUrl?: string;
  workers?: number;
}): Promise<ChildProcess> {
  const child = fork(join(__dirname, '..', 'apps', 'fleet-member.cjs'), {
    env: {
      ...process.env,
      SIM_URL: options.simulatorUrl,
      API_KEY: options.apiKey,
      MODEL,
      WORKERS: String(options.workers ?? 4),
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = await once(child, 'message');
  if ((message as { type?: string }).type !== 'started')
    throw new Error(`member said ${JSON.stringify(message)}`);
  return child;
}

/** Stops its callers; resolves with how many of its calls succeeded and failed. */
export async function stopMember(child: ChildProcess): Promise<{ ok: number; failed: number }> {
  child.send('stop');
  const [message] = await once(child, 'message');
  return message as { ok: number; failed: number };
}
