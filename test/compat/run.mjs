// The version matrix (test/compat/matrix.json): each cell is a clean directory where npm installs
// the packed claude-otel beside one SDK / OpenTelemetry / Node combination, as a user would; then
// the README's registrations run there as real apps (check-cell.mjs) and, for `suites` cells,
// the tracing, metrics and governor jest suites run against that SDK.
// Usage: node test/compat/run.mjs [--cell NAME]... [--jobs N]   (npm run test:compat)
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORK = join(ROOT, '.tmp', 'compat');
const matrix = JSON.parse(readFileSync(join(ROOT, 'test', 'compat', 'matrix.json'), 'utf8'));

const args = process.argv.slice(2);
const only = args.flatMap((a, i) => (args[i - 1] === '--cell' ? [a] : []));
const jobs = Number(args[args.indexOf('--jobs') + 1]) || 3;
const unknown = only.filter((name) => !matrix.cells.some((c) => c.name === name));
if (unknown.length) {
  console.error(`no cell named ${unknown.join(', ')}; cells: ${matrix.cells.map((c) => c.name).join(', ')}`);
  process.exit(2);
}
const cells = matrix.cells.filter((c) => !only.length || only.includes(c.name));

/** The newest SDK release the matrix pins: newer ones are expected to be warned about. */
const pinned = matrix.cells.map((c) => c.sdk).filter((v) => /^\d/.test(v));
const byVersion = (a, b) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
};
const NEWEST_TESTED_SDK = pinned.sort(byVersion).at(-1);

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
const say = (cell, text) =>
  console.log(`[compat ${seconds(started).padStart(5)}] ${cell.padEnd(20)} ${text}`);

function exec(command, commandArgs, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** A directory whose `node` is the given major (this one's, or the npm `node` package's). */
const runtimes = new Map();
function runtime(major) {
  if (process.versions.node.split('.')[0] === major) return Promise.resolve(dirname(process.execPath));
  if (!runtimes.has(major)) {
    const dir = join(WORK, `node-${major}`);
    const bin = join(dir, 'node_modules', 'node', 'bin');
    runtimes.set(
      major,
      existsSync(join(bin, 'node'))
        ? Promise.resolve(bin)
        : (async () => {
            mkdirSync(dir, { recursive: true });
            writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
            const done = await exec('npm', ['install', '--no-audit', '--no-fund', `node@${major}`], {
              cwd: dir,
            });
            if (done.code !== 0) throw new Error(`npm install node@${major} failed:\n${done.out}`);
            return bin;
          })(),
    );
  }
  return runtimes.get(major);
}

async function pack() {
  mkdirSync(WORK, { recursive: true });
  for (const old of readdirSync(WORK).filter((f) => f.endsWith('.tgz'))) rmSync(join(WORK, old));
  const done = await exec('npm', ['pack', '--pack-destination', WORK, '--silent']);
  if (done.code !== 0) throw new Error(`npm pack failed:\n${done.out}`);
  return join(
    WORK,
    readdirSync(WORK).find((f) => f.endsWith('.tgz')),
  );
}

/** What the cell installs: the README's install line, with the cell's versions. */
function installSpecs(cell, tarball) {
  const otel = cell.otel === 'latest' ? '' : `@~${cell.otel}.0`;
  return [
    tarball,
    `@anthropic-ai/sdk@${cell.sdk}`,
    '@opentelemetry/api',
    `@opentelemetry/sdk-node${otel}`,
    `@opentelemetry/exporter-trace-otlp-http${otel}`,
    'prom-client',
    // Fleet mode's own install line (README): only where the cell names an ioredis.
    ...(cell.ioredis ? [`ioredis@${cell.ioredis}`] : []),
    // The platform clients, where the cell names them.
    ...(cell.bedrock ? [`@anthropic-ai/bedrock-sdk@${cell.bedrock}`] : []),
    ...(cell.vertex ? [`@anthropic-ai/vertex-sdk@${cell.vertex}`] : []),
  ];
}

async function runCell(cell, tarball) {
  const t0 = Date.now();
  const dir = join(WORK, 'cells', cell.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `cell-${cell.name}`, private: true })}\n`,
  );
  for (const file of ['instrumentation.cjs', 'instrumentation.mjs', 'app.cjs', 'app.mjs', 'fleet.mjs'])
    copyFileSync(join(ROOT, 'examples', file), join(dir, file));
  for (const file of ['check-cell.mjs', 'platform-app.cjs', 'platform-app.mjs', 'platform-options.cjs'])
    copyFileSync(join(ROOT, 'test', 'compat', file), join(dir, file));

  const bin = await runtime(cell.node);
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    NEWEST_TESTED_SDK,
    ...(cell.ioredis ? { FLEET_CHECK: '1' } : {}),
  };
  say(
    cell.name,
    `installing on Node ${cell.node}: ${[...(cell.npmFlags ?? []), ...installSpecs(cell, 'claude-otel.tgz')].join(' ')}`,
  );
  const flags = cell.npmFlags ?? [];
  const install = await exec(
    'npm',
    ['install', '--no-audit', '--no-fund', ...flags, ...installSpecs(cell, tarball)],
    { cwd: dir, env },
  );
  const peerTrouble =
    !flags.includes('--legacy-peer-deps') && /ERESOLVE|peer dep|conflicting peer/i.test(install.out);
  if (install.code !== 0 || peerTrouble) {
    return {
      cell,
      ok: false,
      seconds: seconds(t0),
      reason: `npm install ${install.code ? 'failed' : 'warned'}:\n${install.out}`,
    };
  }
  const checked = await exec(join(bin, 'node'), ['check-cell.mjs'], { cwd: dir, env });
  let findings;
  try {
    findings = JSON.parse(checked.out.trim().split('\n').at(-1));
  } catch {
    return {
      cell,
      ok: false,
      seconds: seconds(t0),
      reason: `check-cell printed no findings:\n${checked.out}`,
    };
  }
  if (checked.code !== 0)
    return { cell, ok: false, seconds: seconds(t0), findings, reason: findings.failures.join('\n') };

  let suites = 'not run';
  if (cell.suites) {
    say(
      cell.name,
      `apps passed; running the tracing, metrics and governor suites on Node ${cell.node} against this SDK`,
    );
    const sdk = join(dir, 'node_modules', '@anthropic-ai', 'sdk');
    const jest = await exec(
      join(bin, 'node'),
      [
        join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
        'test/tracing',
        'test/metrics',
        'test/governor',
        // Child-process apps load the repository's own SDK, and Prometheus is not SDK-bound:
        // the cell's apps above are the child-process check for this SDK.
        '--testPathIgnorePatterns',
        'node-sdk|prometheus',
      ],
      { env: { CLAUDE_OTEL_TEST_SDK: sdk } },
    );
    suites = jest.out.match(/^Tests: .*$/m)?.[0] ?? 'no summary';
    if (jest.code !== 0) {
      // The failures first (the tail of jest's output is mostly the SDK's console warnings).
      const failures = jest.out
        .split('\n')
        .filter((line) => /^\s+● (?!Console)/.test(line) || /^FAIL /.test(line))
        .join('\n');
      const reason = `${failures}\n${jest.out.slice(-3000)}`;
      return { cell, ok: false, seconds: seconds(t0), findings, suites, reason };
    }
  }
  return { cell, ok: true, seconds: seconds(t0), findings, suites };
}

async function main() {
  say('matrix', `${cells.length} cells, ${jobs} at a time; newest pinned SDK ${NEWEST_TESTED_SDK}`);
  const tarball = await pack();
  const queue = [...cells];
  const results = [];
  await Promise.all(
    Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      for (let cell = queue.shift(); cell; cell = queue.shift()) {
        const result = await runCell(cell, tarball).catch((error) => ({
          cell,
          ok: false,
          reason: error.message,
        }));
        say(
          cell.name,
          `${result.ok ? 'PASS' : 'FAIL'} in ${result.seconds ?? '?'}${result.ok ? '' : `\n${result.reason}`}`,
        );
        results.push(result);
      }
    }),
  );
  results.sort((a, b) => cells.indexOf(a.cell) - cells.indexOf(b.cell));
  const rows = results.map(({ cell, ok, findings, suites, seconds: took }) => {
    const v = findings?.versions ?? {};
    const apps = findings?.apps
      ? Object.entries(findings.apps)
          .map(([k, a]) => `${k} ${a.attempts}/${a.simulator}`)
          .join(', ')
      : '-';
    const platforms =
      Object.entries(findings?.platforms ?? {})
        .map(
          ([name, p]) =>
            `${name} ${p.version}: cjs ${p.cjs?.attempts}/${p.cjs?.simulator}, esm ${p.esm?.attempts}/${p.esm?.simulator}`,
        )
        .join('; ') || '-';
    return `| ${cell.name} | ${findings?.node ?? cell.node} | ${v['@anthropic-ai/sdk'] ?? cell.sdk} | ${v['@opentelemetry/sdk-node'] ?? '-'} | ${v['@opentelemetry/api'] ?? '-'} | ${apps} | ${platforms} | ${findings?.demo ?? '-'} | ${findings?.fleet ?? '-'} | ${suites ?? '-'} | ${ok ? 'pass' : 'FAIL'} | ${took ?? '-'} |`;
  });
  const table = [
    '| cell | node | sdk | sdk-node | api | attempt spans / simulator attempts | platform clients (spans / attempts) | demo | fleet mode | jest suites | result | time |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  writeFileSync(join(WORK, 'results.md'), `${table}\n`);
  console.log(`\n${table}\n`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`compat: ${results.length - failed} passed, ${failed} failed (${seconds(started)})`);
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(`compat: ${error.message}`);
  process.exit(1);
});
