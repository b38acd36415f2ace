// The governor's gate at scale: heap added by 10,000 queued calls, and the cost per attempt of
// queueing and admitting as the queue grows (O(1) means the per-attempt cost stays flat).
//   node --expose-gc bench/governor-scale.mjs [--no-write]
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Governor } = require('../dist/cjs/governor/governor.js');
const { resolveGovernorConfig } = require('../dist/cjs/governor/config.js');
const { LocalSignals } = require('../dist/cjs/governor/signals.js');
const here = dirname(fileURLToPath(import.meta.url));
if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');

/** A governor paused by a retry-after, so every call queues; `release()` lifts the pause. */
function pausedGovernor(maxQueue) {
  let now = 0;
  const governor = new Governor(
    resolveGovernorConfig({ maxQueue, maxWaitMs: 3_600_000, pauseJitterMs: 0 }),
    new LocalSignals(),
    undefined,
    () => now,
  );
  governor.ended(
    {
      status: 429,
      retryAfterMs: 3_000_000, // within maxWaitMs: a longer one pauses nobody
      retryCount: 0,
      stream: false,
      outcome: { failed: true, errorType: 'rate_limit_error', retryable: true },
      durationMs: 0,
    },
    {
      waitedMs: 0,
      ticket: 0,
      tokens: { input: { reserved: 0, returned: 0 }, output: { reserved: 0, returned: 0 } },
      at: 0,
      cost: undefined,
    },
  );
  return {
    governor,
    release() {
      now = 2e9;
      governor.ended(
        { status: 200, retryCount: 0, stream: false, outcome: { failed: false }, durationMs: 0 },
        {
          waitedMs: 0,
          ticket: 0,
          tokens: { input: { reserved: 0, returned: 0 }, output: { reserved: 0, returned: 0 } },
          at: now,
          cost: undefined,
        },
      );
    },
  };
}

/** One round: n calls queue behind a pause, then all are admitted; ns per call for each half. */
async function round(n) {
  const { governor, release } = pausedGovernor(n + 1);
  const t0 = process.hrtime.bigint();
  const waits = [];
  for (let i = 0; i < n; i++) waits.push(governor.enter(undefined, false));
  const queued = Number(process.hrtime.bigint() - t0) / n;
  if (!(waits[n - 1] instanceof Promise))
    throw new Error('the governor did not queue: the bench measures nothing');
  const t1 = process.hrtime.bigint();
  release();
  await Promise.all(waits);
  const admitted = Number(process.hrtime.bigint() - t1) / n;
  governor.close();
  return { queued, admitted };
}

const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Median over enough rounds that every size queues ~300,000 calls in all (one round of 100 is noise). */
async function queueCost(n) {
  const rounds = Math.max(3, Math.ceil(300_000 / n));
  const results = [];
  for (let i = 0; i < rounds; i++) results.push(await round(n));
  return {
    n,
    rounds,
    enqueueNsPerCall: Math.round(median(results.map((r) => r.queued))),
    admitNsPerCall: Math.round(median(results.map((r) => r.admitted))),
  };
}

// Heap: 10,000 calls waiting.
global.gc();
const before = process.memoryUsage().heapUsed;
const { governor, release } = pausedGovernor(20_000);
const waits = Array.from({ length: 10_000 }, () => governor.enter(undefined, false));
if (!(waits[9_999] instanceof Promise))
  throw new Error('the governor did not queue: the bench measures nothing');
global.gc();
const heapMb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
release();
await Promise.all(waits);
governor.close();

for (const n of [100, 1_000, 10_000]) await queueCost(n); // warm-up
const sizes = [100, 1_000, 10_000, 100_000];
const costs = [];
for (const n of sizes) costs.push(await queueCost(n));
const base = costs[0];
const rows = costs.map((c) => ({
  ...c,
  perCallVsSmallest:
    Math.round(
      ((c.enqueueNsPerCall + c.admitNsPerCall) / (base.enqueueNsPerCall + base.admitNsPerCall)) * 100,
    ) / 100,
}));
const report = {
  date: new Date().toISOString(),
  node: process.version,
  heapMbFor10000Queued: Math.round(heapMb * 100) / 100,
  heapTargetMb: 50,
  queueSizes: rows,
};
const md = `# Governor gate at scale

${report.date}, Node ${report.node}. \`node --expose-gc bench/governor-scale.mjs\`: a governor paused by a
retry-after, so every call waits in its queue; then the pause lifts and all are admitted.

- Heap added by 10,000 waiting calls: **${report.heapMbFor10000Queued} MB** (target < 50 MB).
- Cost per call to queue and to admit, by queue size (median over ~300,000 queued calls per size; the queue is O(1) per call, so growth here is the memory system, not the algorithm):

| calls queued | rounds (median) | queue ns/call | admit ns/call | per call vs 100 queued |
|---:|---:|---:|---:|---:|
${rows.map((r) => `| ${r.n} | ${r.rounds} | ${r.enqueueNsPerCall} | ${r.admitNsPerCall} | ${r.perCallVsSmallest}x |`).join('\n')}
`;
process.stdout.write(md);
if (!process.argv.includes('--no-write')) {
  writeFileSync(join(here, 'results', 'governor-scale.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(here, 'results', 'governor-scale.md'), md);
}
