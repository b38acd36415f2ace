import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { AttemptMetrics } from '../../src/metrics/attempt-metrics';
import { GovernorMetrics } from '../../src/metrics/governor-metrics';
import { ROOT } from './processes';

// lezer-promql's types are ESM-only; jest loads its CommonJS build.
type LezerPromql = typeof import('@prometheus-io/lezer-promql', { with: { 'resolution-mode': 'import' }});
const { parser } = require('@prometheus-io/lezer-promql') as LezerPromql;

export const DASHBOARDS = join(ROOT, 'dashboards');
export const DASHBOARD_FILES = ['claude-api-overview.json', 'claude-api-governor.json'];
export const RULES_FILE = join(DASHBOARDS, 'alerts.yaml');

export interface Panel {
  id: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: { type: string; uid: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { expr: string; exemplar?: boolean; datasource?: { uid: string }; refId: string }[];
}

export interface Dashboard {
  title: string;
  uid: string;
  panels: Panel[];
  templating: {
    list: { name: string; type: string; query?: string | { query: string }; datasource?: { uid: string } }[];
  };
  __inputs: { name: string; type: string; pluginId: string }[];
  __requires: { type: string; id: string }[];
}

export function committedDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8'));
}

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function rules(): Rule[] {
  const file = parseYaml(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: Rule[] }[] };
  return file.groups.flatMap((g) => g.rules);
}

/** A PromQL expression and where it came from, for messages. */
export interface Expression {
  where: string;
  expr: string;
}

/** Every PromQL expression of the dashboards (panel targets and variable queries) and the rules. */
export function expressions(): Expression[] {
  const out: Expression[] = [];
  for (const file of DASHBOARD_FILES) {
    const dashboard = committedDashboard(file);
    for (const panel of dashboard.panels)
      for (const target of panel.targets ?? [])
        out.push({ where: `${file} "${panel.title}" ${target.refId}`, expr: target.expr });
    for (const variable of dashboard.templating.list) {
      if (variable.type !== 'query') continue;
      const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
      // label_values(<series selector>, <label>) is Grafana's, not PromQL: its selector is.
      const selector = /^label_values\((.*),\s*\w+\)$/.exec(query)?.[1];
      out.push({ where: `${file} variable ${variable.name}`, expr: selector ?? query });
    }
  }
  for (const rule of rules())
    out.push({ where: `alerts.yaml ${rule.record ?? rule.alert}`, expr: rule.expr });
  return out;
}

/** Grafana's variables replaced by what Grafana would put there. */
export function substituteGrafana(expr: string, rateInterval = '1m'): string {
  return expr
    .replaceAll('$__rate_interval', rateInterval)
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '1h')
    .replace(/\$(job|instance)\b/g, '.+')
    .replace(/\$(operation|model)\b/g, '.*');
}

/** Parse errors of a PromQL expression (empty when it parses), with the metric names it selects. */
export function parsePromql(expr: string): { errors: string[]; metrics: string[] } {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const metrics: string[] = [];
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError)
      errors.push(`syntax error at ${cursor.from}: "${expr.slice(cursor.from, cursor.from + 20)}"`);
    if (cursor.name === 'Identifier') {
      const parent = cursor.node.parent;
      if (parent?.name === 'VectorSelector') metrics.push(expr.slice(cursor.from, cursor.to));
    }
    if (cursor.name === 'LabelName' && expr.slice(cursor.from, cursor.to) === '__name__')
      errors.push('selects metrics by __name__: name them');
  } while (cursor.next());
  return { errors, metrics };
}

/** Every series name this package exports (histograms as _bucket/_sum/_count), from its real instruments. */
export function exportedSeriesNames(): Set<string> {
  const registry = new Registry();
  new AttemptMetrics({ registry });
  new GovernorMetrics(registry);
  const names = new Set<string>();
  for (const metric of registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    else names.add(name);
  }
  return names;
}

/** The names the rule file records. */
export function recordedNames(): Set<string> {
  return new Set(rules().flatMap((r) => (r.record ? [r.record] : [])));
}
