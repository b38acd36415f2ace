import type { Registry } from 'prom-client';
import { claudeMiddleware } from '../../src';
import { type Simulator, startSimulator } from '../../src/simulator';
import { freshRegistry } from '../support/metrics';
import { caught, clientFor } from '../support/sdk';

// A dashboard reads a gauge by its help. Every gauge claude-otel registers, read before the
// first call, after healthy calls, during a retry-after pause and after it: each sample (or its
// absence) must be what the help says. A gauge added without a row here fails the first test.

type Sample = { labels: Record<string, string | number>; value: number };
type Phase = 'before any call' | 'healthy' | 'paused' | 'after the pause';

const LIMIT = { model_group: 'sonnet-5.5', lane: 'standard' };

/** What each gauge must show in each phase, checked against its help. */
const GAUGES: Record<string, { help: RegExp; expect: (phase: Phase, samples: Sample[]) => void }> = {
  anthropic_governor_allowed_requests_per_second: {
    help: /refill rate plus what the bucket holds above a reserve, spread over 10 s.*\+Inf while nothing limits it/,
    expect: (phase, samples) => {
      if (phase === 'before any call') return expect(samples).toEqual([]);
      expect(samples).toEqual([{ labels: LIMIT, value: expect.any(Number) }]);
      // 4000 requests/min, the bucket nearly full: its refill (66.7/s) plus 95% of 4000 over 10 s.
      expect(samples[0].value).toBeGreaterThan(4000 / 60);
      expect(samples[0].value).toBeLessThanOrEqual(4000 / 60 + (0.95 * 4000) / 10 + 0.01);
    },
  },
  anthropic_governor_concurrency_limit: {
    help: /\+Inf until the API reports overload/,
    // No 529 in any phase: +Inf throughout, from the first governor on.
    expect: (phase, samples) =>
      expect(samples).toEqual(
        phase === 'before any call' ? [] : [{ labels: LIMIT, value: Number.POSITIVE_INFINITY }],
      ),
  },
  anthropic_governor_queued_requests: {
    help: /Attempts waiting for the governor/,
    expect: (phase, samples) =>
      expect(samples).toEqual(phase === 'before any call' ? [] : [{ labels: LIMIT, value: 0 }]),
  },
  anthropic_governor_paused: {
    help: /1 while a retry-after pause holds every sender to this limit.*else 0/,
    expect: (phase, samples) =>
      expect(samples).toEqual(
        phase === 'before any call' ? [] : [{ labels: LIMIT, value: phase === 'paused' ? 1 : 0 }],
      ),
  },
  // Fleet mode only: no sample without it, ever (a 0 would read "Redis failed").
  anthropic_governor_fleet_connected: {
    help: /No sample without fleet mode/,
    expect: (_, s) => expect(s).toEqual([]),
  },
  anthropic_governor_fleet_members: {
    help: /Processes sharing the governor/,
    expect: (_, s) => expect(s).toEqual([]),
  },
  anthropic_governor_fleet_share: {
    help: /1 while it governs alone/,
    expect: (_, s) => expect(s).toEqual([]),
  },
  anthropic_ratelimit_limit: {
    help: /The rate limit the latest response of each limit .* reported/,
    expect: (phase, samples) => {
      if (phase === 'before any call') return expect(samples).toEqual([]);
      // The simulator's limits: 4000 requests, 2M input and 400K output tokens per minute.
      const byResource = Object.fromEntries(samples.map((s) => [s.labels.resource, s.value]));
      expect(byResource).toMatchObject({ requests: 4000, input_tokens: 2_000_000, output_tokens: 400_000 });
    },
  },
  anthropic_ratelimit_remaining: {
    help: /What the latest response of each limit .* reported remaining/,
    expect: (phase, samples) => {
      if (phase === 'before any call') return expect(samples).toEqual([]);
      for (const s of samples) expect(s.value).toBeGreaterThanOrEqual(0);
      // At most the limit (the bucket refills 66.7/s: a few ms after a call it is full again).
      expect(samples.find((s) => s.labels.resource === 'requests')?.value).toBeLessThanOrEqual(4000);
    },
  },
  anthropic_ratelimit_reset_seconds: {
    help: /Seconds until the bucket is full again/,
    expect: (phase, samples) => {
      if (phase === 'before any call') return expect(samples).toEqual([]);
      for (const s of samples) expect(s.value).toBeGreaterThanOrEqual(0);
    },
  },
  anthropic_attempts_in_flight: {
    help: /Attempts sent and not yet finished/,
    expect: (_, samples) => expect(samples).toEqual([{ labels: {}, value: 0 }]),
  },
};

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ limits: { inputTokensPerMinute: 2_000_000, outputTokensPerMinute: 400_000 } });
});
afterAll(() => sim.close());

async function gauges(registry: Registry) {
  const out: Record<string, { help: string; samples: Sample[] }> = {};
  for (const metric of await registry.getMetricsAsJSON()) {
    if (String(metric.type) !== 'gauge') continue;
    out[metric.name] = {
      help: metric.help,
      samples: metric.values.map((v) => ({ labels: { ...v.labels } as Sample['labels'], value: v.value })),
    };
  }
  return out;
}

async function check(registry: Registry, phase: Phase) {
  const seen = await gauges(registry);
  expect(Object.keys(seen).sort()).toEqual(Object.keys(GAUGES).sort());
  for (const [name, { help, samples }] of Object.entries(seen)) {
    expect(help).toMatch(GAUGES[name].help);
    try {
      GAUGES[name].expect(phase, samples);
    } catch (error) {
      throw new Error(`${name} ${phase}: ${(error as Error).message}`);
    }
  }
}

it('every gauge, before the first call, healthy, paused and after: what its help says', async () => {
  const registry = freshRegistry() as Registry;
  const client = clientFor(sim, { middleware: [claudeMiddleware({ metrics: { registry } })], maxRetries: 0 });
  const call = () =>
    client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
  await check(registry, 'before any call');
  await call();
  await call();
  await check(registry, 'healthy');
  // A 429 with retry-after 2 s: every sender to the limit is held.
  sim.script({ kind: 'error', status: 429, retryAfterSeconds: 2 });
  await caught(call);
  await check(registry, 'paused');
  await call(); // waits out the pause at the gate
  await check(registry, 'after the pause');
});
