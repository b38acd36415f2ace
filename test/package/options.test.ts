import { trace } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { AnthropicInstrumentation, claudeMiddleware } from '../../src';
import { LocalSignals } from '../../src/governor/signals';

// Every option of claudeMiddleware and AnthropicInstrumentation, checked at construction: a wrong
// value (type, range, an unknown name) throws one TypeError that names it, as the README says.

/** Options that are all valid and name every option there is. */
const everyOption = () => ({
  rateLimitResources: ['requests', 'fast_input_tokens'],
  rateLimitAttributes: 'every',
  errorBodyTimeoutMs: 500,
  tracerProvider: trace.getTracerProvider(),
  meterProvider: new MeterProvider(),
  metrics: { registry: new Registry(), maxModels: 5, otel: false },
  retryEarlyStreamErrors: false,
  governor: {
    maxWaitMs: 30_000,
    maxQueue: 100,
    pauseJitterMs: 0,
    coldStartPerSecond: 10,
    burst: 2,
    minRatePerSecond: 0.1,
    headroom: 0,
    ramp: { mode: 'always', growth: 0.5, baselineMs: 10_000, floorPerSecond: 4, armedForMs: 60_000 },
    concurrency: { min: 1, max: 50, decrease: 0.5 },
    retryBudget: { ratio: 0.2, minPerSecond: 0, windowMs: 5000 },
    overloadSheddingK: 1.5,
    signals: new LocalSignals(),
    modelGroups: { 'claude-custom-1': 'custom' },
    controlIntervalMs: 500,
    fleet: false,
  },
});

/** One wrong value per option (and the cases), and what the TypeError must name. */
const WRONG: [string, Record<string, unknown>, string][] = [
  ['a typo of an option', { governer: {} }, 'unknown option governer (did you mean governor?)'],
  [
    'a typo of a nested option',
    { governor: { maxWait: 10 } },
    'unknown option governor.maxWait (did you mean governor.maxWaitMs?)',
  ],
  [
    'rateLimitResources not an array',
    { rateLimitResources: 'requests' },
    'rateLimitResources must be an array',
  ],
  [
    'rateLimitResources with an unknown resource',
    { rateLimitResources: ['requests', 'tokens_out'] },
    'rateLimitResources holds "tokens_out"',
  ],
  [
    'rateLimitAttributes',
    { rateLimitAttributes: 'some' },
    "rateLimitAttributes must be one of 'failed', 'every' (got \"some\")",
  ],
  [
    'errorBodyTimeoutMs negative',
    { errorBodyTimeoutMs: -5 },
    'errorBodyTimeoutMs must be a number >= 0 (got -5)',
  ],
  [
    'errorBodyTimeoutMs a string',
    { errorBodyTimeoutMs: '1000' },
    'errorBodyTimeoutMs must be a number >= 0 (got "1000")',
  ],
  ['tracerProvider', { tracerProvider: {} }, 'tracerProvider must be a TracerProvider'],
  ['meterProvider', { meterProvider: 'global' }, 'meterProvider must be a MeterProvider (got "global")'],
  ['metrics', { metrics: true }, 'metrics must be an object or false (got true)'],
  ['metrics.registry', { metrics: { registry: {} } }, 'metrics.registry must be a prom-client Registry'],
  ['metrics.maxModels', { metrics: { maxModels: -1 } }, 'metrics.maxModels must be an integer >= 1 (got -1)'],
  ['metrics.otel', { metrics: { otel: 'yes' } }, 'metrics.otel must be true or false (got "yes")'],
  [
    'retryEarlyStreamErrors',
    { retryEarlyStreamErrors: 'no' },
    'retryEarlyStreamErrors must be true or false (got "no")',
  ],
  ['governor', { governor: true }, 'governor must be an object or false (got true)'],
  ['governor.maxWaitMs', { governor: { maxWaitMs: 0 } }, 'governor.maxWaitMs must be a number > 0 (got 0)'],
  [
    'governor.maxQueue',
    { governor: { maxQueue: 2.5 } },
    'governor.maxQueue must be an integer >= 1 (got 2.5)',
  ],
  [
    'governor.pauseJitterMs',
    { governor: { pauseJitterMs: -1 } },
    'governor.pauseJitterMs must be a number >= 0 (got -1)',
  ],
  [
    'governor.coldStartPerSecond',
    { governor: { coldStartPerSecond: Number.NaN } },
    'governor.coldStartPerSecond must be a number > 0 (got NaN)',
  ],
  ['governor.burst', { governor: { burst: '5' } }, 'governor.burst must be a number > 0 (got "5")'],
  [
    'governor.minRatePerSecond',
    { governor: { minRatePerSecond: 0 } },
    'governor.minRatePerSecond must be a number > 0',
  ],
  [
    'governor.headroom',
    { governor: { headroom: 1 } },
    'governor.headroom must be a number >= 0 and < 1 (got 1)',
  ],
  ['governor.ramp', { governor: { ramp: 'auto' } }, 'governor.ramp must be an object (got "auto")'],
  [
    'governor.ramp.mode',
    { governor: { ramp: { mode: 'sometimes' } } },
    "governor.ramp.mode must be one of 'auto', 'always', 'off'",
  ],
  [
    'governor.ramp.growth',
    { governor: { ramp: { growth: -0.5 } } },
    'governor.ramp.growth must be a number > 0',
  ],
  [
    'governor.ramp.baselineMs',
    { governor: { ramp: { baselineMs: '10s' } } },
    'governor.ramp.baselineMs must be a number > 0',
  ],
  [
    'governor.ramp.floorPerSecond',
    { governor: { ramp: { floorPerSecond: 0 } } },
    'governor.ramp.floorPerSecond must be a number > 0',
  ],
  [
    'governor.ramp.armedForMs',
    { governor: { ramp: { armedForMs: -1 } } },
    'governor.ramp.armedForMs must be a number > 0',
  ],
  [
    'governor.concurrency',
    { governor: { concurrency: 10 } },
    'governor.concurrency must be an object (got 10)',
  ],
  [
    'governor.concurrency.min',
    { governor: { concurrency: { min: 0 } } },
    'governor.concurrency.min must be an integer >= 1',
  ],
  [
    'governor.concurrency.max',
    { governor: { concurrency: { max: 'many' } } },
    'governor.concurrency.max must be an integer >= 1',
  ],
  [
    'governor.concurrency.decrease',
    { governor: { concurrency: { decrease: 1 } } },
    'governor.concurrency.decrease must be a number > 0 and < 1',
  ],
  [
    'governor.retryBudget',
    { governor: { retryBudget: true } },
    'governor.retryBudget must be an object or false (got true)',
  ],
  [
    'governor.retryBudget.ratio',
    { governor: { retryBudget: { ratio: -0.1 } } },
    'governor.retryBudget.ratio must be a number >= 0',
  ],
  [
    'governor.retryBudget.minPerSecond',
    { governor: { retryBudget: { minPerSecond: -1 } } },
    'governor.retryBudget.minPerSecond must be a number >= 0',
  ],
  [
    'governor.retryBudget.windowMs',
    { governor: { retryBudget: { windowMs: 0 } } },
    'governor.retryBudget.windowMs must be a number > 0',
  ],
  [
    'governor.overloadSheddingK',
    { governor: { overloadSheddingK: -1 } },
    'governor.overloadSheddingK must be a number >= 0',
  ],
  ['governor.signals', { governor: { signals: {} } }, 'governor.signals must be a SignalSource'],
  [
    'governor.modelGroups',
    { governor: { modelGroups: { 'claude-x': '' } } },
    'modelGroups["claude-x"] must be a group name',
  ],
  [
    'governor.controlIntervalMs',
    { governor: { controlIntervalMs: 0 } },
    'governor.controlIntervalMs must be a number > 0',
  ],
  [
    'governor.fleet',
    { governor: { fleet: 'redis://x' } },
    'governor.fleet must be an object or false (got "redis://x")',
  ],
  [
    'governor.fleet.redis',
    { governor: { fleet: { redis: 'localhost:6379' } } },
    'fleet.redis must be a redis:// URL',
  ],
  [
    'governor.fleet.key',
    { governor: { fleet: { redis: 'redis://127.0.0.1:1', key: '' } } },
    'fleet.key must be a non-empty string',
  ],
  [
    'governor.fleet.timeoutMs',
    { governor: { fleet: { redis: 'redis://127.0.0.1:1', timeoutMs: 0 } } },
    'governor.fleet.timeoutMs must be a number > 0',
  ],
  [
    'governor.fleet.retryMs',
    { governor: { fleet: { redis: 'redis://127.0.0.1:1', retryMs: -1 } } },
    'governor.fleet.retryMs must be a number > 0',
  ],
  [
    'governor.fleet with a typo',
    { governor: { fleet: { redis: 'redis://127.0.0.1:1', timeout: 5 } } },
    'unknown option governor.fleet.timeout (did you mean governor.fleet.timeoutMs?)',
  ],
];

describe('options', () => {
  it('every option there is, each valid, is accepted; the table below has a wrong value for each', () => {
    expect(() => claudeMiddleware(everyOption() as never)).not.toThrow();
    expect(() => new AnthropicInstrumentation({ ...everyOption(), enabled: false } as never)).not.toThrow();
    // Every option's path (nested objects of options included), each named first by a row.
    const NESTED = ['governor', 'metrics', 'ramp', 'concurrency', 'retryBudget'];
    const paths = (prefix: string, o: Record<string, unknown>): string[] =>
      Object.entries(o).flatMap(([k, v]) => [
        `${prefix}${k}`,
        ...(NESTED.includes(k) ? paths(`${prefix}${k}.`, v as Record<string, unknown>) : []),
      ]);
    const named = new Set(WRONG.map(([name]) => name.split(' ')[0]));
    expect(paths('', everyOption()).filter((path) => !named.has(path))).toEqual([]);
  });

  it.each(WRONG)(
    '%s: one TypeError naming it, from claudeMiddleware and AnthropicInstrumentation',
    (_name, options, says) => {
      for (const make of [() => claudeMiddleware(options), () => new AnthropicInstrumentation(options)]) {
        let thrown: unknown;
        try {
          make();
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(TypeError);
        expect((thrown as Error).message).toContain(says);
      }
    },
  );

  it('names every problem in the one TypeError', () => {
    expect(() =>
      claudeMiddleware({ governer: {}, errorBodyTimeoutMs: '1', metrics: { maxModels: 0 } } as never),
    ).toThrow(/unknown option governer.*; errorBodyTimeoutMs must be.*; metrics.maxModels must be/);
  });

  it("the instrumentation also takes OpenTelemetry's own `enabled`, and checks it", () => {
    expect(() => new AnthropicInstrumentation({ enabled: 'no' } as never)).toThrow(
      'enabled must be true or false (got "no")',
    );
    expect(() => claudeMiddleware({ enabled: true } as never)).toThrow('unknown option enabled');
  });
});
