import type { StreamWatch } from './body-observer';

/** A head longer than this without a content delta is passed on as it is. */
const MAX_HEAD_BYTES = 1024 * 1024;

/** An error event that came before any content. */
export interface EarlyError {
  type?: string;
  code?: string;
}

/**
 * Reads a stream's head, the events before its first content delta, through `watch`: an error
 * event there has shown the caller nothing yet, so it can be retried like an HTTP error.
 * Otherwise the stream is handed on whole, as a new Response whose body replays the head and
 * then relays the rest, still through `watch` (one scanner, one relay: nothing is read twice).
 * A read that fails (the caller aborted, the connection broke) rejects as the read did.
 */
export async function readStreamHead(
  response: Response,
  watch: StreamWatch,
  retryable: (error: EarlyError) => boolean,
): Promise<{ response: Response } | { error: EarlyError }> {
  const body = response.body;
  if (!body) return { response };
  const reader = body.getReader();
  const head: Uint8Array[] = [];
  const stream = watch.stream;
  let bytes = 0;
  let done = false;
  while (
    !done &&
    watch.scanning &&
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
      watch.seen(chunk.value);
    }
  }
  if (stream.error && stream.firstDeltaAt === undefined && retryable(stream.error)) {
    reader.cancel().catch(() => undefined);
    return { error: stream.error };
  }
  const relay = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of head) controller.enqueue(chunk);
    },
    // Called once the consumer has taken what is queued: the watch ends with the consumer's reading.
    pull(controller) {
      if (done) {
        watch.done();
        controller.close();
        return;
      }
      return reader.read().then(
        (chunk) => {
          if (chunk.done) {
            watch.done();
            controller.close();
          } else {
            watch.seen(chunk.value);
            controller.enqueue(chunk.value);
          }
        },
        (error: unknown) => {
          watch.failed(error);
          throw error;
        },
      );
    },
    cancel(reason) {
      watch.cancelled();
      return reader.cancel(reason);
    },
  });
  // The response's own Headers, not a copy: copying them cost more than the rest of the relay.
  const relayed = new Response(relay, { status: response.status, statusText: response.statusText });
  Object.defineProperty(relayed, 'headers', { value: response.headers, enumerable: true });
  return { response: relayed };
}
