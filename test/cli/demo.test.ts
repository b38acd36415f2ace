import { statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { DemoSummary } from '../../src/cli/demo/report';
import { freePort } from '../../src/cli/free-port';
import { startSimulator } from '../../src/simulator';
import { startOtlpReceiver } from '../support/otlp-receiver';
import { BIN, ROOT, requireBuild, run } from '../support/processes';
import { requirePrometheus } from '../support/prometheus';
import { startRedis } from '../support/redis';

beforeAll(requireBuild);

const demo = (...args: string[]) => run('node', [BIN, 'demo', ...args]);
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const withoutNoResponse = (byStatus: Record<string, number>) => {
  const out = { ...byStatus };
  delete out[''];
  return out;
};

describe('claude-otel demo', () => {
  it("short run, not a terminal: plain progress lines, and a JSON summary whose numbers equal the simulators' counts", async () => {
    const done = await demo('--duration', '6', '--concurrency', '4', '--port', '0', '--json');
    expect(done.code).toBe(0);
    // Progress went to stderr as plain lines (no cursor movement), one per second or so.
    expect(done.stderr).not.toContain('\x1b[');
    expect(done.stderr).toMatch(/^\[\s+\d+s (healthy|rate-limited|overload|recovery)\] with governor: /m);
    // One line per second: the final line does not repeat the last periodic one.
    const stamps = done.stderr.match(/^\[\s*\d+s[^\]]*\]/gm) ?? [];
    expect(stamps.length).toBeGreaterThan(1);
    expect(new Set(stamps).size).toBe(stamps.length);
    const summary = JSON.parse(done.stdout) as DemoSummary;
    expect(summary).toMatchObject({ scenario: 'cycle', durationSeconds: 6, concurrency: 4, real: false });
    expect(summary.runs.map((r) => [r.label, r.governor])).toEqual([
      ['with governor', true],
      ['without governor', false],
    ]);
    for (const run of summary.runs) {
      const sim = run.simulator!;
      expect(sim.attempts).toBeGreaterThan(20);
      // Telemetry (the prom-client registry, the attempt spans) equals what the simulator counted.
      expect(run.telemetry.attempts).toBe(sim.attempts);
      expect(withoutNoResponse(run.telemetry.byStatus)).toEqual(sim.byStatus);
      expect(run.telemetry.retries).toBe(sim.retries);
      expect(run.attemptSpans).toBe(sim.attempts);
      expect(run.rejectedByApi.attempts).toBe((sim.byStatus['429'] ?? 0) + (sim.byStatus['529'] ?? 0));
      // Every call settled one way or another.
      expect(run.calls.succeeded + sum(run.calls.failed) + sum(run.calls.refused)).toBe(run.calls.total);
      expect(run.calls.total).toBe(run.calls.started);
    }
    expect(summary.runs[0].telemetry.governor).toBeDefined();
    expect(summary.runs[1].telemetry.governor).toBeUndefined();
    expect(summary.telemetryMatchesSimulator).toBe(true);
  });

  it('with OTEL_EXPORTER_OTLP_ENDPOINT, exports one attempt span per attempt of the governed run, under the SDK call spans', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const done = await run(
        'node',
        [BIN, 'demo', '--duration', '3', '--concurrency', '2', '--port', '0', '--json'],
        {
          env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint },
        },
      );
      expect(done.code).toBe(0);
      expect(done.stderr).toContain(`traces             exported over OTLP to ${receiver.endpoint}`);
      const summary = JSON.parse(done.stdout) as DemoSummary;
      const attempts = receiver.spans.filter((s) => s.scope === 'claude-otel');
      // The governed run's spans only: the twin's are counted, never exported.
      expect(attempts).toHaveLength(summary.runs[0].simulator!.attempts);
      const calls = new Set(
        receiver.spans.filter((s) => s.name === 'anthropic.messages.create').map((s) => s.spanId),
      );
      expect(calls.size).toBe(summary.runs[0].calls.total);
      expect(attempts.every((s) => calls.has(s.parentSpanId ?? ''))).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('--real sends a capped workload (20 calls at most, 2 at a time, 16 tokens, one small model) to the API the SDK is pointed at', async () => {
    // Here the "real API" is a simulator the SDK reaches through its own ANTHROPIC_BASE_URL.
    const sim = await startSimulator({ scenario: 'healthy', latency: { responseMs: 20, firstTokenMs: 20 } });
    try {
      const done = await run('node', [BIN, 'demo', '--real', '--duration', '30', '--port', '0', '--json'], {
        env: { ...process.env, ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: sim.url },
      });
      expect(done.code).toBe(0);
      expect(done.stderr).toContain(`with governor      ${sim.url}`);
      const summary = JSON.parse(done.stdout) as DemoSummary;
      expect(summary).toMatchObject({ real: true, scenario: 'real', concurrency: 2 });
      expect(summary.runs).toHaveLength(1);
      expect(summary.runs[0].calls.total).toBe(20);
      expect(sim.stats().attempts).toBe(20);
      expect(summary.runs[0].telemetry.attempts).toBe(20);
      expect(sim.stats().byModel).toEqual({ 'claude-haiku-5-5': 20 });
      expect(sim.stats().tokens.output).toBeLessThanOrEqual(20 * 16);
      expect(done.stdout + done.stderr).not.toContain('sk-ant-test');
    } finally {
      await sim.close();
    }
  });

  it('prints the summary table and the comparison when not asked for JSON', async () => {
    const done = await demo('--duration', '4', '--concurrency', '2', '--port', '0');
    expect(done.code).toBe(0);
    expect(done.stdout).not.toContain('\x1b[');
    expect(done.stdout).toMatch(
      /claude-otel demo: scenario cycle \(healthy -> rate-limited -> overload -> recovery, 1\.0 s each\)/,
    );
    expect(done.stdout).toMatch(/metrics +http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expect(done.stdout).toMatch(/^Summary: scenario cycle, 4 s, 2 callers per run, same workload and seed$/m);
    expect(done.stdout).toMatch(/^attempts +\d+ +\d+$/m);
    expect(done.stdout).toContain('What the governor did:');
    expect(done.stdout).toContain('Against the same workload without it:');
    expect(done.stdout).toContain("Telemetry vs the simulator's own count: equal");
    // The live lines explain "allowed"; the last one says the run is done (the scenario's phases
    // repeat: the phase at that instant is the next pass's "healthy").
    const lines = done.stdout.split('\n').filter((line) => line.startsWith('['));
    expect(lines.at(-1)).toMatch(/^\[ +4s done\]/);
    expect(lines.some((line) => line.includes('(headroom)'))).toBe(true);
  });

  it('--redis that does not answer: says so and exits 1, rather than claim a fleet that never shared Redis', async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const done = await demo('--processes', '2', '--concurrency', '2', '--redis', dead, '--duration', '2');
    expect(done.code).toBe(1);
    expect(done.stderr).toContain(`--redis ${dead} does not answer (connect ECONNREFUSED`);
    expect(done.stdout).toBe('');
  });

  it('--no-governor runs one ungoverned run; a taken --port falls back to a free one and says so', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const done = await demo(
        '--no-governor',
        '--duration',
        '2',
        '--concurrency',
        '2',
        '--port',
        String(port),
        '--json',
      );
      expect(done.code).toBe(0);
      expect(done.stderr).toContain(`(port ${port} is taken; pass --port to choose)`);
      const summary = JSON.parse(done.stdout) as DemoSummary;
      expect(summary.runs.map((r) => [r.label, r.governor])).toEqual([['without governor', false]]);
      expect(summary.runs[0].telemetry.attempts).toBe(summary.runs[0].simulator?.attempts);
    } finally {
      blocker.close();
    }
  });

  it('--prometheus: a real Prometheus with the alert rules scrapes both runs; the overloaded_error alert fires', async () => {
    requirePrometheus();
    const done = await demo(
      '--scenario',
      'overload',
      '--duration',
      '5',
      '--concurrency',
      '4',
      '--port',
      '0',
      '--prometheus',
      '--json',
    );
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/prometheus +http:\/\/127\.0\.0\.1:\d+/);
    const summary = JSON.parse(done.stdout) as DemoSummary;
    // Scrapes do not disturb the demo's own reading of its registries (an OpenMetrics registry
    // renames its counters at the first scrape).
    expect(summary.telemetryMatchesSimulator).toBe(true);
    expect(summary.alerts).toContainEqual({
      job: 'claude-otel-demo',
      alertname: 'AnthropicOverloadedErrorRatioHigh',
      severity: 'critical',
      state: 'firing',
    });
    expect(summary.alerts).toContainEqual({
      job: 'claude-otel-demo-no-governor',
      alertname: 'AnthropicOverloadedErrorRatioHigh',
      severity: 'critical',
      state: 'firing',
    });
  });

  it('--processes 3: each run over 3 processes on one simulator, the governed one a fleet through Redis', async () => {
    const redis = await startRedis();
    try {
      const done = await demo(
        '--processes',
        '3',
        '--redis',
        redis.url,
        '--duration',
        '6',
        '--concurrency',
        '6',
        '--port',
        '0',
        '--json',
      );
      expect(done.code).toBe(0);
      expect(done.stderr).toMatch(
        /^\s+fleet governor\s+simulator http:\S+, 3 processes, one governor through Redis/m,
      );
      const summary = JSON.parse(done.stdout) as DemoSummary;
      expect(summary.runs.map((r) => [r.label, r.governor, r.processes?.count, r.processes?.fleet])).toEqual([
        ['fleet governor', true, 3, true],
        ['a governor each', true, 3, false],
      ]);
      for (const run of summary.runs) {
        const sim = run.simulator!;
        // The processes' metrics and spans, summed, equal what the one simulator counted.
        expect(run.telemetry.attempts).toBe(sim.attempts);
        expect(withoutNoResponse(run.telemetry.byStatus)).toEqual(sim.byStatus);
        expect(run.telemetry.retries).toBe(sim.retries);
        expect(run.attemptSpans).toBe(sim.attempts);
        expect(run.processes?.succeeded).toHaveLength(3);
        expect(run.processes!.succeeded.reduce((a, b) => a + b, 0)).toBe(run.calls.succeeded);
        expect(run.calls.succeeded + sum(run.calls.failed) + sum(run.calls.refused)).toBe(run.calls.total);
      }
      expect(summary.telemetryMatchesSimulator).toBe(true);
      // The fleet's processes used the Redis they were given.
      const keys = await redis.keys('claude-otel:*');
      expect(keys.length).toBeGreaterThanOrEqual(2);
    } finally {
      await redis.stop();
    }
  });

  describe('bad flags: a clear message and a non-zero exit', () => {
    it.each([
      [['--duration', 'soon'], 2, '--duration must be a whole number >= 1, got "soon"'],
      [['--duration', '0'], 2, '--duration must be a whole number >= 1, got "0"'],
      [['--concurrency', '-3'], 2, '--concurrency'],
      [['--scenario', 'meltdown'], 2, 'unknown scenario "meltdown"; choose one of: healthy, rate-limited'],
      [['--port', '70000'], 2, '--port must be at most 65535'],
      [['--bogus'], 2, "Unknown option '--bogus'"],
      [
        ['--real', '--scenario', 'overload'],
        2,
        '--scenario chooses a simulated scenario: it cannot go with --real',
      ],
      [['--processes', '2', '--real'], 2, '--processes runs on the simulator: it cannot go with --real'],
      [['--redis', 'redis://127.0.0.1:6379'], 2, '--redis is the Redis of --processes: add --processes N'],
      [
        ['--processes', '9', '--concurrency', '4'],
        2,
        '--processes 9 needs at least as many callers (--concurrency 4)',
      ],
    ])('demo %j exits %i: %s', async (args, code, message) => {
      const done = await demo(...args);
      expect(done.code).toBe(code);
      expect(done.stderr).toContain(message);
      // The mistake and where the options are, not the whole help.
      expect(done.stderr).toContain('Run "claude-otel demo --help" for the options.');
      expect(done.stderr).not.toContain('Usage:');
    });

    it('--real without ANTHROPIC_API_KEY says what to do and exits 1 without sending anything', async () => {
      const env = { ...process.env };
      delete env.ANTHROPIC_API_KEY;
      const done = await run('node', [BIN, 'demo', '--real'], { env });
      expect(done.code).toBe(1);
      expect(done.stderr).toContain('ANTHROPIC_API_KEY is not set');
      expect(done.stderr).toContain('drop --real to run on the embedded simulator');
      expect(done.stdout).toBe('');
    });

    it('--prometheus without the prometheus binary says how to get it', async () => {
      // Node by its full path: PATH leads nowhere.
      const done = await run(process.execPath, [BIN, 'demo', '--prometheus'], {
        env: { ...process.env, PATH: '/nonexistent' },
      });
      expect(done.code).toBe(1);
      expect(done.stderr).toContain('--prometheus needs the "prometheus" binary on PATH');
    });
  });

  it('npm start builds only when a source changed: after a build, --help runs the built CLI at once', async () => {
    const stamp = join(ROOT, 'dist', '.built');
    const builtAt = statSync(stamp).mtimeMs;
    const entry = statSync(join(ROOT, 'dist', 'cjs', 'index.js')).mtimeMs;
    const done = await run('npm', ['start', '--silent', '--', '--help'], { cwd: ROOT });
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^Usage: claude-otel demo/);
    // Nothing was built again.
    expect(statSync(stamp).mtimeMs).toBe(builtAt);
    expect(statSync(join(ROOT, 'dist', 'cjs', 'index.js')).mtimeMs).toBe(entry);
  });

  it('every command has --help', async () => {
    for (const args of [['--help'], ['demo', '--help'], ['simulate', '--help'], ['demo', '-h']]) {
      const done = await run('node', [BIN, ...args]);
      expect({ args, code: done.code }).toEqual({ args, code: 0 });
      expect(done.stdout).toMatch(/^Usage: claude-otel/);
    }
    const unknown = await run('node', [BIN, 'dance']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "dance"');
  });
});
