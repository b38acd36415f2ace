import { createHash } from 'node:crypto';
import type { ResolvedGovernorConfig } from './governor/config';
import { fleetLinkFor } from './governor/fleet/fleets';
import { Governor } from './governor/governor';
import { LocalSignals } from './governor/signals';
import type { AnyRegistry } from './metrics/attempt-metrics';
import { GovernorMetrics } from './metrics/governor-metrics';
import { MetricsSignalSource } from './metrics/signal-source';

/** One governor per limit domain (base URL and API key), shared by every client in the process. */
const governors = new Map<string, Governor>();
const keyIds = new Map<string, string>();

/** A short, one-way id of a credential: the key itself is never kept as a map key or label. */
function keyId(credential: string): string {
  let id = keyIds.get(credential);
  if (!id) {
    id = createHash('sha256').update(credential).digest('hex').slice(0, 16);
    if (keyIds.size >= 64) keyIds.clear();
    keyIds.set(credential, id);
  }
  return id;
}

interface RequestLike {
  url: string;
  headers: Headers;
}

/** Finds (or makes) the governor of the request's limit domain. */
export function governorFor(
  request: RequestLike,
  config: ResolvedGovernorConfig,
  registry: AnyRegistry | undefined,
): Governor {
  const credential = request.headers.get('x-api-key') ?? request.headers.get('authorization') ?? '';
  const url = request.url;
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  const origin = pathStart === -1 ? url : url.slice(0, pathStart);
  const domain = `${origin} ${keyId(credential)}`;
  let governor = governors.get(domain);
  if (!governor) {
    const signals = config.signals ?? (registry ? new MetricsSignalSource(registry) : new LocalSignals());
    const metrics = registry ? new GovernorMetrics(registry) : undefined;
    const fleet = config.fleet && fleetLinkFor(config.fleet, domain, metrics);
    governor = new Governor(config, signals, metrics, undefined, undefined, fleet);
    const made = governor;
    metrics?.watch(() => made.state());
    governors.set(domain, governor);
  }
  return governor;
}
