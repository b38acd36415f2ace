// Client CPU per call against the simulator on loopback: the SDK with its tracing off, with its
// own tracing, and with its own tracing plus claude-otel, side by side in one process each run
// (interleaved batches; see overhead-client.mjs), for non-streaming and streaming calls and for
// a SimpleSpanProcessor and a BatchSpanProcessor. The client is pinned to one core and the
// simulator to the other (when taskset exists).
// Target: claude-otel adds <= 5% CPU per call over the SDK with its own tracing.
//   node bench/overhead.mjs [--runs 2] [--batches 20] [--batch 400] [--no-write]
import { execFile, execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2' },
    batches: { type: 'string', default: '20' },
    batch: { type: 'string', default: '400' },
    'no-write': { type: 'boolean', default: false },
  },
});
const TARGET = 0.05;
const VARIANTS = ['off', 'sdk', 'sdk+passthrough', 'sdk+bare-span', 'sdk+spans', 'sdk+claude-otel']; // in overhead-client.mjs

const pinned = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return (core, args) => ['taskset', ['-c', String(core), process.execPath, ...args]];
  } catch {
    return (_core, args) => [process.execPath, args];
  }
})();
const [serverCommand, serverArgs] = pinned(1, [join(here, 'simulator-server.mjs'), 'simulator']);
const server = spawn(serverCommand, serverArgs, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const { url } = await new Promise((resolve) => server.once('message', resolve));
const run = promisify(execFile);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

const cases = [];
for (const stream of [false, true]) {
  for (const processor of ['simple', 'batch']) {
    const batches = Object.fromEntries(VARIANTS.map((name) => [name, []]));
    for (let r = 0; r < Number(values.runs); r++) {
      process.stderr.write(
        `${stream ? 'streaming' : 'non-streaming'} / ${processor}: run ${r + 1}/${values.runs}\n`,
      );
      const args = [join(here, 'overhead-client.mjs'), '--processor', processor, '--url', url];
      args.push('--batches', values.batches, '--batch', values.batch);
      if (stream) args.push('--stream');
      const { stdout } = await run(...pinned(0, args), { cwd: here });
      for (const [name, xs] of Object.entries(JSON.parse(stdout))) batches[name].push(...xs);
    }
    const m = Object.fromEntries(Object.entries(batches).map(([k, xs]) => [k, median(xs)]));
    // Paired: batch i of each variant ran side by side, so compare them batch by batch too.
    const paired = (name) => median(batches[name].map((x, i) => x / batches.sdk[i] - 1));
    cases.push({
      mode: stream ? 'streaming' : 'non-streaming',
      processor,
      medianCpuMicrosPerCall: Object.fromEntries(VARIANTS.map((name) => [name, round(m[name])])),
      sdkTracingOverOff: round(m.sdk / m.off - 1, 3),
      passthroughOverSdkTracing: round(paired('sdk+passthrough'), 3),
      bareSpanOverSdkTracing: round(paired('sdk+bare-span'), 3),
      spansOverSdkTracing: round(paired('sdk+spans'), 3),
      claudeOtelOverSdkTracing: round(paired('sdk+claude-otel'), 3),
      batches: Object.fromEntries(Object.entries(batches).map(([k, xs]) => [k, xs.map((x) => round(x))])),
    });
  }
}
server.send({ command: 'close' });

const pct = (x) => `${(x * 100).toFixed(1)}%`;
const failures = cases.filter((c) => c.claudeOtelOverSdkTracing > TARGET);
const report = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
  settings: {
    runs: Number(values.runs),
    batches: Number(values.batches),
    callsPerBatch: Number(values.batch),
    concurrency: 16,
  },
  target: `claude-otel adds <= ${pct(TARGET)} CPU per call over the SDK with its own tracing`,
  cases,
  verdict:
    failures.length === 0
      ? 'pass'
      : failures.map((c) => `${c.mode}/${c.processor}: ${pct(c.claudeOtelOverSdkTracing)}`),
};
const rows = cases
  .map((c) => {
    const m = c.medianCpuMicrosPerCall;
    return `| ${c.mode} | ${c.processor} | ${m.off} | ${m.sdk} | ${m['sdk+claude-otel']} | ${pct(c.sdkTracingOverOff)} | ${pct(c.passthroughOverSdkTracing)} | ${pct(c.bareSpanOverSdkTracing)} | **${pct(c.spansOverSdkTracing)}** | **${pct(c.claudeOtelOverSdkTracing)}** |`;
  })
  .join('\n');
const md = `# Overhead: client CPU per call

${report.date}, ${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}.
\`node bench/overhead.mjs\`: the official SDK against the simulator (another process) on loopback, 16 calls in
flight. Each run is one process holding six clients of the same SDK: tracing off; the SDK's own tracing; and
the SDK's own tracing plus, in turn, a middleware that only calls \`next()\` (what any middleware costs,
the floor of the SDK's \`middleware\` option), a middleware that only starts and ends one span with 22
attributes (the floor of a span per attempt), and claude-otel's middleware with spans only and as it comes (spans,
metrics and the governor, which lets every attempt through at once here: the simulator's limits are far away),
measured in ${values.batches} interleaved batches of
${values.batch} calls each (order rotated), after a warm-up; ${values.runs} runs per row. The client process is
pinned to one core and the simulator to the other. Spans go to an exporter that drops them.
Figures: medians of the client's CPU time (user + system) per call, in us; "adds" is the median over
batches of (claude-otel batch / SDK-tracing batch run beside it) - 1. The verdict is on claude-otel as it comes.

CPU us per call (tracing off, SDK tracing, + claude-otel), then what each addition adds over SDK tracing:

| mode | span processor | off | SDK tracing | + claude-otel | SDK tracing adds | passthrough adds | bare span adds | claude-otel spans add | claude-otel (spans, metrics, governor) adds |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|
${rows}

Target: ${report.target}. Verdict: ${report.verdict === 'pass' ? '**pass**' : `**FAIL** (${report.verdict.join('; ')})`}.
`;
if (!values['no-write']) {
  writeFileSync(join(here, 'results', 'overhead.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(here, 'results', 'overhead.md'), md);
}
process.stdout.write(`\n${md}`);
process.exitCode = report.verdict === 'pass' ? 0 : 1;
