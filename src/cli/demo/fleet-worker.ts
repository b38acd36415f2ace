// One process of a demo fleet (forked by FleetRun): its share of the callers against the run's
// simulator, with claude-otel's governor shared through Redis (or its own), reporting its calls,
// attempt spans and metrics to the parent twice a second and when its callers are done.
import type Anthropic from '@anthropic-ai/sdk';
import { openMetricsRegistry } from '../../metrics/attempt-metrics';
import { claudeMiddleware } from '../../middleware';
import { seededRandom } from '../../simulator/random';
import { startDemoTracing } from './tracing';
import { type CallCounts, Workload, type WorkloadOptions } from './workload';

/** What the parent tells a worker at its start (in CLAUDE_OTEL_DEMO_WORKER, as JSON). */
export interface WorkerSetup {
  simulatorUrl: string;
  governor: boolean;
  /** Fleet mode through this Redis; else the governor is the process's own. */
  redisUrl?: string;
  workload: WorkloadOptions;
  seed: number;
}

export type ToWorker = { type: 'start'; endAt: number } | { type: 'phase'; phase: string } | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'report'; done: boolean; calls: CallCounts; spans: number; metrics: unknown[] };

const setup = JSON.parse(process.env.CLAUDE_OTEL_DEMO_WORKER ?? '{}') as WorkerSetup;
const tracing = startDemoTracing();
const registry = openMetricsRegistry();
const AnthropicClient = (require('@anthropic-ai/sdk') as typeof import('@anthropic-ai/sdk')).default;
const client: Anthropic = new AnthropicClient({
  baseURL: setup.simulatorUrl,
  apiKey: 'simulated-key',
  logLevel: 'off',
  maxRetries: 2,
  middleware: [
    claudeMiddleware({
      metrics: { registry },
      governor: setup.governor ? { fleet: setup.redisUrl ? { redis: setup.redisUrl } : false } : false,
    }),
  ],
});
let phase: string | undefined;
const workload = new Workload(client, setup.workload, seededRandom(setup.seed), () => phase);
const controller = new AbortController();

async function report(done: boolean): Promise<void> {
  const metrics = await registry.getMetricsAsJSON();
  const message: FromWorker = {
    type: 'report',
    done,
    calls: workload.calls,
    spans: tracing.governed.count,
    metrics,
  };
  await new Promise<void>((resolve) => process.send?.(message, () => resolve()));
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'phase') phase = message.phase;
  else if (message.type === 'stop') controller.abort();
  else if (message.type === 'start') {
    const reporting = setInterval(() => void report(false).catch(() => undefined), 500);
    void workload.run(message.endAt, controller.signal).then(async () => {
      clearInterval(reporting);
      await tracing.shutdown();
      await report(true);
      process.disconnect?.();
    });
  }
});
process.send?.({ type: 'ready' } satisfies FromWorker);
