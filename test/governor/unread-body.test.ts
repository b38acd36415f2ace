import { claudeMiddleware } from '../../src';
import { freshRegistry, sumBy } from '../support/metrics';
import type { RawReply } from '../support/raw-server';
import { MESSAGE_JSON, ok, startRawServer } from '../support/raw-server';
import { ask, clientFor, MODEL } from '../support/sdk';
import { startTracing } from '../support/tracing';

const tracing = startTracing();
afterAll(() => tracing.shutdown());

const overloaded: RawReply = (_req, res) => {
  res.writeHead(529, { 'content-type': 'application/json', 'request-id': 'req_529' });
  res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
};

/** 200s whose body the SDK never reads, each as the SDK meets it. */
const unread: [string, RawReply, boolean, number][] = [
  [
    'a JSON 200 with content-length: 0',
    (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': '0',
        'request-id': 'req_empty',
      });
      res.end();
    },
    false,
    200,
  ],
  [
    'a 204 that says it is JSON',
    (_req, res) => {
      res.writeHead(204, { 'content-type': 'application/json', 'request-id': 'req_204' });
      res.end();
    },
    false,
    204,
  ],
  [
    'a JSON reply to a stream request',
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_json' });
      res.end(MESSAGE_JSON);
    },
    true,
    200,
  ],
];

describe('a 200 whose body the SDK never reads', () => {
  it.each(unread)(
    '%s after a 529: the attempt ends when the call returns, counted, its slot free for the next call (no GC)',
    async (_what, reply, stream, status) => {
      tracing.reset();
      const raw = await startRawServer(overloaded, reply, ok);
      try {
        const registry = freshRegistry();
        const client = clientFor(raw, {
          maxRetries: 2,
          middleware: [claudeMiddleware({ metrics: { registry } })],
        });
        if (stream) {
          const events = await client.messages.create({
            model: MODEL,
            max_tokens: 16,
            stream: true,
            messages: [{ role: 'user', content: 'hi' }],
          });
          for await (const _event of events); // the SDK finds no events in a JSON body
        } else {
          await ask(client);
        }
        // Right when the call returned: both attempts ended, counted, none in flight.
        expect(tracing.attempts().map((s) => s.attributes['http.response.status_code'])).toEqual([
          529,
          status,
        ]);
        expect(await sumBy(registry, 'anthropic_attempts_total', 'status_code')).toEqual({
          '529': 1,
          [status]: 1,
        });
        expect((await registry.getSingleMetric('anthropic_attempts_in_flight')?.get())?.values[0].value).toBe(
          0,
        );

        // The 529 cut the domain's concurrency to 1: the next call goes at once only if the slot is free.
        await ask(client);
        const next = tracing.attempts()[2];
        expect(next.attributes['anthropic.governor.wait_ms']).toBe(0);
        expect(raw.received()).toBe(3);
      } finally {
        await raw.close();
      }
    },
  );
});
