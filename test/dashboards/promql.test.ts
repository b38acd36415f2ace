import {
  type Expression,
  exportedSeriesNames,
  expressions,
  parsePromql,
  recordedNames,
  substituteGrafana,
} from '../support/operator-kit';

describe('every PromQL expression of the dashboards and the rules', () => {
  const all = expressions();
  const known = new Set([...exportedSeriesNames(), ...recordedNames()]);

  it('covers both dashboards and the rule file', () => {
    const sources = new Set(all.map((e) => e.where.split(' ')[0]));
    expect([...sources].sort()).toEqual([
      'alerts.yaml',
      'claude-api-governor.json',
      'claude-api-overview.json',
    ]);
    expect(all.length).toBeGreaterThan(40);
  });

  it('parses (lezer-promql, Grafana variables substituted)', () => {
    const failures = all
      .map(({ where, expr }: Expression) => ({ where, errors: parsePromql(substituteGrafana(expr)).errors }))
      .filter((f) => f.errors.length > 0);
    expect(failures).toEqual([]);
  });

  it('names only metrics this package exports, or the rule file records', () => {
    const unknown = all.flatMap(({ where, expr }) =>
      parsePromql(substituteGrafana(expr))
        .metrics.filter((name) => !known.has(name))
        .map((name) => ({ where, name })),
    );
    expect(unknown).toEqual([]);
  });

  it('the checks can fail: a typo, a foreign metric and a syntax error are caught', () => {
    expect(parsePromql('sum(rate(anthropic_attempts_total[1m])').errors).not.toEqual([]);
    expect(parsePromql('rate(anthropic_attempts_totl[1m])').metrics.filter((m) => !known.has(m))).toEqual([
      'anthropic_attempts_totl',
    ]);
    expect(parsePromql('up{job="x"} + on() group_left anthropic_attempts_in_flight').metrics).toEqual([
      'up',
      'anthropic_attempts_in_flight',
    ]);
  });

  it('the exported names come from the real instruments (histograms as _bucket/_sum/_count)', () => {
    expect([...exportedSeriesNames()].sort()).toEqual(
      [
        'anthropic_acceleration_limit_spikes_total',
        'anthropic_attempt_duration_seconds_bucket',
        'anthropic_attempt_duration_seconds_count',
        'anthropic_attempt_duration_seconds_sum',
        'anthropic_attempts_in_flight',
        'anthropic_attempts_total',
        'anthropic_backoff_seconds_bucket',
        'anthropic_backoff_seconds_count',
        'anthropic_backoff_seconds_sum',
        'anthropic_governor_allowed_requests_per_second',
        'anthropic_governor_concurrency_limit',
        'anthropic_governor_fleet_connected',
        'anthropic_governor_fleet_fallbacks_total',
        'anthropic_governor_fleet_members',
        'anthropic_governor_fleet_pauses_received_total',
        'anthropic_governor_fleet_redis_seconds_bucket',
        'anthropic_governor_fleet_redis_seconds_count',
        'anthropic_governor_fleet_redis_seconds_sum',
        'anthropic_governor_fleet_share',
        'anthropic_governor_paused',
        'anthropic_governor_paused_seconds_total',
        'anthropic_governor_pauses_total',
        'anthropic_governor_queued_requests',
        'anthropic_governor_rejected_total',
        'anthropic_governor_retry_vetoes_total',
        'anthropic_governor_wait_seconds_bucket',
        'anthropic_governor_wait_seconds_count',
        'anthropic_governor_wait_seconds_sum',
        'anthropic_ratelimit_limit',
        'anthropic_ratelimit_remaining',
        'anthropic_ratelimit_reset_seconds',
        'anthropic_retries_total',
        'anthropic_time_to_first_token_seconds_bucket',
        'anthropic_time_to_first_token_seconds_count',
        'anthropic_time_to_first_token_seconds_sum',
        'anthropic_tokens_total',
      ].sort(),
    );
  });
});
