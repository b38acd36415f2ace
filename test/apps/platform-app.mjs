// An ESM app (run with --import ./register.mjs): it imports only a platform package, as ESM.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { runPlatformPlan } = require('./platform-plan.cjs');
const platform = process.env.PLATFORM;
const Client =
  platform === 'bedrock'
    ? (await import('@anthropic-ai/bedrock-sdk')).AnthropicBedrock
    : (await import('@anthropic-ai/vertex-sdk')).AnthropicVertex;
const results = await runPlatformPlan(Client, platform, process.env.SIM_URL);
process.stdout.write(`${JSON.stringify({ results, mainEntry: false })}\n`);
await globalThis.__otelSdk?.shutdown().catch(() => undefined);
