// "Claude API / Overview": what every attempt met, from the attempt metrics.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  bucketHeatmap,
  claudeDashboard,
  graph,
  labelVariable,
  quantiles,
  rate,
  SELECTED,
  TARGET,
} from './kit';

const ATTEMPTS = 'anthropic_attempts_total';

/** Share of attempts matching `matchers` among all attempts (same job/instance/operation/model); 0 when none match. */
function share(matchers: string, by = ''): string {
  const part = rate(ATTEMPTS, `${SELECTED}, ${matchers}`, by);
  const all = rate(ATTEMPTS, SELECTED);
  return by ? `${part} / ignoring(${by}) group_left ${all}` : `(${part} or 0 * ${all}) / ${all}`;
}

export function overviewDashboard(): dashboard.DashboardBuilder {
  return claudeDashboard(
    'claude-api-overview',
    'Claude API / Overview',
    'Every HTTP attempt to the Claude API, from claude-otel metrics: outcomes, 429s and 529s, retries, latency, tokens and rate-limit headroom.',
  )
    .withVariable(
      labelVariable(
        'operation',
        'Operation',
        'anthropic_attempts_total{job=~"$job", instance=~"$instance"}',
        '.*',
      ),
    )
    .withVariable(
      labelVariable('model', 'Model', 'anthropic_attempts_total{job=~"$job", instance=~"$instance"}', '.*'),
    )
    .withRow(new dashboard.RowBuilder('Attempts and errors'))
    .withPanel(
      graph({
        title: 'Attempts per second by status',
        description:
          'Every HTTP attempt (first tries and retries), by HTTP status. "no response" is an attempt that got none: a connection error or a timeout.',
        unit: 'reqps',
        stacked: true,
        queries: [
          [
            `label_replace(${rate(ATTEMPTS, SELECTED, 'status_code')}, "status_code", "no response", "status_code", "")`,
            '{{status_code}}',
          ],
        ],
        width: 8,
      }),
    )
    .withPanel(
      graph({
        title: 'Attempts per second by operation',
        description:
          'Every HTTP attempt by endpoint: chat (Messages), count_tokens, messages.batches.*, files.*, models.*. Batch polling and file uploads show here, apart from chat.',
        unit: 'reqps',
        stacked: true,
        queries: [[rate(ATTEMPTS, SELECTED, 'operation'), '{{operation}}']],
        width: 8,
      }),
    )
    .withPanel(
      graph({
        title: '429 and 529 per second',
        description:
          '429: a rate limit (rate_limit_error, or the acceleration limit). 529: the API is overloaded (overloaded_error). Each is one attempt the API refused, by operation (each endpoint family has limits of its own).',
        unit: 'reqps',
        queries: [
          [
            rate(ATTEMPTS, `${SELECTED}, status_code=~"429|529"`, 'operation, status_code'),
            '{{status_code}} {{operation}}',
          ],
        ],
        width: 8,
      }),
    )
    .withPanel(
      graph({
        title: 'overloaded_error ratio',
        description:
          'Share of attempts answered 529 overloaded_error. The dashed lines are the alert thresholds: 14.4% (critical burn rate) and 6% (warning) of a 1% error budget.',
        unit: 'percentunit',
        min: 0,
        thresholds: [
          [0.06, 'orange'],
          [0.144, 'red'],
        ],
        queries: [[share('error_type="overloaded_error"'), 'overloaded_error']],
        width: 8,
      }),
    )
    .withPanel(
      graph({
        title: 'Acceleration-limit spikes per second',
        description:
          '429s from the acceleration (ramp) limit: traffic grew faster than the organization’s limits allow. Error code ramp_limit_exceeded, or a rate_limit_error whose own headers still showed capacity.',
        unit: 'reqps',
        queries: [[rate('anthropic_acceleration_limit_spikes_total', SELECTED, 'model'), '{{model}}']],
        width: 8,
      }),
    )
    .withPanel(
      graph({
        title: 'Error ratio by error type',
        description:
          'Share of attempts that failed, by error type: the API’s error types (rate_limit_error, overloaded_error, ...) or this package’s own (connection_error, timeout, stream_truncated, ...).',
        unit: 'percentunit',
        min: 0,
        stacked: true,
        queries: [[share('error_type!=""', 'error_type'), '{{error_type}}']],
        width: 8,
      }),
    )
    .withRow(new dashboard.RowBuilder('Retries and backoff'))
    .withPanel(
      graph({
        title: 'Retries per second by cause',
        description: 'Attempts that were retries, by the error type of the attempt before them.',
        unit: 'reqps',
        stacked: true,
        queries: [[rate('anthropic_retries_total', SELECTED, 'error_type'), '{{error_type}}']],
      }),
    )
    .withPanel(
      bucketHeatmap({
        title: 'Backoff before each retry',
        description:
          'Distribution of the measured wait between an attempt and its retry (the SDK’s backoff, retry-after, and any time held by the governor).',
        unit: 's',
        expr: `sum by (le) (rate(anthropic_backoff_seconds_bucket{${SELECTED}}[$__rate_interval]))`,
      }),
    )
    .withRow(new dashboard.RowBuilder('Latency'))
    .withPanel(
      graph({
        title: 'Attempt latency by operation',
        description:
          'From send to the end of the response (the end of the stream for streams), p50/p95/p99 of each operation, so batch polling never blends into chat latency. Exemplars link to the attempt’s trace.',
        unit: 's',
        exemplars: true,
        queries: quantiles('anthropic_attempt_duration_seconds', SELECTED, 'operation'),
      }),
    )
    .withPanel(
      graph({
        title: 'Time to first token',
        description:
          'Streams only: from send to the first content delta, p50/p95/p99. Exemplars link to the attempt’s trace.',
        unit: 's',
        exemplars: true,
        queries: quantiles('anthropic_time_to_first_token_seconds', SELECTED),
      }),
    )
    .withRow(new dashboard.RowBuilder('Tokens and rate-limit headroom'))
    .withPanel(
      graph({
        title: 'Tokens per second by type',
        description:
          'Tokens of successful replies: input (the cache included) and output; cache_read and cache_write are parts of input, reasoning a part of output.',
        unit: 'suffix:tokens/s',
        stacked: true,
        queries: [[rate('anthropic_tokens_total', SELECTED, 'type'), '{{type}}']],
      }),
    )
    .withPanel(
      graph({
        title: 'Rate-limit headroom',
        description:
          'remaining / limit of each rate-limit resource of each limit (the API keeps one per model group, and fast mode and long context their own), from the headers of its latest response (lowest instance). Near 0: the next requests to that limit will meet 429s (the governor paces at it on purpose).',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: [[0.1, 'red']],
        queries: [
          [
            `min by (model_group, lane, resource) (anthropic_ratelimit_remaining{${TARGET}} / anthropic_ratelimit_limit{${TARGET}})`,
            '{{model_group}} {{lane}} {{resource}}',
          ],
        ],
      }),
    )
    .withRow(new dashboard.RowBuilder('Alerting ratios (recording rules)'))
    .withPanel(
      graph({
        title: 'overloaded_error ratio: alert windows',
        description:
          'The ratios the overloaded_error burn-rate alerts compare (recording rules from dashboards/alerts.yaml): critical when both 1h and 5m exceed 14.4%, warning when both 6h and 30m exceed 6%. Needs the rule file loaded.',
        unit: 'percentunit',
        min: 0,
        thresholds: [
          [0.06, 'orange'],
          [0.144, 'red'],
        ],
        queries: ['5m', '30m', '1h', '6h'].map((w): [string, string] => [
          `max(job:anthropic_overloaded_attempts:ratio_rate${w}{job=~"$job"})`,
          w,
        ]),
      }),
    )
    .withPanel(
      graph({
        title: '429 ratio and calls the governor refused',
        description:
          'Share of attempts answered 429 and share of calls the governor refused over 5m (recording rules): the inputs of AnthropicRateLimitedRatioHigh (10%) and AnthropicGovernorRejectingCalls (5%).',
        unit: 'percentunit',
        min: 0,
        thresholds: [
          [0.05, 'orange'],
          [0.1, 'red'],
        ],
        queries: [
          ['max(job:anthropic_rate_limited_attempts:ratio_rate5m{job=~"$job"})', '429 ratio'],
          ['max(job:anthropic_governor_rejected_calls:ratio_rate5m{job=~"$job"})', 'refused by the governor'],
        ],
      }),
    );
}
