// A child process that serves either the simulator or a bare Node HTTP server (the ceiling),
// and reports its memory on request. Driven by bench/simulator-throughput.mjs over IPC.
import { createServer } from 'node:http';
import { startSimulator } from '../dist/esm/simulator.mjs';

const kind = process.argv[2];
let close;
let url;
if (kind === 'simulator') {
  const sim = await startSimulator({
    limits: { requestsPerMinute: 1e9, inputTokensPerMinute: 1e12, outputTokensPerMinute: 1e12 },
  });
  url = sim.url;
  close = () => sim.close();
} else {
  // The same reply size and headers count as a simulator 200, with no work behind it.
  const body = JSON.stringify({
    id: 'msg_x',
    type: 'message',
    content: [{ type: 'text', text: 'x'.repeat(200) }],
  });
  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}`;
  close = () => new Promise((resolve) => server.close(resolve));
}
process.on('message', async ({ id, command }) => {
  if (command === 'memory') {
    const { rss, heapUsed } = process.memoryUsage();
    process.send({ id, rss, heapUsed });
  } else if (command === 'cpu') {
    process.send({ id, ...process.cpuUsage() });
  } else if (command === 'close') {
    await close();
    process.exit(0);
  }
});
process.send({ url });
