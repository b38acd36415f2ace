// One process of the fleet benchmark (forked by bench/fleet.mjs): WORKERS closed-loop callers,
// each a call then THINK_MS of thinking, for DURATION_MS after the parent says 'go'. STRATEGY:
//   sdk      the SDK alone
//   process  claude-otel, its governor per process
//   fleet    claude-otel, its governor shared through Redis (REDIS_URL)
//   oracle   each attempt waits for a slot from the parent, which paces the fleet at capacity
import { createRequire } from 'node:module';
import { claudeMiddleware } from '../dist/esm/index.mjs';

const require = createRequire(import.meta.url);
const Anthropic = require('@anthropic-ai/sdk').default;
const { Registry } = require('prom-client');

const { SIM_URL, STRATEGY, REDIS_URL, API_KEY } = process.env;
const WORKERS = Number(process.env.WORKERS);
const D = Number(process.env.DURATION_MS);
const THINK_MS = Number(process.env.THINK_MS);
const GRACE_MS = Number(process.env.GRACE_MS);

const registry = new Registry();
let slots = 0;
const waitingSlots = new Map();
process.on('message', (message) => {
  if (message.type === 'slot') {
    waitingSlots.get(message.n)?.();
    waitingSlots.delete(message.n);
  }
});
const slot = () =>
  new Promise((resolve) => {
    const n = slots++;
    waitingSlots.set(n, resolve);
    process.send({ type: 'slot', n });
  });

const middleware = {
  sdk: [],
  process: [claudeMiddleware({ metrics: { registry } })],
  fleet: [claudeMiddleware({ metrics: { registry }, governor: { fleet: { redis: REDIS_URL } } })],
  oracle: [
    async (request, next) => {
      await slot();
      return next(request);
    },
  ],
}[STRATEGY];
const client = new Anthropic({
  baseURL: SIM_URL,
  apiKey: API_KEY,
  logLevel: 'off',
  maxRetries: 2,
  middleware,
});
const params = {
  model: 'claude-sonnet-5-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'Hello, fleet' }],
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function run() {
  const calls = [];
  const started = performance.now();
  let timer;
  const deadline = new Promise((resolve) => {
    timer = setTimeout(() => resolve('unfinished'), D + GRACE_MS);
  });
  const worker = async (i) => {
    // Callers start spread over the first think time, as a steady service's would be.
    await sleep((i / WORKERS) * THINK_MS);
    while (performance.now() - started < D) {
      const t0 = performance.now();
      const outcome = await Promise.race([
        client.messages.create(params).then(
          () => 'ok',
          () => 'failed',
        ),
        deadline,
      ]);
      const end = performance.now();
      calls.push({
        start: t0 - started,
        end: end - started,
        ok: outcome === 'ok',
        unfinished: outcome === 'unfinished',
      });
      if (outcome === 'unfinished') return;
      await sleep(THINK_MS);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));
  clearTimeout(timer);
  const metrics = STRATEGY === 'sdk' || STRATEGY === 'oracle' ? [] : await registry.getMetricsAsJSON();
  const rtt = metrics.find((m) => m.name === 'anthropic_governor_fleet_redis_seconds');
  const fallbacks = metrics.find((m) => m.name === 'anthropic_governor_fleet_fallbacks_total');
  return {
    calls,
    redisRoundTrips: rtt
      ? rtt.values.filter((v) => v.metricName.endsWith('_bucket')).map((v) => [v.labels.le, v.value])
      : null,
    fallbacks: fallbacks ? (fallbacks.values[0]?.value ?? 0) : null,
  };
}

process.on('message', async (message) => {
  if (message.type !== 'go') return;
  const result = await run();
  process.send({ type: 'done', result }, () => process.exit(0));
});
process.send({ type: 'ready' });
