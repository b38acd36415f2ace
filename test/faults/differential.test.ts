// Every fault of the catalogue, driven through the real SDK twice: plain, then with claude-otel
// (spans, metrics, governor). The caller must see the same outcome; telemetry must account for
// exactly the requests the server received; nothing may leak, warn or throw that the plain run did not.
import type { IncomingMessage, ServerResponse } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import type { TracerProvider } from '@opentelemetry/api';
import { claudeMiddleware } from '../../src';
import { spansThatThrowEverywhere, throwingProvider } from '../support/broken-tracers';
import { freshRegistry, sumBy } from '../support/metrics';
import { startTracing } from '../support/tracing';

type Reply = (req: IncomingMessage & { streaming?: boolean }, res: ServerResponse) => void;
interface FaultCase {
  group: string;
  name: string;
  replies: Reply[];
  stream?: boolean;
  maxRetries: number;
  timeout?: number;
  abortAfterMs?: number;
  /** The plain SDK fails where claude-otel, by design, succeeds. */
  better?: boolean;
}
interface FaultServer {
  url: string;
  received(): number;
  script(...replies: Reply[]): void;
  close(): Promise<void>;
}
const { cases, startFaultServer, MODEL } = require('./catalogue.cjs') as {
  cases: FaultCase[];
  startFaultServer: (replies?: Reply[]) => Promise<FaultServer>;
  MODEL: string;
};

const CANARY_KEY = 'sk-ant-canary-0123456789abcdef';
const CANARY_PROMPT = 'canary-prompt-7f3a9c: never in telemetry';
const tracing = startTracing();
afterAll(() => tracing.shutdown());

/** What the caller saw, comparable across runs. */
async function call(url: string, c: FaultCase, middleware?: Anthropic['middleware']) {
  const client = new Anthropic({
    baseURL: url,
    apiKey: CANARY_KEY,
    maxRetries: c.maxRetries,
    timeout: c.timeout ?? 10_000,
    logLevel: 'off',
    ...(middleware ? { middleware } : {}),
  });
  const params = {
    model: MODEL,
    max_tokens: 16,
    messages: [{ role: 'user' as const, content: CANARY_PROMPT }],
  };
  const signal = c.abortAfterMs ? AbortSignal.timeout(c.abortAfterMs) : undefined;
  try {
    const value = c.stream
      ? await client.messages.stream(params, { signal }).finalMessage()
      : await client.messages.create(params, { signal });
    return {
      ok: true,
      value: typeof value === 'object' && value ? (value as { type?: string }).type : typeof value,
    };
  } catch (error) {
    const e = error as { constructor: { name: string }; status?: number };
    return { ok: false, error: e.constructor.name, status: e.status };
  }
}

/** Collects process warnings and uncaught errors while `fn` runs. */
async function watched<T>(fn: () => Promise<T>) {
  const warnings: string[] = [];
  const uncaught: unknown[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  const onUncaught = (e: unknown) => uncaught.push(e);
  process.on('warning', onWarning);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  try {
    const result = await fn();
    await new Promise((resolve) => setImmediate(resolve));
    return { result, warnings, uncaught };
  } finally {
    process.off('warning', onWarning);
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
  }
}

/** Resolves once `count` attempt spans have ended, or fails after `ms`: a span that never ends is a defect. */
function attemptsEnded(count: number, ms = 5000) {
  return Promise.race([
    tracing.waitForAttempts(count),
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`${tracing.attempts().length} of ${count} attempt spans ended`)),
        ms,
      ).unref(),
    ),
  ]);
}

describe.each([...new Set(cases.map((c) => c.group))])('faults: %s', (group) => {
  it.each(cases.filter((c) => c.group === group).map((c) => [c.name, c] as const))(
    '%s: the outcome of the plain SDK (or better, where marked), one span and one count per request received',
    async (_name, c) => {
      const server = await startFaultServer(c.replies);
      try {
        const plain = await watched(() => call(server.url, c));
        const plainRequests = server.received();

        server.script(...c.replies);
        tracing.reset();
        const registry = freshRegistry(true);
        const middleware = [claudeMiddleware({ metrics: { registry } })];
        const governed = await watched(() => call(server.url, c, middleware));
        const requests = server.received();

        if (c.better) {
          expect(plain.result.ok).toBe(false);
          expect(governed.result).toEqual({ ok: true, value: 'message' });
        } else {
          expect(governed.result).toEqual(plain.result);
          expect(requests).toBe(plainRequests);
        }
        const spans = await attemptsEnded(requests);
        expect(spans).toHaveLength(requests);
        const counted = await sumBy(registry, 'anthropic_attempts_total', 'status_code');
        expect(Object.values(counted).reduce((a, b) => a + b, 0)).toBe(requests);
        expect((await registry.getSingleMetric('anthropic_attempts_in_flight')?.get())?.values[0].value).toBe(
          0,
        );
        expect(governed.warnings.filter((w) => !plain.warnings.includes(w))).toEqual([]);
        expect(governed.uncaught).toEqual([]);
        const telemetry =
          JSON.stringify(tracing.spans().map((s) => s.attributes)) + (await registry.metrics());
        expect(telemetry).not.toContain(CANARY_KEY);
        expect(telemetry).not.toContain('canary-prompt');
      } finally {
        await server.close();
      }
    },
  );
});

/** Tracers that fail: at start, or on every span method (spanContext() included). */
const brokenTracers: [string, TracerProvider][] = [
  ['a tracer that throws', throwingProvider],
  ['spans that throw from every method', spansThatThrowEverywhere],
];

describe.each(brokenTracers)('faults with %s', (_tracer, tracerProvider) => {
  const some = cases.filter((c) =>
    [
      '502 HTML page, then a reply',
      '529, 529, then a reply',
      'stream cut mid-way',
      'the caller aborts before the response',
    ].includes(c.name),
  );
  it.each(some.map((c) => [c.name, c] as const))(
    '%s: the same outcome, and metrics still count every request',
    async (_name, c) => {
      const server = await startFaultServer(c.replies);
      try {
        const plain = await call(server.url, c);
        server.script(...c.replies);
        const registry = freshRegistry();
        const governed = await watched(() =>
          call(server.url, c, [claudeMiddleware({ tracerProvider, metrics: { registry } })]),
        );
        expect(governed.result).toEqual(plain);
        expect(governed.uncaught).toEqual([]);
        const counted = await sumBy(registry, 'anthropic_attempts_total', 'status_code');
        expect(Object.values(counted).reduce((a, b) => a + b, 0)).toBe(server.received());
        expect((await registry.getSingleMetric('anthropic_attempts_in_flight')?.get())?.values[0].value).toBe(
          0,
        );
      } finally {
        await server.close();
      }
    },
  );
});
