import Anthropic from '@anthropic-ai/sdk';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import type { InstrumentationModuleDefinition } from '@opentelemetry/instrumentation';
import { AnthropicInstrumentation } from '../../src';
import { type Simulator, startSimulator } from '../../src/simulator';
import { freshRegistry } from '../support/metrics';
import { ask, SDK_VERSION } from '../support/sdk';
import { startTracing } from '../support/tracing';

// Two libraries in one process, each registering its own AnthropicInstrumentation: the first
// instruments the SDK, the second finds it done. Every attempt is traced once, and nothing claims
// the SDK cannot be patched (it printed CLAUDE_OTEL_SDK_UNPATCHABLE, although all was well). The
// patches are applied as the require hook applies them (jest's module registry bypasses it).

const tracing = startTracing();
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
  await tracing.shutdown();
  diag.disable();
});

const sdk = require('@anthropic-ai/sdk');
const patchOf = (instrumentation: AnthropicInstrumentation) =>
  instrumentation.getModuleDefinitions()[0] as InstrumentationModuleDefinition & {
    patch: (exports: unknown, version?: string) => unknown;
    unpatch: (exports: unknown, version?: string) => void;
  };

it('a second AnthropicInstrumentation: every attempt traced once, no warning, one diag line', async () => {
  const diagnosed: string[] = [];
  const log = (message: string) => diagnosed.push(message);
  diag.setLogger({ warn: log, error: log, info: log, debug: () => {}, verbose: () => {} }, DiagLogLevel.INFO);
  // Jest's sandbox keeps process events to itself: the warnings are watched as calls.
  const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  const first = new AnthropicInstrumentation({ metrics: { registry: freshRegistry() } });
  const second = new AnthropicInstrumentation({ metrics: { registry: freshRegistry() } });
  try {
    patchOf(first).patch(sdk, SDK_VERSION);
    patchOf(second).patch(sdk, SDK_VERSION);
    patchOf(second).patch(sdk, SDK_VERSION); // the client file too: said once
    const client = new Anthropic({ baseURL: sim.url, apiKey: 'sk-ant-test', logLevel: 'off', maxRetries: 0 });
    await ask(client);
    await ask(client);
    const spans = await tracing.waitForAttempts(2);
    expect(spans).toHaveLength(2);
    expect(sim.stats().attempts).toBe(2);
    expect(emitted).not.toHaveBeenCalled();
    expect(
      diagnosed.filter((m) => m.includes('already instrumented by another AnthropicInstrumentation')),
    ).toHaveLength(1);
    expect(diagnosed.some((m) => m.includes('no BaseAnthropic class'))).toBe(false);
  } finally {
    emitted.mockRestore();
    patchOf(second).unpatch(sdk);
    patchOf(first).unpatch(sdk);
    first.disable();
    second.disable();
  }
});
