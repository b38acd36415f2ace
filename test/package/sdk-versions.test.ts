import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUPPORTED_SDK_VERSIONS, TESTED_SDK_VERSIONS } from '../../src';
import { NEWEST_TESTED_SDK, OLDEST_SDK, sdkNotice } from '../../src/sdk-versions';
import { type Simulator, startSimulator } from '../../src/simulator';
import { ROOT, requireBuild, run } from '../support/processes';

const REAL_SDK = join(ROOT, 'node_modules', '@anthropic-ai', 'sdk');
const matrix = JSON.parse(readFileSync(join(ROOT, 'test', 'compat', 'matrix.json'), 'utf8')) as {
  cells: { sdk: string }[];
};
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

let sim: Simulator;
let scratch: string;
beforeAll(async () => {
  requireBuild();
  sim = await startSimulator();
  // Inside the repository, so that the copied SDK finds @opentelemetry/api as an app's would.
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  scratch = mkdtempSync(join(ROOT, '.tmp', 'sdk-versions-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs version-app.cjs against the real SDK's code installed under a version label of our choosing. */
async function runWithSdkLabelled(version: string, env: NodeJS.ProcessEnv = {}) {
  const root = join(scratch, version);
  const dir = join(root, 'node_modules', '@anthropic-ai', 'sdk');
  cpSync(REAL_SDK, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...manifest, version }));
  sim.reset();
  const done = await run('node', [join(ROOT, 'test', 'apps', 'version-app.cjs')], {
    env: { ...process.env, SDK_ROOT: root, SIM_URL: sim.url, OTEL_TRACES_EXPORTER: 'none', ...env },
  });
  expect(done.code).toBe(0);
  const warnings = done.stderr.match(/\(node:\d+\) \[(\w+)\] ClaudeOtelWarning: .*/g) ?? [];
  return { attempts: JSON.parse(done.stdout).attempts as number, warnings, stderr: done.stderr };
}

describe('the SDK versions claude-otel supports', () => {
  it('match the version matrix and package.json: every release with middleware, tested to the newest pin', () => {
    const pinned = matrix.cells.map((c) => c.sdk).filter((v) => /^\d/.test(v));
    const order = (a: string, b: string) => {
      const [x, y] = [a, b].map((v) => v.split('.').map(Number));
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    };
    const supported = pinned.filter((v) => order(v, OLDEST_SDK) >= 0).sort(order);
    expect(supported[0]).toBe(OLDEST_SDK);
    expect(supported.at(-1)).toBe(NEWEST_TESTED_SDK);
    expect(pkg.peerDependencies['@anthropic-ai/sdk']).toBe(`>=${OLDEST_SDK}`);
    expect(SUPPORTED_SDK_VERSIONS).toEqual([`>=${OLDEST_SDK}`]);
    expect(TESTED_SDK_VERSIONS).toEqual([`>=${OLDEST_SDK} <=${NEWEST_TESTED_SDK}`]);
  });

  it('say nothing for a tested release', () => {
    expect(sdkNotice(OLDEST_SDK)?.code).toBe('CLAUDE_OTEL_SDK_NO_CALL_SPAN');
    expect(sdkNotice('0.134.0')).toBeUndefined();
    expect(sdkNotice(NEWEST_TESTED_SDK)).toBeUndefined();
    expect(sdkNotice('0.100.9')?.code).toBe('CLAUDE_OTEL_SDK_TOO_OLD');
    expect(sdkNotice('1.99.0')?.code).toBe('CLAUDE_OTEL_SDK_NEWER_RELEASE');
    expect(sdkNotice('2.0.0-beta.1')?.code).toBe('CLAUDE_OTEL_SDK_UNTESTED');
    expect(sdkNotice('not a version')?.code).toBe('CLAUDE_OTEL_SDK_UNTESTED');
  });
});

describe('an app whose SDK is outside the tested range is told so, once, and never silently dropped', () => {
  it('the tested release: attempts traced, no warning', async () => {
    const seen = await runWithSdkLabelled(NEWEST_TESTED_SDK);
    expect(seen.attempts).toBe(2);
    expect(seen.warnings).toEqual([]);
  });

  it('a newer release of the tested major (the SDK ships one every few days): instrumented, no warning, one diag line', async () => {
    const seen = await runWithSdkLabelled('1.99.0', { OTEL_LOG_LEVEL: 'warn' });
    expect(seen.attempts).toBe(2);
    expect(seen.warnings).toEqual([]);
    expect(
      seen.stderr.match(/1\.99\.0 is newer than [\d.]+, the newest release claude-otel is tested with/g),
    ).toHaveLength(1);
  });

  it.each(['2.0.0', '2.0.0-beta.1'])(
    'a newer major SDK (%s) is still instrumented, with one warning naming the tested releases',
    async (version) => {
      const seen = await runWithSdkLabelled(version);
      expect(seen.attempts).toBe(2);
      expect(sim.stats().attempts).toBe(2);
      expect(seen.warnings).toHaveLength(1);
      expect(seen.warnings[0]).toContain('[CLAUDE_OTEL_SDK_UNTESTED]');
      expect(seen.warnings[0]).toContain(
        `@anthropic-ai/sdk ${version} is newer than the releases claude-otel is tested with (${OLDEST_SDK} to ${NEWEST_TESTED_SDK})`,
      );
    },
  );

  it('an SDK without the middleware option gets one warning that names the version needed', async () => {
    const seen = await runWithSdkLabelled('0.100.0');
    expect(seen.attempts).toBe(0);
    expect(sim.stats().attempts).toBe(2);
    expect(seen.warnings).toHaveLength(1);
    expect(seen.warnings[0]).toContain('[CLAUDE_OTEL_SDK_TOO_OLD]');
    expect(seen.warnings[0]).toContain(`needs @anthropic-ai/sdk >= ${OLDEST_SDK}`);
  });

  it('an SDK without its own call span: traced, and OpenTelemetry diag says the attempt spans are roots', async () => {
    const seen = await runWithSdkLabelled('0.120.0', { OTEL_LOG_LEVEL: 'warn' });
    expect(seen.attempts).toBe(2);
    expect(seen.warnings).toEqual([]);
    expect(seen.stderr.match(/starts no call span of its own/g)).toHaveLength(1);
  });
});
