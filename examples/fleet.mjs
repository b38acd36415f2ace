// fleet.mjs: every process of the service shares one governor through Redis (fleet mode).
import Anthropic from '@anthropic-ai/sdk';
import { claudeMiddleware } from 'claude-otel';

const client = new Anthropic({
  middleware: [
    claudeMiddleware({
      // A retry-after seen by any process pauses them all; every process sends at one shared rate.
      // If Redis fails, each process governs alone (and says so) until it answers again.
      governor: { fleet: { redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } },
    }),
  ],
});
const message = await client.messages.create({
  model: 'claude-sonnet-5-5',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Hello from one process of many' }],
});
console.log(message.content[0].text);
