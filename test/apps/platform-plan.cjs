// What the platform apps do: a Bedrock or Vertex AI client (PLATFORM), reaching the simulator,
// makes one call and one stream. Prints what the caller saw and which SDK files were loaded.
const clients = {
  bedrock: (Client, baseURL) =>
    new Client({
      baseURL,
      awsRegion: 'us-east-1',
      awsAccessKey: 'AKIDAPPEXAMPLE',
      awsSecretKey: 'app-secret-key',
      logLevel: 'off',
      maxRetries: 2,
    }),
  vertex: (Client, baseURL) =>
    new Client({
      baseURL: `${baseURL}/v1`,
      region: 'us-east5',
      projectId: 'app-project',
      // A Google credential without the network: any token passes the simulator.
      authClient: {
        projectId: 'app-project',
        getRequestHeaders: async () => new Headers({ authorization: 'Bearer app-google-token' }),
      },
      logLevel: 'off',
      maxRetries: 2,
    }),
};

const MODELS = {
  bedrock: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  vertex: 'claude-sonnet-4-5@20250929',
};

async function runPlatformPlan(Client, platform, baseURL) {
  const client = clients[platform](Client, baseURL);
  const params = { model: MODELS[platform], max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] };
  const outcome = async (fn) => {
    try {
      const message = await fn();
      return { ok: true, text: message.content[0]?.text };
    } catch (error) {
      return { ok: false, error: error.constructor.name, status: error.status, message: error.message };
    }
  };
  return [
    await outcome(() => client.messages.create(params)),
    await outcome(() => client.messages.stream(params).finalMessage()),
  ];
}
module.exports = { runPlatformPlan, MODELS };
