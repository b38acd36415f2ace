import { scenarioNames } from '../simulator/scenarios';
import { startSimulator } from '../simulator/server';
import { integerOption, parseFlags, portOption, scenarioOption } from './usage-error';

export const simulateUsage = `Usage: claude-otel simulate [options]

Starts a simulated Claude API on loopback. Prints its base URL as the first line of stdout,
then runs until SIGINT or SIGTERM. Point a client at it:
  new Anthropic({ baseURL: URL, apiKey: 'any-key' })

Options:
  --scenario NAME   ${scenarioNames.join(' | ')} (default: healthy)
  --port N          port to listen on; 0 picks a free one (default: 0)
  --host ADDR       address to bind (default: 127.0.0.1)
  --seed N          seed of every random decision (default: 1)
  --retry-after-ms  also send retry-after-ms (exact) next to retry-after
  -h, --help        show this help

Ground truth while it runs: GET URL/_sim/stats, GET URL/_sim/attempts, POST URL/_sim/reset`;

export async function simulate(argv: string[]): Promise<number> {
  const values = parseFlags(
    argv,
    {
      scenario: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      'retry-after-ms': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    simulateUsage,
  );
  if (values.help) {
    process.stdout.write(`${simulateUsage}\n`);
    return 0;
  }
  const name = scenarioOption(values.scenario ?? 'healthy', simulateUsage);
  const port = portOption(values.port, simulateUsage);
  const seed = integerOption('seed', values.seed, simulateUsage);
  const simulator = await startSimulator({
    scenario: name,
    port,
    host: values.host,
    ...(seed === undefined ? {} : { seed }),
    retryAfterMs: values['retry-after-ms'] ?? false,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') {
      throw new Error(
        `port ${port} is already in use (EADDRINUSE): pass another --port, or --port 0 for any free one`,
      );
    }
    throw error;
  });
  process.stdout.write(`${simulator.url}\n`);
  process.stderr.write(`claude-otel simulator: scenario "${name}" on ${simulator.url} (Ctrl-C to stop)\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const stats = simulator.stats();
  await simulator.close();
  process.stderr.write(
    `claude-otel simulator: ${signal}, stopped after ${stats.attempts} attempts ${JSON.stringify(stats.byStatus)}\n`,
  );
  return 0;
}
