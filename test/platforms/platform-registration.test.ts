import { join } from 'node:path';
import { type Simulator, startSimulator } from '../../src/simulator';
import { type ReceivedSpan, startOtlpReceiver } from '../support/otlp-receiver';
import { ROOT, requireBuild, run } from '../support/processes';

// An app that loads only @anthropic-ai/bedrock-sdk (or vertex-sdk), which loads the SDK through
// its subpaths (`@anthropic-ai/sdk/client`), and registers AnthropicInstrumentation with NodeSDK:
// its attempts are traced as a Claude API app's are, CommonJS and ESM alike.

const APPS = join(ROOT, 'test', 'apps');
const MODELS = {
  bedrock: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  vertex: 'claude-sonnet-4-5@20250929',
};
const PROVIDERS = { bedrock: 'aws.bedrock', vertex: 'gcp.vertex_ai' };

let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let sim: Simulator;

beforeAll(async () => {
  requireBuild();
  receiver = await startOtlpReceiver();
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
  await receiver.close();
});
beforeEach(() => {
  sim.reset();
  receiver.clear();
});

async function runApp(args: string[], platform: 'bedrock' | 'vertex') {
  const done = await run('node', args, {
    cwd: APPS,
    env: {
      ...process.env,
      PLATFORM: platform,
      SIM_URL: sim.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_LOG_LEVEL: 'none',
    },
  });
  if (done.code !== 0) throw new Error(`app failed (${done.code}): ${done.stderr}`);
  return {
    ...(JSON.parse(done.stdout.trim()) as { results: { ok: boolean }[]; mainEntry: boolean }),
    stderr: done.stderr,
  };
}

const attemptsOf = (spans: ReceivedSpan[]) =>
  spans.filter((s) => s.scope === 'claude-otel').sort((a, b) => (a.startNs < b.startNs ? -1 : 1));

describe.each([
  ['CommonJS', ['platform-app.cjs']],
  ['ESM', ['--import', './register.mjs', 'platform-app.mjs']],
])('a %s app that loads only a platform package', (_kind, args) => {
  it.each(['bedrock', 'vertex'] as const)(
    "%s: a throttle, its retry and a stream: one span per attempt under the SDK call span, in the platform's terms",
    async (platform) => {
      sim.script({ kind: 'error', status: 429, type: 'rate_limit_error' });
      const { results, mainEntry, stderr } = await runApp(args, platform);
      expect(results).toEqual([
        { ok: true, text: expect.any(String) },
        { ok: true, text: expect.any(String) },
      ]);
      expect(mainEntry).toBe(false);
      // Nothing to warn about on a tested SDK.
      expect(stderr).not.toContain('ClaudeOtelWarning');
      const truth = sim.attempts();
      expect(truth.map((a) => a.status)).toEqual([429, 200, 200]);
      const attempts = attemptsOf(receiver.spans);
      expect(attempts).toHaveLength(truth.length);
      const calls = receiver.spans.filter((s) => s.scope !== 'claude-otel' && s.kind === 3);
      expect(calls).toHaveLength(2);
      expect(attempts.map((s) => s.parentSpanId)).toEqual([
        calls[0].spanId,
        calls[0].spanId,
        calls[1].spanId,
      ]);
      expect(attempts.map((s) => s.attributes['error.type'])).toEqual([
        'rate_limit_error',
        undefined,
        undefined,
      ]);
      for (const [i, span] of attempts.entries()) {
        expect(span.attributes['gen_ai.operation.name']).toBe('chat');
        expect(span.attributes['gen_ai.request.model']).toBe(MODELS[platform]);
        expect(span.attributes['gen_ai.provider.name']).toBe(PROVIDERS[platform]);
        expect(span.attributes['http.response.status_code']).toBe(truth[i].status);
        expect(String(span.attributes['url.full'])).toBe(`${sim.url}${truth[i].path}`);
        // Bedrock names each response (x-amzn-requestid); Vertex AI sends no request id.
        expect(span.attributes['anthropic.request.id']).toBe(
          platform === 'bedrock' ? truth[i].requestId : undefined,
        );
      }
      expect(attempts[2].attributes['anthropic.stream']).toBe(true);
      expect(JSON.stringify(receiver.spans.map((s) => [s.name, s.attributes]))).not.toMatch(
        /app-secret-key|app-google-token|AKIDAPPEXAMPLE/,
      );
    },
  );
});
