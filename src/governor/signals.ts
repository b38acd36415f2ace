import type { Registry } from 'prom-client';
import { isAccelerationLimit } from '../attempt/acceleration';
import type { AttemptFacts } from '../attempt/attempt';
import type { AnyRegistry } from '../metrics/attempt-metrics';
import { SlidingCount } from './sliding-count';

/** Rates (per second) over a trailing window: what the slow control loop steers by. */
export interface Signals {
  attempts: number;
  /** 429s of any kind. */
  rateLimited: number;
  /** 529s and mid-stream `overloaded_error`s. */
  overloaded: number;
  /** 429s classified as acceleration-limit. */
  accelerationLimited: number;
  retries: number;
  /** The window the rates were taken over, seconds. */
  windowSeconds: number;
}

/**
 * Where the governor's control loop reads its signals. The default reads this process's
 * prom-client metrics; a fleet source (Prometheus' HTTP API) can implement the same shape.
 * `undefined` (or a rejection) means "no reading": the governor keeps its local control.
 */
export interface SignalSource {
  read(): Signals | undefined | Promise<Signals | undefined>;
}

type Counted = Exclude<keyof Signals, 'windowSeconds'>;

/** The signals over a window of `seconds`, each rate from `rate`. */
function ratesOver(seconds: number, rate: (key: Counted) => number): Signals {
  return {
    windowSeconds: seconds,
    attempts: rate('attempts'),
    rateLimited: rate('rateLimited'),
    overloaded: rate('overloaded'),
    accelerationLimited: rate('accelerationLimited'),
    retries: rate('retries'),
  };
}

interface Totals {
  at: number;
  values: Signals;
}

/** Reads `anthropic_*` counters from a prom-client registry and turns them into rates over `windowMs`. */
export class MetricsSignalSource implements SignalSource {
  private readonly history: Totals[] = [];

  constructor(
    private readonly registry: AnyRegistry | Registry,
    private readonly windowMs = 30_000,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  async read(): Promise<Signals | undefined> {
    const now = this.clock();
    const totals = await this.totals();
    if (!totals) return undefined;
    this.history.push({ at: now, values: totals });
    while (this.history.length > 2 && now - this.history[1].at >= this.windowMs) this.history.shift();
    const first = this.history[0];
    const seconds = (now - first.at) / 1000;
    if (seconds <= 0) return undefined;
    return ratesOver(seconds, (key) => Math.max(0, (totals[key] - first.values[key]) / seconds));
  }

  private async totals(): Promise<Signals | undefined> {
    const attempts = await this.values('anthropic_attempts_total');
    if (!attempts) return undefined;
    const sum = (values: Value[], keep: (labels: Value['labels']) => boolean = () => true) =>
      values.reduce((total, v) => (keep(v.labels) ? total + v.value : total), 0);
    return {
      windowSeconds: 0,
      attempts: sum(attempts),
      rateLimited: sum(attempts, (l) => l.status_code === '429'),
      overloaded: sum(attempts, (l) => l.error_type === 'overloaded_error'),
      accelerationLimited: sum((await this.values('anthropic_acceleration_limit_spikes_total')) ?? []),
      retries: sum((await this.values('anthropic_retries_total')) ?? []),
    };
  }

  private async values(name: string): Promise<Value[] | undefined> {
    const metric = (this.registry as Registry).getSingleMetric(name);
    if (!metric) return undefined;
    return (await metric.get()).values as Value[];
  }
}

type Value = { labels: Record<string, string | number | undefined>; value: number };

/** The governor's own counts, for when there are no metrics to read (`metrics: false`). */
export class LocalSignals implements SignalSource {
  private readonly counts: Record<Counted, SlidingCount>;

  constructor(
    private readonly windowMs = 30_000,
    private readonly clock: () => number = () => performance.now(),
  ) {
    const now = clock();
    const count = () => new SlidingCount(windowMs, 1000, now);
    this.counts = {
      attempts: count(),
      rateLimited: count(),
      overloaded: count(),
      accelerationLimited: count(),
      retries: count(),
    };
  }

  record(facts: AttemptFacts, now: number): void {
    this.counts.attempts.add(now);
    if (facts.status === 429) this.counts.rateLimited.add(now);
    if (facts.outcome.errorType === 'overloaded_error') this.counts.overloaded.add(now);
    if (isAccelerationLimit(facts)) this.counts.accelerationLimited.add(now);
    if (facts.retryCount > 0) this.counts.retries.add(now);
  }

  read(): Signals {
    const now = this.clock();
    const seconds = this.windowMs / 1000;
    return ratesOver(seconds, (key) => this.counts[key].total(now) / seconds);
  }
}
