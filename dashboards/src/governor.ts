// "Claude API / Governor": what the traffic governor allowed, held back and refused.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { bucketHeatmap, claudeDashboard, graph, quantiles, rate, TARGET } from './kit';

export function governorDashboard(): dashboard.DashboardBuilder {
  return claudeDashboard(
    'claude-api-governor',
    'Claude API / Governor',
    'What the claude-otel governor did: the rate and concurrency it allowed against what was sent, who waited and how long, pauses on retry-after, and the retries and calls it refused.',
  )
    .withRow(new dashboard.RowBuilder('Rate and concurrency'))
    .withPanel(
      graph({
        title: 'Allowed rate vs send rate',
        description:
          'The request rate the governor allows now on each limit (model group x lane: standard, fast, long_context; summed over instances) against the attempts actually sent. The allowed rate is the least of what the rate-limit headers leave (with a full bucket far above the limit: its refill plus the bucket spread over 10 s), a rate cut after 429s and the ramp limiter; +Inf, and not drawn, while nothing limits it.',
        unit: 'reqps',
        queries: [
          [
            `sum by (model_group, lane) (anthropic_governor_allowed_requests_per_second{${TARGET}})`,
            'allowed: {{model_group}} {{lane}}',
          ],
          [rate('anthropic_attempts_total', TARGET), 'sent'],
        ],
      }),
    )
    .withPanel(
      graph({
        title: 'Concurrency limit vs in flight',
        description:
          'The governor’s limit on attempts in flight on each limit (AIMD: unlimited, +Inf and not drawn, until the API reports overload) against the attempts in flight.',
        unit: 'short',
        queries: [
          [
            `sum by (model_group, lane) (anthropic_governor_concurrency_limit{${TARGET}})`,
            'limit: {{model_group}} {{lane}}',
          ],
          [`sum(anthropic_attempts_in_flight{${TARGET}})`, 'in flight'],
        ],
      }),
    )
    .withRow(new dashboard.RowBuilder('Waiting'))
    .withPanel(
      graph({
        title: 'Queue length',
        description:
          'Attempts waiting at the governor’s gate for their turn to be sent, by limit (model group x lane).',
        unit: 'short',
        width: 8,
        queries: [
          [
            `sum by (model_group, lane) (anthropic_governor_queued_requests{${TARGET}})`,
            '{{model_group}} {{lane}}',
          ],
        ],
      }),
    )
    .withPanel(
      graph({
        title: 'Wait before sending',
        description:
          'How long attempts waited at the gate before they were sent, p50/p95/p99 of all limits, and p95 by model group.',
        unit: 's',
        width: 8,
        queries: [
          ...quantiles('anthropic_governor_wait_seconds', TARGET),
          [
            `histogram_quantile(0.95, sum by (le, model_group) (rate(anthropic_governor_wait_seconds_bucket{${TARGET}}[$__rate_interval])))`,
            '{{model_group}} p95',
          ],
        ],
      }),
    )
    .withPanel(
      bucketHeatmap({
        title: 'Wait distribution',
        description: 'Distribution of the wait at the gate; the bottom row is attempts sent at once.',
        unit: 's',
        width: 8,
        expr: `sum by (le) (rate(anthropic_governor_wait_seconds_bucket{${TARGET}}[$__rate_interval]))`,
      }),
    )
    .withRow(new dashboard.RowBuilder('Pauses'))
    .withPanel(
      graph({
        title: 'Pauses started',
        description:
          'Pauses of every sender to a limit started by a retry-after (a 429 or 529 with retry-after holds the senders of its model group and lane, not the others), per second.',
        unit: 'short',
        queries: [
          [rate('anthropic_governor_pauses_total', TARGET, 'model_group, lane'), '{{model_group}} {{lane}}'],
        ],
      }),
    )
    .withPanel(
      graph({
        title: 'Time paused',
        description:
          'Share of time the senders of each limit were held by a retry-after pause (pause seconds added per second, summed over instances), and whether an instance is paused on it at the scrape.',
        unit: 'percentunit',
        min: 0,
        queries: [
          [
            rate('anthropic_governor_paused_seconds_total', TARGET, 'model_group, lane'),
            'time paused: {{model_group}} {{lane}}',
          ],
          [
            `max by (model_group, lane) (anthropic_governor_paused{${TARGET}})`,
            'paused at scrape: {{model_group}} {{lane}}',
          ],
        ],
      }),
    )
    .withRow(new dashboard.RowBuilder('Refusals'))
    .withPanel(
      graph({
        title: 'Retry vetoes by reason',
        description:
          'Error responses the governor told the SDK not to retry: budget (retry budget spent), not_retryable (e.g. spend limit), retry_after_too_long.',
        unit: 'reqps',
        stacked: true,
        queries: [[rate('anthropic_governor_retry_vetoes_total', TARGET, 'reason'), '{{reason}}']],
      }),
    )
    .withPanel(
      graph({
        title: 'Calls refused by reason',
        description:
          'Calls the governor refused to send (the caller got GovernorRejectedError): queue_full, wait_timeout, overloaded (load shedding).',
        unit: 'reqps',
        stacked: true,
        queries: [[rate('anthropic_governor_rejected_total', TARGET, 'reason'), '{{reason}}']],
      }),
    )
    .withRow(new dashboard.RowBuilder('Fleet (governor.fleet: shared through Redis)'))
    .withPanel(
      graph({
        title: 'Shared or alone',
        description:
          'Per instance: 1 while its pause and rate are shared with the fleet through Redis, 0 while it governs alone because Redis failed (error, timeout, lost connection); and fallbacks per second. Empty without fleet mode.',
        unit: 'short',
        width: 8,
        min: 0,
        queries: [
          [`min by (instance) (anthropic_governor_fleet_connected{${TARGET}})`, 'shared: {{instance}}'],
          [rate('anthropic_governor_fleet_fallbacks_total', TARGET), 'fallbacks/s'],
        ],
      }),
    )
    .withPanel(
      graph({
        title: 'Share of the fleet’s sends per instance',
        description:
          'Each instance’s share of the fleet’s sends over the last 10 s (even shares are 1 / members under even load), and the members Redis counts.',
        unit: 'percentunit',
        width: 8,
        min: 0,
        queries: [
          [`max by (instance) (anthropic_governor_fleet_share{${TARGET}})`, '{{instance}}'],
          [`1 / max(anthropic_governor_fleet_members{${TARGET}})`, 'even share'],
        ],
      }),
    )
    .withPanel(
      graph({
        title: 'Fleet pauses and Redis round trip',
        description:
          'Pauses another process’s retry-after started or lengthened here, per second, and the round trip of each lease of sends from Redis (p50/p95/p99).',
        unit: 's',
        width: 8,
        queries: [
          [rate('anthropic_governor_fleet_pauses_received_total', TARGET), 'pauses received/s'],
          ...quantiles('anthropic_governor_fleet_redis_seconds', TARGET),
        ],
      }),
    );
}
