// What each test app does with the SDK, chosen by PLAN; prints what the caller saw as JSON.
// Shared by the CommonJS and ESM apps, which differ only in how they load things.
async function runPlan(Anthropic, plan, baseURL) {
  const client = new Anthropic({ baseURL, apiKey: 'sk-ant-app-secret', logLevel: 'off', maxRetries: 2 });
  const params = (i) => ({
    model: 'claude-sonnet-5-5',
    max_tokens: 64,
    messages: [{ role: 'user', content: `question ${i}` }],
  });
  const outcome = async (fn) => {
    try {
      const message = await fn();
      return { ok: true, text: message.content[0]?.text, usage: message.usage };
    } catch (error) {
      return { ok: false, error: error.constructor.name, status: error.status, type: error.type };
    }
  };
  if (plan === 'one-call') return [await outcome(() => client.messages.create(params(0)))];
  if (plan === 'one-stream') return [await outcome(() => client.messages.stream(params(0)).finalMessage())];
  if (plan === 'sequence') {
    const results = [];
    for (let i = 0; i < 30; i++) {
      results.push(
        await outcome(() =>
          i % 3 === 0 ? client.messages.stream(params(i)).finalMessage() : client.messages.create(params(i)),
        ),
      );
    }
    return results;
  }
  throw new Error(`unknown PLAN ${plan}`);
}
module.exports = { runPlan };
