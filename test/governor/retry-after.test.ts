import Anthropic from '@anthropic-ai/sdk';
import { claudeMiddleware } from '../../src';
import { freshRegistry, sumBy } from '../support/metrics';
import { ok, rateLimited, startRawServer } from '../support/raw-server';
import { ask, caught, clientFor } from '../support/sdk';

/** Process warnings raised while `fn` runs (Node's TimeoutOverflowWarning above all). */
async function warningsDuring(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (warning: Error) => seen.push(`${warning.name}: ${warning.message}`);
  process.on('warning', listener);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

const outcome = async (call: () => Promise<unknown>) => {
  try {
    await call();
    return 'ok';
  } catch (error) {
    return (error as Error).constructor.name;
  }
};

describe('a retry-after the SDK itself ignores (longer than a timer can wait)', () => {
  it.each([
    ['retry-after: 999999999', () => ({ 'retry-after': '999999999' })],
    [
      'an HTTP date 30 days ahead',
      () => ({ 'retry-after': new Date(Date.now() + 30 * 86_400_000).toUTCString() }),
    ],
  ])('%s: the caller sees what the plain SDK gives, no warning, no pause', async (_what, headers) => {
    const raw = await startRawServer(rateLimited(headers()), ok);
    try {
      // The plain SDK: it ignores the retry-after, backs off on its own and succeeds.
      const plain = await outcome(() => ask(clientFor(raw, { maxRetries: 2 })));
      expect(plain).toBe('ok');
      expect(raw.received()).toBe(2);

      raw.script(rateLimited(headers()), ok);
      const registry = freshRegistry();
      const client = clientFor(raw, {
        maxRetries: 2,
        middleware: [claudeMiddleware({ metrics: { registry } })],
      });
      const warnings = await warningsDuring(async () => {
        expect(await outcome(() => ask(client))).toBe(plain);
        await Promise.all([ask(client), ask(client)]);
      });
      expect(warnings).toEqual([]);
      expect(raw.received()).toBe(4);
      expect(await sumBy(registry, 'anthropic_governor_pauses_total', 'x')).toEqual({ '': 0 });
      expect(await sumBy(registry, 'anthropic_governor_paused', 'x')).toEqual({ '': 0 });
    } finally {
      await raw.close();
    }
  });
});

describe('a retry-after longer than a call may wait (maxWaitMs)', () => {
  it('fails that call at once with the API error, and every other call of the domain flows', async () => {
    const raw = await startRawServer(rateLimited({ 'retry-after': '3600' }), ok);
    try {
      const registry = freshRegistry();
      const client = clientFor(raw, {
        maxRetries: 2,
        middleware: [claudeMiddleware({ metrics: { registry }, governor: { maxWaitMs: 2000 } })],
      });
      const warnings = await warningsDuring(async () => {
        // The plain SDK would sleep an hour; the caller's bound is 2 s: a documented refusal.
        expect(await caught(() => ask(client))).toBeInstanceOf(Anthropic.RateLimitError);
        // Not frozen for the hour (nor until the 2 s bound): the next calls go at once and succeed.
        await Promise.all([ask(client), ask(client), ask(client)]);
      });
      expect(warnings).toEqual([]);
      expect(raw.received()).toBe(4);
      expect(await sumBy(registry, 'anthropic_governor_retry_vetoes_total', 'reason')).toMatchObject({
        retry_after_too_long: 1,
      });
      expect(await sumBy(registry, 'anthropic_governor_pauses_total', 'x')).toEqual({ '': 0 });
      expect(await sumBy(registry, 'anthropic_governor_rejected_total', 'reason')).toEqual({
        queue_full: 0,
        wait_timeout: 0,
        overloaded: 0,
      });
    } finally {
      await raw.close();
    }
  });
});
