import Anthropic from '@anthropic-ai/sdk';
import type { Simulator } from '../../src/simulator';
import { clientFor, MODEL } from './sdk';

export interface WorkloadOptions {
  calls: number;
  concurrency: number;
  /** Every n-th call streams (0: none). Default 3. */
  streamEvery?: number;
  maxRetries?: number;
  client?: Anthropic;
}

/** What the callers saw, counted the way the simulator counts attempts (valid with maxRetries 0). */
export interface Outcomes {
  calls: number;
  succeeded: number;
  byStatus: Record<string, number>;
  byErrorType: Record<string, number>;
  connectionErrors: number;
  /** Streams that ended without a message_stop or an error event. */
  brokenStreams: number;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Drives `calls` calls through the official SDK, `concurrency` at a time; never throws. */
export async function runWorkload(sim: Simulator, options: WorkloadOptions): Promise<Outcomes> {
  const client = options.client ?? clientFor(sim, { maxRetries: options.maxRetries ?? 0 });
  const streamEvery = options.streamEvery ?? 3;
  const outcomes: Outcomes = {
    calls: 0,
    succeeded: 0,
    byStatus: {},
    byErrorType: {},
    connectionErrors: 0,
    brokenStreams: 0,
  };
  let next = 0;
  const one = async (index: number) => {
    const params = {
      model: MODEL,
      max_tokens: 64,
      messages: [{ role: 'user' as const, content: `call ${index}` }],
    };
    let streamed = false;
    try {
      if (streamEvery > 0 && index % streamEvery === 0) {
        const stream = client.messages.stream(params);
        stream.on('connect', () => {
          streamed = true;
        });
        await stream.finalMessage();
      } else {
        await client.messages.create(params);
      }
      outcomes.succeeded++;
      bump(outcomes.byStatus, '200');
    } catch (error) {
      // A stream whose connection drops after its 200 is a broken stream (SDK 1.17 raises an
      // APIConnectionError for it; earlier SDKs ended the stream), not a refused connection.
      if (error instanceof Anthropic.APIConnectionError && !streamed) outcomes.connectionErrors++;
      else if (error instanceof Anthropic.APIError && error.status !== undefined) {
        bump(outcomes.byStatus, String(error.status));
        if (error.type) bump(outcomes.byErrorType, error.type);
      } else if (error instanceof Anthropic.APIError && error.type) {
        bump(outcomes.byStatus, '200');
        bump(outcomes.byErrorType, error.type);
      } else if (streamed) {
        bump(outcomes.byStatus, '200');
        outcomes.brokenStreams++;
      } else throw error;
    } finally {
      outcomes.calls++;
    }
  };
  const worker = async () => {
    while (next < options.calls) await one(next++);
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return outcomes;
}
