import type { AnyRegistry } from './attempt-metrics';

/** The names claude-otel registered in each registry: meeting them again is not a clash. */
const claimed = new WeakMap<AnyRegistry, Set<string>>();

/**
 * Claims metric names in a registry before any is registered, so that a clash fails at once,
 * with one TypeError naming every clashing metric, and leaves nothing half-registered.
 */
export function claimMetricNames(registry: AnyRegistry, names: readonly string[]): void {
  const ours = claimed.get(registry) ?? new Set<string>();
  const clashes = names.filter((name) => !ours.has(name) && registry.getSingleMetric(name) !== undefined);
  if (clashes.length > 0) {
    throw new TypeError(
      `claude-otel metrics: the prom-client registry already has ${clashes.map((n) => `"${n}"`).join(', ')}, not registered by claude-otel. Give claude-otel a registry of its own ({ metrics: { registry: new Registry() } }), or remove the other metric.`,
    );
  }
  for (const name of names) ours.add(name);
  claimed.set(registry, ours);
}
