// One client process for bench/cost.mjs, run under callgrind with instrumentation off: it warms
// up, says "warm", waits for "go" (the parent turns instrumentation on), makes the measured
// calls, says "done" and waits for "exit" (the parent turns instrumentation off first).
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { clientFor, drive, registerTracing } from './client-variants.mjs';

const { values } = parseArgs({
  options: {
    variant: { type: 'string' },
    url: { type: 'string' },
    stream: { type: 'boolean', default: false },
    warmup: { type: 'string', default: '3000' },
    calls: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '16' },
  },
});
const provider = registerTracing('batch');
const client = clientFor(values.variant, values.url, provider);
const options = { stream: values.stream, concurrency: Number(values.concurrency) };
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const waitFor = async (word) => {
  for (let line = await lines.next(); !line.done; line = await lines.next()) if (line.value === word) return;
  process.exit(1);
};

await drive(client, Number(values.warmup), options);
process.stdout.write('warm\n');
await waitFor('go');
await drive(client, Number(values.calls), options);
process.stdout.write('done\n');
await waitFor('exit');
await provider.shutdown();
process.exit(0);
