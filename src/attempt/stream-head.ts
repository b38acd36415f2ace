import type { StreamWatch } from './body-observer';

/** A head longer than this without a content delta is passed on as it is. */
const MAX_HEAD_BYTES = 1024 * 1024;

/** A read's result, from a reader or an async iterator. */
type Read = { done: boolean; value?: Uint8Array };

/** An error event that came before any content. */
export interface EarlyError {
  type?: string;
  code?: string;
}

/**
 * Reads a stream's head, the events before its first content delta, through `watch`: an error
 * event there has shown the caller nothing yet, so it can be retried like an HTTP error.
 * Otherwise the stream is handed on whole, as a new Response whose body gives the head and then
 * the rest, still through `watch` (one scanner: nothing is read twice).
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
  while (
    watch.scanning &&
    stream.firstDeltaAt === undefined &&
    !stream.error &&
    !stream.stopped &&
    bytes < MAX_HEAD_BYTES
  ) {
    const chunk = await reader.read();
    if (chunk.done) break;
    head.push(chunk.value);
    bytes += chunk.value.byteLength;
    watch.seen(chunk.value);
  }
  if (stream.error && stream.firstDeltaAt === undefined && retryable(stream.error)) {
    reader.cancel().catch(() => undefined);
    return { error: stream.error };
  }
  const cursor = new HeadThenBody(head, reader, watch);
  const relayed = new RelayedResponse(new CursorBody(cursor), response);
  return { response: relayed };
}

/**
 * One cursor over a stream: its head (already read and watched), then the body's own reader,
 * watched; whichever way the consumer reads, each chunk is handed on once. It is also the
 * async iterator the SDK reads the body with.
 */
class HeadThenBody {
  private replayed = 0;

  constructor(
    private readonly head: readonly Uint8Array[],
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly watch: StreamWatch,
  ) {}

  next(): Promise<Read> {
    if (this.replayed < this.head.length)
      return Promise.resolve({ done: false, value: this.head[this.replayed++] as Uint8Array });
    return this.reader.read().then(this.watch.passed, this.watch.threw);
  }

  cancel(reason?: unknown): Promise<void> {
    this.watch.cancelled();
    return this.reader.cancel(reason);
  }

  return(value?: unknown): Promise<{ done: true; value: unknown }> {
    return this.cancel(value).then(() => ({ done: true, value }));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

const CURSOR = Symbol('claude-otel.cursor');

/**
 * The body handed to the SDK. Iterated (as the SDK reads it), it is the cursor itself, with no
 * stream queue between (a chunk through the queue cost more than watching it); read otherwise
 * (a middleware's `getReader()`, `clone()`), it pulls from the cursor only when read (a
 * high-water mark of 0), so nothing is taken ahead of an iterator.
 */
class CursorBody extends ReadableStream<Uint8Array> {
  readonly [CURSOR]: HeadThenBody;

  constructor(cursor: HeadThenBody) {
    super(
      {
        pull: (controller) =>
          cursor
            .next()
            .then((chunk) =>
              chunk.done ? controller.close() : controller.enqueue(chunk.value as Uint8Array),
            ),
        cancel: (reason) => cursor.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    this[CURSOR] = cursor;
  }
}

// Iterated (as the SDK reads it), the body is its cursor: set once on the prototype.
Object.defineProperty(CursorBody.prototype, Symbol.asyncIterator, {
  configurable: true,
  writable: true,
  value: function iterator(this: CursorBody) {
    return this[CURSOR];
  },
});

const ORIGINAL = Symbol('claude-otel.original');

/** The relayed response, with the original's own Headers: copying them cost more than the rest of the relay. */
class RelayedResponse extends Response {
  readonly [ORIGINAL]: Response;

  constructor(body: CursorBody, original: Response) {
    super(body as unknown as ConstructorParameters<typeof Response>[0], {
      status: original.status,
      statusText: original.statusText,
    });
    this[ORIGINAL] = original;
  }
}

// On the prototype: TypeScript's Response declares these as fields, so not in the class body.
const cloneResponse = Response.prototype.clone;
Object.defineProperties(RelayedResponse.prototype, {
  headers: {
    configurable: true,
    get(this: RelayedResponse) {
      return this[ORIGINAL].headers;
    },
  },
  // A copy with headers of its own (the relay's internal ones are empty), as the original's clone has.
  clone: {
    configurable: true,
    writable: true,
    value: function clone(this: RelayedResponse): Response {
      const original = this[ORIGINAL];
      return new Response(cloneResponse.call(this).body, {
        status: original.status,
        statusText: original.statusText,
        headers: original.headers,
      });
    },
  },
});
