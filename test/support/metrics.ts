import { type OpenMetricsContentType, type PrometheusContentType, Registry } from 'prom-client';
import { openMetricsRegistry } from '../../src';

type AnyRegistry = Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;

/** Values of one metric in a registry, as { 'label=value,...': value }. */
export async function seriesOf(
  registry: AnyRegistry,
  name: string,
  suffix = '',
): Promise<Record<string, number>> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const out: Record<string, number> = {};
  for (const v of values) {
    const metricName = (v as { metricName?: string }).metricName ?? name;
    if (suffix && metricName !== `${name}${suffix}`) continue;
    const key = Object.entries(v.labels)
      .filter(([k]) => k !== 'le')
      .map(([k, val]) => `${k}=${val}`)
      .join(',');
    if ((v.labels as { le?: unknown }).le !== undefined) continue;
    out[key] = (out[key] ?? 0) + v.value;
  }
  return out;
}

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
