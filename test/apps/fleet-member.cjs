// One process of a fleet: WORKERS callers against SIM_URL until told 'stop', with claude-otel's
// governor in fleet mode when REDIS_URL is set (per process otherwise). Says 'started' after its
// first successful call, and at the end how many calls succeeded and failed.
const Anthropic = require('@anthropic-ai/sdk');
const { Registry } = require('prom-client');
const { claudeMiddleware } = require('claude-otel');

const fleet = process.env.REDIS_URL ? { redis: process.env.REDIS_URL } : false;
const client = new Anthropic.default({
  baseURL: process.env.SIM_URL,
  apiKey: process.env.API_KEY,
  logLevel: 'off',
  maxRetries: 2,
  middleware: [claudeMiddleware({ metrics: { registry: new Registry() }, governor: { fleet } })],
});

let stopping = false;
let ok = 0;
let failed = 0;
const worker = async () => {
  while (!stopping) {
    try {
      await client.messages.create({
        model: process.env.MODEL,
        max_tokens: 16,
        messages: [{ role: 'user', content: 'Hello, fleet' }],
      });
      if (++ok === 1) process.send({ type: 'started' });
    } catch {
      failed++;
    }
  }
};
const workers = Array.from({ length: Number(process.env.WORKERS ?? 4) }, worker);
process.on('message', async (message) => {
  if (message !== 'stop') return;
  stopping = true;
  await Promise.all(workers);
  process.send({ type: 'done', ok, failed }, () => process.exit(0));
});
