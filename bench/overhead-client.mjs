// One measured client process for bench/overhead.mjs. Several clients of the same SDK in one
// process (the variants of client-variants.mjs but instrumentation-undici, which patches the
// whole process), measured in interleaved batches so that drift (JIT tiers, heap growth, a busy
// neighbour) falls on all alike. Prints the client CPU time (user + system) per call of every
// batch, by variant.
import { parseArgs } from 'node:util';
import { clientFor, drive, registerTracing, VARIANTS } from './client-variants.mjs';

const { values } = parseArgs({
  options: {
    processor: { type: 'string', default: 'batch' },
    url: { type: 'string' },
    batches: { type: 'string', default: '20' },
    batch: { type: 'string', default: '400' },
    warmup: { type: 'string', default: '600' },
    concurrency: { type: 'string', default: '16' },
    stream: { type: 'boolean', default: false },
  },
});

const provider = registerTracing(values.processor);
const clients = Object.fromEntries(
  VARIANTS.filter((name) => name !== 'sdk+undici').map((name) => [
    name,
    clientFor(name, values.url, provider),
  ]),
);
const options = { stream: values.stream, concurrency: Number(values.concurrency) };

for (const client of Object.values(clients)) await drive(client, Number(values.warmup), options);
const perCall = Object.fromEntries(Object.keys(clients).map((name) => [name, []]));
const size = Number(values.batch);
for (let b = 0; b < Number(values.batches); b++) {
  const names = Object.keys(clients);
  // Rotate the order every batch, so no variant always follows the same one.
  for (const name of names.map((_, i) => names[(i + b) % names.length])) {
    const before = process.cpuUsage();
    await drive(clients[name], size, options);
    const cpu = process.cpuUsage(before);
    perCall[name].push((cpu.user + cpu.system) / size);
  }
}
process.stdout.write(`${JSON.stringify(perCall)}\n`);
