// Simulator throughput: non-streaming requests/s on loopback, side by side with a bare Node
// HTTP server (the ceiling on this machine), each in its own process, with the server's CPU per
// request and its memory over the run. Target: >= 3,000 requests/s with flat memory.
//   node bench/simulator-throughput.mjs [--seconds 20] [--connections 32] [--no-write]
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildRequest, load } from './load.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '32' },
    'no-write': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const TARGET = 3000;

const body = JSON.stringify({
  model: 'claude-sonnet-5-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'Benchmark request: a short question about rate limits.' }],
});

let nextId = 0;
/** Asks the server process for something; answers are matched to questions by id. */
function ask(child, command) {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (message.id !== id) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.send({ id, command });
  });
}

async function measure(kind) {
  const child = fork(join(here, 'simulator-server.mjs'), [kind], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { url } = await new Promise((resolve) => child.once('message', resolve));
  const request = buildRequest(url, '/v1/messages', body, {
    'x-api-key': 'bench',
    'anthropic-version': '2023-06-01',
  });
  process.stderr.write(`${kind}: warming up on ${url}\n`);
  await load(url, request, { connections, durationMs: 2000 });
  const memory = [await ask(child, 'memory')];
  const cpuBefore = await ask(child, 'cpu');
  const sampler = setInterval(async () => {
    memory.push(await ask(child, 'memory'));
    process.stderr.write(`${kind}: ${memory.length - 1}/${seconds} s\r`);
  }, 1000);
  const result = await load(url, request, { connections, durationMs: seconds * 1000 });
  clearInterval(sampler);
  const cpuAfter = await ask(child, 'cpu');
  memory.push(await ask(child, 'memory'));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ command: 'close' });
  await exited;
  const cpuMicros = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
  const mb = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
  const out = {
    kind,
    requests: result.completed,
    byStatus: result.byStatus,
    requestsPerSecond: Math.round(result.completed / result.seconds),
    serverCpuMicrosPerRequest: Math.round((cpuMicros / result.completed) * 10) / 10,
    rssMb: {
      start: mb(memory[0].rss),
      end: mb(memory.at(-1).rss),
      max: mb(Math.max(...memory.map((m) => m.rss))),
    },
    heapUsedMb: { start: mb(memory[0].heapUsed), end: mb(memory.at(-1).heapUsed) },
  };
  process.stderr.write(`${kind}: ${out.requestsPerSecond} requests/s                 \n`);
  return out;
}

const bare = await measure('bare-http');
const simulator = await measure('simulator');
const report = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  settings: { seconds, connections, request: 'POST /v1/messages, non-streaming, 200' },
  target: { requestsPerSecond: TARGET },
  results: [bare, simulator],
  ratios: {
    simulatorVsTarget: Math.round((simulator.requestsPerSecond / TARGET) * 100) / 100,
    simulatorVsBareHttp: Math.round((simulator.requestsPerSecond / bare.requestsPerSecond) * 100) / 100,
    simulatorRssGrowth: Math.round((simulator.rssMb.end / simulator.rssMb.start) * 100) / 100,
  },
};
const failures = [];
if (simulator.byStatus['200'] !== simulator.requests) failures.push('some simulator responses were not 200');
if (simulator.requestsPerSecond < TARGET)
  failures.push(`below target: ${simulator.requestsPerSecond} < ${TARGET} requests/s`);
if (!(report.ratios.simulatorRssGrowth <= 1.25))
  failures.push(`memory grew ${report.ratios.simulatorRssGrowth}x over the run`);
report.verdict = failures.length === 0 ? 'pass' : failures;

const md = `# Simulator throughput

${report.date}, ${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}.
${seconds} s per server after a 2 s warm-up, ${connections} keep-alive connections from a raw-socket client in
another process (\`npm run bench:simulator\`). Request: ${report.settings.request}.

| server | requests/s | server CPU per request | RSS start -> end (max) | heap start -> end |
|---|---:|---:|---:|---:|
${[bare, simulator]
  .map(
    (r) =>
      `| ${r.kind} | ${r.requestsPerSecond} | ${r.serverCpuMicrosPerRequest} us | ${r.rssMb.start} -> ${r.rssMb.end} MB (${r.rssMb.max}) | ${r.heapUsedMb.start} -> ${r.heapUsedMb.end} MB |`,
  )
  .join('\n')}

- simulator / target (${TARGET} requests/s): **${report.ratios.simulatorVsTarget}x**
- simulator / bare Node HTTP server: **${report.ratios.simulatorVsBareHttp}x**
- simulator RSS end / start: **${report.ratios.simulatorRssGrowth}x**
- verdict: ${report.verdict === 'pass' ? 'pass' : report.verdict.join('; ')}
`;
if (!values['no-write']) {
  writeFileSync(join(here, 'results', 'simulator-throughput.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(here, 'results', 'simulator-throughput.md'), md);
}
process.stdout.write(md);
process.exitCode = report.verdict === 'pass' ? 0 : 1;
