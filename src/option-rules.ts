import { RATE_LIMIT_RESOURCES } from './facts/headers';

/**
 * What every option of `AnthropicInstrumentation` and `claudeMiddleware` must be: one table, read
 * once at construction, so that a typo (`governer`), a string for a number (`burst: '5'`) or a
 * value out of range throws one TypeError naming each problem, as the README promises, instead of
 * being ignored or surfacing at the first request.
 */

type Rule =
  | { kind: 'number'; min?: number; above?: number; below?: number; max?: number; integer?: boolean }
  | { kind: 'boolean' }
  | { kind: 'oneOf'; values: readonly string[] }
  | { kind: 'listOf'; values: readonly string[] }
  | { kind: 'object'; fields: Fields; orFalse?: boolean }
  /** An object the user builds (a provider, a registry): checked for the methods claude-otel calls. */
  | { kind: 'has'; methods: readonly string[]; what: string }
  /** Checked where it is read (a record of groups, a Redis client or URL). */
  | { kind: 'elsewhere' };

type Fields = Record<string, Rule>;

const number = (limits: Omit<Extract<Rule, { kind: 'number' }>, 'kind'> = {}): Rule => ({
  kind: 'number',
  ...limits,
});
const positive = number({ above: 0 });
const boolean: Rule = { kind: 'boolean' };

const GOVERNOR: Fields = {
  maxWaitMs: positive,
  maxQueue: number({ min: 1, integer: true }),
  pauseJitterMs: number({ min: 0 }),
  coldStartPerSecond: positive,
  burst: positive,
  minRatePerSecond: positive,
  headroom: number({ min: 0, below: 1 }),
  ramp: {
    kind: 'object',
    fields: {
      mode: { kind: 'oneOf', values: ['auto', 'always', 'off'] },
      growth: positive,
      baselineMs: positive,
      floorPerSecond: positive,
      armedForMs: positive,
    },
  },
  concurrency: {
    kind: 'object',
    fields: {
      min: number({ min: 1, integer: true }),
      max: number({ min: 1, integer: true }),
      decrease: number({ above: 0, below: 1 }),
    },
  },
  retryBudget: {
    kind: 'object',
    orFalse: true,
    fields: { ratio: number({ min: 0 }), minPerSecond: number({ min: 0 }), windowMs: positive },
  },
  overloadSheddingK: number({ min: 0 }),
  signals: { kind: 'has', methods: ['read'], what: 'a SignalSource (an object with read())' },
  modelGroups: { kind: 'elsewhere' },
  controlIntervalMs: positive,
  fleet: {
    kind: 'object',
    orFalse: true,
    fields: {
      redis: { kind: 'elsewhere' },
      key: { kind: 'elsewhere' },
      timeoutMs: positive,
      retryMs: positive,
    },
  },
};

const OPTIONS: Fields = {
  rateLimitResources: { kind: 'listOf', values: RATE_LIMIT_RESOURCES },
  rateLimitAttributes: { kind: 'oneOf', values: ['failed', 'every'] },
  errorBodyTimeoutMs: number({ min: 0 }),
  tracerProvider: { kind: 'has', methods: ['getTracer'], what: 'a TracerProvider' },
  meterProvider: { kind: 'has', methods: ['getMeter'], what: 'a MeterProvider' },
  metrics: {
    kind: 'object',
    orFalse: true,
    fields: {
      registry: {
        kind: 'has',
        methods: ['registerMetric', 'getSingleMetric'],
        what: 'a prom-client Registry',
      },
      maxModels: number({ min: 1, integer: true }),
      otel: boolean,
    },
  },
  retryEarlyStreamErrors: boolean,
  governor: { kind: 'object', orFalse: true, fields: GOVERNOR },
};

/** The instrumentation's own options (OpenTelemetry's `InstrumentationConfig`). */
const INSTRUMENTATION_OPTIONS: Fields = { ...OPTIONS, enabled: boolean };

const shown = (value: unknown): string =>
  typeof value === 'string' ? `"${value}"` : Array.isArray(value) ? 'an array' : String(value);

/** The edit distance of two names, for a did-you-mean. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

function unknown(path: string, name: string, fields: Fields): string {
  const known = Object.keys(fields);
  const near = known
    .map((k) => [k, distance(name.toLowerCase(), k.toLowerCase())] as const)
    .filter(
      ([k, d]) => d <= Math.max(2, Math.floor(k.length / 3)) || k.startsWith(name) || name.startsWith(k),
    )
    .sort((x, y) => x[1] - y[1])[0]?.[0];
  return `unknown option ${path}${name}${near ? ` (did you mean ${path}${near}?)` : ''}; known: ${known.join(', ')}`;
}

function checkNumber(
  name: string,
  value: unknown,
  rule: Extract<Rule, { kind: 'number' }>,
  problems: string[],
) {
  const range = [
    rule.min !== undefined ? `>= ${rule.min}` : undefined,
    rule.above !== undefined ? `> ${rule.above}` : undefined,
    rule.below !== undefined ? `< ${rule.below}` : undefined,
    rule.max !== undefined ? `<= ${rule.max}` : undefined,
  ]
    .filter(Boolean)
    .join(' and ');
  const wanted = `${rule.integer ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}`;
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.below === undefined || value < rule.below) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) problems.push(`${name} must be ${wanted} (got ${shown(value)})`);
}

function check(name: string, value: unknown, rule: Rule, problems: string[]): void {
  if (value === undefined) return;
  switch (rule.kind) {
    case 'number':
      checkNumber(name, value, rule, problems);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${name} must be true or false (got ${shown(value)})`);
      return;
    case 'oneOf':
      if (!rule.values.includes(value as string))
        problems.push(
          `${name} must be one of ${rule.values.map((v) => `'${v}'`).join(', ')} (got ${shown(value)})`,
        );
      return;
    case 'listOf':
      if (!Array.isArray(value))
        problems.push(`${name} must be an array of ${rule.values.join(', ')} (got ${shown(value)})`);
      else
        for (const item of value)
          if (!rule.values.includes(item))
            problems.push(`${name} holds ${shown(item)}, which is none of ${rule.values.join(', ')}`);
      return;
    case 'has':
      if (
        !value ||
        (typeof value !== 'object' && typeof value !== 'function') ||
        rule.methods.some((m) => typeof (value as Record<string, unknown>)[m] !== 'function')
      )
        problems.push(`${name} must be ${rule.what} (got ${shown(value)})`);
      return;
    case 'object':
      if (value === false && rule.orFalse) return;
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${name} must be an object${rule.orFalse ? ' or false' : ''} (got ${shown(value)})`);
        return;
      }
      checkFields(`${name}.`, value as Record<string, unknown>, rule.fields, problems);
      return;
    case 'elsewhere':
      return;
  }
}

function checkFields(
  path: string,
  values: Record<string, unknown>,
  fields: Fields,
  problems: string[],
): void {
  for (const [name, value] of Object.entries(values)) {
    const rule = fields[name];
    if (!rule) problems.push(unknown(path, name, fields));
    else check(`${path}${name}`, value, rule, problems);
  }
}

/**
 * Checks the options given to `claudeMiddleware` (or, with `instrumentation`, to
 * `AnthropicInstrumentation`): throws one TypeError naming every problem.
 */
export function checkOptions(config: unknown, instrumentation = false): void {
  if (config === undefined) return;
  const problems: string[] = [];
  if (!config || typeof config !== 'object' || Array.isArray(config))
    problems.push(`the options must be an object (got ${shown(config)})`);
  else
    checkFields(
      '',
      config as Record<string, unknown>,
      instrumentation ? INSTRUMENTATION_OPTIONS : OPTIONS,
      problems,
    );
  if (problems.length > 0) throw new TypeError(`claude-otel options: ${problems.join('; ')}`);
}
