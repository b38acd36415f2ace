// A compat cell's platform app: it loads only @anthropic-ai/bedrock-sdk or vertex-sdk (PLATFORM),
// with the README's registration loaded first (--require ./instrumentation.cjs). The clients read
// the simulator's URL and the AWS credentials from the environment, as in production.
async function main() {
  const platform = process.env.PLATFORM;
  const client =
    platform === 'bedrock'
      ? new (require('@anthropic-ai/bedrock-sdk').AnthropicBedrock)()
      : new (require('@anthropic-ai/vertex-sdk').AnthropicVertex)({
          region: 'us-east5',
          projectId: 'compat-project',
          baseURL: `${process.env.SIM_URL}/v1`,
          // A Google credential without the network.
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
}
main();
