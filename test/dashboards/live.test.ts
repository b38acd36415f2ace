import { join } from 'node:path';
import { type Simulator, startSimulator } from '../../src/simulator';
import {
  committedDashboard,
  DASHBOARD_FILES,
  RULES_FILE,
  recordedNames,
  substituteGrafana,
} from '../support/operator-kit';
import { ROOT, requireBuild, startWithFirstLine } from '../support/processes';
import { type PrometheusProcess, requirePrometheus, startPrometheus } from '../support/prometheus';
import { type RedisProcess, startRedis } from '../support/redis';

interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
}

describe('a real Prometheus with the rule file loaded, scraping a governed app (fleet mode) in the overload scenario', () => {
  let sim: Simulator;
  let prometheus: PrometheusProcess | undefined;
  let app: ReturnType<typeof startWithFirstLine> | undefined;
  let redis: RedisProcess | undefined;
  let calls = 0;

  beforeAll(async () => {
    requireBuild();
    requirePrometheus();
    // Overload (529s, broken streams) under a request limit the governor paces to (from the headers).
    sim = await startSimulator({
      scenario: 'overload',
      limits: { requestsPerMinute: 1200, burstSeconds: 1 },
    });
    redis = await startRedis(); // the governor in fleet mode, so the Fleet row has data too
    app = startWithFirstLine('node', [join(ROOT, 'test', 'apps', 'metrics-app.cjs')], {
      SIM_URL: sim.url,
      GOVERNED: '1',
      REDIS_URL: redis.url,
      DURATION_MS: '8000',
      OTEL_TRACES_EXPORTER: 'none',
    });
    const metricsUrl = new URL(await app.firstLine);
    prometheus = await startPrometheus(metricsUrl.host, `rule_files:\n  - ${JSON.stringify(RULES_FILE)}\n`);
    await prometheus.until('up{job="app"}', (r) =>
      r.length === 1 && r[0].value[1] === '1' ? true : undefined,
    );
    app.child.stdin.write('go\n');
    calls = Number((await app.line((l) => l.startsWith('done'))).split(' ')[1]);
    // The scrape after the traffic holds every attempt the simulator saw.
    const attempts = sim.stats().attempts;
    await prometheus.until('sum(anthropic_attempts_total)', (r) =>
      r.length === 1 && Number(r[0].value[1]) === attempts ? true : undefined,
    );
  }, 90_000);

  afterAll(async () => {
    app?.stop('SIGTERM');
    await app?.exited;
    await prometheus?.stop();
    await sim?.close();
    await redis?.stop();
  });

  it('the run met 529s, broken streams and retries (the ground the dashboards stand on)', () => {
    const stats = sim.stats();
    expect(stats.byStatus[529]).toBeGreaterThan(0);
    expect(stats.attempts).toBeGreaterThan(calls);
  });

  it.each(DASHBOARD_FILES)('every query of %s returns data', async (file) => {
    const dashboard = committedDashboard(file);
    const empty: string[] = [];
    let queried = 0;
    for (const panel of dashboard.panels)
      for (const target of panel.targets ?? []) {
        const expr = substituteGrafana(target.expr, '1m');
        const result = await prometheus!.query(expr);
        queried++;
        if (!result.some((series) => series.value[1] !== 'NaN'))
          empty.push(`"${panel.title}" ${target.refId}: ${expr}`);
      }
    expect(queried).toBeGreaterThan(10);
    expect(empty).toEqual([]);
  });

  it('every recording rule has a value', async () => {
    const missing: string[] = [];
    for (const name of recordedNames()) {
      const result = await prometheus!.until(name, (r) => (r.length > 0 ? r : undefined));
      if (!result.some((s) => s.value[1] !== 'NaN')) missing.push(name);
    }
    expect(missing).toEqual([]);
  });

  it('the overloaded_error alert reaches firing, with its labels and rendered annotations', async () => {
    const alerts = async () => {
      const response = await fetch(`${prometheus!.url}/api/v1/alerts`);
      return ((await response.json()) as { data: { alerts: Alert[] } }).data.alerts;
    };
    let firing: Alert | undefined;
    const deadline = Date.now() + 30_000;
    while (!firing && Date.now() < deadline) {
      firing = (await alerts()).find(
        (a) =>
          a.labels.alertname === 'AnthropicOverloadedErrorRatioHigh' &&
          a.labels.severity === 'critical' &&
          a.state === 'firing',
      );
      if (!firing) await new Promise((r) => setTimeout(r, 250)); // no event to wait on: poll the API
    }
    expect(firing?.labels).toEqual({
      alertname: 'AnthropicOverloadedErrorRatioHigh',
      job: 'app',
      severity: 'critical',
    });
    expect(firing?.annotations.description).toMatch(
      /^\d+(\.\d+)?% of the Messages \(chat\) attempts of job app met 529/,
    );
    expect(firing?.annotations.runbook_url).toBe('dashboards/runbook.md#anthropicoverloadederrorratiohigh');
    // The metrics are there: the absent-metrics alert is not.
    expect((await alerts()).map((a) => a.labels.alertname)).not.toContain('AnthropicMetricsAbsent');
  });
});
