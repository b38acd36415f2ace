// simulator.mjs: the Claude API simulator in your own tests.
import Anthropic from '@anthropic-ai/sdk';
import { startSimulator } from 'claude-otel/simulator';

const sim = await startSimulator({ scenario: 'healthy', seed: 42 });
const client = new Anthropic({ baseURL: sim.url, apiKey: 'test', maxRetries: 0 });
sim.script({ kind: 'error', status: 429, retryAfterSeconds: 2 }); // the next request gets exactly this
try {
  await client.messages.create({
    model: 'claude-sonnet-5-5',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Hi' }],
  });
} catch (error) {
  console.log(error.status, error.type); // 429 rate_limit_error
}
console.log(sim.stats()); // { attempts: 1, byStatus: { '429': 1 }, byErrorType: { rate_limit_error: 1 }, ... }
await sim.close();
