import type { Registry } from 'prom-client';
import { ratesOver, type SignalSource, type Signals } from '../governor/signals';
import type { AnyRegistry } from './attempt-metrics';

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
