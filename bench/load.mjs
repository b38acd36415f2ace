// A lean HTTP/1.1 keep-alive load generator on raw sockets, so that the client costs far less
// than the server it measures. Each connection sends one request, reads the whole response
// (headers + content-length body), then sends the next.
import { connect } from 'node:net';

export function buildRequest(url, path, body, headers = {}) {
  const { hostname, port } = new URL(url);
  const lines = [
    `POST ${path} HTTP/1.1`,
    `host: ${hostname}:${port}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ];
  return Buffer.concat([Buffer.from(lines.join('\r\n')), Buffer.from(body)]);
}

/** Sends `request` over `connections` sockets for `durationMs`; returns counts by status. */
export function load(url, request, { connections, durationMs }) {
  const { hostname, port } = new URL(url);
  const byStatus = {};
  let completed = 0;
  const until = performance.now() + durationMs;
  const one = () =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port), noDelay: true });
      let buffer = Buffer.alloc(0);
      let need = -1;
      let status = 0;
      const send = () => {
        if (performance.now() >= until) {
          socket.end();
          resolve();
          return;
        }
        socket.write(request);
      };
      socket.on('connect', send);
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
        for (;;) {
          if (need < 0) {
            const end = buffer.indexOf('\r\n\r\n');
            if (end < 0) return;
            const head = buffer.subarray(0, end).toString('latin1');
            status = Number(head.slice(9, 12));
            const match = /\r\ncontent-length: *(\d+)/i.exec(head);
            if (!match) return reject(new Error(`response without content-length: ${head}`));
            need = end + 4 + Number(match[1]);
          }
          if (buffer.length < need) return;
          buffer = buffer.subarray(need);
          need = -1;
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          completed++;
          send();
          if (buffer.length === 0) return;
        }
      });
    });
  const started = performance.now();
  return Promise.all(Array.from({ length: connections }, one)).then(() => ({
    completed,
    byStatus,
    seconds: (performance.now() - started) / 1000,
  }));
}
