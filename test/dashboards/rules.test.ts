import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DASHBOARDS, RULES_FILE, rules } from '../support/operator-kit';
import { run } from '../support/processes';
import { requirePrometheus } from '../support/prometheus';

interface RuleTest {
  name: string;
  alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[];
}

const alerts = rules().filter((r) => r.alert);
const alertNames = [...new Set(alerts.map((a) => a.alert as string))];

describe('the alert and recording rules', () => {
  beforeAll(() => requirePrometheus());

  it('pass promtool check rules', async () => {
    const done = await run('promtool', ['check', 'rules', RULES_FILE]);
    expect({ code: done.code, out: done.stdout + done.stderr }).toEqual({
      code: 0,
      out: expect.stringContaining(`SUCCESS: ${rules().length} rules found`),
    });
  });

  it('pass their unit tests (promtool test rules dashboards/alerts.test.yaml)', async () => {
    const done = await run('promtool', ['test', 'rules', join(DASHBOARDS, 'alerts.test.yaml')]);
    expect({ code: done.code, out: done.stdout + done.stderr }).toEqual({
      code: 0,
      out: expect.stringContaining('SUCCESS'),
    });
  });

  it('the unit tests cover every alert: a case where it fires and one where it stays silent', () => {
    const file = parseYaml(readFileSync(join(DASHBOARDS, 'alerts.test.yaml'), 'utf8')) as {
      tests: RuleTest[];
    };
    const cases = file.tests.flatMap((t) => t.alert_rule_test ?? []);
    const coverage = Object.fromEntries(
      alertNames.map((name) => {
        const mine = cases.filter((c) => c.alertname === name);
        return [
          name,
          {
            fires: mine.some((c) => (c.exp_alerts ?? []).length > 0),
            silent: mine.some((c) => (c.exp_alerts ?? []).length === 0),
          },
        ];
      }),
    );
    for (const name of alertNames)
      expect({ name, ...coverage[name] }).toEqual({ name, fires: true, silent: true });
  });

  it('the alerts the issue asks for exist, and the 529 alert has a critical and a warning rule', () => {
    expect(alertNames.sort()).toEqual(
      [
        'AnthropicAccelerationLimitSpikes',
        'AnthropicFleetGovernorAlone',
        'AnthropicGovernorRejectingCalls',
        'AnthropicLimitQueueing',
        'AnthropicMetricsAbsent',
        'AnthropicNoSuccessfulAttempts',
        'AnthropicOverloadedErrorRatioHigh',
        'AnthropicRateLimitedRatioHigh',
        'AnthropicRetryBudgetExhausted',
      ].sort(),
    );
    const severities = alerts
      .filter((a) => a.alert === 'AnthropicOverloadedErrorRatioHigh')
      .map((a) => a.labels?.severity);
    expect(severities.sort()).toEqual(['critical', 'warning']);
  });

  it('follow monitoring-mixin conventions: CamelCase Anthropic names, severity, summary, description with the value', () => {
    for (const alert of alerts) {
      const name = alert.alert as string;
      expect({ name, camel: /^Anthropic[A-Z][A-Za-z]+$/.test(name) }).toEqual({ name, camel: true });
      expect({
        name,
        severity: ['critical', 'warning', 'info'].includes(alert.labels?.severity ?? ''),
      }).toEqual({
        name,
        severity: true,
      });
      expect({ name, summary: Boolean(alert.annotations?.summary) }).toEqual({ name, summary: true });
      // Absent metrics have no value to show; every other description renders it.
      const description = alert.annotations?.description ?? '';
      const showsValue = name === 'AnthropicMetricsAbsent' || description.includes('$value');
      expect({ name, showsValue }).toEqual({ name, showsValue: true });
    }
  });

  it('every runbook_url points at a section of dashboards/runbook.md that says meaning, how to confirm, what to do', () => {
    const runbook = readFileSync(join(DASHBOARDS, 'runbook.md'), 'utf8');
    const sections = new Map(
      runbook
        .split(/^## /m)
        .slice(1)
        .map((section) => [section.split('\n')[0].trim().toLowerCase(), section]),
    );
    for (const alert of alerts) {
      const url = alert.annotations?.runbook_url ?? '';
      const [path, anchor] = url.split('#');
      expect({ alert: alert.alert, path }).toEqual({ alert: alert.alert, path: 'dashboards/runbook.md' });
      const section = sections.get(anchor) ?? '';
      expect({ anchor, found: sections.has(anchor) }).toEqual({ anchor, found: true });
      for (const part of ['**Meaning.**', '**Confirm.**', '**What to do.**'])
        expect({ anchor, part, present: section.includes(part) }).toEqual({ anchor, part, present: true });
    }
    expect(sections.size).toBe(alertNames.length);
  });

  it('alerts on ratios (recording rules over attempts), not raw counts, where the issue asks for a ratio', () => {
    const byName = (name: string) => alerts.filter((a) => a.alert === name).map((a) => a.expr);
    for (const expr of byName('AnthropicOverloadedErrorRatioHigh')) expect(expr).toMatch(/:ratio_rate/);
    for (const expr of byName('AnthropicRateLimitedRatioHigh')) expect(expr).toMatch(/:ratio_rate/);
    for (const expr of byName('AnthropicGovernorRejectingCalls')) expect(expr).toMatch(/:ratio_rate/);
  });
});
