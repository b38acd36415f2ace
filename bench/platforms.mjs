// Two AWS accounts on one Bedrock endpoint, side by side in one run: the real AnthropicBedrock
// client (SigV4, explicit access keys) against the simulator's Bedrock mode, where each account
// keeps its own quota per model (600 requests/min, a 1 s bucket; no rate-limit headers, no
// retry-after, as Bedrock answers). Account A sends at 2x its quota (about every 2nd request
// throttled), account B at half of its own, both open-loop for the same seconds:
//   plain        the platform client alone (maxRetries 2)
//   claude-otel  the same app with AnthropicInstrumentation registered (its require hook)
// Each arm runs in a forked process of its own; the simulator is this process's, reset between.
// Target (issue 26): B's calls take <= 1.2x what they take with the plain client; A's caller is
// no worse off than with the plain client (as many successful calls, within 3%). Writes results/platforms.{json,md}.
//   node bench/platforms.mjs [--seconds 15] [--short] [--no-write]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    short: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    worker: { type: 'string' },
    url: { type: 'string' },
  },
});
const D = values.short ? 3000 : Number(values.seconds) * 1000;
const LIMIT_PER_MINUTE = 600;
const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const ARMS = ['plain', 'claude-otel'];
const RATES = { a: (2 * LIMIT_PER_MINUTE) / 60, b: (0.5 * LIMIT_PER_MINUTE) / 60 };

if (values.worker) await worker(values.worker, values.url);
else await main();

/** One arm: both accounts' clients in one app, open-loop senders, every call's outcome and time. */
async function worker(arm, url) {
  if (arm === 'claude-otel') {
    const { registerInstrumentations } = require('@opentelemetry/instrumentation');
    const { AnthropicInstrumentation } = require('../dist/cjs/index.js');
    const { Registry } = require('prom-client');
    registerInstrumentations({
      instrumentations: [new AnthropicInstrumentation({ metrics: { registry: new Registry() } })],
    });
  }
  const { AnthropicBedrock } = require('@anthropic-ai/bedrock-sdk');
  const client = (account) =>
    new AnthropicBedrock({
      baseURL: url,
      awsRegion: 'us-east-1',
      awsAccessKey: `AKIDACCOUNT${account.toUpperCase()}`,
      awsSecretKey: `secret-${account}`,
      maxRetries: 2,
      logLevel: 'off',
    });
  const calls = { a: [], b: [] };
  const send = async (account, c, i) => {
    const start = performance.now();
    try {
      await c.messages.create({
        model: MODEL,
        max_tokens: 16,
        messages: [{ role: 'user', content: `account ${account} call ${i}` }],
      });
      calls[account].push({ ms: performance.now() - start, ok: true });
    } catch (error) {
      calls[account].push({ ms: performance.now() - start, ok: false, error: error.constructor.name });
    }
  };
  const pending = [];
  const t0 = performance.now();
  await Promise.all(
    Object.entries(RATES).map(async ([account, perSecond]) => {
      const c = client(account);
      for (let i = 0; ; i++) {
        const at = t0 + (i * 1000) / perSecond;
        if (at - t0 >= D) break;
        const wait = at - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        pending.push(send(account, c, i));
      }
    }),
  );
  await Promise.all(pending);
  process.send({ calls });
  process.disconnect();
}

function quantiles(list) {
  const ms = list.map((c) => c.ms).sort((x, y) => x - y);
  const at = (q) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] : 0);
  return {
    meanMs: ms.length ? ms.reduce((s, x) => s + x, 0) / ms.length : 0,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

function summary(list) {
  return {
    calls: list.length,
    ok: list.filter((c) => c.ok).length,
    failed: list.filter((c) => !c.ok).length,
    ...quantiles(list),
    succeeded: quantiles(list.filter((c) => c.ok)),
    failedCalls: quantiles(list.filter((c) => !c.ok)),
  };
}

async function main() {
  const { startSimulator } = await import('../dist/esm/simulator.mjs');
  const sim = await startSimulator({
    limits: {
      requestsPerMinute: LIMIT_PER_MINUTE,
      inputTokensPerMinute: 1e9,
      outputTokensPerMinute: 1e9,
      burstSeconds: 1,
    },
    latency: { responseMs: 20 },
  });
  const results = {};
  for (const arm of ARMS) {
    sim.reset();
    const child = fork(
      join(here, 'platforms.mjs'),
      ['--worker', arm, '--url', sim.url, '--seconds', String(D / 1000)],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const [message] = await once(child, 'message');
    await once(child, 'exit');
    const attempts = sim.attempts();
    results[arm] = {
      a: summary(message.calls.a),
      b: summary(message.calls.b),
      attempts: sim.stats().attempts,
      throttled: attempts.filter((x) => x.status === 429).length,
    };
    console.log(
      `[platforms] ${arm.padEnd(12)} B: ${results[arm].b.calls} calls, mean ${results[arm].b.meanMs.toFixed(1)} ms, p99 ${results[arm].b.p99Ms.toFixed(1)} ms; A: ${results[arm].a.ok} ok, ${results[arm].a.failed} failed; ${results[arm].throttled} of ${results[arm].attempts} attempts throttled`,
    );
  }
  await sim.close();
  const plain = results.plain;
  const ours = results['claude-otel'];
  const targets = [
    {
      what: "the other account's (B's) calls: mean time vs the plain client",
      measured: ours.b.meanMs / plain.b.meanMs,
      target: '<= 1.2x',
      pass: ours.b.meanMs <= 1.2 * plain.b.meanMs,
    },
    {
      what: "B's failed calls vs the plain client",
      measured: `${ours.b.failed} vs ${plain.b.failed}`,
      target: '<=',
      pass: ours.b.failed <= plain.b.failed,
    },
    {
      // Past its quota no client gets more through; the caller-first rule is that the governor
      // costs the throttled account no calls (within the run's noise, as the other targets).
      what: "the throttled account's (A's) successful calls vs the plain client",
      measured: ours.a.ok / plain.a.ok,
      target: '>= 0.97x',
      pass: ours.a.ok >= 0.97 * plain.a.ok,
    },
  ];
  const report = {
    when: new Date().toISOString(),
    machine: `${cpus().length} cores, Node ${process.version}`,
    seconds: D / 1000,
    limitPerMinute: LIMIT_PER_MINUTE,
    rates: RATES,
    results,
    targets,
  };
  const row = (arm, who) => {
    const s = results[arm][who];
    return `| ${arm} | ${who === 'a' ? 'A (2x its quota)' : 'B (0.5x its quota)'} | ${s.calls} | ${s.ok} | ${s.failed} | ${s.meanMs.toFixed(1)} | ${s.p50Ms.toFixed(1)} | ${s.p99Ms.toFixed(1)} | ${s.succeeded.p50Ms.toFixed(0)} / ${s.succeeded.p99Ms.toFixed(0)} | ${s.failedCalls.p50Ms.toFixed(0)} / ${s.failedCalls.p99Ms.toFixed(0)} |`;
  };
  const md = [
    '# Two AWS accounts on one Bedrock endpoint',
    '',
    `${report.when}, ${report.machine}. \`npm run bench:platforms\`: the real \`AnthropicBedrock\` (SigV4) against the simulator's Bedrock mode, ${LIMIT_PER_MINUTE} requests/min per account and model (no rate-limit headers, no retry-after), ${D / 1000} s open-loop per arm; account A at 2x its quota, B at 0.5x.`,
    '',
    '| arm | account | calls | ok | failed | mean ms | p50 ms | p99 ms | succeeded p50 / p99 ms | failed p50 / p99 ms |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...ARMS.flatMap((arm) => [row(arm, 'a'), row(arm, 'b')]),
    '',
    `Attempts: plain ${plain.attempts} (${plain.throttled} throttled), claude-otel ${ours.attempts} (${ours.throttled} throttled).`,
    '',
    '| target | measured | target | pass |',
    '|---|---|---|---|',
    ...targets.map(
      (t) =>
        `| ${t.what} | ${typeof t.measured === 'number' ? `${t.measured.toFixed(2)}x` : t.measured} | ${t.target} | ${t.pass ? 'yes' : 'NO'} |`,
    ),
    '',
  ].join('\n');
  console.log(md);
  if (!values['no-write']) {
    writeFileSync(join(here, 'results', 'platforms.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(here, 'results', 'platforms.md'), md);
  }
  process.exit(targets.every((t) => t.pass) ? 0 : 1);
}
