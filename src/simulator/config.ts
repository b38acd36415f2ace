import type { BatchOptions } from './batches';
/** Per-minute limits, enforced as continuously refilled token buckets. */
export interface RateLimits {
  /** Requests per minute. Default 4000. */
  requestsPerMinute: number;
  /** Input tokens per minute. Default 2,000,000. */
  inputTokensPerMinute: number;
  /** Output tokens per minute. Default 400,000. */
  outputTokensPerMinute: number;
  /** How many seconds of refill a full bucket holds (the burst). Default 60: a whole minute, as the API. */
  burstSeconds: number;
}

/**
 * How the limits are kept apart, as the API keeps them: per model group (each group its own
 * buckets, at `limits` unless `groups` says otherwise), per speed (fast mode's own), per context
 * band (over 200K input tokens at standard speed), and Priority Tier's token capacity beside.
 */
export interface LimitShape {
  /** Limits of named model groups (`sonnet-4`, `haiku-4.5`, ...), over the base `limits`. */
  groups?: Record<string, Partial<RateLimits>>;
  /** Fast mode's limits (`speed: "fast"`), over the group's; sent as `anthropic-fast-*`. Default: the group's, in buckets of their own. */
  fast?: Partial<RateLimits>;
  /** Long context's limits (over 200K input tokens), over the group's. Default: the group's, in buckets of their own. */
  longContext?: Partial<RateLimits>;
  /** Priority Tier token capacity, over the group's; sent as `anthropic-priority-*`. Default: none. */
  priority?: Partial<RateLimits>;
}

/** The acceleration ("ramp") limit on how fast admitted traffic may grow. */
export interface AccelerationLimit {
  /** The window whose rate is compared with the baseline. Default 1000 ms. */
  shortWindowMs: number;
  /** The trailing window, before the short one, that sets the baseline. Default 30000 ms. */
  baselineWindowMs: number;
  /** How far above the baseline rate the short-window rate may go (0.5 = +50%). Default 0.5. */
  growth: number;
  /** A rate (requests/s) that is always allowed, whatever the baseline. Default 5. */
  floorPerSecond: number;
}

/**
 * A backend shared with other tenants: above `capacityPerSecond` (this client's arrivals plus
 * the others'), the excess share of arrivals gets 529 `overloaded_error`. Sending less helps.
 */
export interface SharedCapacity {
  /** Requests per second the backend serves, all tenants together. */
  capacityPerSecond: number;
  /** The other tenants' steady load, requests per second. Default 0. */
  otherTenantsPerSecond: number;
  /** The window this client's arrival rate is measured over. Default 1000 ms. */
  windowMs: number;
  /**
   * Work a rejected request costs the backend, as a share of a served one (0 to 1). Default 0:
   * rejections are free and the backend serves its capacity however much it is offered; above 0
   * it serves less the more it is overloaded (congestion collapse).
   */
  rejectionCost: number;
}

/** What every fault shares: when and to whom it applies. */
export interface FaultWhen {
  /** Share of matching requests it hits, drawn from the seeded source. Default 1. */
  probability?: number;
  /** Active from this many ms after the start (of the phase, for phase faults). Default 0. */
  fromMs?: number;
  /** Active until this many ms after the start. Default: for ever. */
  untilMs?: number;
  /** Only for requests with one of these models. Default: every model. */
  models?: string[];
  /** Only streaming (true) or only non-streaming (false) requests. Default: both. */
  stream?: boolean;
}

/** Answer with an HTTP error in the API's envelope (HTML for 413 and 502, as a CDN or proxy sends). */
export interface ErrorFault extends FaultWhen {
  kind: 'error';
  status: number;
  /** `error.type`; default: the documented type for the status. */
  type?: string;
  /** `error.details.error_code`, e.g. `ramp_limit_exceeded`. */
  errorCode?: string;
  /** `retry-after` seconds to send. Default: 1 on a 429 (none for a spend limit), none otherwise. */
  retryAfterSeconds?: number;
}

/** Destroy the connection before any response header is sent. */
export interface ConnectionResetFault extends FaultWhen {
  kind: 'connection-reset';
}

/** Send `event: error` in a 200 stream after some deltas, then end the stream. */
export interface MidStreamErrorFault extends FaultWhen {
  kind: 'mid-stream-error';
  /** Content deltas sent before the error. Default 2. */
  afterDeltas?: number;
  /** The error type. Default `overloaded_error`. */
  type?: string;
}

/** Stop sending in a 200 stream; after `durationMs` the connection is cut (a truncated stream). */
export interface StallFault extends FaultWhen {
  kind: 'stall';
  /** Content deltas sent before the stall. Default 1. */
  afterDeltas?: number;
  /** How long it stalls before the connection is cut. Default: until the client leaves or the simulator closes. */
  durationMs?: number;
}

/** Delay the first content delta of a stream. */
export interface SlowFirstTokenFault extends FaultWhen {
  kind: 'slow-first-token';
  delayMs: number;
}

/** Answer 200 with `content-type: application/json` and a body cut off mid-JSON (or a garbled stream). */
export interface MalformedBodyFault extends FaultWhen {
  kind: 'malformed-body';
}

/**
 * Answer 200 with the whole body's `content-length`, send half of a non-streamed body, then drop
 * the connection (SDK 1.17 sends the request again). Streams are not cut by it (see `stall`).
 */
export interface BodyCutFault extends FaultWhen {
  kind: 'body-cut';
}

/** Answer an error whose headers are garbage: `retry-after: soon`, non-numeric rate limits, an odd request id. */
export interface GarbageHeadersFault extends FaultWhen {
  kind: 'garbage-headers';
  /** Default 429. */
  status?: number;
}

export type Fault =
  | ErrorFault
  | ConnectionResetFault
  | MidStreamErrorFault
  | StallFault
  | SlowFirstTokenFault
  | MalformedBodyFault
  | BodyCutFault
  | GarbageHeadersFault;

/** A stretch of time with its own limits and faults (the base config's apply where it says nothing). */
export interface Phase {
  name: string;
  durationMs: number;
  limits?: Partial<RateLimits>;
  /** Replaces the base faults during the phase. */
  faults?: Fault[];
  /** A shared backend for the phase (fresh when it starts; defaults as for the base one). */
  sharedCapacity?: Partial<SharedCapacity> & { capacityPerSecond: number };
}

/** Response timing. */
export interface Latency {
  /** Delay before a non-streaming response. Default 0. */
  responseMs: number;
  /** Delay from stream headers to the first content delta. Default 0. */
  firstTokenMs: number;
  /** Delay between content deltas. Default 0. */
  deltaMs: number;
}

export interface SpendLimit {
  /** Requests admitted before the limit is reached. */
  afterRequests: number;
  /** Default `enforced_spend_limit_reached`. */
  errorCode?: 'enforced_spend_limit_reached' | 'contract_spend_limit_reached';
}

export interface SimulatorConfig {
  /** Name shown in stats. Default `custom`. */
  name: string;
  /** Seed of every random decision. Default 1. */
  seed: number;
  limits: RateLimits;
  /** Limits per model group, speed, context band and Priority Tier (see `LimitShape`). Default: every group at `limits`. */
  limitShape: LimitShape;
  /** Model id -> rate-limit group, over the published table (`modelGroupOf`). Default: none. */
  modelGroups: Record<string, string> | null;
  /** The organization of each API key: keys of one organization share its limits. Default: every key is `organizationId`'s. */
  organizations: Record<string, string> | null;
  /** Default: none. */
  acceleration: AccelerationLimit | null;
  /** Default: none. */
  spendLimit: SpendLimit | null;
  /** An overload that responds to load (529s for the share above capacity). Default: none. */
  sharedCapacity: SharedCapacity | null;
  /** Default: none. */
  faults: Fault[];
  /** Default: none; with phases, the config moves through them in order. */
  phases: Phase[];
  /** Start over after the last phase. Default true. */
  repeatPhases: boolean;
  latency: Latency;
  /** Models the API knows; others get 404. Default null: any name starting with `claude-`. */
  models: string[] | null;
  /** Keys the API accepts; others get 401. Default null: any non-empty key. */
  apiKeys: string[] | null;
  /** `anthropic-organization-id` of keys `organizations` does not name. */
  organizationId: string;
  /** Larger bodies get the CDN's 413 HTML page, by endpoint (the documented limits). */
  bodyLimits: BodyLimits;
  batches: BatchOptions;
  /** Also send `retry-after-ms` (exact) next to `retry-after` (whole seconds, as the API). Default false. */
  retryAfterMs: boolean;
  /** How many recent attempts `attempts()` keeps. Default 1000. */
  logSize: number;
}

/** What callers pass: any part of the config, nested parts merged over the defaults. */
export type SimulatorOptions = Partial<
  Omit<SimulatorConfig, 'limits' | 'latency' | 'acceleration' | 'sharedCapacity' | 'bodyLimits' | 'batches'>
> & {
  bodyLimits?: Partial<BodyLimits>;
  batches?: Partial<BatchOptions>;
  sharedCapacity?: (Partial<SharedCapacity> & { capacityPerSecond: number }) | null;
  limits?: Partial<RateLimits>;
  latency?: Partial<Latency>;
  acceleration?: Partial<AccelerationLimit> | null;
};

export const DEFAULT_LIMITS: RateLimits = {
  requestsPerMinute: 4000,
  inputTokensPerMinute: 2_000_000,
  outputTokensPerMinute: 400_000,
  burstSeconds: 60,
};

export const DEFAULT_ACCELERATION: AccelerationLimit = {
  shortWindowMs: 1000,
  baselineWindowMs: 30_000,
  growth: 0.5,
  floorPerSecond: 5,
};

/** Request size limits in bytes (1 MB = 2^20 bytes). */
export interface BodyLimits {
  /** Messages and Token Counting. Default 32 MB. */
  messages: number;
  /** Message Batches (create). Default 256 MB. */
  batches: number;
  /** Files (upload). Default 500 MB. */
  files: number;
}

const MB = 1024 * 1024;

export const DEFAULT_CONFIG: SimulatorConfig = {
  name: 'custom',
  seed: 1,
  limits: DEFAULT_LIMITS,
  limitShape: {},
  modelGroups: null,
  organizations: null,
  acceleration: null,
  spendLimit: null,
  sharedCapacity: null,
  faults: [],
  phases: [],
  repeatPhases: true,
  latency: { responseMs: 0, firstTokenMs: 0, deltaMs: 0 },
  models: null,
  apiKeys: null,
  organizationId: 'org-sim-00000000-0000-4000-8000-000000000000',
  bodyLimits: { messages: 32 * MB, batches: 256 * MB, files: 500 * MB },
  batches: { processingMs: 1000 },
  retryAfterMs: false,
  logSize: 1000,
};

export function resolveConfig(options: SimulatorOptions = {}): SimulatorConfig {
  const config: SimulatorConfig = {
    ...DEFAULT_CONFIG,
    ...options,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    latency: { ...DEFAULT_CONFIG.latency, ...options.latency },
    bodyLimits: { ...DEFAULT_CONFIG.bodyLimits, ...options.bodyLimits },
    batches: { ...DEFAULT_CONFIG.batches, ...options.batches },
    acceleration: options.acceleration ? { ...DEFAULT_ACCELERATION, ...options.acceleration } : null,
    sharedCapacity: options.sharedCapacity ? resolveSharedCapacity(options.sharedCapacity) : null,
  };
  validateConfig(config);
  return config;
}

export function resolveSharedCapacity(
  shared: Partial<SharedCapacity> & { capacityPerSecond: number },
): SharedCapacity {
  return { otherTenantsPerSecond: 0, windowMs: 1000, rejectionCost: 0, ...shared };
}

function validateConfig(config: SimulatorConfig): void {
  const problems: string[] = [];
  const shape = config.limitShape;
  const limitSets = [
    config.limits,
    ...config.phases.map((p) => p.limits ?? {}),
    ...Object.values(shape.groups ?? {}),
    shape.fast ?? {},
    shape.longContext ?? {},
    shape.priority ?? {},
  ];
  for (const limits of limitSets) {
    for (const [key, value] of Object.entries(limits)) {
      if (!(typeof value === 'number' && value > 0)) problems.push(`limits.${key} must be a positive number`);
    }
  }
  for (const phase of config.phases) {
    if (!(phase.durationMs > 0)) problems.push(`phase "${phase.name}" needs a positive durationMs`);
  }
  const faults = [...config.faults, ...config.phases.flatMap((p) => p.faults ?? [])];
  for (const fault of faults) {
    const p = fault.probability ?? 1;
    if (!(p >= 0 && p <= 1)) problems.push(`fault ${fault.kind}: probability must be within 0..1`);
    if (
      fault.kind === 'error' &&
      !(Number.isInteger(fault.status) && fault.status >= 400 && fault.status < 600)
    ) {
      problems.push(`error fault: status must be an HTTP error status (400-599), got ${fault.status}`);
    }
  }
  const backends = [
    config.sharedCapacity,
    ...config.phases.map((p) => (p.sharedCapacity ? resolveSharedCapacity(p.sharedCapacity) : null)),
  ];
  for (const shared of backends) {
    if (shared && !(shared.capacityPerSecond > 0 && shared.otherTenantsPerSecond >= 0 && shared.windowMs > 0))
      problems.push(
        'sharedCapacity needs capacityPerSecond > 0, otherTenantsPerSecond >= 0 and windowMs > 0',
      );
    if (shared && !(shared.rejectionCost >= 0 && shared.rejectionCost <= 1))
      problems.push('sharedCapacity.rejectionCost must be between 0 and 1');
  }
  for (const [name, bytes] of Object.entries(config.bodyLimits)) {
    if (!(Number.isInteger(bytes) && bytes > 0))
      problems.push(`bodyLimits.${name} must be a positive integer`);
  }
  if (!(config.batches.processingMs >= 0)) problems.push('batches.processingMs must be >= 0');
  if (config.acceleration && !(config.acceleration.growth >= 0))
    problems.push('acceleration.growth must be >= 0');
  if (problems.length > 0) throw new Error(`Invalid simulator config: ${problems.join('; ')}`);
}
