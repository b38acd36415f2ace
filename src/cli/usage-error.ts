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
