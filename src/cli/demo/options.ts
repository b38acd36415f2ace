import { type ScenarioName, scenarioNames } from '../../simulator/scenarios';
import { integerOption, parseFlags, portOption, scenarioOption, UsageError } from '../usage-error';

export const demoUsage = `Usage: claude-otel demo [options]

Runs a workload of concurrent callers (streaming and not, several models) through the official
SDK with claude-otel's per-attempt tracing, metrics and governor, against an embedded Claude API
simulator that moves through healthy -> rate-limited -> overload -> recovery. The same workload
runs at the same time without the governor against a twin simulator, for comparison. Shows a
live view (plain lines when stdout is not a terminal) and ends with a summary. No network, no key.

Options:
  --duration S      seconds of traffic; the scenario's phases are fitted into it (default: 40)
  --scenario NAME   ${scenarioNames.join(' | ')} (default: cycle)
  --concurrency N   concurrent callers per run (default: 12)
  --no-governor     run without the governor only (no comparison)
  --processes N     spread each run's callers over N processes sharing one simulator, as a
                    service's replicas share one organization's limits: the governed run shares
                    one governor through Redis (fleet mode), its twin governs each process alone
  --redis URL       the Redis for --processes (default: start "redis-server" on loopback)
  --json            print the summary as JSON on stdout (progress lines go to stderr)
  --prometheus      also start Prometheus (the "prometheus" binary) on loopback with the alert
                    rules loaded, scraping both runs; report the alerts that fired
  --port N          port of the metrics endpoint (default: 9464; taken: any free port)
  --seed N          seed of the simulators and the workload (default: 1)
  --real            send a small, capped workload (at most 20 calls, 2 at a time, 16 output
                    tokens each) to the real Claude API instead; needs ANTHROPIC_API_KEY
  -h, --help        show this help

The live view's "allowed" is the request rate the governor lets through now, summed over the
model groups: from the rate-limit headers, each limit's refill plus what its bucket holds above a
5% reserve spread over 10 s (far above the limit while the bucket is full), cut after 429s and 529s.

Metrics: GET <metrics URL> (with the governor) and <metrics URL>/no-governor (without).
Traces: set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://localhost:4318) to export them over OTLP.`;

export interface DemoOptions {
  durationS: number;
  scenario: ScenarioName;
  concurrency: number;
  governor: boolean;
  /** Run the ungoverned twin next to the governed run. */
  compare: boolean;
  json: boolean;
  prometheus: boolean;
  port: number;
  seed: number;
  real: boolean;
  /** Processes per run (1: the run is this process). */
  processes: number;
  /** With processes > 1: the Redis of the fleet (else one is started). */
  redis: string | undefined;
}

export function parseDemoOptions(argv: string[]): DemoOptions | 'help' {
  const values = parseFlags(
    argv,
    {
      duration: { type: 'string' },
      scenario: { type: 'string' },
      concurrency: { type: 'string' },
      'no-governor': { type: 'boolean' },
      json: { type: 'boolean' },
      prometheus: { type: 'boolean' },
      port: { type: 'string' },
      seed: { type: 'string' },
      real: { type: 'boolean' },
      processes: { type: 'string' },
      redis: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    demoUsage,
  );
  if (values.help) return 'help';
  const scenario = scenarioOption(values.scenario ?? 'cycle', demoUsage);
  const durationS = integerOption('duration', values.duration, demoUsage, 1) ?? 40;
  const concurrency = integerOption('concurrency', values.concurrency, demoUsage, 1) ?? 12;
  if (concurrency > 1000) throw new UsageError('--concurrency must be at most 1000', demoUsage);
  const port = portOption(values.port, demoUsage) ?? 9464;
  const governor = !values['no-governor'];
  const real = values.real ?? false;
  const processes = integerOption('processes', values.processes, demoUsage, 1) ?? 1;
  if (processes > 64) throw new UsageError('--processes must be at most 64', demoUsage);
  if (processes > concurrency)
    throw new UsageError(
      `--processes ${processes} needs at least as many callers (--concurrency ${concurrency})`,
      demoUsage,
    );
  if (processes > 1 && real)
    throw new UsageError('--processes runs on the simulator: it cannot go with --real', demoUsage);
  if (values.redis !== undefined && processes === 1)
    throw new UsageError('--redis is the Redis of --processes: add --processes N', demoUsage);
  if (real && values.scenario !== undefined) {
    throw new UsageError('--scenario chooses a simulated scenario: it cannot go with --real', demoUsage);
  }
  return {
    durationS,
    scenario,
    concurrency,
    governor,
    compare: governor && !real,
    json: values.json ?? false,
    prometheus: values.prometheus ?? false,
    port,
    seed: integerOption('seed', values.seed, demoUsage) ?? 1,
    real,
    processes,
    redis: values.redis,
  };
}
