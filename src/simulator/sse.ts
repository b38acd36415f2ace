import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Latency } from './config';
import { errorBody } from './errors';
import { deltaTexts, type GeneratedReply, type TokenCounts, usage } from './messages';
import type { StreamFault } from './traffic';

export type StreamEnd =
  | { end: 'completed' | 'truncated' | 'client-aborted' }
  | { end: 'mid-stream-error'; type: string };

export interface StreamPlan {
  messageId: string;
  requestId: string;
  model: string;
  counts: TokenCounts;
  reply: GeneratedReply;
  latency: Latency;
  faults: StreamFault[];
  /** Aborted when the simulator closes: every wait gives way. */
  closing: AbortSignal;
  /** How one event is framed on the wire. Default: the API's SSE (Bedrock frames events its own way). */
  frame?: (name: string, data: unknown) => string | Buffer;
}

const sse = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** Waits `ms` (for ever when undefined) unless the client leaves or the simulator closes first. */
async function wait(res: ServerResponse, ms: number | undefined, closing: AbortSignal): Promise<void> {
  if (ms !== undefined && ms <= 0) return;
  const stop = new AbortController();
  const onClose = () => stop.abort();
  res.once('close', onClose);
  closing.addEventListener('abort', onClose, { once: true });
  try {
    await delay(ms ?? 2 ** 31 - 1, undefined, { signal: stop.signal });
  } catch {
    // the client left or the simulator is closing: the caller sees it
  } finally {
    res.off('close', onClose);
    closing.removeEventListener('abort', onClose);
  }
}

/** Writes a Messages stream with the API's event sequence, applying stream faults. */
export async function writeStream(res: ServerResponse, plan: StreamPlan): Promise<StreamEnd> {
  const frame = plan.frame ?? sse;
  const event = (target: ServerResponse, name: string, data: unknown) => target.write(frame(name, data));
  const midStream = plan.faults.find((f) => f.kind === 'mid-stream-error');
  const stall = plan.faults.find((f) => f.kind === 'stall');
  const slow = plan.faults.find((f) => f.kind === 'slow-first-token');
  const gone = () => res.destroyed || plan.closing.aborted;

  event(res, 'message_start', {
    type: 'message_start',
    message: {
      id: plan.messageId,
      type: 'message',
      role: 'assistant',
      model: plan.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usage(plan.counts, 1),
    },
  });
  event(res, 'content_block_start', {
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'text', text: '' },
  });
  event(res, 'ping', { type: 'ping' });

  const texts = deltaTexts(plan.reply.words);
  // A fault set to strike after more deltas than the reply has strikes after the last one.
  const errorAt = midStream ? Math.min(midStream.afterDeltas ?? 2, texts.length) : -1;
  const stallAt = stall ? Math.min(stall.afterDeltas ?? 1, texts.length) : -1;
  for (let index = 0; index <= texts.length; index++) {
    if (index === errorAt && midStream) {
      const type = midStream.type ?? 'overloaded_error';
      event(res, 'error', errorBody(type, plan.requestId));
      res.end();
      return { end: 'mid-stream-error', type };
    }
    if (index === stallAt && stall) {
      await wait(res, stall.durationMs, plan.closing);
      if (res.destroyed) return { end: 'client-aborted' };
      res.destroy();
      return { end: 'truncated' };
    }
    if (index === texts.length) break;
    await wait(
      res,
      index === 0 ? (slow?.delayMs ?? plan.latency.firstTokenMs) : plan.latency.deltaMs,
      plan.closing,
    );
    if (gone()) {
      res.destroy();
      return { end: 'client-aborted' };
    }
    event(res, 'content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: texts[index] },
    });
    if (index % 5 === 4) event(res, 'ping', { type: 'ping' });
  }
  event(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
  event(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: plan.reply.stopReason, stop_sequence: null },
    // As the API does: the final counts, cache and thinking included.
    usage: usage(plan.counts),
  });
  event(res, 'message_stop', { type: 'message_stop' });
  res.end();
  return { end: 'completed' };
}
