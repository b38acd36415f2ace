import { Counter, Gauge, Registry } from 'prom-client';
import { AnthropicInstrumentation, claudeMiddleware } from '../../src';
import { ATTEMPT_METRIC_NAMES, AttemptMetrics } from '../../src/metrics/attempt-metrics';
import { GOVERNOR_METRIC_NAMES, GovernorMetrics } from '../../src/metrics/governor-metrics';

const names = (registry: Registry) =>
  registry
    .getMetricsAsArray()
    .map((m) => m.name)
    .sort();

describe('registering the metrics', () => {
  it('the name lists are exactly what the instruments register', () => {
    const registry = new Registry();
    new AttemptMetrics({ registry });
    new GovernorMetrics(registry);
    expect(names(registry)).toEqual([...ATTEMPT_METRIC_NAMES, ...GOVERNOR_METRIC_NAMES].sort());
  });

  it.each([
    ['the first metric', 'anthropic_attempts_total'],
    ['a later metric', 'anthropic_tokens_total'],
    ["a governor's metric", 'anthropic_governor_paused'],
  ])('a clash on %s throws one TypeError naming it, and leaves nothing behind', (_where, name) => {
    const registry = new Registry();
    new Gauge({ name, help: 'an app metric of the same name', registers: [registry] });
    expect(() => claudeMiddleware({ metrics: { registry } })).toThrow(TypeError);
    expect(() => claudeMiddleware({ metrics: { registry } })).toThrow(
      `the prom-client registry already has "${name}", not registered by claude-otel`,
    );
    expect(() => new AnthropicInstrumentation({ metrics: { registry }, enabled: false })).toThrow(TypeError);
    expect(names(registry)).toEqual([name]);
  });

  it('several clashes are named in one error', () => {
    const registry = new Registry();
    for (const name of ['anthropic_retries_total', 'anthropic_governor_pauses_total'])
      new Counter({ name, help: 'x', registers: [registry] });
    expect(() => claudeMiddleware({ metrics: { registry } })).toThrow(
      '"anthropic_retries_total", "anthropic_governor_pauses_total"',
    );
  });

  it('without the governor, its metric names are not claimed', () => {
    const registry = new Registry();
    new Gauge({ name: 'anthropic_governor_paused', help: 'x', registers: [registry] });
    expect(() => claudeMiddleware({ metrics: { registry }, governor: false })).not.toThrow();
    expect(names(registry)).toContain('anthropic_attempts_total');
  });

  it('claude-otel meeting its own metrics again (several clients, one registry) is not a clash', () => {
    const registry = new Registry();
    claudeMiddleware({ metrics: { registry } });
    expect(() => claudeMiddleware({ metrics: { registry } })).not.toThrow();
    expect(names(registry)).toHaveLength(ATTEMPT_METRIC_NAMES.length + GOVERNOR_METRIC_NAMES.length);
  });
});
