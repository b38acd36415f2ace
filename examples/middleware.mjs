// middleware.mjs: the per-attempt middleware on a client you construct yourself (no NodeSDK needed).
import Anthropic from '@anthropic-ai/sdk';
import { claudeMiddleware } from 'claude-otel';

// Spans go to the global tracer provider (if any), metrics to prom-client's default registry.
const client = new Anthropic({ middleware: [claudeMiddleware()] });
const message = await client.messages.create({
  model: 'claude-sonnet-5-5',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Hello, Claude' }],
});
console.log(message.content[0].text);
