import { demo, demoUsage } from './demo';
import { simulate, simulateUsage } from './simulate';
import { UsageError } from './usage-error';

const commands: Record<string, { run: (argv: string[]) => Promise<number>; summary: string; usage: string }> =
  {
    demo: {
      run: demo,
      summary: 'run the whole loop on the embedded simulator: traced attempts, metrics, the governor',
      usage: demoUsage,
    },
    simulate: { run: simulate, summary: 'start the Claude API simulator', usage: simulateUsage },
  };

export const mainUsage = `Usage: claude-otel <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run "claude-otel <command> --help" for a command's options.`;

/** "Usage: claude-otel demo [options]" -> 'Run "claude-otel demo --help" for the options.' */
function helpHint(usage: string): string {
  const command = /^Usage: (claude-otel(?: [a-z]+)?)/.exec(usage)?.[1] ?? 'claude-otel';
  return `Run "${command} --help" for the options.`;
}

/** Runs the CLI and returns its exit code: 0 done, 1 failed, 2 bad usage. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${mainUsage}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`, mainUsage);
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      // The mistake, and where the options are: not the whole help after a one-line error.
      process.stderr.write(`claude-otel: ${error.message}\n${helpHint(error.usage)}\n`);
      return 2;
    }
    process.stderr.write(`claude-otel: ${(error as Error).message ?? error}\n`);
    return 1;
  }
}
