// Building blocks both dashboards share: variables, label selectors, panels, queries.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** Every panel and variable queries the data source the `datasource` variable names. */
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** Where the datasource variable starts after Grafana's "Import dashboard" flow. */
export const IMPORT_INPUT = 'DS_PROMETHEUS';

/** Label matchers of the job and instance variables. */
export const TARGET = 'job=~"$job", instance=~"$instance"';
/** The same, plus the operation and model variables (the attempt metrics). */
export const SELECTED = `${TARGET}, operation=~"$operation", model=~"$model"`;

export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('datasource')
    .label('Data source')
    .type('prometheus')
    .current({ selected: true, text: 'Prometheus', value: `\${${IMPORT_INPUT}}` });
}

/** A multi-value label variable whose values come from `label_values(<series>, <label>)`. */
export function labelVariable(
  name: string,
  label: string,
  series: string,
  allValue: string,
): dashboard.QueryVariableBuilder {
  const query = `label_values(${series}, ${name})`;
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query({ query, refId: 'PrometheusVariableQueryEditor-VariableQuery', qryType: 1 })
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(allValue)
    .current({ selected: true, text: 'All', value: '$__all' });
}

/** The job and instance variables; instance follows the chosen jobs. */
export function targetVariables(): dashboard.QueryVariableBuilder[] {
  return [
    labelVariable('job', 'Job', 'anthropic_attempts_in_flight', '.+'),
    labelVariable('instance', 'Instance', 'anthropic_attempts_in_flight{job=~"$job"}', '.+'),
  ];
}

/** A PromQL query; `legend` is Grafana's legend format (`{{label}}`). */
export function query(expr: string, legend: string, refId: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .editorMode(prometheus.QueryEditorMode.Code)
    .expr(expr)
    .legendFormat(legend)
    .range()
    .refId(refId);
}

export interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  /** expr -> legend format. */
  queries: [expr: string, legend: string][];
  /** Width in grid columns (of 24). Default: 12. */
  width?: number;
  /** Show exemplars (trace links) on the queries. Default: false. */
  exemplars?: boolean;
  stacked?: boolean;
  min?: number;
  max?: number;
  /** Dashed threshold lines (value -> colour). */
  thresholds?: [value: number, color: string][];
}

const REF_IDS = 'ABCDEFGHIJ';

/** A time-series panel. */
export function graph(spec: PanelSpec): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(DATASOURCE)
    .height(8)
    .span(spec.width ?? 12)
    .fillOpacity(spec.stacked ? 40 : 10)
    .lineWidth(1)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .showLegend(true),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    );
  if (spec.stacked) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  if (spec.thresholds) {
    const steps = [{ value: null as unknown as number, color: 'transparent' }];
    for (const [value, color] of spec.thresholds) steps.push({ value, color });
    panel
      .thresholds(
        new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps),
      )
      .thresholdsStyle(
        new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed),
      );
  }
  spec.queries.forEach(([expr, legend], i) => {
    const target = query(expr, legend, REF_IDS[i]);
    if (spec.exemplars) target.exemplar(true);
    panel.withTarget(target);
  });
  return panel;
}

/** A heatmap of a Prometheus histogram's buckets (`..._bucket` rates by `le`). */
export function bucketHeatmap(spec: {
  title: string;
  description: string;
  unit: string;
  expr: string;
  width?: number;
}): heatmap.PanelBuilder {
  return new heatmap.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .unit('short')
    .datasource(DATASOURCE)
    .height(8)
    .span(spec.width ?? 12)
    .calculate(false)
    .yAxis(new heatmap.YAxisConfigBuilder().unit(spec.unit))
    .color(
      new heatmap.HeatmapColorOptionsBuilder()
        .mode(heatmap.HeatmapColorMode.Scheme)
        .scheme('Oranges')
        .fill('dark-orange')
        .exponent(0.5)
        .steps(64),
    )
    .cellGap(1)
    .showValue(common.VisibilityMode.Never)
    .withTarget(query(spec.expr, '{{le}}', 'A').format(prometheus.PromQueryFormat.Heatmap).exemplar(false));
}

/** `rate()` of a counter over Grafana's `$__rate_interval`, summed by `by` (nothing: one series). */
export function rate(metric: string, matchers: string, by = ''): string {
  const grouping = by ? ` by (${by})` : '';
  return `sum${grouping} (rate(${metric}{${matchers}}[$__rate_interval]))`;
}

/** p50/p95/p99 of a Prometheus histogram, one query each, per value of `by` when given. */
export function quantiles(histogram: string, matchers: string, by = ''): [string, string][] {
  return [0.5, 0.95, 0.99].map((q) => [
    `histogram_quantile(${q}, sum by (le${by ? `, ${by}` : ''}) (rate(${histogram}_bucket{${matchers}}[$__rate_interval])))`,
    `${by ? `{{${by}}} ` : ''}p${Math.round(q * 100)}`,
  ]);
}

/** Links to the other claude-otel dashboards. */
export function dashboardLinks(): dashboard.DashboardLinkBuilder {
  return new dashboard.DashboardLinkBuilder('Claude API dashboards')
    .type(dashboard.DashboardLinkType.Dashboards)
    .tags(['claude-otel'])
    .asDropdown(false)
    .includeVars(true)
    .keepTime(true);
}

/** A dashboard with the shared settings: tags, refresh, time range, links, cursor sync, and the datasource, job and instance variables. */
export function claudeDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  const builder = new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['claude-otel', 'anthropic', 'claude'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(dashboardLinks())
    .withVariable(datasourceVariable());
  for (const variable of targetVariables()) builder.withVariable(variable);
  return builder;
}
