import { mergeMessage, type ReplyFacts } from '../facts/reply-facts';
import { SseScanner, type StreamFacts } from './sse-scanner';

export interface BodyFacts {
  reply: ReplyFacts;
  /** Present for event streams. */
  stream?: StreamFacts;
  /** A JSON body that did not parse. */
  malformed?: boolean;
}

/** How the consumer's reading of a body ended. */
export type BodyEnd = { kind: 'complete' } | { kind: 'cancelled' } | { kind: 'failed'; error: unknown };

type OnEnd = (facts: BodyFacts, end: BodyEnd) => void;

/**
 * Observes a successful response's body as its consumer reads it, without replacing the
 * response or copying its body: the instance's own `json()`/`text()` (non-streaming) or its
 * body's async iterator and `getReader()` (streams) are wrapped to look at what passes.
 * `onEnd` runs once, before the consumer's last read resolves, when the body is complete,
 * failed, or was cancelled.
 */
export function observeBody(response: Response, stream: boolean, onEnd: OnEnd): void {
  if (stream) {
    // No body to read (it cannot happen for a 2xx stream the SDK reads): nothing was cut short.
    if (response.body) tapStream(response.body, new StreamWatch(onEnd));
    else onEnd({ reply: { usage: {} } }, { kind: 'complete' });
    return;
  }
  const facts: BodyFacts = { reply: { usage: {} } };
  let ended = false;
  tapJson(response, facts, (how: BodyEnd) => {
    if (ended) return;
    ended = true;
    onEnd(facts, how);
  });
}

function tapJson(response: Response, facts: BodyFacts, end: (how: BodyEnd) => void): void {
  const json = response.json;
  const text = response.text;
  Object.defineProperty(response, 'json', {
    configurable: true,
    value: async function observedJson(this: Response) {
      try {
        const value: unknown = await json.call(this);
        mergeMessage(facts.reply, value);
        end({ kind: 'complete' });
        return value;
      } catch (error) {
        if ((error as { name?: unknown })?.name === 'SyntaxError') facts.malformed = true;
        end({ kind: 'failed', error });
        throw error;
      }
    },
  });
  Object.defineProperty(response, 'text', {
    configurable: true,
    value: async function observedText(this: Response) {
      try {
        const value: string = await text.call(this);
        try {
          mergeMessage(facts.reply, JSON.parse(value));
        } catch {
          facts.malformed = true;
        }
        end({ kind: 'complete' });
        return value;
      } catch (error) {
        end({ kind: 'failed', error });
        throw error;
      }
    },
  });
}

/** A read result, from a reader or an async iterator. */
export type Chunk = { done?: boolean; value?: Uint8Array };

/**
 * What a stream's body shows as it passes, chunk by chunk, to one end: complete, failed or
 * cancelled (`onEnd` runs once). A scanner fault stops the scanning, never the stream.
 */
export class StreamWatch {
  readonly stream: StreamFacts = { stopped: false };
  readonly facts: BodyFacts = { reply: { usage: {} }, stream: this.stream };
  private readonly scanner = new SseScanner(this.facts.reply, this.stream);
  private broken = false;
  private ended = false;

  constructor(private readonly onEnd: OnEnd) {}

  /** False once the scanner failed: nothing more will be learnt from the body. */
  get scanning(): boolean {
    return !this.broken;
  }

  /** A read's result, as it passes (for `.then`, with `threw`): the body's end, or a chunk to scan. */
  readonly passed = <T extends Chunk>(chunk: T): T => {
    if (chunk.done) this.done();
    else if (chunk.value) this.seen(chunk.value);
    return chunk;
  };

  /** A read that failed, as it passes on. */
  readonly threw = (error: unknown): never => {
    this.failed(error);
    throw error;
  };

  /** Every chunk passes here: no closure per chunk. */
  seen(chunk: Uint8Array): void {
    if (this.broken) return;
    try {
      this.scanner.push(chunk);
    } catch {
      this.broken = true;
    }
  }

  done(): void {
    if (!this.broken) safely(() => this.scanner.end());
    this.end({ kind: 'complete' });
  }

  failed(error: unknown): void {
    this.end({ kind: 'failed', error });
  }

  cancelled(): void {
    // The SDK stops reading at an event that is not JSON: a garbled body, not a caller who left.
    if (!this.broken)
      safely(() => {
        if (this.scanner.lastEventMalformed()) this.stream.malformed = true;
      });
    this.end({ kind: 'cancelled' });
  }

  private end(how: BodyEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd(this.facts, how);
  }
}

/** Wraps the body's own reader and async iterator (the ways the SDK reads it) to watch what passes. */
function tapStream(body: ReadableStream<Uint8Array>, watch: StreamWatch): void {
  const { passed, threw } = watch;
  const cancelled = () => watch.cancelled();

  const getReader = body.getReader;
  Object.defineProperty(body, 'getReader', {
    configurable: true,
    value: function observedGetReader(this: ReadableStream<Uint8Array>, ...args: unknown[]) {
      const reader = (getReader as (...a: unknown[]) => ReadableStreamDefaultReader<Uint8Array>).apply(
        this,
        args,
      );
      const read = reader.read;
      const cancel = reader.cancel;
      Object.defineProperty(reader, 'read', {
        configurable: true,
        value: () => read.call(reader).then(passed, threw),
      });
      Object.defineProperty(reader, 'cancel', {
        configurable: true,
        value: (reason?: unknown) => {
          cancelled();
          return cancel.call(reader, reason);
        },
      });
      return reader;
    },
  });
  const iterate = body[Symbol.asyncIterator];
  Object.defineProperty(body, Symbol.asyncIterator, {
    configurable: true,
    value: function observedIterator(this: ReadableStream<Uint8Array>, ...args: unknown[]) {
      const iterator = (iterate as (...a: unknown[]) => AsyncIterableIterator<Uint8Array>).apply(this, args);
      const next = iterator.next;
      const stop = iterator.return;
      return {
        next: (...a: []) => next.apply(iterator, a).then(passed, threw),
        return: (value?: unknown) => {
          cancelled();
          return stop
            ? stop.call(iterator, value)
            : Promise.resolve({ done: true as const, value: undefined });
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    },
  });
}

function safely(step: () => void): boolean {
  try {
    step();
    return true;
  } catch {
    return false;
  }
}
