import { setMaxListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsHandler } from '../../metrics/serve';
import { scenario } from '../../simulator/scenarios';
import { freePort } from '../free-port';
import { FleetRun } from './fleet-run';
import { type DemoOptions, demoUsage, parseDemoOptions } from './options';
import { type DemoPrometheus, prometheusAvailable, startDemoPrometheus } from './prometheus';
import { launchRedis, type RedisServer, redisAvailable, redisUnreachable } from './redis-process';
import { alertsOf, type DemoSummary, matches, renderSummary } from './report';
import { DemoRun, type Run } from './run';
import { startDemoTracing } from './tracing';
import { LiveView } from './view';
import type { WorkloadOptions } from './workload';

export { demoUsage };

/** The calls --real may make, at most: a few cents' worth. */
const REAL_CAP: WorkloadOptions = {
  concurrency: 2,
  models: [['claude-haiku-5-5', 1]],
  streamShare: 0.5,
  thinkMs: 500,
  maxTokens: 16,
  maxCalls: 20,
};

function simulatedWorkload(concurrency: number): WorkloadOptions {
  return {
    concurrency,
    models: [
      ['claude-sonnet-5-5', 5],
      ['claude-haiku-5-5', 3],
      ['claude-opus-5-5', 2],
    ],
    streamShare: 0.5,
    thinkMs: 50,
    maxTokens: 64,
  };
}

/** Serves each run's registry: the first at /metrics, the twin at /metrics/no-governor. */
async function serveMetrics(
  runs: Run[],
  port: number,
): Promise<{ server: Server; urls: string[]; note: string }> {
  const paths = runs.map((_run, i) => (i === 0 ? '/metrics' : '/metrics/no-governor'));
  const byPath = new Map(runs.map((run, i) => [paths[i], run]));
  const server = createServer((req, res) => {
    const run = byPath.get((req.url ?? '').split('?')[0]);
    // Read at each scrape: a run over several processes sums their latest metrics.
    if (run) metricsHandler(run.registry)(req, res);
    else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`metrics are at ${paths.join(' and ')}\n`);
    }
  });
  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  let note = '';
  try {
    await listen(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw error;
    await listen(0);
    note = ` (port ${port} is taken; pass --port to choose)`;
  }
  const { port: bound } = server.address() as AddressInfo;
  return { server, urls: paths.map((p) => `http://127.0.0.1:${bound}${p}`), note };
}

function banner(
  options: DemoOptions,
  runs: Run[],
  metrics: string[],
  note: string,
  traces: string,
  prom?: DemoPrometheus,
) {
  const phases = scenario(options.scenario).phases ?? [];
  const each = phases.length
    ? ` (${phases.map((p) => p.name).join(' -> ')}, ${(options.durationS / phases.length).toFixed(1)} s each)`
    : '';
  const what = options.real
    ? `the real Claude API, at most ${REAL_CAP.maxCalls} calls, ${REAL_CAP.concurrency} at a time, ${REAL_CAP.maxTokens} output tokens each`
    : `scenario ${options.scenario}${each}`;
  const lines = [
    `claude-otel demo: ${what}; ${options.durationS} s, ${runs[0].spec.workload.concurrency} callers per run`,
    ...runs.map((run) => `  ${run.spec.label.padEnd(18)} ${run.target}`),
    `  metrics            ${metrics.join('  ')}${note}`,
    `  traces             ${traces}`,
  ];
  if (prom) lines.push(`  prometheus         ${prom.url}  (alerts: ${prom.url}/alerts)`);
  return `${lines.join('\n')}\n\n`;
}

export async function demo(argv: string[]): Promise<number> {
  const options = parseDemoOptions(argv);
  if (options === 'help') {
    process.stdout.write(`${demoUsage}\n`);
    return 0;
  }
  const apiKey = process.env.ANTHROPIC_API_KEY;
  if (options.real && !apiKey) {
    process.stderr.write(
      'claude-otel demo: --real sends a small, capped workload to the real Claude API and needs a key, but ANTHROPIC_API_KEY is not set.\n' +
        'Set it (export ANTHROPIC_API_KEY=...), or drop --real to run on the embedded simulator (no key, no network).\n',
    );
    return 1;
  }
  if (options.processes > 1 && !options.redis && !redisAvailable()) {
    process.stderr.write(
      'claude-otel demo: --processes shares one governor through Redis: pass --redis redis://host:port, or install "redis-server" (Debian/Ubuntu: apt-get install redis-server) and it is started on loopback.\n',
    );
    return 1;
  }
  if (options.processes > 1 && options.redis) {
    // A fleet that cannot reach its Redis governs each process alone: its comparison would claim
    // one governor through Redis that never was.
    const why = await redisUnreachable(options.redis);
    if (why) {
      process.stderr.write(
        `claude-otel demo: --redis ${options.redis} does not answer (${why}). Start that Redis, or drop --redis and the demo starts "redis-server" on loopback itself.\n`,
      );
      return 1;
    }
  }
  if (options.prometheus && !prometheusAvailable()) {
    process.stderr.write(
      'claude-otel demo: --prometheus needs the "prometheus" binary on PATH (Debian/Ubuntu: apt-get install prometheus). Drop --prometheus to run without it.\n',
    );
    return 1;
  }

  const tracing = startDemoTracing();
  const runs: Run[] = [];
  let redis: RedisServer | undefined;
  let server: Server | undefined;
  let prometheus: DemoPrometheus | undefined;
  const controller = new AbortController();
  // Every call listens to this one signal (to stop at Ctrl-C).
  setMaxListeners(0, controller.signal);
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const workload = options.real ? REAL_CAP : simulatedWorkload(options.concurrency);
    const common = { durationS: options.durationS, seed: options.seed, workload };
    const where = options.real ? { apiKey } : { scenario: options.scenario };
    if (options.processes > 1) {
      redis = options.redis ? undefined : await launchRedis(await freePort());
      const redisUrl = options.redis ?? redis?.url;
      const fleet = { ...common, ...where, processes: options.processes, spans: tracing.governed };
      runs.push(
        await FleetRun.start({
          ...fleet,
          label: options.governor ? 'fleet governor' : 'without governor',
          governor: options.governor,
          redisUrl: options.governor ? redisUrl : undefined,
        }),
      );
      if (options.compare)
        runs.push(await FleetRun.start({ ...fleet, label: 'a governor each', governor: true }));
    } else {
      runs.push(
        await DemoRun.start({
          ...common,
          ...where,
          label: options.governor ? 'with governor' : 'without governor',
          governor: options.governor,
          spans: tracing.governed,
        }),
      );
      if (options.compare) {
        const twin = tracing.twinProvider();
        runs.push(
          await DemoRun.start({
            ...common,
            ...where,
            label: 'without governor',
            governor: false,
            spans: twin.counter,
            tracerProvider: twin.provider,
          }),
        );
      }
    }
    const served = await serveMetrics(runs, options.port);
    server = served.server;
    if (options.prometheus) {
      const jobs: Record<string, string> = { 'claude-otel-demo': served.urls[0] };
      if (served.urls[1]) jobs['claude-otel-demo-no-governor'] = served.urls[1];
      prometheus = await startDemoPrometheus(jobs);
    }
    const progress = options.json ? process.stderr : process.stdout;
    progress.write(banner(options, runs, served.urls, served.note, tracing.destination, prometheus));
    if (prometheus) {
      // Traffic starts once Prometheus scrapes: its rates and alerts then see all of it.
      progress.write('Waiting for Prometheus to scrape the demo once...\n');
      await prometheus.scrapedAfter(0);
    }

    // Both simulators' phases start with the traffic, together (they were started one after the other).
    for (const run of runs) run.restartClock();
    const startedAt = Date.now();
    const endAt = startedAt + options.durationS * 1000;
    const view = new LiveView(
      runs,
      progress,
      Boolean(progress.isTTY) && !options.json,
      startedAt,
      options.durationS,
      Math.max(1, Math.min(5, Math.round(options.durationS / 8))),
    );
    const ticker = setInterval(() => void view.tick().catch(() => undefined), progress.isTTY ? 500 : 1000);
    // Calls still waiting long after the end (a long pause) are cut off rather than kept forever.
    const cutOff = setTimeout(() => controller.abort(), options.durationS * 1000 + 60_000);
    await Promise.all(runs.map((run) => run.begin(endAt, controller.signal)));
    clearInterval(ticker);
    clearTimeout(cutOff);
    await view.tick(true);

    const summary: DemoSummary = {
      scenario: options.real ? 'real' : options.scenario,
      durationSeconds: options.durationS,
      concurrency: workload.concurrency,
      seed: options.seed,
      real: options.real,
      runs: await Promise.all(runs.map((run) => run.summary())),
    };
    if (!options.real) summary.telemetryMatchesSimulator = summary.runs.every(matches);
    if (prometheus) {
      // A scrape after the traffic, the recording rules over it, then the alerts over those.
      await prometheus.scrapedAfter(Date.now());
      await prometheus.evaluatedAfter(Date.now());
      await prometheus.evaluatedAfter(Date.now());
      summary.alerts = alertsOf(await prometheus.alerts());
    }
    if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else process.stdout.write(renderSummary(summary));
    if (interrupted)
      process.stderr.write('claude-otel demo: interrupted; the summary covers the calls made until then.\n');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await Promise.all(runs.map((run) => run.close()));
    await prometheus?.stop();
    await redis?.stop();
    await tracing.shutdown();
  }
}
