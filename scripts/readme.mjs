// Keeps the README's code honest: every block after an `<!-- example: FILE -->` marker is that
// file from examples/ (which the tests run), and the supported-versions table is generated from
// package.json and the version matrix. `node scripts/readme.mjs` rewrites README.md;
// `--check` exits 1 and names what differs (npm test runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (path) => readFileSync(join(ROOT, path), 'utf8');

/** The README with each example block replaced by its file. */
function withExamples(readme) {
  return readme.replace(
    /<!-- example: (\S+) -->\n```(\w*)\n[\s\S]*?```/g,
    (_, file, lang) => `<!-- example: ${file} -->\n\`\`\`${lang}\n${read(file).trimEnd()}\n\`\`\``,
  );
}

const byVersion = (a, b) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
};

export function versionsTable() {
  const pkg = JSON.parse(read('package.json'));
  const { cells } = JSON.parse(read('test/compat/matrix.json'));
  const peer = pkg.peerDependencies;
  const nodes = [...new Set(cells.map((c) => c.node))].sort((a, b) => a - b);
  const pinned = [...new Set(cells.map((c) => c.sdk).filter((v) => /^\d/.test(v)))].sort(byVersion);
  const oldest = peer['@anthropic-ai/sdk'].replace('>=', '');
  const sdks = pinned.map((v) => (byVersion(v, oldest) < 0 ? `${v} (warned: too old)` : v));
  if (cells.some((c) => c.sdk === 'latest')) sdks.push('latest');
  const otel = nodes
    .map((n) => {
      const lines = [...new Set(cells.filter((c) => c.node === n).map((c) => c.otel))];
      return `${lines.join(', ')} on Node ${n}`;
    })
    .join('; ');
  const rows = [
    ['', 'supported', 'tested in CI (test/compat/matrix.json)', 'notes'],
    ['Node.js', `${pkg.engines.node}`, nodes.join(', '), "OpenTelemetry's 0.30x line needs Node >= 22.15"],
    [
      '`@anthropic-ai/sdk`',
      `${peer['@anthropic-ai/sdk']}`,
      sdks.join(', '),
      `every release with the \`middleware\` option; before 0.134.0 the SDK starts no call span, so attempt spans are roots; a newer ${pinned.at(-1).split('.')[0]}.x release is instrumented as usual (said to OpenTelemetry's diag only), a newer major with one warning`,
    ],
    [
      '`@opentelemetry/sdk-node`, `exporter-trace-otlp-http`',
      `${peer['@opentelemetry/sdk-node']}`,
      otel,
      'npm picks the line your Node supports: 0.2xx on Node 20, 0.30x on Node >= 22.15',
    ],
    ['`@opentelemetry/api`', `${peer['@opentelemetry/api']}`, '1.9 (with 0.2xx), 1.10 (with 0.30x)', ''],
    ['`prom-client`', `${peer['prom-client']}`, '15', ''],
    [
      '`ioredis` (fleet mode only)',
      `${peer.ioredis}`,
      [...new Set(cells.filter((c) => c.ioredis).map((c) => c.ioredis))].join(', '),
      'a Redis or Valkey server (tested: Redis 7.0, Valkey 8.0); not needed without `governor.fleet`',
    ],
    ...[
      [
        'bedrock',
        '`@anthropic-ai/bedrock-sdk` (`AnthropicBedrock`)',
        'SigV4, access keys or the default AWS credentials; Bedrock API keys',
      ],
      ['vertex', '`@anthropic-ai/vertex-sdk` (`AnthropicVertex`)', 'any Google credential'],
    ].map(([key, name, note]) => {
      const tested = [...new Set(cells.filter((c) => c[key]).map((c) => c[key]))];
      const oldestTested = tested.filter((v) => /^\d/.test(v)).sort(byVersion)[0];
      return [name, `>=${oldestTested}`, tested.join(', '), `optional; ${note}`];
    }),
  ];
  const widths = rows[0].map((_, i) => Math.max(3, ...rows.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(rows[0]),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

function withVersions(readme) {
  return readme.replace(
    /(<!-- versions:start[^>]*-->\n)[\s\S]*?(<!-- versions:end -->)/,
    (_, start, end) => `${start}${versionsTable()}\n${end}`,
  );
}

export function expectedReadme() {
  return withVersions(withExamples(read('README.md')));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const current = read('README.md');
  const expected = expectedReadme();
  if (process.argv.includes('--check')) {
    if (current !== expected) {
      console.error('README.md differs from examples/ or the version matrix: run "node scripts/readme.mjs"');
      process.exit(1);
    }
  } else if (current !== expected) {
    writeFileSync(join(ROOT, 'README.md'), expected);
    console.log('README.md updated');
  }
}
