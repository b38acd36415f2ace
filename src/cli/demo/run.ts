import type Anthropic from '@anthropic-ai/sdk';
import type { TracerProvider } from '@opentelemetry/api';
import { type AnyRegistry, openMetricsRegistry } from '../../metrics/attempt-metrics';
import { claudeMiddleware } from '../../middleware';
import { seededRandom } from '../../simulator/random';
import { type ScenarioName, scenario } from '../../simulator/scenarios';
import { type Simulator, startSimulator } from '../../simulator/server';
import { readTelemetry, type Telemetry } from './telemetry';
import type { AttemptSpanCounter } from './tracing';
import { type CallCounts, Workload, type WorkloadOptions } from './workload';

export interface RunSpec {
  label: string;
  governor: boolean;
  /** A simulated scenario, or the real API (`apiKey` given). */
  scenario?: ScenarioName;
  apiKey?: string;
  durationS: number;
  seed: number;
  workload: WorkloadOptions;
  spans: AttemptSpanCounter;
  /** Default: the global one (NodeSDK's). */
  tracerProvider?: TracerProvider;
}

/** What the simulator saw: the ground truth the telemetry must equal. */
export interface GroundTruth {
  attempts: number;
  byStatus: Record<string, number>;
  retries: number;
}

export interface RunSummary {
  label: string;
  governor: boolean;
  /** With --processes: the run's processes and the successful calls of each. */
  processes?: { count: number; fleet: boolean; succeeded: number[]; pausesReceived: number };
  calls: CallCounts & { total: number };
  telemetry: Telemetry;
  /** Attempts answered 429 or 529, and their share of all attempts. */
  rejectedByApi: { attempts: number; share: number };
  attemptSpans: number;
  simulator?: GroundTruth & { phase: string };
}

/** The scenario with its phases stretched or squeezed so that one pass fits the run. */
export function fitted(name: ScenarioName, durationS: number, seed: number) {
  const options = scenario(name);
  if (options.phases?.length) {
    const each = Math.max(1, Math.floor((durationS * 1000) / options.phases.length));
    options.phases = options.phases.map((phase) => ({ ...phase, durationMs: each }));
  }
  return { ...options, seed, logSize: 1_000_000 };
}

/** What the demo's view and summary read of a run, in this process or spread over several. */
export interface Run {
  readonly spec: RunSpec;
  readonly simulator: Simulator | undefined;
  /** Where the run's calls go, for the banner. */
  readonly target: string;
  /** The run's telemetry now (a fleet's summed over its processes). */
  readonly registry: AnyRegistry;
  readonly calls: CallCounts;
  phase(): string | undefined;
  restartClock(): void;
  begin(endAt: number, signal: AbortSignal): Promise<void>;
  summary(): Promise<RunSummary>;
  close(): Promise<void>;
}

/** One workload against one API: its client, telemetry registry and (simulated) API. */
export class DemoRun implements Run {
  private readonly workload: Workload;

  private constructor(
    readonly spec: RunSpec,
    readonly client: Anthropic,
    readonly simulator: Simulator | undefined,
    readonly registry: AnyRegistry,
  ) {
    this.workload = new Workload(client, spec.workload, seededRandom(spec.seed * 7919 + 17), () =>
      this.phase(),
    );
  }

  static async start(spec: RunSpec): Promise<DemoRun> {
    const simulator = spec.scenario
      ? await startSimulator(fitted(spec.scenario, spec.durationS, spec.seed))
      : undefined;
    const registry = openMetricsRegistry();
    const AnthropicClient = (require('@anthropic-ai/sdk') as typeof import('@anthropic-ai/sdk')).default;
    const client = new AnthropicClient({
      baseURL: simulator?.url,
      apiKey: spec.apiKey ?? 'simulated-key',
      logLevel: 'off',
      maxRetries: 2,
      // The twin's SDK call spans go to its own provider, so both runs do the same tracing work.
      ...(spec.tracerProvider ? { openTelemetry: { tracerProvider: spec.tracerProvider } } : {}),
      middleware: [
        claudeMiddleware({
          metrics: { registry },
          governor: spec.governor ? {} : false,
          ...(spec.tracerProvider ? { tracerProvider: spec.tracerProvider } : {}),
        }),
      ],
    });
    return new DemoRun(spec, client, simulator, registry);
  }

  get target(): string {
    return this.simulator ? `simulator ${this.simulator.url}` : this.client.baseURL;
  }

  /** Restarts the simulator's clock (its phases, buckets and random source) before any traffic. */
  restartClock(): void {
    this.simulator?.reset();
  }

  /** Starts the callers; they stop at `endAt` and the run settles when the last call has. */
  begin(endAt: number, signal: AbortSignal): Promise<void> {
    return this.workload.run(endAt, signal);
  }

  get calls(): CallCounts {
    return this.workload.calls;
  }

  phase(): string | undefined {
    return this.simulator?.stats().phase;
  }

  async summary(): Promise<RunSummary> {
    const telemetry = await readTelemetry(this.registry);
    const rejected = (telemetry.byStatus['429'] ?? 0) + (telemetry.byStatus['529'] ?? 0);
    const calls = this.workload.calls;
    const summary: RunSummary = {
      label: this.spec.label,
      governor: this.spec.governor,
      calls: { ...calls, total: calls.started },
      telemetry,
      rejectedByApi: { attempts: rejected, share: telemetry.attempts ? rejected / telemetry.attempts : 0 },
      attemptSpans: this.spec.spans.count,
    };
    if (this.simulator) summary.simulator = groundTruth(this.simulator);
    return summary;
  }

  async close(): Promise<void> {
    await this.simulator?.close();
  }
}

export function groundTruth(simulator: Simulator): GroundTruth & { phase: string } {
  const stats = simulator.stats();
  const retries = simulator.attempts().filter((a) => (a.retryCount ?? 0) > 0).length;
  return { attempts: stats.attempts, byStatus: { ...stats.byStatus }, retries, phase: stats.phase };
}
