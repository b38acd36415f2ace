import { type FleetOptions, type ResolvedFleetOptions, resolveFleetOptions } from './fleet/options';
import type { RampOptions } from './ramp';
import type { RetryBudgetOptions } from './retry-budget';
import type { SignalSource } from './signals';

/** The traffic governor's options; every one has a default. */
export interface GovernorConfig {
  /** Longest a call may wait for the governor before failing with `GovernorRejectedError` (`wait_timeout`), ms. Default 60000. */
  maxWaitMs?: number;
  /** Most calls that may wait at once; beyond it calls fail at once (`queue_full`). Default 10000. */
  maxQueue?: number;
  /** Random extra wait (uniform, 0 to this) added to a pause on `retry-after`, so senders do not return in step, ms. Default 250. */
  pauseJitterMs?: number;
  /**
   * Until the limit group's first response arrives (nothing is known of its limits yet), attempts
   * go at most this fast, requests/s, so a cold burst cannot overrun a bucket nobody has read.
   * `Infinity` turns it off. Default 50.
   */
  coldStartPerSecond?: number;
  /** Attempts the rate limit lets through at once after an idle spell. Default 5. */
  burst?: number;
  /** The adaptive rate never falls below this, requests/s. Default 0.5. */
  minRatePerSecond?: number;
  /** Share of each rate limit (from the response headers) kept in reserve. Default 0.05. */
  headroom?: number;
  /** Against acceleration (ramp) limits. Defaults: see `RampOptions`. */
  ramp?: Partial<RampOptions>;
  /** The AIMD limit on attempts in flight, cut on 529s and timeouts. */
  concurrency?: {
    /** Default 1. */
    min?: number;
    /** Past this the limit is lifted (unlimited). Default 1000. */
    max?: number;
    /** Factor applied to what was in flight on overload. Default 0.9. */
    decrease?: number;
  };
  /**
   * A budget of retries per first attempts, past which the SDK is told not to retry (non-429
   * errors): a server-protection design that turns retries the SDK would have made into failed
   * calls, so it is off unless given. Default: false (no budget). Options: see `RetryBudgetOptions`.
   */
  retryBudget?: Partial<RetryBudgetOptions> | false;
  /**
   * SRE adaptive throttling: attempts are shed locally with probability
   * `(attempts - K x accepted) / (attempts + 1)` while the API answers 529. It refuses calls the
   * SDK alone might have completed, so it is off unless set (K = 2 is SRE's usual). Default 0 (off).
   */
  overloadSheddingK?: number;
  /** Where the control loop reads its signals. Default: the metrics registry (when metrics are on), else the governor's own counts. */
  signals?: SignalSource;
  /**
   * Rate-limit groups of models the published table does not place (or places otherwise for your
   * organization, as the Rate Limits API lists them): model id -> group name. Models of one group
   * share one pace; every group has its own. Default: none (the table in `model-groups.ts`; a
   * model it does not know is a group of its own).
   */
  modelGroups?: Record<string, string>;
  /** How often the control loop reads the signals, ms. Default 1000. */
  controlIntervalMs?: number;
  /**
   * Fleet mode: every process of the service shares one governor per limit group through Redis
   * (one retry-after pauses them all; one rate for all of them). See `FleetOptions`. Default: off.
   */
  fleet?: FleetOptions | false;
}

export type ResolvedGovernorConfig = Required<
  Omit<GovernorConfig, 'signals' | 'ramp' | 'retryBudget' | 'concurrency' | 'fleet' | 'modelGroups'>
> & {
  modelGroups: Readonly<Record<string, string>> | undefined;
  signals: SignalSource | undefined;
  fleet: ResolvedFleetOptions | undefined;
  ramp: RampOptions;
  retryBudget: RetryBudgetOptions | false;
  concurrency: Required<NonNullable<GovernorConfig['concurrency']>>;
};

export function resolveGovernorConfig(config: GovernorConfig = {}): ResolvedGovernorConfig {
  const resolved: ResolvedGovernorConfig = {
    maxWaitMs: config.maxWaitMs ?? 60_000,
    maxQueue: config.maxQueue ?? 10_000,
    pauseJitterMs: config.pauseJitterMs ?? 250,
    burst: config.burst ?? 5,
    coldStartPerSecond: config.coldStartPerSecond ?? 50,
    minRatePerSecond: config.minRatePerSecond ?? 0.5,
    headroom: config.headroom ?? 0.05,
    ramp: {
      mode: 'auto',
      growth: 0.5,
      baselineMs: 10_000,
      floorPerSecond: 4,
      armedForMs: 600_000,
      ...config.ramp,
    },
    concurrency: { min: 1, max: 1000, decrease: 0.9, ...config.concurrency },
    retryBudget:
      config.retryBudget === undefined || config.retryBudget === false
        ? false
        : { ratio: 0.1, minPerSecond: 1, windowMs: 10_000, ...config.retryBudget },
    overloadSheddingK: config.overloadSheddingK ?? 0,
    signals: config.signals,
    modelGroups: config.modelGroups && { ...config.modelGroups },
    controlIntervalMs: config.controlIntervalMs ?? 1000,
    fleet: undefined,
  };
  const problems: string[] = [];
  if (config.fleet) resolved.fleet = resolveFleetOptions(config.fleet, problems);
  const positive = (name: string, value: number) => {
    if (!(value > 0)) problems.push(`${name} must be a number > 0 (got ${value})`);
  };
  positive('maxWaitMs', resolved.maxWaitMs);
  positive('maxQueue', resolved.maxQueue);
  positive('burst', resolved.burst);
  positive('coldStartPerSecond', resolved.coldStartPerSecond);
  positive('minRatePerSecond', resolved.minRatePerSecond);
  positive('controlIntervalMs', resolved.controlIntervalMs);
  positive('ramp.baselineMs', resolved.ramp.baselineMs);
  positive('ramp.floorPerSecond', resolved.ramp.floorPerSecond);
  if (resolved.retryBudget) positive('retryBudget.windowMs', resolved.retryBudget.windowMs);
  positive('concurrency.min', resolved.concurrency.min);
  if (!(resolved.headroom >= 0 && resolved.headroom < 1)) problems.push('headroom must be in [0, 1)');
  if (!(resolved.concurrency.decrease > 0 && resolved.concurrency.decrease < 1))
    problems.push('concurrency.decrease must be in (0, 1)');
  if (!['auto', 'always', 'off'].includes(resolved.ramp.mode))
    problems.push("ramp.mode must be 'auto', 'always' or 'off'");
  if (config.modelGroups !== undefined) {
    const groups = config.modelGroups as unknown;
    if (!groups || typeof groups !== 'object' || Array.isArray(groups))
      problems.push('modelGroups must be an object of model id -> group name');
    else
      for (const [model, group] of Object.entries(groups))
        if (typeof group !== 'string' || group.length === 0 || group.length > 64)
          problems.push(`modelGroups["${model}"] must be a group name (1 to 64 characters)`);
  }
  // The same words as the option table's (`option-rules.ts`): every option problem reads alike.
  if (problems.length > 0)
    throw new TypeError(`claude-otel options: ${problems.map((p) => `governor.${p}`).join('; ')}`);
  return resolved;
}
