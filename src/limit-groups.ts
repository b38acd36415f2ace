import { createHash } from 'node:crypto';
import type { AttemptFacts } from './facts/attempt-facts';
import type { RequestFacts } from './facts/request-facts';
import type { ResolvedGovernorConfig } from './governor/config';
import type { FleetLink } from './governor/fleet/fleet-link';
import { fleetLinkFor } from './governor/fleet/fleets';
import { Governor } from './governor/governor';
import { RequestPricing, type TokenCost } from './governor/request-cost';
import { LocalSignals } from './governor/signals';
import type { AnyRegistry } from './metrics/attempt-metrics';
import { GovernorMetrics } from './metrics/governor-metrics';
import { MetricsSignalSource } from './metrics/signal-source';
import { GEN_AI_PROVIDER_ANTHROPIC } from './semconv';

/**
 * One governor per limit the API keeps: an organization's model group, at one speed (fast mode
 * has limits of its own), in one context band (over 200K input tokens at standard speed has its
 * own), on one base URL. The organization is learned from `anthropic-organization-id`, so keys
 * of one organization (rotated, or several at once) share its governors; until a key's first
 * response, its governors are the key's own. A request selects its governor once, here.
 */

/** Governors kept at once; past it, idle ones (nothing queued or in flight) are closed, oldest use first. */
export const MAX_GOVERNORS = 256;
/** Credentials remembered (with their organization); past it they are learned again. */
const MAX_CREDENTIALS = 64;

/** A request's governor and what it is priced at. */
export interface Selected {
  governor: Governor;
  group: string;
  cost: TokenCost;
}

interface Lane {
  name: string;
  governor: Governor;
  config: ResolvedGovernorConfig;
  usedAt: number;
  unwatch: (() => void) | undefined;
  /** Fleet mode: its state in Redis, kept under the governor's name. */
  fleet: FleetLink | undefined;
}

/** What a credential is known as: its organization once a response named it, else a one-way id of the key. */
interface Credential {
  owner: string;
  /** Governors by model id and lane, so a request finds its own with no string built. */
  lanes: Map<string, Lane>;
}

const byName = new Map<string, Lane>();
const byOrigin = new Map<string, Map<string, Credential>>();
const pricing = new RequestPricing();
const warnedClash = new Set<string>();

/** A short, one-way id of a credential: a governor's name (a fleet's Redis keys) never holds the key. */
function keyId(credential: string): string {
  return createHash('sha256').update(credential).digest('hex').slice(0, 16);
}

/** Whose quota a request counts against: a platform's quota unit, else the Claude API key. */
function credentialOf(headers: Headers, request: RequestFacts | undefined): string {
  return request?.quotaUnit ?? headers.get('x-api-key') ?? headers.get('authorization') ?? '';
}

function credentialEntry(origin: string, credential: string): Credential {
  let credentials = byOrigin.get(origin);
  if (!credentials) {
    credentials = new Map();
    byOrigin.set(origin, credentials);
  }
  let entry = credentials.get(credential);
  if (!entry) {
    // Credentials are not kept for ever: a process that rotates keys learns them again.
    if (credentials.size >= MAX_CREDENTIALS) credentials.clear();
    entry = { owner: `key:${keyId(credential)}`, lanes: new Map() };
    credentials.set(credential, entry);
  }
  return entry;
}

/**
 * Finds (or makes) the governor of a Messages request's limit, and prices the request; none
 * where whose quota it counts against cannot be told.
 */
export function selectGovernor(
  origin: string,
  headers: Headers,
  request: RequestFacts,
  config: ResolvedGovernorConfig,
  registry: AnyRegistry | undefined,
): Selected | undefined {
  const credential = credentialOf(headers, request);
  // Bedrock's AWS signature and Vertex AI's Google token are added after every middleware: with
  // no client to name the account (or project), two would share one pace, and one's throttling
  // would slow the other's.
  if (!credential && request.provider !== GEN_AI_PROVIDER_ANTHROPIC) {
    sayUngoverned(request.provider);
    return undefined;
  }
  const now = performance.now();
  const entry = credentialEntry(origin, credential);
  const group = request.modelGroup;
  const cost = pricing.price(request, group, now);
  const laneKey =
    request.lane === 'standard' ? (request.model ?? '') : `${request.model}\u0000${request.lane}`;
  let lane = entry.lanes.get(laneKey);
  if (!lane) {
    const name = `${origin} ${entry.owner} ${group}${request.lane === 'standard' ? '' : ` ${request.lane}`}`;
    lane = byName.get(name) ?? makeLane(name, config, registry, request);
    if (entry.lanes.size >= 64) entry.lanes.clear();
    entry.lanes.set(laneKey, lane);
  }
  if (lane.config !== config) warnIfClash(lane, config, group);
  lane.usedAt = now;
  return { governor: lane.governor, group, cost };
}

/** An attempt of a selected request ended: learn its organization and calibrate the pricing. */
export function observeAttempt(
  origin: string,
  headers: Headers,
  selected: Selected,
  facts: AttemptFacts,
): void {
  const usage = facts.reply?.usage;
  if (usage && facts.request) pricing.observe(facts.request, selected.group, usage, performance.now());
  const organization = facts.organizationId;
  if (!organization) return;
  const entry = credentialEntry(origin, credentialOf(headers, facts.request));
  const owner = `org:${organization}`;
  if (entry.owner === owner) return;
  // The key's governors become its organization's (what they learned is kept), unless the
  // organization has its own already (another key of it answered first): then those govern.
  for (const lane of new Set(entry.lanes.values())) {
    const name = lane.name.replace(` ${entry.owner} `, ` ${owner} `);
    if (byName.get(lane.name) !== lane) continue;
    if (byName.has(name)) {
      // A key of an organization already governed (a rotated key): its own governor goes.
      if (lane.governor.idle()) closeLane(lane);
      continue;
    }
    byName.delete(lane.name);
    lane.name = name;
    byName.set(name, lane);
    // The fleet's state too: every process using the organization shares it under this name.
    lane.fleet?.moveTo(name);
  }
  entry.owner = owner;
  entry.lanes.clear();
}

function makeLane(
  name: string,
  config: ResolvedGovernorConfig,
  registry: AnyRegistry | undefined,
  request: RequestFacts,
): Lane {
  if (byName.size >= MAX_GOVERNORS) closeIdle();
  const signals = config.signals ?? (registry ? new MetricsSignalSource(registry) : new LocalSignals());
  const metrics = registry
    ? new GovernorMetrics(registry, { model_group: request.modelGroup, lane: request.lane })
    : undefined;
  const fleet = config.fleet ? fleetLinkFor(config.fleet, name, metrics) : undefined;
  const governor = new Governor(config, signals, metrics, undefined, undefined, fleet, {
    fast: request.lane === 'fast',
  });
  const unwatch = metrics?.watch(() => governor.state());
  const lane = { name, governor, config, usedAt: performance.now(), unwatch, fleet };
  byName.set(name, lane);
  return lane;
}

/** A governor goes: closed, and its state no longer in the gauges. */
function closeLane(lane: Lane): void {
  lane.governor.close();
  lane.unwatch?.();
  lane.fleet?.close();
  byName.delete(lane.name);
}

/** Closes the idle governors used longest ago, down to three quarters of the bound. */
function closeIdle(): void {
  const idle = [...byName.entries()]
    .filter(([, lane]) => lane.governor.idle())
    .sort((a, b) => a[1].usedAt - b[1].usedAt);
  for (const [, lane] of idle.slice(0, Math.max(1, byName.size - (MAX_GOVERNORS * 3) / 4))) closeLane(lane);
  // Lanes that pointed at a closed governor find (or make) it again.
  for (const credentials of byOrigin.values()) for (const entry of credentials.values()) entry.lanes.clear();
}

const PLATFORM_NAMES: Record<string, string> = {
  'aws.bedrock': 'Amazon Bedrock',
  'gcp.vertex_ai': 'Google Vertex AI',
};
const saidUngoverned = new Set<string>();

/** A governor was asked for where it cannot run: said once per platform, with what to do. */
function sayUngoverned(provider: string): void {
  if (saidUngoverned.has(provider)) return;
  saidUngoverned.add(provider);
  const name = PLATFORM_NAMES[provider] ?? provider;
  process.emitWarning(
    `claude-otel cannot tell which account or project these ${name} requests count against (the platform client signs them after every middleware), so it does not govern them; they are traced and counted as usual. AnthropicInstrumentation reads the account from each client; claudeMiddleware() given to a client by hand cannot, nor can a client with skipAuth (signed by a proxy). Register AnthropicInstrumentation to govern them, or pass governor: false to say you know.`,
    { type: 'ClaudeOtelWarning', code: 'CLAUDE_OTEL_PLATFORM_UNGOVERNED' },
  );
}

/** For tests: governors open now. */
export const governorCount = (): number => byName.size;

/**
 * Two middlewares with different governor options on one limit: the first one's options govern
 * it (one limit, one pace); said once per limit group, since the second middleware's options do
 * not take effect there.
 */
function warnIfClash(lane: Lane, config: ResolvedGovernorConfig, group: string): void {
  if (sameOptions(lane.config, config)) {
    lane.config = config;
    return;
  }
  if (warnedClash.has(group)) return;
  warnedClash.add(group);
  process.emitWarning(
    `two claude-otel middlewares with different governor options send to the limit group "${group}"; ` +
      'one limit has one pace, so the options of the first one made govern it. Give both the same governor options.',
    { type: 'ClaudeOtelWarning', code: 'CLAUDE_OTEL_GOVERNOR_OPTIONS_CLASH' },
  );
}

const optionsText = new WeakMap<ResolvedGovernorConfig, string>();
function sameOptions(a: ResolvedGovernorConfig, b: ResolvedGovernorConfig): boolean {
  const text = (config: ResolvedGovernorConfig) => {
    let value = optionsText.get(config);
    if (value === undefined) {
      value = JSON.stringify(config, (key, v) =>
        key === 'signals' || key === 'redis' ? (v === undefined ? undefined : typeof v) : v,
      );
      optionsText.set(config, value);
    }
    return value;
  };
  return text(a) === text(b);
}
