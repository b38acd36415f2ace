import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type ScenarioName, scenarioNames } from '../simulator/scenarios';

/** A mistake on the command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

/** Parses a whole number option, or says what is wrong with it. */
export function integerOption(
  name: string,
  value: string | undefined,
  usage: string,
  min = 0,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`--${name} must be a whole number >= ${min}, got "${value}"`, usage);
  }
  return Number(value);
}

type StrictFlags<T> = { args: string[]; options: T; strict: true; allowPositionals: false };

/** Parses flags strictly (no positionals); a mistake becomes a UsageError with `usage`. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  usage: string,
): ReturnType<typeof parseArgs<StrictFlags<T>>>['values'] {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message, usage);
  }
}

/** A scenario name, or what the known ones are. */
export function scenarioOption(value: string, usage: string): ScenarioName {
  if (!scenarioNames.includes(value as ScenarioName)) {
    throw new UsageError(`unknown scenario "${value}"; choose one of: ${scenarioNames.join(', ')}`, usage);
  }
  return value as ScenarioName;
}

/** A TCP port (0: any free one). */
export function portOption(value: string | undefined, usage: string): number | undefined {
  const port = integerOption('port', value, usage);
  if (port !== undefined && port > 65535) throw new UsageError('--port must be at most 65535', usage);
  return port;
}
