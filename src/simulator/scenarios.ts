import type { SimulatorOptions } from './config';

/**
 * Named scenarios: plain config objects to copy and edit. Windows and limits are short so that
 * tests and rehearsals run in seconds.
 */
export const scenarios = {
  /** Generous limits, no faults. */
  healthy: { name: 'healthy' },

  /** 2 requests/s with a burst of 10: any client that keeps sending gets 429 `rate_limit_error`. */
  'rate-limited': {
    name: 'rate-limited',
    limits: {
      requestsPerMinute: 120,
      inputTokensPerMinute: 200_000,
      outputTokensPerMinute: 40_000,
      burstSeconds: 5,
    },
  },

  /** Half the requests get 529 `overloaded_error`; a tenth of streams fail mid-way. */
  overload: {
    name: 'overload',
    faults: [
      { kind: 'error', status: 529, probability: 0.5 },
      { kind: 'mid-stream-error', probability: 0.1, afterDeltas: 2 },
    ],
  },

  /**
   * An overload that responds to load: the backend serves 60 requests/s for everyone, other
   * tenants send 30/s, so above 30/s of this client's own the rest get 529s; each rejection
   * costs the backend a quarter of a served request, so the more it is offered the less it serves.
   */
  'shared-overload': {
    name: 'shared-overload',
    sharedCapacity: { capacityPerSecond: 60, otherTenantsPerSecond: 30, rejectionCost: 0.25 },
  },

  /** Traffic may grow 50% over its 10 s baseline per second, from a floor of 5 requests/s. */
  acceleration: {
    name: 'acceleration',
    acceleration: { shortWindowMs: 1000, baselineWindowMs: 10_000, growth: 0.5, floorPerSecond: 5 },
  },

  /** The organization's spend limit is reached after 20 requests: 429s with no `retry-after`. */
  'spend-limit': { name: 'spend-limit', spendLimit: { afterRequests: 20 } },

  /** Every kind of trouble, each at a low rate. */
  chaos: {
    name: 'chaos',
    faults: [
      { kind: 'error', status: 429, probability: 0.03, retryAfterSeconds: 1 },
      { kind: 'error', status: 529, probability: 0.04 },
      { kind: 'error', status: 500, probability: 0.02 },
      { kind: 'error', status: 502, probability: 0.01 },
      { kind: 'error', status: 504, probability: 0.01 },
      { kind: 'connection-reset', probability: 0.02 },
      { kind: 'mid-stream-error', probability: 0.03, afterDeltas: 2 },
      { kind: 'stall', probability: 0.02, afterDeltas: 1, durationMs: 200 },
      { kind: 'slow-first-token', probability: 0.05, delayMs: 300 },
    ],
  },

  /** healthy -> rate-limited -> overload -> recovery, 10 s each, over and over (the demo). */
  cycle: {
    name: 'cycle',
    latency: { responseMs: 40, firstTokenMs: 60, deltaMs: 4 },
    phases: [
      { name: 'healthy', durationMs: 10_000 },
      { name: 'rate-limited', durationMs: 10_000, limits: { requestsPerMinute: 150, burstSeconds: 1 } },
      {
        // A backend shared with other tenants that collapses past its capacity: backing off pays.
        name: 'overload',
        durationMs: 10_000,
        sharedCapacity: { capacityPerSecond: 40, otherTenantsPerSecond: 25, rejectionCost: 0.5 },
        faults: [{ kind: 'mid-stream-error', probability: 0.05, afterDeltas: 2 }],
      },
      { name: 'recovery', durationMs: 10_000 },
    ],
  },
} satisfies Record<string, SimulatorOptions>;

export type ScenarioName = keyof typeof scenarios;

export const scenarioNames = Object.keys(scenarios) as ScenarioName[];

/** A deep copy of a named scenario's config, safe to edit. */
export function scenario(name: ScenarioName): SimulatorOptions {
  const found: SimulatorOptions | undefined = scenarios[name];
  if (!found) throw new Error(`Unknown scenario "${name}". Known scenarios: ${scenarioNames.join(', ')}`);
  return structuredClone(found);
}
