// Client CPU per call against the simulator on loopback, side by side in one run:
//   off                     the SDK with tracing off (context only)
//   sdk-simple / -batch     the SDK with its own tracing (one span per call)
//   ...+claude-otel         the same plus claude-otel (one more span per attempt)
// Each variant runs in a fresh process, in rounds, order rotated; medians reported.
// Target: claude-otel adds <= 5% CPU per call over the SDK with its own tracing.
//   node bench/overhead.mjs [--rounds 5] [--calls 3000] [--no-write]
import { execFile, execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    calls: { type: 'string', default: '4000' },
    'no-write': { type: 'boolean', default: false },
  },
});
const TARGET = 0.05;
const variants = ['off', 'sdk-simple', 'sdk-simple+claude-otel', 'sdk-batch', 'sdk-batch+claude-otel'];
const modes = [
  { name: 'non-streaming', stream: false },
  { name: 'streaming', stream: true },
];

// The simulator and the measured client each get a core of their own (when taskset exists), so that
// neither's CPU time is inflated by the other's.
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
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results = {};
for (const mode of modes) {
  const samples = Object.fromEntries(variants.map((v) => [v, []]));
  for (let round = 0; round < Number(values.rounds); round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const variant of order) {
      const args = [
        join(here, 'overhead-client.mjs'),
        '--variant',
        variant,
        '--url',
        url,
        '--calls',
        values.calls,
      ];
      if (mode.stream) args.push('--stream');
      const { stdout } = await run(...pinned(0, args), { cwd: here });
      samples[variant].push(JSON.parse(stdout).cpuMicrosPerCall);
      process.stderr.write(`${mode.name} round ${round + 1}/${values.rounds}: ${variant}        \r`);
    }
  }
  const m = Object.fromEntries(variants.map((v) => [v, Math.round(median(samples[v]) * 10) / 10]));
  const added = (base, withUs) => Math.round(((m[withUs] - m[base]) / m[base]) * 1000) / 1000;
  results[mode.name] = {
    medianCpuMicrosPerCall: m,
    samples,
    sdkTracingOverOff: Math.round(((m['sdk-simple'] - m.off) / m.off) * 1000) / 1000,
    claudeOtelOverSdkTracing: {
      simple: added('sdk-simple', 'sdk-simple+claude-otel'),
      batch: added('sdk-batch', 'sdk-batch+claude-otel'),
    },
  };
}
server.send({ command: 'close' });

const pct = (x) => `${(x * 100).toFixed(1)}%`;
const verdicts = Object.entries(results).flatMap(([mode, r]) =>
  Object.entries(r.claudeOtelOverSdkTracing).map(([p, x]) => ({
    mode,
    processor: p,
    added: x,
    pass: x <= TARGET,
  })),
);
const report = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
  settings: { rounds: Number(values.rounds), callsPerSample: Number(values.calls), concurrency: 16 },
  target: `claude-otel adds <= ${pct(TARGET)} CPU per call over the SDK with its own tracing`,
  results,
  verdict: verdicts.every((v) => v.pass) ? 'pass' : verdicts.filter((v) => !v.pass),
};
const rows = Object.entries(results)
  .map(([mode, r]) => {
    const m = r.medianCpuMicrosPerCall;
    return `| ${mode} | ${m.off} | ${m['sdk-simple']} | ${m['sdk-simple+claude-otel']} | **${pct(r.claudeOtelOverSdkTracing.simple)}** | ${m['sdk-batch']} | ${m['sdk-batch+claude-otel']} | **${pct(r.claudeOtelOverSdkTracing.batch)}** |`;
  })
  .join('\n');
const md = `# Overhead: client CPU per call

${report.date}, ${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}.
\`node bench/overhead.mjs\`: the official SDK against the simulator (another process) on loopback, 16 calls
in flight, ${values.calls} measured calls per sample after 500 warm-up calls, each sample a fresh process,
${values.rounds} rounds with the order rotated; the client pinned to one core and the simulator to the other;
medians of the client's own CPU time (user + system) per call, in us.
Spans go to an exporter that drops them, through a SimpleSpanProcessor or a BatchSpanProcessor.

| mode | tracing off | SDK tracing (simple) | + claude-otel | added | SDK tracing (batch) | + claude-otel | added |
|---|---:|---:|---:|---:|---:|---:|---:|
${rows}

Target: ${report.target}. Verdict: ${report.verdict === 'pass' ? 'pass' : `FAIL ${JSON.stringify(report.verdict)}`}.
For context, the SDK's own call span costs ${pct(results['non-streaming'].sdkTracingOverOff)} over tracing off (non-streaming, simple processor).
`;
if (!values['no-write']) {
  writeFileSync(join(here, 'results', 'overhead.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(here, 'results', 'overhead.md'), md);
}
process.stdout.write(`\n${md}`);
