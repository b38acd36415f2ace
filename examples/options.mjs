// options.mjs: metrics into a registry of your own, and the governor's options.
import Anthropic from '@anthropic-ai/sdk';
import { claudeMiddleware, openMetricsRegistry } from 'claude-otel';

// An OpenMetrics registry also carries exemplars: each count links to its attempt's trace.
const registry = openMetricsRegistry();
const client = new Anthropic({
  middleware: [
    claudeMiddleware({ metrics: { registry }, governor: { maxWaitMs: 30_000, ramp: { mode: 'always' } } }),
  ],
});
await client.messages.create({
  model: 'claude-sonnet-5-5',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Hello, Claude' }],
});
console.log(await registry.metrics()); // what /metrics would serve: anthropic_attempts_total{...} 1 and the rest
