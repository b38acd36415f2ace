// The ESM twin of platform-app.cjs (--import ./instrumentation.mjs): the platform package as ESM.
import { createRequire } from 'node:module';

const { platform, callOnce } = createRequire(import.meta.url)('./platform-options.cjs');
await callOnce(
  platform === 'bedrock'
    ? (await import('@anthropic-ai/bedrock-sdk')).AnthropicBedrock
    : (await import('@anthropic-ai/vertex-sdk')).AnthropicVertex,
);
