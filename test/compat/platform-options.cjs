// What the compat cell's platform apps (platform-app.cjs, .mjs) ask of each platform client: the
// options (the simulator's URL and the AWS credentials come from the environment, as in
// production) and the model; each app loads the client class its own way (require or import).
const options = {
  bedrock: {},
  vertex: {
    region: 'us-east5',
    projectId: 'compat-project',
    baseURL: `${process.env.SIM_URL}/v1`,
    // A Google credential without the network.
    authClient: {
      projectId: 'compat-project',
      getRequestHeaders: async () => new Headers({ authorization: 'Bearer compat-token' }),
    },
  },
};
const models = {
  bedrock: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  vertex: 'claude-sonnet-4-5@20250929',
};
const platform = process.env.PLATFORM;

/** One call through `Client`, printed. */
async function callOnce(Client) {
  const client = new Client(options[platform]);
  const message = await client.messages.create({
    model: models[platform],
    max_tokens: 16,
    messages: [{ role: 'user', content: 'hi' }],
  });
  console.log(message.content[0].text);
}
module.exports = { platform, callOnce };
