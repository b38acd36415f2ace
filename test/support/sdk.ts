import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import type { Simulator } from '../../src/simulator';

export const MODEL = 'claude-sonnet-5-5';

/** The SDK under test: the repository's, or the one the version matrix names (CLAUDE_OTEL_TEST_SDK). */
const sdkDir =
  process.env.CLAUDE_OTEL_TEST_SDK ?? join(__dirname, '..', '..', 'node_modules', '@anthropic-ai', 'sdk');
export const SDK_VERSION: string = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8')).version;
const [major, minor] = SDK_VERSION.split('.').map(Number);
/** The SDK starts its own call span, the parent of the attempt spans, since 0.134.0. */
export const SDK_HAS_CALL_SPAN = major > 0 || minor >= 134;

/** The API's finer error code as the caller sees it (`errorCode` since SDK 1.x; the body before). */
export function errorCodeOf(error: unknown): string | null | undefined {
  const e = error as { errorCode?: string | null; error?: { error?: { details?: { error_code?: string } } } };
  return e.errorCode !== undefined ? e.errorCode : e.error?.error?.details?.error_code;
}

/** The official SDK pointed at a simulator. */
export function clientFor(
  sim: Pick<Simulator, 'url'>,
  options: ConstructorParameters<typeof Anthropic>[0] = {},
): Anthropic {
  return new Anthropic({ baseURL: sim.url, apiKey: 'sk-ant-test-key', logLevel: 'off', ...options });
}

export function ask(
  client: Anthropic,
  text = 'Hello, simulator',
  extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {},
) {
  return client.messages.create({
    model: MODEL,
    max_tokens: 256,
    messages: [{ role: 'user', content: text }],
    ...extra,
  });
}

/** Runs `fn` and returns what it threw (failing when it did not throw). */
export async function caught(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw, and it returned');
}

/** A raw HTTP request to the simulator, for bodies the SDK would refuse to build. */
export async function rawPost(
  sim: Simulator,
  path: string,
  body: string,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: {
      'x-api-key': 'k',
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
      ...headers,
    },
    body,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}
