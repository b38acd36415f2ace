// The misbehaving API: raw node:http replies (not the simulator) for every fault the differential
// suite (differential.test.ts) and the soak (bench/soak.mjs) drive through the real SDK.
// CommonJS so that both the TypeScript tests and the ESM bench load the same cases.
const { createServer } = require('node:http');

const MODEL = 'claude-sonnet-5-5';
const message = (text = 'hello') =>
  JSON.stringify({
    id: 'msg_fault',
    type: 'message',
    role: 'assistant',
    model: MODEL,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 2 },
  });
const event = (name, data) =>
  `event: ${name}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
const START = event('message_start', {
  type: 'message_start',
  message: {
    id: 'msg_fault',
    type: 'message',
    role: 'assistant',
    model: MODEL,
    content: [],
    stop_reason: null,
    usage: { input_tokens: 5, output_tokens: 1 },
  },
});
const BLOCK = event('content_block_start', {
  type: 'content_block_start',
  index: 0,
  content_block: { type: 'text', text: '' },
});
const delta = (text) =>
  event('content_block_delta', {
    type: 'content_block_delta',
    index: 0,
    delta: { type: 'text_delta', text },
  });
const END =
  event('content_block_stop', { type: 'content_block_stop', index: 0 }) +
  event('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 2 },
  }) +
  event('message_stop', { type: 'message_stop' });
const apiError = (type, message = 'fault') =>
  JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_fault' });

const json =
  (status, body, headers = {}) =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${status}`, ...headers });
    res.end(body);
  };
const sse =
  (body, { end = true } = {}) =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_sse' });
    if (end) res.end(body);
    else res.write(body);
  };
/** Sends `body`, then cuts the connection (no clean end of the chunked body). */
const cutAfter = (headers, body) => (_req, res) => {
  res.writeHead(200, headers);
  res.write(body, () => setImmediate(() => res.socket?.destroy()));
};
const html = (status) => (_req, res) => {
  res.writeHead(status, { 'content-type': 'text/html' });
  res.end(`<html><body><h1>${status}</h1></body></html>`);
};
/** Never answers: the connection stays open until the client leaves. */
const silent = () => undefined;

/** Answers a successful reply of the kind the request asked for (stream or not). */
const ok = (req, res) => {
  if (req.streaming) sse(START + BLOCK + delta('hel') + delta('lo') + END)(req, res);
  else json(200, message())(req, res);
};

/**
 * Every case: what the server answers, request by request (the last reply repeats), how the
 * call is made; `better`: the plain SDK fails where claude-otel, by design, succeeds.
 */
const cases = [
  // HTML and other non-JSON errors
  { group: 'html', name: '502 HTML page, then a reply', replies: [html(502), ok], maxRetries: 1 },
  { group: 'html', name: '413 HTML page from the CDN', replies: [html(413)], maxRetries: 2 },
  {
    group: 'html',
    name: '500 with a plain-text body',
    replies: [(_q, s) => s.writeHead(500, { 'content-type': 'text/plain' }).end('oops'), ok],
    maxRetries: 1,
  },
  {
    group: 'html',
    name: '400 whose body is not JSON',
    replies: [(_q, s) => s.writeHead(400, { 'content-type': 'application/json' }).end('{bad')],
    maxRetries: 2,
  },
  {
    group: 'html',
    name: '401 authentication_error',
    replies: [json(401, apiError('authentication_error'))],
    maxRetries: 2,
  },
  // Odd 200s
  {
    group: 'odd-200',
    name: '200 JSON that does not parse',
    replies: [json(200, '{"id": "msg_')],
    maxRetries: 2,
  },
  {
    group: 'odd-200',
    name: '200 text/plain',
    replies: [(_q, s) => s.writeHead(200, { 'content-type': 'text/plain' }).end('hello')],
    maxRetries: 2,
  },
  {
    group: 'odd-200',
    name: '200 JSON with content-length: 0',
    replies: [json(200, '', { 'content-length': '0' })],
    maxRetries: 2,
  },
  { group: 'odd-200', name: '204 that says JSON', replies: [json(204, '')], maxRetries: 2 },
  {
    group: 'odd-200',
    name: 'JSON reply to a stream request',
    replies: [json(200, message())],
    stream: true,
    maxRetries: 2,
  },
  {
    group: 'odd-200',
    name: 'SSE reply to a non-stream request',
    replies: [sse(START + BLOCK + delta('x') + END)],
    maxRetries: 2,
  },
  {
    group: 'odd-200',
    name: 'JSON in 1-byte chunks',
    replies: [
      (_q, s) => {
        s.writeHead(200, { 'content-type': 'application/json' });
        const b = Buffer.from(message());
        let i = 0;
        const next = () => (i < b.length ? s.write(b.subarray(i, ++i), next) : s.end());
        next();
      },
    ],
    maxRetries: 2,
  },
  // retry-after and header garbage
  {
    group: 'headers',
    name: 'retry-after: soon',
    replies: [json(429, apiError('rate_limit_error'), { 'retry-after': 'soon' }), ok],
    maxRetries: 2,
  },
  {
    group: 'headers',
    name: 'retry-after: -5',
    replies: [json(429, apiError('rate_limit_error'), { 'retry-after': '-5' }), ok],
    maxRetries: 2,
  },
  {
    group: 'headers',
    name: 'retry-after: 999999999',
    replies: [json(429, apiError('rate_limit_error'), { 'retry-after': '999999999' }), ok],
    maxRetries: 2,
  },
  {
    group: 'headers',
    name: 'retry-after an HTTP date 30 days ahead',
    replies: [
      (q, s) =>
        json(429, apiError('rate_limit_error'), {
          'retry-after': new Date(Date.now() + 30 * 86_400_000).toUTCString(),
        })(q, s),
      ok,
    ],
    maxRetries: 2,
  },
  {
    group: 'headers',
    name: 'retry-after an HTTP date in the past',
    replies: [
      json(429, apiError('rate_limit_error'), { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }),
      ok,
    ],
    maxRetries: 2,
  },
  {
    group: 'headers',
    name: 'retry-after-ms 0.5 and garbage rate-limit headers',
    replies: [
      json(429, apiError('rate_limit_error'), {
        'retry-after-ms': '0.5',
        'anthropic-ratelimit-requests-remaining': 'lots',
        'anthropic-ratelimit-requests-limit': '-1',
        'anthropic-ratelimit-requests-reset': 'yesterday',
        'request-id': '\u00ff\u00fe',
      }),
      ok,
    ],
    maxRetries: 2,
  },
  {
    group: 'headers',
    name: 'retry-after: 3600 (longer than a call may wait)',
    replies: [json(429, apiError('rate_limit_error'), { 'retry-after': '3600' })],
    maxRetries: 0,
  },
  {
    group: 'headers',
    name: '529 with x-should-retry: false',
    replies: [json(529, apiError('overloaded_error'), { 'x-should-retry': 'false' }), ok],
    maxRetries: 2,
  },
  {
    group: 'headers',
    name: '529, 529, then a reply',
    replies: [
      json(529, apiError('overloaded_error'), { 'retry-after-ms': '5' }),
      json(529, apiError('overloaded_error'), { 'retry-after-ms': '5' }),
      ok,
    ],
    maxRetries: 2,
  },
  // Broken streams
  {
    group: 'streams',
    name: 'stream ends without message_stop',
    replies: [sse(START + BLOCK + delta('x'))],
    stream: true,
    maxRetries: 2,
  },
  {
    group: 'streams',
    name: 'stream cut mid-way',
    replies: [cutAfter({ 'content-type': 'text/event-stream' }, START + BLOCK + delta('x'))],
    stream: true,
    maxRetries: 2,
  },
  {
    group: 'streams',
    name: 'overloaded_error event mid-stream',
    replies: [
      sse(
        START +
          BLOCK +
          delta('x') +
          event('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      ),
    ],
    stream: true,
    maxRetries: 2,
  },
  // claude-otel retries this one (retryEarlyStreamErrors): the plain SDK fails, claude-otel succeeds.
  {
    group: 'streams',
    name: 'overloaded_error event before any content, then a reply',
    replies: [
      sse(
        START + event('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      ),
      ok,
    ],
    stream: true,
    maxRetries: 2,
    better: true,
  },
  {
    group: 'streams',
    name: 'content delta that is not JSON',
    replies: [sse(START + BLOCK + event('content_block_delta', '{"type":"content_block_delta","delta":{'))],
    stream: true,
    maxRetries: 2,
  },
  {
    group: 'streams',
    name: 'message_delta that is not JSON',
    replies: [sse(START + BLOCK + delta('x') + event('message_delta', '{"usage":'))],
    stream: true,
    maxRetries: 2,
  },
  {
    group: 'streams',
    name: 'one 5 MB content delta',
    replies: [sse(START + BLOCK + delta('y'.repeat(5 * 1024 * 1024)) + END)],
    stream: true,
    maxRetries: 2,
  },
  {
    group: 'streams',
    name: 'endless pings, the caller gives up',
    replies: [
      (_q, s) => {
        s.writeHead(200, { 'content-type': 'text/event-stream' });
        s.write(START);
        const t = setInterval(() => s.write(event('ping', { type: 'ping' })), 5);
        s.on('close', () => clearInterval(t));
      },
    ],
    stream: true,
    maxRetries: 2,
    abortAfterMs: 300,
  },
  // Resets and stalls
  {
    group: 'resets',
    name: 'connection reset before headers, then a reply',
    replies: [(q) => q.socket.destroy(), ok],
    maxRetries: 2,
  },
  {
    group: 'resets',
    name: 'connection reset every time',
    replies: [(q) => q.socket.destroy()],
    maxRetries: 1,
  },
  {
    group: 'resets',
    name: 'JSON body cut mid-way',
    replies: [
      cutAfter({ 'content-type': 'application/json', 'content-length': '500' }, message().slice(0, 40)),
    ],
    maxRetries: 2,
  },
  {
    group: 'stalls',
    name: 'no headers before the SDK timeout',
    replies: [silent],
    maxRetries: 0,
    timeout: 200,
  },
  {
    group: 'stalls',
    name: 'headers, then the body stalls; the caller gives up',
    replies: [
      (_q, s) => {
        s.writeHead(200, { 'content-type': 'application/json' });
        s.write('{"id":');
      },
    ],
    maxRetries: 2,
    abortAfterMs: 300,
  },
  {
    group: 'stalls',
    name: 'stream stalls after a delta; the caller gives up',
    replies: [sse(START + BLOCK + delta('x'), { end: false })],
    stream: true,
    maxRetries: 2,
    abortAfterMs: 300,
  },
  // Aborts
  {
    group: 'aborts',
    name: 'the caller aborts before the response',
    replies: [silent],
    maxRetries: 2,
    abortAfterMs: 100,
  },
];

/**
 * A raw server answering `replies` in order (the last repeats), or `pick(index)` for each
 * request. Knows whether a request asked for a stream (req.streaming), counts requests.
 */
async function startFaultServer(replies = [ok], pick) {
  let script = replies;
  let received = 0;
  const sockets = new Set();
  const server = createServer((req, res) => {
    const index = received++;
    const reply = pick ? pick(index) : script[Math.min(index, script.length - 1)];
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      req.streaming = body.includes('"stream":true');
      reply(req, res);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    received: () => received,
    script(...next) {
      script = next;
      received = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

module.exports = { cases, ok, startFaultServer, MODEL };
