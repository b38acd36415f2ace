import type Anthropic from '@anthropic-ai/sdk';
import { GovernorRejectedError } from '../../governor/errors';
import type { Random } from '../../simulator/random';

/** What the callers saw, call by call. */
export interface CallCounts {
  started: number;
  succeeded: number;
  /** Failed calls by error type (the SDK gave up, or a stream broke). */
  failed: Record<string, number>;
  /** Calls the governor refused, by reason. */
  refused: Record<string, number>;
  /** By the scenario phase each call started in: those that succeeded, and those that did not. */
  byPhase: Record<string, PhaseCounts>;
}

export interface PhaseCounts {
  succeeded: number;
  unsuccessful: number;
}

/** The sum of a count-by-key record. */
export const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** Calls that did not succeed: failed, or refused by the governor. */
export const unsuccessful = (calls: CallCounts) => total(calls.failed) + total(calls.refused);

export interface WorkloadOptions {
  concurrency: number;
  /** Models to spread calls over, with their weights. */
  models: [model: string, weight: number][];
  /** Share of calls that stream. */
  streamShare: number;
  /** Mean pause of a caller between calls (exponential), ms. */
  thinkMs: number;
  maxTokens: number;
  /** Stop after this many calls in all (the --real cap). Default: no cap. */
  maxCalls?: number;
}

const PROMPTS = [
  'Summarize the incident report in three bullet points.',
  'Classify this support ticket: "my invoice is wrong".',
  'Translate "rate limits protect everyone" into French.',
  'Write a haiku about retries.',
];

/** The error type a failed call reports: the API's error type, else the error's kind. */
function errorTypeOf(error: unknown): string {
  const body = (error as { error?: { error?: { type?: unknown } } }).error;
  const type = body?.error?.type;
  if (typeof type === 'string') return type;
  const name = (error as Error)?.constructor?.name ?? 'Error';
  if (name === 'APIConnectionTimeoutError') return 'timeout';
  if (name === 'APIConnectionError') return 'connection_error';
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? String(status) : name;
}

/** Closed-loop callers: each sends a call, waits for it, pauses a little, and goes again. */
export class Workload {
  readonly calls: CallCounts = { started: 0, succeeded: 0, failed: {}, refused: {}, byPhase: {} };

  constructor(
    private readonly client: Anthropic,
    private readonly options: WorkloadOptions,
    private readonly random: Random,
    /** The scenario phase now (none against the real API). */
    private readonly phase: () => string | undefined = () => undefined,
  ) {}

  /** Runs until `endAt` (epoch ms) or the call cap; resolves when every caller's last call has settled. */
  async run(endAt: number, signal: AbortSignal): Promise<void> {
    const caller = async () => {
      while (
        Date.now() < endAt &&
        !signal.aborted &&
        this.calls.started < (this.options.maxCalls ?? Infinity)
      ) {
        await this.call(signal);
        const think = -Math.log(1 - this.random.next()) * this.options.thinkMs;
        if (Date.now() + think < endAt) await new Promise((r) => setTimeout(r, think));
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, caller));
  }

  private pickModel(): string {
    const total = this.options.models.reduce((sum, [, w]) => sum + w, 0);
    let x = this.random.next() * total;
    for (const [model, weight] of this.options.models) {
      x -= weight;
      if (x < 0) return model;
    }
    return this.options.models[0][0];
  }

  private async call(signal: AbortSignal): Promise<void> {
    this.calls.started++;
    const phase = this.phase();
    if (phase !== undefined && !this.calls.byPhase[phase])
      this.calls.byPhase[phase] = { succeeded: 0, unsuccessful: 0 };
    const inPhase = phase === undefined ? undefined : this.calls.byPhase[phase];
    const body = {
      model: this.pickModel(),
      max_tokens: this.options.maxTokens,
      messages: [{ role: 'user' as const, content: PROMPTS[this.random.int(0, PROMPTS.length - 1)] }],
    };
    const stream = this.random.next() < this.options.streamShare;
    try {
      if (stream) {
        const events = await this.client.messages.create({ ...body, stream: true }, { signal });
        for await (const _event of events) {
          // Read to the end: the attempt span and metrics cover the whole stream.
        }
      } else {
        await this.client.messages.create(body, { signal });
      }
      this.calls.succeeded++;
      if (inPhase) inPhase.succeeded++;
    } catch (error) {
      if (inPhase) inPhase.unsuccessful++;
      if (error instanceof GovernorRejectedError) bump(this.calls.refused, error.reason);
      else bump(this.calls.failed, errorTypeOf(error));
    }
  }
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
