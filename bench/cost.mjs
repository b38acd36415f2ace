// Per-call cost in instructions (valgrind callgrind), repeatable where CPU time on a shared 2-core
// machine is not: each variant (see client-variants.mjs) runs in a process of its own under
// callgrind with instrumentation off, warms up, and only its measured calls are counted
// (callgrind_control turns instrumentation on and off around them). The simulator runs in
// another process, not counted. Non-streaming and streaming; runs interleave the variants.
// Targets: claude-otel as it comes adds at most 1.5x, and its spans alone 1.2x, what
// OpenTelemetry's instrumentation-undici adds per call over the SDK with its own tracing.
//   node bench/cost.mjs [--runs 3] [--warmup 6000] [--calls 400] [--jobs 2] [--variants a,b] [--modes non-streaming,streaming] [--dir .tmp/cost] [--no-write]
// Profiles are kept in .tmp/cost/ (callgrind_annotate reads them). --jobs runs that many cells at
// once: instruction counts do not depend on sharing the cores, only timings would.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { VARIANTS } from './client-variants.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '6000' },
    calls: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '16' },
    jobs: { type: 'string', default: '2' },
    dir: { type: 'string', default: join('.tmp', 'cost') },
    // Single-threaded: V8's GC and compiler work is counted on the main thread. A large initial
    // old space: no major GC lands in a measured window (one that did added 300-800k Ir per call
    // to one run and none to the next); what each variant leaves to the major GC is reported
    // apart, as bytes promoted per call. A 2 MB young generation: ~40 scavenges per window
    // instead of ~5 (with ~5, one more or less moved a run by ~80k Ir per call); runs then
    // repeat within ~1%. It weighs the young-generation GC more than Node's default (up to 16 MB).
    'node-flags': {
      type: 'string',
      default: '--single-threaded --initial-old-space-size=1024 --max-semi-space-size=2',
    },
    variants: { type: 'string', default: VARIANTS.join(',') },
    modes: { type: 'string', default: 'non-streaming,streaming' },
    'no-write': { type: 'boolean', default: false },
  },
});
const TARGET_AS_IT_COMES = 1.5;
const TARGET_SPANS = 1.2;
const variants = values.variants.split(',');
const modes = values.modes.split(',');
const runs = Number(values.runs);
const calls = Number(values.calls);
const nodeFlags = values['node-flags'].split(' ').filter(Boolean);

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  process.stderr.write('bench/cost.mjs needs valgrind (callgrind): apt-get install valgrind\n');
  process.exit(2);
}
const profiles = join(root, values.dir);
rmSync(profiles, { recursive: true, force: true });
mkdirSync(profiles, { recursive: true });
const control = promisify(execFile);

const server = spawn(process.execPath, [join(here, 'simulator-server.mjs'), 'simulator'], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const { url } = await new Promise((resolve) => server.once('message', resolve));
// However the run ends, the simulator goes with it.
process.on('exit', () => server.kill());

/** Instructions per measured call of one variant, in a process of its own. */
async function measure(variant, stream, file) {
  const args = [
    '--tool=callgrind',
    '--instr-atstart=no',
    '--smc-check=all-non-file',
    '--separate-threads=yes',
  ];
  args.push(`--callgrind-out-file=${file}`, process.execPath, ...nodeFlags, join(here, 'cost-client.mjs'));
  args.push('--variant', variant, '--url', url, '--warmup', values.warmup, '--calls', values.calls);
  args.push('--concurrency', values.concurrency);
  if (stream) args.push('--stream');
  const child = spawn('valgrind', args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: root });
  let log = '';
  child.stderr.on('data', (chunk) => {
    log += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'warm') {
      await control('callgrind_control', ['-i', 'on', String(child.pid)]);
      child.stdin.write('go\n');
    } else if (line === 'done') {
      await control('callgrind_control', ['-i', 'off', String(child.pid)]);
      child.stdin.write('exit\n');
      break;
    }
  }
  const code = await exited;
  // One profile per thread (<file>-01 the main thread, then V8's and libuv's): main and all.
  const threads = readdirSync(dirname(file))
    .filter((name) => name.startsWith(`${basename(file)}-`))
    .sort()
    .map((name) => Number(/^totals: (\d+)/m.exec(readFileSync(join(dirname(file), name), 'utf8'))?.[1] ?? 0));
  if (code !== 0 || threads.length === 0)
    throw new Error(`${variant}: callgrind run failed (exit ${code})\n${log.slice(-2000)}`);
  const all = threads.reduce((a, b) => a + b, 0) / calls;
  return { all, main: threads[0] / calls, compile: (await compiling(`${file}-01`)) / calls };
}

/** V8's own compilers (bytecode, Maglev, Turbofan) and their zones: by name, in the main thread's profile. */
const COMPILER = /compiler::|Turbofan|Maglev|maglev|Compile|Zone/;

/**
 * Instructions V8 spent compiling in a profile: what a window holds of it depends on when a
 * function reached its tier-up, not on the calls (a late one lands in some runs: ~50k Ir per call
 * more), so it is counted apart. Code V8 generated has no name (`0x...`) and is never counted here.
 */
async function compiling(file) {
  const { stdout } = await control('callgrind_annotate', ['--threshold=100', file], {
    maxBuffer: 256 * 1024 * 1024,
  });
  let total = 0;
  let counting = false;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('Ir')) counting = true;
    if (!counting) continue;
    const row = /^\s*([\d,]+) \([^)]*\)\s+(.*)$/.exec(line);
    if (!row || row[2].includes('PROGRAM TOTALS') || row[2].startsWith('???:0x')) continue;
    if (COMPILER.test(row[2])) total += Number(row[1].replaceAll(',', ''));
  }
  return total;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const started = Date.now();
const results = {};
const mainThread = {};
const withCompilation = {};
const cells = [];
for (const mode of modes) {
  results[mode] = Object.fromEntries(variants.map((v) => [v, []]));
  mainThread[mode] = Object.fromEntries(variants.map((v) => [v, []]));
  withCompilation[mode] = Object.fromEntries(variants.map((v) => [v, []]));
  for (let run = 0; run < runs; run++)
    // Rotate the order each run, so no variant always follows the same one.
    for (const variant of variants.map((_, i) => variants[(i + run) % variants.length]))
      cells.push({ mode, variant, run });
}
let done = 0;
const worker = async () => {
  for (let cell = cells.shift(); cell; cell = cells.shift()) {
    const { mode, variant, run } = cell;
    const file = join(profiles, `${mode}.${variant}.${run + 1}.out`);
    const { all, main, compile } = await measure(variant, mode === 'streaming', file);
    const ir = all - compile;
    results[mode][variant][run] = ir;
    withCompilation[mode][variant][run] = all;
    mainThread[mode][variant][run] = main;
    done++;
    const total = done + cells.length;
    const elapsed = (Date.now() - started) / 1000;
    process.stderr.write(
      `[cost ${Math.round(elapsed)} s, ${done}/${total}, ~${Math.round((elapsed / done) * (total - done))} s left] ${mode} ${variant} run ${run + 1}: ${Math.round(ir).toLocaleString('en-US')} Ir/call without compiling (${Math.round(all).toLocaleString('en-US')} with, main thread ${Math.round(main).toLocaleString('en-US')})\n`,
    );
  }
};
await Promise.all(Array.from({ length: Math.max(1, Number(values.jobs)) }, worker));

/**
 * Bytes promoted to the old generation per call (what the major GC will have to mark), from a
 * native run of the same client with V8's GC trace: the instructions above leave major GCs out.
 */
async function promotedPerCall(variant, stream) {
  const args = [...nodeFlags, '--trace-gc-nvp', join(here, 'cost-client.mjs'), '--variant', variant];
  args.push('--url', url, '--warmup', values.warmup, '--calls', String(promotedCalls));
  args.push('--concurrency', values.concurrency);
  if (stream) args.push('--stream');
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'], cwd: root });
  let measuring = false;
  let promoted = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'warm') {
      measuring = true;
      child.stdin.write('go\n');
    } else if (line === 'done') {
      child.stdin.write('exit\n');
      break;
    } else if (measuring) promoted += Number(/ promoted=(\d+)/.exec(line)?.[1] ?? 0);
  }
  await new Promise((resolve) => child.once('exit', resolve));
  return promoted / promotedCalls;
}
const promotedCalls = 3000;
const promoted = {};
for (const mode of modes) {
  promoted[mode] = {};
  for (const variant of variants)
    promoted[mode][variant] = await promotedPerCall(variant, mode === 'streaming');
}
server.send({ command: 'close' });

const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const cases = modes.map((mode) => {
  const irs = results[mode];
  // Without the baseline (a run of some variants only), nothing is relative to it.
  const sdk = irs.sdk ? median(irs.sdk) : Number.NaN;
  const adds = (variant) => (irs[variant] && irs.sdk ? median(irs[variant]) / sdk - 1 : undefined);
  const row = Object.fromEntries(
    variants.map((v) => [
      v,
      {
        irPerCall: Math.round(median(irs[v])),
        range: [Math.round(Math.min(...irs[v])), Math.round(Math.max(...irs[v]))],
        runs: irs[v].map(Math.round),
        withCompilation: {
          irPerCall: Math.round(median(withCompilation[mode][v])),
          runs: withCompilation[mode][v].map(Math.round),
        },
        overSdkTracing: v === 'sdk' ? 0 : adds(v) === undefined ? null : Math.round(adds(v) * 1000) / 1000,
        promotedBytesPerCall: Math.round(promoted[mode][v]),
      },
    ]),
  );
  const ratioTo = (peer) => (v) =>
    adds(peer) && adds(v) !== undefined ? Math.round((adds(v) / adds(peer)) * 100) / 100 : undefined;
  const overUndici = ratioTo('sdk+undici');
  // The floor of a middleware span with as many facts: the target the results propose.
  const overBareSpan = ratioTo('sdk+bare-span');
  return {
    mode,
    variants: row,
    asItComesOverUndici: overUndici('sdk+claude-otel'),
    spansOverUndici: overUndici('sdk+spans'),
    asItComesOverBareSpan: overBareSpan('sdk+claude-otel'),
    spansOverBareSpan: overBareSpan('sdk+spans'),
  };
});
const verdicts = cases.flatMap((c) => [
  c.asItComesOverUndici === undefined
    ? `${c.mode}: as it comes not judged (undici or claude-otel not measured)`
    : c.asItComesOverUndici <= TARGET_AS_IT_COMES
      ? null
      : `${c.mode}: as it comes ${c.asItComesOverUndici}x undici`,
  c.spansOverUndici === undefined
    ? `${c.mode}: spans not judged (undici or spans not measured)`
    : c.spansOverUndici <= TARGET_SPANS
      ? null
      : `${c.mode}: spans ${c.spansOverUndici}x undici`,
]);
const failures = verdicts.filter(Boolean);
const report = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
  settings: {
    runs,
    warmupCalls: Number(values.warmup),
    measuredCalls: calls,
    concurrency: Number(values.concurrency),
    nodeFlags,
  },
  targets: `claude-otel as it comes adds <= ${TARGET_AS_IT_COMES}x, its spans alone <= ${TARGET_SPANS}x, what instrumentation-undici adds per call over the SDK's tracing`,
  cases,
  verdict: failures.length === 0 ? 'pass' : failures,
};
const rangeText = (r) =>
  `${r.irPerCall.toLocaleString('en-US')} (${r.range.map((x) => x.toLocaleString('en-US')).join('-')})`;
const tables = cases
  .map((c) => {
    const lines = variants.map((v) => {
      const r = c.variants[v];
      const adds =
        v === 'sdk' || r.overSdkTracing === null
          ? ''
          : v === 'off'
            ? pct(r.overSdkTracing)
            : `**${pct(r.overSdkTracing)}**`;
      const compiled = r.withCompilation;
      const withText = `${compiled.irPerCall.toLocaleString('en-US')} (${Math.min(...compiled.runs).toLocaleString('en-US')}-${Math.max(...compiled.runs).toLocaleString('en-US')})`;
      return `| ${v} | ${rangeText(r)} | ${adds} | ${withText} | ${r.promotedBytesPerCall.toLocaleString('en-US')} |`;
    });
    return `### ${c.mode}

| variant | Ir per call without compiling, median (range of ${runs} runs) | adds over SDK tracing | with V8's compiling, median (range) | bytes promoted per call |
|---|---:|---:|---:|---:|
${lines.join('\n')}

claude-otel as it comes adds **${c.asItComesOverUndici ?? '-'}x** what instrumentation-undici adds; its spans alone **${c.spansOverUndici ?? '-'}x**.
Over a bare span with 22 attributes (the proposed target: spans <= 1.0x, as it comes <= 1.5x): as it comes **${c.asItComesOverBareSpan ?? '-'}x**, spans alone **${c.spansOverBareSpan ?? '-'}x**.`;
  })
  .join('\n\n');
const md = `# Per-call cost in instructions

${report.date}, ${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}.
\`node bench/cost.mjs\` (\`npm run bench:cost\`): the official SDK against the simulator (another process, not
counted) on loopback, 16 calls in flight. Each variant runs in a process of its own under valgrind
callgrind with instrumentation off; after ${report.settings.warmupCalls} warm-up calls, instrumentation is turned on
for ${calls} measured calls and off again (\`callgrind_control\`), so the count is the measured calls'
instructions alone, JIT warmed, in every thread of the process. V8 runs single-threaded
(\`${nodeFlags.join(' ')}\`): its compiler and young-generation GC work is done in the
calls that cause it. With a large initial old space no major GC (marking, compaction) lands in a
window: one that did added 300-800k Ir per call to one run and nothing to the next, more than the
differences measured. With a 2 MB young generation a window holds ~40 scavenges instead of ~5
(with ~5, one scavenge more or less moved a run by ~80k Ir per call). Runs of a variant still spread
by up to ~2.5% (60k Ir per call), and that spread is V8 compiling: a function that reaches its tier-up late lands its compilation in some windows
(~50k Ir per call more) and not in others. V8's compilers (bytecode, Maglev, Turbofan, their zones) are
therefore counted apart, by name in each profile, and the figures and ratios are without them: runs of a
variant then repeat within ~0.5%. What they add is shown beside, with compiling. With a small young generation,
the young-generation GC weighs more than with Node's default (up to 16 MB), for every variant. What each variant leaves for the major GC is shown apart: bytes promoted to
the old generation per call, from a native run of ${promotedCalls} calls with V8's GC trace.
${runs} runs per variant, ${values.jobs} at a time (instruction counts do not depend on sharing the cores), variants interleaved. Spans go to a BatchSpanProcessor whose exporter drops
them. Variants: the SDK with its tracing off; with its own tracing (one span per call; the
baseline); plus OpenTelemetry's \`@opentelemetry/instrumentation-undici\` (one span per HTTP request:
the peer); plus a middleware that only calls \`next()\`; plus one that starts a bare span
with 22 attributes and ends it when the body has been read (one wrapper around the SDK's \`json()\`
or the stream's iterator: the floor of a span per attempt that lasts to the end of its response); plus claude-otel with spans only; plus claude-otel as it comes (spans,
Prometheus metrics and the governor, which lets every attempt through at once here).

${tables}

Targets: ${report.targets}. Verdict: ${report.verdict === 'pass' ? '**pass**' : `**FAIL** (${report.verdict.join('; ')})`}.
`;
if (!values['no-write']) {
  writeFileSync(join(here, 'results', 'cost.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(here, 'results', 'cost.md'), md);
}
process.stdout.write(`\n${md}`);
process.exitCode = report.verdict === 'pass' ? 0 : 1;
