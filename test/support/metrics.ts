import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { type OpenMetricsContentType, type PrometheusContentType, Registry } from 'prom-client';
import { openMetricsRegistry } from '../../src';

type AnyRegistry = Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;

/** Sums a metric's values over the label `by` (e.g. status_code). */
export async function sumBy(
  registry: AnyRegistry,
  name: string,
  by: string,
): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const out: Record<string, number> = {};
  for (const v of (await metric.get()).values) {
    const key = String((v.labels as Record<string, unknown>)[by] ?? '');
    out[key] = (out[key] ?? 0) + v.value;
  }
  return out;
}

export function freshRegistry(openMetrics = false): AnyRegistry {
  return openMetrics ? openMetricsRegistry() : new Registry();
}

/** A histogram's `_count` and `_sum` over all its series. */
export async function histogramTotals(
  registry: AnyRegistry,
  name: string,
): Promise<{ count: number; sum: number }> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const totals = { count: 0, sum: 0 };
  for (const v of (await metric.get()).values as { metricName?: string; value: number }[]) {
    if (v.metricName === `${name}_count`) totals.count += v.value;
    if (v.metricName === `${name}_sum`) totals.sum += v.value;
  }
  return totals;
}

/** A MeterProvider of the test's own (the real SDK), read on demand: `metric(name)` collects and finds one. */
export function inMemoryMeterProvider() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const metric = async (name: string) => {
    await reader.forceFlush();
    return exporter
      .getMetrics()
      .at(-1)
      ?.scopeMetrics.flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === name);
  };
  return { provider, metric };
}
