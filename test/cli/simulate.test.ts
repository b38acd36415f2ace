import Anthropic from '@anthropic-ai/sdk';
import type { SimulatorStats } from '../../src/simulator';
import { BIN, requireBuild, run, startWithFirstLine } from '../support/processes';
import { MODEL } from '../support/sdk';

type ApiError = InstanceType<typeof Anthropic.APIError>;

beforeAll(requireBuild);

describe('claude-otel simulate', () => {
  it('npx claude-otel simulate --scenario rate-limited --port 0: prints its URL; the SDK meets 429s with all headers', async () => {
    const { stop, firstLine, exited } = startWithFirstLine('npx', [
      '--no-install',
      'claude-otel',
      'simulate',
      '--scenario',
      'rate-limited',
      '--port',
      '0',
    ]);
    try {
      const url = await firstLine;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = new Anthropic({ baseURL: url, apiKey: 'sk-test', maxRetries: 0, logLevel: 'off' });
      const errors: ApiError[] = [];
      for (let i = 0; i < 15; i++) {
        await client.messages
          .create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: `hi ${i}` }] })
          .catch((error: ApiError) => errors.push(error));
      }
      // rate-limited allows a burst of 10 at 2 requests/s: at least the last few of 15 back-to-back calls fail.
      expect(errors.length).toBeGreaterThanOrEqual(3);
      for (const error of errors) {
        expect(error).toBeInstanceOf(Anthropic.RateLimitError);
        expect(error.type).toBe('rate_limit_error');
        expect(Number(error.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(error.requestID).toMatch(/^req_/);
        expect(error.headers?.get('anthropic-ratelimit-requests-limit')).toBe('120');
        expect(error.headers?.get('anthropic-ratelimit-requests-remaining')).toBe('0');
        expect(error.headers?.get('anthropic-ratelimit-requests-reset')).toMatch(/Z$/);
      }
      const stats = (await (await fetch(`${url}/_sim/stats`)).json()) as SimulatorStats;
      expect(stats.attempts).toBe(15);
      expect(stats.byStatus['429']).toBe(errors.length);
    } finally {
      stop('SIGTERM');
    }
    const done = await exited;
    expect(done.stderr).toContain('SIGTERM, stopped after 15 attempts');
  });

  it('--help explains the options and exits 0', async () => {
    const done = await run('node', [BIN, 'simulate', '--help']);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('--scenario NAME');
    expect(done.stdout).toContain(
      'healthy | rate-limited | overload | shared-overload | acceleration | spend-limit | chaos | cycle',
    );
  });

  it.each([
    [['simulate', '--port', 'abc'], '--port must be a whole number >= 0, got "abc"'],
    [['simulate', '--port', '70000'], '--port must be at most 65535'],
    [['simulate', '--scenario', 'nope'], 'unknown scenario "nope"; choose one of: healthy, rate-limited'],
    [['simulate', '--bogus'], "Unknown option '--bogus'"],
    [['simulate', '--seed', '-1'], "Option '--seed' argument is ambiguous"],
    [['launch'], 'unknown command "launch"'],
  ])('%j fails with exit 2 and says what is wrong', async (args, message) => {
    const done = await run('node', [BIN, ...args]);
    expect(done.code).toBe(2);
    expect(done.stderr).toContain(message);
    expect(done.stderr).toMatch(/Run "claude-otel( simulate)? --help" for the options\./);
    expect(done.stderr).not.toContain('Usage:');
    expect(done.stdout).toBe('');
  });

  it('without a command prints the commands and exits 2', async () => {
    const done = await run('node', [BIN]);
    expect(done.code).toBe(2);
    expect(done.stdout).toContain('simulate');
  });

  it('a port already in use is a clear error, exit 1; SIGINT stops the simulator with exit 0', async () => {
    const first = startWithFirstLine('node', [BIN, 'simulate']);
    try {
      const port = new URL(await first.firstLine).port;
      const done = await run('node', [BIN, 'simulate', '--port', port]);
      expect(done.code).toBe(1);
      expect(done.stderr).toContain('EADDRINUSE');
    } finally {
      first.stop('SIGINT');
    }
    const done = await first.exited;
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('SIGINT, stopped after 0 attempts');
  });
});
