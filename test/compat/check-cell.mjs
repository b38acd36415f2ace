// Runs inside one compat cell (its own Node, its own node_modules with the packed claude-otel):
// the README's CJS and ESM registrations as real apps, then metrics and the governor in process.
// Prints one JSON line of findings; exits 1 when a check fails. Usage: node check-cell.mjs
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(`${process.cwd()}/`);
const { startSimulator } = require('claude-otel/simulator');
const { claudeMiddleware } = require('claude-otel');
const Anthropic = require('@anthropic-ai/sdk');
const { Registry } = require('prom-client');

const KEY = 'sk-ant-compat-canary-key';
const versionOf = (name) => JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version;
const sdkVersion = versionOf('@anthropic-ai/sdk');
const numbers = (v) => v.split(/[.-]/).slice(0, 3).map(Number);
const atLeast = (v, min) => {
  const [a, b] = [numbers(v), numbers(min)];
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
};
const expectWarning =
  atLeast(sdkVersion, '0.101.0') < 0
    ? 'too-old'
    : numbers(sdkVersion)[0] > numbers(process.env.NEWEST_TESTED_SDK)[0]
      ? 'untested'
      : 'none';
const hasCallSpan = atLeast(sdkVersion, '0.134.0') >= 0;

const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};

/** An OTLP/HTTP JSON trace receiver: the spans the apps' real exporters send. */
function receiver() {
  const spans = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      for (const rs of JSON.parse(body).resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? []) {
            const attributes = Object.fromEntries(
              (s.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]),
            );
            spans.push({
              name: s.name,
              scope: ss.scope?.name,
              id: s.spanId,
              parent: s.parentSpanId || undefined,
              start: BigInt(s.startTimeUnixNano),
              attributes,
            });
          }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ spans, url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() }),
    ),
  );
}

function run(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const sim = await startSimulator();
const otlp = await receiver();
const env = {
  ANTHROPIC_BASE_URL: sim.url,
  ANTHROPIC_API_KEY: KEY,
  OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
};
const apps = {};

for (const [kind, args] of [
  ['cjs', ['--require', './instrumentation.cjs', 'app.cjs']],
  ['esm', ['--import', './instrumentation.mjs', 'app.mjs']],
]) {
  sim.reset();
  otlp.spans.length = 0;
  // The first call meets a 429 and a 529 before it succeeds; the stream succeeds at once.
  sim.script({ kind: 'error', status: 429, retryAfterSeconds: 1 }, { kind: 'error', status: 529 });
  const done = await run(args, env);
  const truth = sim.attempts();
  const attempts = otlp.spans
    .filter((s) => s.scope === 'claude-otel')
    .sort((a, b) => (a.start < b.start ? -1 : 1));
  const parents = attempts.map((s) => otlp.spans.find((p) => p.id === s.parent)?.scope ?? null);
  const warnings = done.stderr.match(/ClaudeOtelWarning/g)?.length ?? 0;
  apps[kind] = { exit: done.code, attempts: attempts.length, simulator: truth.length, warnings };
  check(done.code === 0, `${kind}: the app exited ${done.code}: ${done.stderr.slice(0, 500)}`);
  if (expectWarning === 'too-old') {
    check(
      attempts.length === 0,
      `${kind}: ${attempts.length} attempt spans from an SDK claude-otel cannot instrument`,
    );
    check(
      warnings === 1 && /CLAUDE_OTEL_SDK_TOO_OLD/.test(done.stderr),
      `${kind}: expected one too-old warning, stderr: ${done.stderr}`,
    );
    continue;
  }
  check(truth.length === 4, `${kind}: the simulator counted ${truth.length} attempts, expected 4`);
  check(
    attempts.length === truth.length,
    `${kind}: ${attempts.length} attempt spans for ${truth.length} attempts`,
  );
  check(
    JSON.stringify(attempts.map((s) => s.attributes['anthropic.request.id'])) ===
      JSON.stringify(truth.map((a) => a.requestId)),
    `${kind}: attempt spans' request ids differ from the simulator's`,
  );
  check(
    JSON.stringify(attempts.map((s) => Number(s.attributes['http.response.status_code']))) ===
      '[429,529,200,200]',
    `${kind}: statuses ${attempts.map((s) => s.attributes['http.response.status_code'])}`,
  );
  const expectedParent = hasCallSpan ? 'com.anthropic.sdk.typescript' : null;
  check(
    parents.every((p) => p === expectedParent),
    `${kind}: attempt parents ${JSON.stringify(parents)}, expected ${expectedParent}`,
  );
  const expectedWarnings = expectWarning === 'untested' ? 1 : 0;
  check(
    warnings === expectedWarnings,
    `${kind}: ${warnings} ClaudeOtelWarnings, expected ${expectedWarnings}: ${done.stderr}`,
  );
  check(
    !JSON.stringify(otlp.spans.map((s) => s.attributes)).includes(KEY),
    `${kind}: the API key reached a span`,
  );
}

// The platform clients, in cells that install them: an app that loads only the platform package,
// with the README's registration, CJS and ESM: a throttle and its retry, each attempt one span in
// the platform's terms (the SDK reached through its subpaths, which the instrumentation hooks).
const platforms = {};
for (const platform of ['bedrock', 'vertex']) {
  let version;
  try {
    version = versionOf(`@anthropic-ai/${platform}-sdk`);
  } catch {
    continue;
  }
  const provider = platform === 'bedrock' ? 'aws.bedrock' : 'gcp.vertex_ai';
  const platformEnv = {
    ...env,
    PLATFORM: platform,
    SIM_URL: sim.url,
    ANTHROPIC_BEDROCK_BASE_URL: sim.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDCOMPATEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'compat-secret',
  };
  platforms[platform] = { version };
  for (const [kind, args] of [
    ['cjs', ['--require', './instrumentation.cjs', 'platform-app.cjs']],
    ['esm', ['--import', './instrumentation.mjs', 'platform-app.mjs']],
  ]) {
    sim.reset();
    otlp.spans.length = 0;
    sim.script({ kind: 'error', status: 429 });
    const done = await run(args, platformEnv);
    const truth = sim.attempts();
    const attempts = otlp.spans
      .filter((s) => s.scope === 'claude-otel')
      .sort((a, b) => (a.start < b.start ? -1 : 1));
    const parents = attempts.map((s) => otlp.spans.find((p) => p.id === s.parent)?.scope ?? null);
    platforms[platform][kind] = { exit: done.code, attempts: attempts.length, simulator: truth.length };
    const what = `${platform} ${version} ${kind}`;
    check(done.code === 0, `${what}: the app exited ${done.code}: ${done.stderr.slice(0, 500)}`);
    check(
      JSON.stringify(truth.map((a) => a.status)) === '[429,200]',
      `${what}: simulator statuses ${JSON.stringify(truth.map((a) => a.status))}, expected [429,200]`,
    );
    check(
      attempts.length === truth.length,
      `${what}: ${attempts.length} attempt spans for ${truth.length} attempts`,
    );
    check(
      JSON.stringify(attempts.map((s) => s.attributes['error.type'] ?? null)) === '["rate_limit_error",null]',
      `${what}: error types ${JSON.stringify(attempts.map((s) => s.attributes['error.type']))}`,
    );
    check(
      attempts.every(
        (s) =>
          s.attributes['gen_ai.provider.name'] === provider &&
          s.attributes['gen_ai.operation.name'] === 'chat',
      ),
      `${what}: provider/operation ${JSON.stringify(attempts.map((s) => [s.attributes['gen_ai.provider.name'], s.attributes['gen_ai.operation.name']]))}`,
    );
    check(
      attempts.every((s, i) => s.attributes['url.full'] === `${sim.url}${truth[i].path}`),
      `${what}: url.full ${JSON.stringify(attempts.map((s) => s.attributes['url.full']))}`,
    );
    // The platform's own tracer: com.anthropic.sdk.typescript.bedrock (.vertex).
    const expectedParent = hasCallSpan ? `com.anthropic.sdk.typescript.${platform}` : null;
    check(
      parents.every((p) => p === expectedParent || (p === 'com.anthropic.sdk.typescript' && hasCallSpan)),
      `${what}: attempt parents ${JSON.stringify(parents)}, expected ${expectedParent}`,
    );
    check(!/ClaudeOtelWarning/.test(done.stderr) || expectWarning === 'untested', `${what}: ${done.stderr}`);
  }
}

// Metrics and the governor, in this process, with this cell's SDK and prom-client.
let inProcess = 'skipped (SDK too old for middleware)';
if (expectWarning !== 'too-old') {
  sim.reset();
  const registry = new Registry();
  const client = new Anthropic({
    baseURL: sim.url,
    apiKey: KEY,
    maxRetries: 2,
    middleware: [claudeMiddleware({ metrics: { registry } })],
  });
  const ask = () =>
    client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
  sim.script({ kind: 'error', status: 429, retryAfterSeconds: 1 });
  await ask();
  await ask();
  const total = async (name, labels = {}) => {
    const values = (await registry.getSingleMetric(name).get()).values;
    return values
      .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
      .reduce((n, v) => n + v.value, 0);
  };
  const counted = {
    attempts: await total('anthropic_attempts_total'),
    status429: await total('anthropic_attempts_total', { status_code: '429' }),
    retries: await total('anthropic_retries_total'),
    pauses: await total('anthropic_governor_pauses_total'),
  };
  const simCount = sim.stats().attempts;
  check(
    counted.attempts === simCount && simCount === 3,
    `metrics: ${counted.attempts} attempts counted, simulator ${simCount}, expected 3`,
  );
  check(counted.status429 === 1 && counted.retries === 1, `metrics: ${JSON.stringify(counted)}`);
  check(counted.pauses === 1, `governor: ${counted.pauses} pauses after one retry-after, expected 1`);
  inProcess = counted;
}

// The demo runs on this cell's SDK and OpenTelemetry (on the 0.3xx line it has no sdk-trace-base).
let demo = 'skipped (SDK too old for middleware)';
if (expectWarning !== 'too-old') {
  const done = await run(
    ['node_modules/claude-otel/dist/cjs/cli/bin.js', 'demo', '--duration', '3', '--port', '0', '--json'],
    {},
  );
  let summary;
  try {
    summary = JSON.parse(done.stdout);
  } catch {
    summary = undefined;
  }
  check(
    done.code === 0 && summary?.telemetryMatchesSimulator === true,
    `demo: exit ${done.code}, ${done.stderr.slice(-500)}`,
  );
  demo =
    done.code === 0
      ? `${summary?.runs?.[0]?.calls?.total} calls, telemetry ${summary?.telemetryMatchesSimulator ? 'equal' : 'DIFFERENT'}`
      : 'failed';
}

// Fleet mode, in cells that install ioredis: the README's fleet example through a real Redis
// (Debian's redis-server, which npm test installs), a 429 first so the pause goes through it.
let fleet = 'not in this cell';
if (process.env.FLEET_CHECK) {
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const server = spawn('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  await new Promise((resolve, reject) => {
    let seen = '';
    server.on('error', reject);
    server.stdout.on('data', (d) => {
      seen += d;
      if (seen.includes('Ready to accept connections')) resolve();
    });
  });
  sim.reset();
  sim.script({ kind: 'error', status: 429, retryAfterSeconds: 1 });
  const url = `redis://127.0.0.1:${port}`;
  const done = await run(['fleet.mjs'], { ...env, REDIS_URL: url });
  const Redis = require('ioredis');
  const client = new Redis(url);
  const keys = await client.keys('claude-otel:*');
  const limitKeys = keys.filter((k) => /:(rate|members)$/.test(k));
  const ttls = await Promise.all(limitKeys.map((k) => client.pttl(k)));
  client.disconnect();
  server.kill('SIGKILL');
  const attempts = sim.attempts().map((a) => a.status);
  check(
    done.code === 0 && done.stderr === '' && done.stdout.trim() !== '',
    `fleet: exit ${done.code}, ${done.stderr.slice(-500)}`,
  );
  // The key's own state until its first response named the organization, then the
  // organization's: two limits' rate and members, each expiring (10 minutes).
  check(
    limitKeys.length === 4 && ttls.every((ttl) => ttl > 0 && ttl <= 600_000),
    `fleet: keys in Redis ${JSON.stringify(keys)}, ttl ${JSON.stringify(ttls)} ms`,
  );
  check(
    JSON.stringify(attempts) === '[429,200]',
    `fleet: attempts ${JSON.stringify(attempts)}, expected [429,200]`,
  );
  fleet = `ioredis ${versionOf('ioredis')}: attempts ${JSON.stringify(attempts)}, ${keys.length} keys in Redis`;
}

otlp.close();
await sim.close();
const versions = Object.fromEntries(
  [
    '@anthropic-ai/sdk',
    '@opentelemetry/api',
    '@opentelemetry/sdk-node',
    '@opentelemetry/instrumentation',
    'prom-client',
    'ioredis',
    '@anthropic-ai/bedrock-sdk',
    '@anthropic-ai/vertex-sdk',
  ].map((n) => {
    try {
      return [n, versionOf(n)];
    } catch {
      return [n, null];
    }
  }),
);
process.stdout.write(
  `${JSON.stringify({ node: process.version, versions, expectWarning, apps, platforms, inProcess, demo, fleet, failures })}\n`,
);
process.exit(failures.length ? 1 : 0);
