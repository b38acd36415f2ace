import { join } from 'node:path';
import { type Simulator, startSimulator } from '../../src/simulator';
import { startOtlpReceiver } from '../support/otlp-receiver';
import { ROOT, requireBuild, startWithFirstLine } from '../support/processes';
import { type PrometheusProcess, requirePrometheus, startPrometheus } from '../support/prometheus';

describe('a real Prometheus scraping an instrumented app under overload', () => {
  let sim: Simulator;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let prometheus: PrometheusProcess | undefined;
  let app: ReturnType<typeof startWithFirstLine> | undefined;

  beforeAll(() => {
    requireBuild();
    requirePrometheus();
  });
  afterAll(async () => {
    app?.stop('SIGTERM');
    await app?.exited;
    await prometheus?.stop();
    await sim?.close();
    await receiver?.close();
  });

  it('sees 429 and 529 rates, the exact attempt count, and exemplars whose trace ids were exported', async () => {
    // Overload (529s) on top of a tight request limit (429s).
    sim = await startSimulator({
      scenario: 'overload',
      limits: { requestsPerMinute: 1200, burstSeconds: 1 },
    });
    receiver = await startOtlpReceiver();
    const env = { SIM_URL: sim.url, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, DURATION_MS: '6000' };
    app = startWithFirstLine('node', [join(ROOT, 'test', 'apps', 'metrics-app.cjs')], env);
    const metricsUrl = new URL(await app.firstLine);
    prometheus = await startPrometheus(metricsUrl.host);
    // Traffic starts only once Prometheus has scraped the app: the rates then span several scrapes.
    await prometheus.until('up{job="app"}', (r) =>
      r.length === 1 && r[0].value[1] === '1' ? true : undefined,
    );
    const started = Date.now() / 1000;
    app.child.stdin.write('go\n');
    await app.line((l) => l.startsWith('done'));
    const attempts = sim.stats().attempts;
    expect(attempts).toBeGreaterThan(50);

    // The last scrape after the traffic ended holds the final count.
    const total = await prometheus.until('sum(anthropic_attempts_total)', (r) =>
      r.length === 1 && Number(r[0].value[1]) === attempts ? Number(r[0].value[1]) : undefined,
    );
    expect(total).toBe(attempts);
    const rate = async (status: string) => {
      const r = await prometheus?.query(`sum(rate(anthropic_attempts_total{status_code="${status}"}[1m]))`);
      return Number(r?.[0]?.value[1] ?? 0);
    };
    expect(await rate('529')).toBeGreaterThan(0);
    expect(await rate('429')).toBeGreaterThan(0);
    const overloaded = await prometheus.query('sum(anthropic_attempts_total{error_type="overloaded_error"})');
    expect(Number(overloaded[0].value[1])).toBe(sim.stats().byErrorType.overloaded_error);

    const exemplars = await prometheus.exemplars(
      'anthropic_attempts_total',
      started - 5,
      Date.now() / 1000 + 5,
    );
    expect(exemplars.length).toBeGreaterThan(0);
    const exported = new Set(receiver.spans.map((s) => s.traceId));
    const linked = exemplars.filter((e) => exported.has(e.labels.trace_id));
    expect(linked.length).toBeGreaterThan(0);
  });
});
