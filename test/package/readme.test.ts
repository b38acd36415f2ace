import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../src/cli/free-port';
import { type Simulator, startSimulator } from '../../src/simulator';
import { startOtlpReceiver } from '../support/otlp-receiver';
import { ROOT, requireBuild, run, startWithFirstLine } from '../support/processes';
import { startRedis } from '../support/redis';

const EXAMPLES = join(ROOT, 'examples');
const KEY = 'sk-ant-readme-canary';
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

let sim: Simulator;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
beforeAll(async () => {
  requireBuild();
  sim = await startSimulator();
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});
beforeEach(() => {
  sim.reset();
  receiver.clear();
});

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  ANTHROPIC_BASE_URL: sim.url,
  ANTHROPIC_API_KEY: KEY,
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
  ...extra,
});

async function runExample(args: string[]) {
  const done = await run('node', args, { cwd: EXAMPLES, env: env() });
  expect({ code: done.code, stderr: done.stderr }).toEqual({ code: 0, stderr: '' });
  return done.stdout;
}

describe('the README', () => {
  it('quotes every JavaScript snippet from examples/, as the files are (node scripts/readme.mjs), and names every example', async () => {
    const blocks = [...readme.matchAll(/(<!-- example: (\S+) -->\n)?```(js|ts|javascript|typescript)\n/g)];
    expect(blocks.length).toBeGreaterThanOrEqual(7);
    expect(blocks.filter((b) => !b[1]).map((b) => b.index)).toEqual([]);
    // Each example is quoted or linked, so none is dead.
    for (const file of readdirSync(EXAMPLES)) expect(readme).toContain(`examples/${file}`);
    const check = await run('node', [join(ROOT, 'scripts', 'readme.mjs'), '--check']);
    expect({ code: check.code, stderr: check.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('states the install line the version matrix installs', () => {
    expect(readme).toContain(
      'npm install claude-otel @anthropic-ai/sdk @opentelemetry/api @opentelemetry/sdk-node @opentelemetry/exporter-trace-otlp-http prom-client',
    );
  });
});

describe('every example runs as written', () => {
  it.each([
    ['CommonJS', ['--require', './instrumentation.cjs', 'app.cjs']],
    ['ESM', ['--import', './instrumentation.mjs', 'app.mjs']],
  ])('%s registration: one exported attempt span per attempt the simulator saw', async (_kind, args) => {
    sim.script({ kind: 'error', status: 529 });
    const stdout = await runExample(args);
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(2); // the reply, then the story
    const attempts = receiver.spans.filter((s) => s.scope === 'claude-otel');
    expect(sim.stats().attempts).toBe(3);
    expect(attempts.map((s) => s.attributes['anthropic.request.id']).sort()).toEqual(
      sim
        .attempts()
        .map((a) => a.requestId)
        .sort(),
    );
    const calls = new Set(
      receiver.spans.filter((s) => s.scope === 'com.anthropic.sdk.typescript').map((s) => s.spanId),
    );
    expect(attempts.every((s) => s.parentSpanId !== undefined && calls.has(s.parentSpanId))).toBe(true);
    expect(JSON.stringify(receiver.spans.map((s) => s.attributes))).not.toContain(KEY);
  });

  it.each([
    ['CommonJS', ['--require', './instrumentation.cjs', 'app.cjs']],
    ['ESM', ['--import', './instrumentation.mjs', 'app.mjs']],
  ])(
    '%s registration, an app that dies of an uncaught OverloadedError: every attempt still exported (shutdownOnExit)',
    async (_kind, args) => {
      // The SDK's two retries meet 529s too: the call throws, and nothing in the app catches it.
      sim.script(...Array(3).fill({ kind: 'error', status: 529 }));
      const done = await run('node', args, { cwd: EXAMPLES, env: env() });
      expect(done.code).toBe(1);
      expect(done.stderr).toContain('OverloadedError');
      const attempts = receiver.spans.filter((s) => s.scope === 'claude-otel');
      expect(sim.stats().attempts).toBe(3);
      expect(attempts.map((s) => s.attributes['error.type'])).toEqual(Array(3).fill('overloaded_error'));
      expect(receiver.spans.filter((s) => s.scope === 'com.anthropic.sdk.typescript')).toHaveLength(1);
    },
  );

  it('CommonJS registration, an app stopped by SIGTERM mid-stream: the attempts that ended are exported, and it ends by the signal', async () => {
    // The reply (a stall means nothing to it), then a story that stalls: the stream never ends.
    sim.script({ kind: 'stall', afterDeltas: 1, durationMs: 600_000 } as never);
    sim.script({ kind: 'stall', afterDeltas: 1, durationMs: 600_000 } as never);
    const app = startWithFirstLine(
      'node',
      ['--require', join(EXAMPLES, 'instrumentation.cjs'), join(EXAMPLES, 'app.cjs')],
      env(),
    );
    await app.firstLine;
    app.child.kill('SIGTERM');
    const done = await app.exited;
    expect(app.child.signalCode).toBe('SIGTERM');
    expect(done.stderr).toBe('');
    const attempts = receiver.spans.filter((s) => s.scope === 'claude-otel');
    expect(attempts.map((s) => s.attributes['anthropic.request.id'])).toEqual([sim.attempts()[0].requestId]);
  });

  it('middleware.mjs: a client of its own', async () => {
    expect(await runExample(['middleware.mjs'])).not.toBe('');
    expect(sim.stats().attempts).toBe(1);
  });

  it('options.mjs: metrics in an OpenMetrics registry of its own, by label', async () => {
    const stdout = await runExample(['options.mjs']);
    expect(stdout).toContain(
      'anthropic_attempts_total{operation="chat",model="claude-sonnet-5-5",status_code="200",error_type=""} 1',
    );
    expect(stdout).toContain('# EOF');
  });

  it('simulator.mjs: a scripted 429, and the counts', async () => {
    const stdout = await runExample(['simulator.mjs']);
    expect(stdout.split('\n')[0]).toBe('429 rate_limit_error');
    expect(stdout).toContain('attempts: 1,');
  });

  it('fleet.mjs: shares its governor through Redis and exits; with no Redis it still calls, and says so', async () => {
    const redis = await startRedis();
    try {
      const up = await run('node', ['fleet.mjs'], { cwd: EXAMPLES, env: env({ REDIS_URL: redis.url }) });
      expect({ code: up.code, stderr: up.stderr }).toEqual({ code: 0, stderr: '' });
      expect(up.stdout).not.toBe('');
      // The fleet's bucket and members are in Redis (sends leased there), under the default prefix.
      const keys = await redis.keys('claude-otel:*');
      expect(keys.map((k) => k.replace(/\{\w+\}/, '{domain}')).sort()).toEqual([
        'claude-otel:{domain}:members',
        'claude-otel:{domain}:rate',
      ]);
      const nobody = `redis://127.0.0.1:${await freePort()}`;
      const down = await run('node', ['fleet.mjs'], { cwd: EXAMPLES, env: env({ REDIS_URL: nobody }) });
      expect(down.code).toBe(0);
      expect(down.stdout).not.toBe('');
      expect(down.stderr).toMatch(
        /\[CLAUDE_OTEL_FLEET_FALLBACK\] ClaudeOtelWarning: claude-otel fleet: Redis \(127\.0\.0\.1:\d+\) failed \(connect ECONNREFUSED/,
      );
      expect(sim.stats().attempts).toBe(2);
    } finally {
      await redis.stop();
    }
  });

  it('metrics.mjs: serves /metrics until stopped', async () => {
    const server = startWithFirstLine(
      'node',
      ['--import', './examples/instrumentation.mjs', 'examples/metrics.mjs'],
      {
        METRICS_PORT: '0',
        OTEL_TRACES_EXPORTER: 'none',
      },
    );
    try {
      const line = await server.firstLine;
      const url = /Prometheus metrics on (\S+)/.exec(line)?.[1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const scraped = await fetch(url as string);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('anthropic_attempts_in_flight 0');
    } finally {
      server.stop();
      await server.exited;
    }
  });
});
