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
/** The same governors by origin, then by credential: found per attempt with no string built. */
const byOrigin = new Map<string, Map<string, Governor>>();
const keyIds = new Map<string, string>();

/** A short, one-way id of a credential: the domain's name (a fleet's Redis keys, a label) never holds the key. */
function keyId(credential: string): string {
  let id = keyIds.get(credential);
  if (!id) {
    id = createHash('sha256').update(credential).digest('hex').slice(0, 16);
    if (keyIds.size >= 64) keyIds.clear();
    keyIds.set(credential, id);
  }
  return id;
}

/** Finds (or makes) the governor of a request's limit domain: its URL's origin and its credential. */
export function governorFor(
  origin: string,
  headers: Headers,
  config: ResolvedGovernorConfig,
  registry: AnyRegistry | undefined,
): Governor {
  const credential = headers.get('x-api-key') ?? headers.get('authorization') ?? '';
  let byCredential = byOrigin.get(origin);
  if (!byCredential) {
    byCredential = new Map();
    byOrigin.set(origin, byCredential);
  }
  let governor = byCredential.get(credential);
  if (!governor) {
    governor = domainGovernor(`${origin} ${keyId(credential)}`, config, registry);
    // Credentials are not kept for ever: a process that rotates keys often starts over (the domain stays).
    if (byCredential.size >= 64) byCredential.clear();
    byCredential.set(credential, governor);
  }
  return governor;
}

function domainGovernor(domain: string, config: ResolvedGovernorConfig, registry: AnyRegistry | undefined) {
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
