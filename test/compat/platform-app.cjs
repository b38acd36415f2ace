// A compat cell's platform app: it loads only @anthropic-ai/bedrock-sdk or vertex-sdk (PLATFORM),
// with the README's registration loaded first (--require ./instrumentation.cjs).
const { platform, callOnce } = require('./platform-options.cjs');

callOnce(
  platform === 'bedrock'
    ? require('@anthropic-ai/bedrock-sdk').AnthropicBedrock
    : require('@anthropic-ai/vertex-sdk').AnthropicVertex,
);
