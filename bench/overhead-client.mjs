// One measured client process for bench/overhead.mjs: sets up tracing as its variant says,
// then makes calls against the simulator and reports its own CPU time per call.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { values } = parseArgs({
  options: {
    variant: { type: 'string' },
    url: { type: 'string' },
    calls: { type: 'string', default: '3000' },
    warmup: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '16' },
    stream: { type: 'boolean', default: false },
  },
});
const [processor, withClaudeOtel] = {
  off: [null, false],
  'sdk-simple': ['simple', false],
  'sdk-simple+claude-otel': ['simple', true],
  'sdk-batch': ['batch', false],
  'sdk-batch+claude-otel': ['batch', true],
}[values.variant] ?? [undefined];
if (processor === undefined) throw new Error(`unknown variant ${values.variant}`);

if (processor) {
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
  const { SimpleSpanProcessor, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  // Spans are built and handed to an exporter that drops them: the cost of tracing, not of a network.
  const exporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined };
  const spanProcessor =
    processor === 'simple' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ spanProcessors: [spanProcessor] });
  provider.register();
  if (withClaudeOtel) {
    const { registerInstrumentations } = require('@opentelemetry/instrumentation');
    const { AnthropicInstrumentation } = require('claude-otel');
    registerInstrumentations({ instrumentations: [new AnthropicInstrumentation()] });
  }
}
const Anthropic = require('@anthropic-ai/sdk').default;
const client = new Anthropic({ baseURL: values.url, apiKey: 'bench', maxRetries: 0, logLevel: 'off' });
const params = {
  model: 'claude-sonnet-5-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'overhead' }],
};
const call = values.stream
  ? () => client.messages.stream(params).finalMessage()
  : () => client.messages.create(params);

async function drive(total) {
  let next = 0;
  const worker = async () => {
    while (next++ < total) await call();
  };
  await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
}

await drive(Number(values.warmup));
const before = process.cpuUsage();
const started = performance.now();
await drive(Number(values.calls));
const cpu = process.cpuUsage(before);
process.stdout.write(
  `${JSON.stringify({
    variant: values.variant,
    cpuMicrosPerCall: (cpu.user + cpu.system) / Number(values.calls),
    wallMs: performance.now() - started,
  })}\n`,
);
