// app.mjs: the same app as ESM.
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic(); // ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL) from the environment

const message = await client.messages.create({
  model: 'claude-sonnet-5-5',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Hello, Claude' }],
});
console.log(message.content[0].text);
const stream = client.messages.stream({
  model: 'claude-sonnet-5-5',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Tell me a short story' }],
});
stream.on('text', (text) => process.stdout.write(text));
await stream.finalMessage();
console.log();
