import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { AnyRegistry } from '../../metrics/attempt-metrics';
import { type Simulator, startSimulator } from '../../simulator/server';
import type { FromWorker, ToWorker, WorkerSetup } from './fleet-worker';
import { fitted, groundTruth, type Run, type RunSpec, type RunSummary } from './run';
import { readTelemetry } from './telemetry';
import type { CallCounts, PhaseCounts } from './workload';

export interface FleetRunSpec extends RunSpec {
  processes: number;
  /** The governor of every process shared through this Redis (fleet mode); else each its own. */
  redisUrl?: string;
}

type Report = Extract<FromWorker, { type: 'report' }>;

/** The calls of several processes as one count. */
function merged(counts: CallCounts[]): CallCounts {
  const sum: CallCounts = { started: 0, succeeded: 0, failed: {}, refused: {}, byPhase: {} };
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  };
  for (const c of counts) {
    sum.started += c.started;
    sum.succeeded += c.succeeded;
    add(sum.failed, c.failed);
    add(sum.refused, c.refused);
    for (const [phase, p] of Object.entries(c.byPhase)) {
      const into: PhaseCounts = sum.byPhase[phase] ?? { succeeded: 0, unsuccessful: 0 };
      sum.byPhase[phase] = into;
      into.succeeded += p.succeeded;
      into.unsuccessful += p.unsuccessful;
    }
  }
  return sum;
}

/**
 * One workload spread over several processes (forked workers) against one simulator, as a
 * service's replicas share one organization's limits: each process with its own claude-otel, its
 * governor shared through Redis or its own. Its registry sums the processes' metrics.
 */
export class FleetRun implements Run {
  private readonly reports: (Report | undefined)[];
  private aggregated: Registry | undefined;

  private constructor(
    readonly spec: FleetRunSpec,
    readonly simulator: Simulator,
    private readonly workers: ChildProcess[],
  ) {
    this.reports = workers.map(() => undefined);
    for (const [i, worker] of workers.entries()) {
      worker.on('message', (message: FromWorker) => {
        if (message.type !== 'report') return;
        this.reports[i] = message;
        this.aggregated = undefined;
      });
    }
  }

  static async start(spec: FleetRunSpec): Promise<FleetRun> {
    const simulator = await startSimulator(fitted(spec.scenario ?? 'cycle', spec.durationS, spec.seed));
    const { concurrency } = spec.workload;
    const workers = Array.from({ length: spec.processes }, (_, i) => {
      const setup: WorkerSetup = {
        simulatorUrl: simulator.url,
        governor: spec.governor,
        redisUrl: spec.redisUrl,
        // Callers spread as evenly as they go.
        workload: {
          ...spec.workload,
          concurrency: Math.floor(concurrency / spec.processes) + (i < concurrency % spec.processes ? 1 : 0),
        },
        seed: spec.seed * 7919 + 17 + i,
      };
      return fork(join(__dirname, 'fleet-worker.js'), [], {
        env: { ...process.env, CLAUDE_OTEL_DEMO_WORKER: JSON.stringify(setup) },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
    });
    // Each is ready once its middleware is made (and its Redis connection opening).
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.once('error', reject);
            worker.once('exit', (code) =>
              reject(new Error(`a demo fleet process exited at start (code ${code})`)),
            );
            worker.once('message', () => resolve());
          }),
      ),
    );
    return new FleetRun(spec, simulator, workers);
  }

  get target(): string {
    const mode = this.spec.redisUrl ? `one governor through Redis ${this.spec.redisUrl}` : 'a governor each';
    return `simulator ${this.simulator.url}, ${this.spec.processes} processes, ${this.spec.governor ? mode : 'no governor'}`;
  }

  get registry(): AnyRegistry {
    this.aggregated ??= AggregatorRegistry.aggregate(
      this.reports.flatMap((r) =>
        r ? [r.metrics as Parameters<typeof AggregatorRegistry.aggregate>[0][0]] : [],
      ),
    );
    return this.aggregated;
  }

  get calls(): CallCounts {
    return merged(this.reports.flatMap((r) => (r ? [r.calls] : [])));
  }

  phase(): string | undefined {
    return this.simulator.stats().phase;
  }

  restartClock(): void {
    this.simulator.reset();
  }

  async begin(endAt: number, signal: AbortSignal): Promise<void> {
    const send = (message: ToWorker) => {
      for (const worker of this.workers) if (worker.connected) worker.send(message);
    };
    let phase = this.phase() as string;
    send({ type: 'phase', phase });
    // Each call is counted in the phase it starts in: the workers learn a new phase at once.
    const phases = setInterval(() => {
      const now = this.phase() as string;
      if (now === phase) return;
      phase = now;
      send({ type: 'phase', phase });
    }, 50);
    const stop = () => send({ type: 'stop' });
    signal.addEventListener('abort', stop, { once: true });
    const done = this.workers.map(
      (worker, i) =>
        new Promise<void>((resolve) => {
          if (this.reports[i]?.done) resolve();
          worker.on('message', (message: FromWorker) => {
            if (message.type === 'report' && message.done) resolve();
          });
          worker.once('exit', () => resolve());
        }),
    );
    send({ type: 'start', endAt });
    await Promise.all(done);
    clearInterval(phases);
    signal.removeEventListener('abort', stop);
  }

  async summary(): Promise<RunSummary> {
    const telemetry = await readTelemetry(this.registry);
    const rejected = (telemetry.byStatus['429'] ?? 0) + (telemetry.byStatus['529'] ?? 0);
    const calls = this.calls;
    const fleetPauses = (
      await this.registry.getSingleMetric('anthropic_governor_fleet_pauses_received')?.get()
    )?.values.reduce((sum, v) => sum + v.value, 0);
    return {
      label: this.spec.label,
      governor: this.spec.governor,
      processes: {
        count: this.spec.processes,
        fleet: Boolean(this.spec.redisUrl),
        succeeded: this.reports.map((r) => r?.calls.succeeded ?? 0),
        pausesReceived: fleetPauses ?? 0,
      },
      calls: { ...calls, total: calls.started },
      telemetry,
      rejectedByApi: { attempts: rejected, share: telemetry.attempts ? rejected / telemetry.attempts : 0 },
      attemptSpans: this.reports.reduce((sum, r) => sum + (r?.spans ?? 0), 0),
      simulator: groundTruth(this.simulator),
    };
  }

  async close(): Promise<void> {
    for (const worker of this.workers) if (worker.exitCode === null) worker.kill();
    await this.simulator.close();
  }
}
