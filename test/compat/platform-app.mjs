// The ESM twin of platform-app.cjs (--import ./instrumentation.mjs): the platform package as ESM.
const platform = process.env.PLATFORM;
const client =
  platform === 'bedrock'
    ? new (await import('@anthropic-ai/bedrock-sdk')).AnthropicBedrock()
    : new (await import('@anthropic-ai/vertex-sdk')).AnthropicVertex({
        region: 'us-east5',
        projectId: 'compat-project',
        baseURL: `${process.env.SIM_URL}/v1`,
        authClient: {
          projectId: 'compat-project',
          getRequestHeaders: async () => new Headers({ authorization: 'Bearer compat-token' }),
        },
      });
const model =
  platform === 'bedrock' ? 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' : 'claude-sonnet-4-5@20250929';
const message = await client.messages.create({
  model,
  max_tokens: 16,
  messages: [{ role: 'user', content: 'hi' }],
});
console.log(message.content[0].text);
