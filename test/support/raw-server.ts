import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the server does with one request: anything node:http (or the raw socket) can send. */
export type RawReply = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A misbehaving API stand-in that is not the simulator: each request gets the next scripted
 * reply (the last one repeats). Counts the requests it received.
 */
export async function startRawServer(...replies: RawReply[]) {
  let script = replies;
  let received = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const reply = script[Math.min(received, script.length - 1)];
    received++;
    req.resume();
    req.on('end', () => reply(req, res));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => received,
    script(...next: RawReply[]) {
      script = next;
      received = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Server-sent events as the API writes them. */
export function sse(events: [event: string, data: string][]): string {
  return events.map(([event, data]) => `event: ${event}\ndata: ${data}\n\n`).join('');
}

export const MESSAGE_START = JSON.stringify({
  type: 'message_start',
  message: {
    id: 'msg_raw',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-5-5',
    content: [],
    stop_reason: null,
    usage: { input_tokens: 5, output_tokens: 1 },
  },
});

/** A Messages reply body as the API sends it. */
export const MESSAGE_JSON = JSON.stringify({
  id: 'msg_raw',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-5-5',
  content: [{ type: 'text', text: 'hello' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 5, output_tokens: 1 },
});

/** Replies 200 with a message. */
export const ok: RawReply = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_ok' });
  res.end(MESSAGE_JSON);
};

/** Replies 429 rate_limit_error with the given headers. */
export const rateLimited =
  (headers: Record<string, string>): RawReply =>
  (_req, res) => {
    res.writeHead(429, { 'content-type': 'application/json', 'request-id': 'req_429', ...headers });
    res.end(JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }));
  };
