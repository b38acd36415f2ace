// Fleet mode against the alternatives, side by side in one run: one simulated API that serves 50
// requests/s (3000/min, a 1 s bucket), N forked processes (N = 1, 4, 8) sharing 1x, 2x and 4x its
// capacity in closed-loop callers (50 x load callers in all, each a call and then 1 s of thought).
//   sdk      the SDK alone (maxRetries 2)
//   process  claude-otel's governor, one per process (no Redis)
//   fleet    claude-otel's governor shared through Redis (governor.fleet)
//   oracle   every attempt of the fleet paced at exactly 50/s by one pacer (the parent)
// Redis is a real redis-server on a free loopback port. Writes results/fleet.{json,md,svg}.
//   node bench/fleet.mjs [--seconds 20] [--short] [--no-write] [--only N]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSimulator } from '../dist/esm/simulator.mjs';
import { Pacer } from './strategies/pacer.mjs';

const require = createRequire(import.meta.url);
const { freePort } = require('../dist/cjs/cli/free-port.js');
const { launchRedis, redisAvailable } = require('../dist/cjs/cli/demo/redis-process.js');
const Redis = require('ioredis');
const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    short: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const D = values.short ? 3000 : Number(values.seconds) * 1000;
const GRACE_MS = 30_000;
const THINK_MS = 1000;
const CAPACITY = 50;
const LOADS = [1, 2, 4];
const SIZES = values.only ? [Number(values.only)] : [1, 4, 8];
const STRATEGIES = ['sdk', 'process', 'fleet', 'oracle'];
const HIGH = { requestsPerMinute: 1e7, inputTokensPerMinute: 1e10, outputTokensPerMinute: 1e10 };

/** A redis-server of our own on a free loopback port. */
async function startRedis() {
  if (!redisAvailable()) {
    console.error(
      'bench/fleet.mjs needs redis-server: sudo apt-get install -y --no-install-recommends redis-server',
    );
    process.exit(2);
  }
  return launchRedis(await freePort());
}

/** Round trips to Redis so far: scripts run, pings, subscriptions (not what scripts call inside). */
async function roundTrips(redis) {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const [, name, calls] of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) {
    if (['evalsha', 'eval', 'ping', 'subscribe'].includes(name)) total += Number(calls);
  }
  return total;
}

/** `total` callers over `n` processes, as evenly as they go. */
const split = (total, n) =>
  Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));

async function cell(redisServer, redis, n, load, strategy, unlimited = false) {
  const sim = await startSimulator({
    limits: unlimited ? HIGH : { ...HIGH, requestsPerMinute: CAPACITY * 60, burstSeconds: 1 },
    latency: { responseMs: 50 },
    seed: 7,
    logSize: 2_000_000,
  });
  await redis.flushall();
  const pacer = new Pacer(CAPACITY);
  const children = split(CAPACITY * load, n).map((workers) =>
    fork(join(here, 'fleet-member.mjs'), {
      env: {
        ...process.env,
        SIM_URL: sim.url,
        STRATEGY: strategy,
        REDIS_URL: redisServer.url,
        API_KEY: `bench-fleet-${n}-${load}-${strategy}-${unlimited}`,
        WORKERS: String(workers),
        DURATION_MS: String(D),
        THINK_MS: String(THINK_MS),
        GRACE_MS: String(GRACE_MS),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const results = children.map(
    (child) =>
      new Promise((resolve) => {
        child.on('message', (message) => {
          if (message.type === 'slot') pacer.take().then(() => child.send({ type: 'slot', n: message.n }));
          if (message.type === 'done') resolve(message.result);
        });
      }),
  );
  await Promise.all(children.map((child) => once(child, 'message')));
  sim.reset();
  for (const child of children) child.send({ type: 'go' });
  const members = await Promise.all(results);
  const attempts = sim.attempts();
  await sim.close();
  return summarize(n, load, strategy, members, attempts);
}

const pctl = (xs, p) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const round = (x, d = 3) => (x === null || x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);

/** The bucket bound (le, seconds) the median lease round trip falls in, over every member. */
function medianRoundTrip(members) {
  const counts = new Map();
  for (const m of members)
    for (const [le, count] of m.redisRoundTrips ?? []) counts.set(le, (counts.get(le) ?? 0) + count);
  const total = counts.get('+Inf') ?? 0;
  if (total === 0) return null;
  for (const [le, count] of counts) if (le !== '+Inf' && count >= total / 2) return Number(le);
  return Number.POSITIVE_INFINITY;
}

function summarize(n, load, strategy, members, attempts) {
  const calls = members.flatMap((m) => m.calls);
  const ok = (c) => c.ok && c.end <= D;
  const perReplica = members.map((m) => m.calls.filter(ok).length / (D / 1000));
  const rateLimited = attempts.filter((a) => a.status === 429).length;
  const latencies = calls.filter((c) => !c.unfinished).map((c) => c.end - c.start);
  return {
    processes: n,
    load,
    strategy,
    calls: calls.length,
    succeeded: calls.filter(ok).length,
    goodputOverCapacity: round(calls.filter(ok).length / ((CAPACITY * D) / 1000)),
    share429: round(rateLimited / Math.max(1, attempts.length), 4),
    failedCalls: calls.filter((c) => !c.ok).length,
    unfinishedCalls: calls.filter((c) => c.unfinished).length,
    attempts: attempts.length,
    latencyP50Ms: round(pctl(latencies, 0.5), 1),
    latencyP99Ms: round(pctl(latencies, 0.99), 0),
    replicaGoodput: perReplica.map((g) => round(g, 2)),
    replicaSpread: round(Math.max(...perReplica) / Math.max(1e-9, Math.min(...perReplica)), 3),
    redisRoundTripsPerAttempt: null,
    leaseRoundTripP50Ms:
      strategy === 'fleet' ? round((medianRoundTrip(members) ?? Number.NaN) * 1000, 3) : null,
    fallbacks: strategy === 'fleet' ? members.reduce((sum, m) => sum + (m.fallbacks ?? 0), 0) : null,
  };
}

const redisServer = await startRedis();
const redis = new Redis(redisServer.url);
const started = performance.now();
const rows = [];
/** What Redis adds to a call where nothing needs pacing: the fleet governor against the per-process one. */
const unpaced = [];
async function measure(n, load, strategy, unlimited) {
  const t0 = performance.now();
  const before = await roundTrips(redis);
  const row = await cell(redisServer, redis, n, load, strategy, unlimited);
  if (strategy === 'fleet')
    row.redisRoundTripsPerAttempt = round(((await roundTrips(redis)) - before) / Math.max(1, row.attempts));
  process.stderr.write(
    `${unlimited ? 'unpaced ' : ''}N=${n} ${load}x ${strategy.padEnd(7)} goodput ${row.goodputOverCapacity} ` +
      `429 ${(row.share429 * 100).toFixed(1)}% failed ${row.failedCalls} p50 ${row.latencyP50Ms} p99 ${row.latencyP99Ms} ms ` +
      `spread ${row.replicaSpread}` +
      (strategy === 'fleet'
        ? ` redis ${row.redisRoundTripsPerAttempt}/attempt, lease p50 <= ${row.leaseRoundTripP50Ms} ms`
        : '') +
      ` (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
  );
  return row;
}
try {
  for (const n of SIZES) {
    for (const load of LOADS) {
      for (const strategy of STRATEGIES) rows.push(await measure(n, load, strategy, false));
    }
  }
  for (const n of SIZES.filter((n) => n !== 4)) {
    for (const strategy of ['process', 'fleet']) unpaced.push(await measure(n, 1, strategy, true));
  }
} finally {
  redis.disconnect();
  await redisServer.stop();
}

const find = (n, load, strategy) =>
  rows.find((r) => r.processes === n && r.load === load && r.strategy === strategy);
const checks = [];
const check = (target, measured, pass) => checks.push({ target, measured, pass });
for (const load of [2, 4]) {
  const fleet = find(8, load, 'fleet');
  const oracle = find(8, load, 'oracle');
  if (!fleet || !oracle) continue;
  check(`N=8, ${load}x: 429 share <= 0.5%`, `${(fleet.share429 * 100).toFixed(2)}%`, fleet.share429 <= 0.005);
  check(`N=8, ${load}x: no failed calls`, fleet.failedCalls, fleet.failedCalls === 0);
  check(
    `N=8, ${load}x: goodput >= 0.95 of capacity`,
    fleet.goodputOverCapacity,
    fleet.goodputOverCapacity >= 0.95,
  );
  const p99 = fleet.latencyP99Ms / oracle.latencyP99Ms;
  check(
    `N=8, ${load}x: p99 <= 1.3x the oracle's`,
    `${fleet.latencyP99Ms} vs ${oracle.latencyP99Ms} ms = ${p99.toFixed(2)}x`,
    p99 <= 1.3,
  );
  check(`N=8, ${load}x: per-replica goodput max/min <= 1.3`, fleet.replicaSpread, fleet.replicaSpread <= 1.3);
}
for (const n of [...new Set(unpaced.map((r) => r.processes))]) {
  const alone = unpaced.find((r) => r.processes === n && r.strategy === 'process');
  const fleet = unpaced.find((r) => r.processes === n && r.strategy === 'fleet');
  const added = fleet.latencyP50Ms - alone.latencyP50Ms;
  check(
    `Redis adds <= 1 ms p50 per call (N=${n}, nothing to pace)`,
    `${fleet.latencyP50Ms} vs ${alone.latencyP50Ms} ms = ${added >= 0 ? '+' : ''}${added.toFixed(1)} ms; ` +
      `${fleet.redisRoundTripsPerAttempt} round trips per attempt, median lease round trip <= ${fleet.leaseRoundTripP50Ms} ms`,
    added <= 1,
  );
}
const full = !values.short && D >= 20_000 && SIZES.length === 3;
for (const c of checks) process.stderr.write(`${c.pass ? 'PASS' : 'FAIL'} ${c.target}: ${c.measured}\n`);
if (!full) process.stderr.write('(a short or partial run: targets are judged on the full run only)\n');

const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  runMs: D,
  capacityPerSecond: CAPACITY,
  thinkMs: THINK_MS,
  totalSeconds: Math.round((performance.now() - started) / 1000),
  checks: full ? checks : [],
  rows,
  unpaced,
};
if (!values['no-write']) {
  writeFileSync(join(here, 'results', 'fleet.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(here, 'results', 'fleet.md'), markdown(report));
  writeFileSync(join(here, 'results', 'fleet.svg'), svg(report));
}
if (full && checks.some((c) => !c.pass)) process.exitCode = 1;

function markdown(r) {
  const pct = (x) => `${(x * 100).toFixed(2)}%`;
  const lines = [
    '# Fleet benchmark',
    '',
    `One simulated API serving ${r.capacityPerSecond} requests/s (3000/min, a 1 s bucket), N forked Node processes ` +
      `sharing 50 x load closed-loop callers (a call, then ${r.thinkMs / 1000} s of thought), ${r.runMs / 1000} s per cell, ` +
      `all strategies one after another in one run (${r.totalSeconds} s in all; ${r.node}, ${r.cpus} CPUs). ` +
      'A real redis-server on loopback. Re-measure with `npm run bench:fleet`.',
    '',
    '- **sdk**: the SDK alone (maxRetries 2). **process**: claude-otel, one governor per process.',
    '- **fleet**: claude-otel with `governor.fleet` (one pause and one rate through Redis).',
    '- **oracle**: every attempt of the fleet paced at exactly 50/s by one pacer.',
    '',
    'Goodput: successful calls finished within the run over capacity x run (the bucket it starts with lets a',
    'little over 1 through). Spread: the most successful calls of one process over the fewest.',
    '',
  ];
  if (r.checks.length) {
    lines.push('## Targets', '', '| target | measured | |', '|---|---|---|');
    for (const c of r.checks) lines.push(`| ${c.target} | ${c.measured} | ${c.pass ? 'pass' : '**FAIL**'} |`);
    lines.push('');
  }
  for (const n of [...new Set(r.rows.map((x) => x.processes))]) {
    lines.push(
      `## ${n} process${n === 1 ? '' : 'es'}`,
      '',
      '| load | strategy | goodput / capacity | 429 share | failed calls | p50 | p99 | goodput per process (calls/s) | spread | Redis round trips / attempt |',
      '|---|---|---:|---:|---:|---:|---:|---|---:|---:|',
    );
    for (const x of r.rows.filter((x) => x.processes === n)) {
      lines.push(
        `| ${x.load}x | ${x.strategy} | ${x.goodputOverCapacity} | ${pct(x.share429)} | ${x.failedCalls} | ${x.latencyP50Ms} ms | ` +
          `${x.latencyP99Ms} ms | ${x.replicaGoodput.join(', ')} | ${x.replicaSpread} | ${x.redisRoundTripsPerAttempt ?? ''} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    '## What Redis adds',
    '',
    'The same 1x load on an API with no effective limit (nothing to pace): the fleet governor against the',
    'per-process one. The lease round trip is read from `anthropic_governor_fleet_redis_seconds` (its bucket bound).',
    '',
    '| processes | strategy | p50 | p99 | round trips / attempt | median lease round trip |',
    '|---:|---|---:|---:|---:|---:|',
  );
  for (const x of r.unpaced)
    lines.push(
      `| ${x.processes} | ${x.strategy} | ${x.latencyP50Ms} ms | ${x.latencyP99Ms} ms | ${x.redisRoundTripsPerAttempt ?? ''} | ` +
        `${x.leaseRoundTripP50Ms === null ? '' : `<= ${x.leaseRoundTripP50Ms} ms`} |`,
    );
  lines.push('', '![429 share and p99 by strategy, 8 processes](fleet.svg)', '');
  return lines.join('\n');
}

function svg(r) {
  const colors = { sdk: '#d62728', process: '#ff7f0e', fleet: '#2ca02c', oracle: '#7f7f7f' };
  const rowsOf = r.rows.filter((x) => x.processes === Math.max(...r.rows.map((y) => y.processes)));
  const panels = [
    { title: '429 share of attempts (%)', value: (x) => x.share429 * 100 },
    { title: 'p99 call latency (s)', value: (x) => x.latencyP99Ms / 1000 },
    { title: 'goodput / capacity', value: (x) => x.goodputOverCapacity },
  ];
  const W = 560;
  const H = 150;
  const pad = 40;
  const parts = [];
  panels.forEach((panel, p) => {
    const y0 = p * (H + 40) + 20;
    const max = Math.max(1e-9, ...rowsOf.map(panel.value));
    parts.push(
      `<text x="${pad}" y="${y0 + 12}" font-size="13">${rowsOf[0]?.processes} processes: ${panel.title}</text>`,
    );
    const loads = [...new Set(rowsOf.map((x) => x.load))];
    const groupW = (W - pad - 10) / loads.length;
    const barW = (groupW - 20) / STRATEGIES.length;
    const base = y0 + H;
    parts.push(`<line x1="${pad}" y1="${base}" x2="${W - 10}" y2="${base}" stroke="#999"/>`);
    loads.forEach((load, g) => {
      const gx = pad + g * groupW + 10;
      parts.push(`<text x="${gx + groupW / 2 - 20}" y="${base + 14}" font-size="11">${load}x load</text>`);
      STRATEGIES.forEach((strategy, i) => {
        const x = rowsOf.find((row) => row.load === load && row.strategy === strategy);
        if (!x) return;
        const v = panel.value(x);
        const h = (v / max) * (H - 30);
        parts.push(
          `<rect x="${(gx + i * barW).toFixed(1)}" y="${(base - h).toFixed(1)}" width="${(barW - 3).toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[strategy]}"/>`,
          `<text x="${(gx + i * barW).toFixed(1)}" y="${(base - h - 3).toFixed(1)}" font-size="9">${v < 10 ? v.toFixed(2) : v.toFixed(1)}</text>`,
        );
      });
    });
  });
  const legendY = panels.length * (H + 40) + 20;
  Object.entries(colors).forEach(([name, color], i) => {
    parts.push(
      `<rect x="${pad + i * 105}" y="${legendY}" width="12" height="12" fill="${color}"/><text x="${pad + i * 105 + 16}" y="${legendY + 11}" font-size="12">${name}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${legendY + 30}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}
