import type { ReplyFacts } from '../facts/reply-facts';
import { SseScanner, type StreamFacts } from './sse-scanner';

/** A head longer than this without a content delta is passed on as it is. */
const MAX_HEAD_BYTES = 1024 * 1024;

/** An error event that came before any content. */
export interface EarlyError {
  type?: string;
  code?: string;
}

/**
 * Reads a stream's head, the events before its first content delta: an error event there has
 * shown the caller nothing yet, so it can be retried like an HTTP error. Otherwise the stream
 * is handed back whole (its head replayed, then the rest as it comes), as a new Response.
 * A read that fails (the caller aborted, the connection broke) rejects as the read did.
 */
export async function readStreamHead(
  response: Response,
  retryable: (error: EarlyError) => boolean,
): Promise<{ response: Response } | { error: EarlyError }> {
  const body = response.body;
  if (!body) return { response };
  const reader = body.getReader();
  const head: Uint8Array[] = [];
  const stream: StreamFacts = { stopped: false };
  const scanner = new SseScanner({ usage: {} } as ReplyFacts, stream);
  let bytes = 0;
  let done = false;
  while (
    !done &&
    stream.firstDeltaAt === undefined &&
    !stream.error &&
    !stream.stopped &&
    bytes < MAX_HEAD_BYTES
  ) {
    const chunk = await reader.read();
    if (chunk.done) done = true;
    else {
      head.push(chunk.value);
      bytes += chunk.value.byteLength;
      if (!scanned(scanner, chunk.value)) break; // a scanner fault: pass the stream on untouched
    }
  }
  if (stream.error && stream.firstDeltaAt === undefined && retryable(stream.error)) {
    reader.cancel().catch(() => undefined);
    return { error: stream.error };
  }
  const replay = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of head) controller.enqueue(chunk);
      if (done) controller.close();
    },
    async pull(controller) {
      const chunk = await reader.read();
      if (chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return {
    response: new Response(replay, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    }),
  };
}

function scanned(scanner: SseScanner, chunk: Uint8Array): boolean {
  try {
    scanner.push(chunk);
    return true;
  } catch {
    return false;
  }
}
