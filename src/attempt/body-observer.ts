import { mergeMessage, type ReplyFacts } from './reply-facts';
import { SseScanner, type StreamFacts } from './sse-scanner';

/** JSON bodies up to this size are parsed whole for their facts; past it only the tail is scanned. */
const WHOLE_JSON_LIMIT = 1 << 20;
const TAIL_BYTES = 8192;

export interface BodyFacts {
  reply: ReplyFacts;
  /** Present for event streams. */
  stream?: StreamFacts;
  /** A JSON body that did not parse. */
  malformed?: boolean;
}

/** Collects a JSON body (bounded) and reads the reply's facts from it at the end. */
class JsonCollector {
  private chunks: Buffer[] = [];
  private size = 0;
  private tail = Buffer.alloc(0);

  constructor(private readonly facts: BodyFacts) {}

  push(chunk: Uint8Array): void {
    this.size += chunk.byteLength;
    const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.size <= WHOLE_JSON_LIMIT) this.chunks.push(Buffer.from(buffer));
    else {
      this.chunks = [];
      this.tail = Buffer.concat([this.tail, buffer]).subarray(-TAIL_BYTES);
    }
  }

  end(): void {
    if (this.size <= WHOLE_JSON_LIMIT) {
      try {
        mergeMessage(this.facts.reply, JSON.parse(Buffer.concat(this.chunks).toString('utf8')));
      } catch {
        this.facts.malformed = true;
      }
      return;
    }
    const usage = /"usage"\s*:\s*(\{[^{}]*\})/.exec(this.tail.toString('utf8'));
    if (usage) mergeMessage(this.facts.reply, { usage: JSON.parse(usage[1]) });
  }
}

/** How the SDK's reading of a body ended. */
export type BodyEnd = { kind: 'complete' } | { kind: 'cancelled' } | { kind: 'failed'; error: unknown };

/**
 * Passes a successful response's body through to the SDK byte for byte, as the SDK pulls it,
 * observing it on the way: usage and stop reason, and for streams the first delta, `message_stop`
 * and error events. `onEnd` runs once: when the body is complete (before the SDK's last read
 * resolves), when it failed, or when the SDK cancelled it.
 */
export function observeBody(
  response: Response,
  stream: boolean,
  onEnd: (facts: BodyFacts, end: BodyEnd) => void,
): Response {
  const body = response.body;
  const facts: BodyFacts = { reply: { usage: {} } };
  if (!body) {
    onEnd(facts, { kind: 'complete' });
    return response;
  }
  let scanner: SseScanner | JsonCollector;
  if (stream) {
    facts.stream = { stopped: false };
    scanner = new SseScanner(facts.reply, facts.stream);
  } else {
    scanner = new JsonCollector(facts);
  }
  let ended = false;
  let broken = false;
  const observe = (step: () => void) => {
    if (broken) return;
    try {
      step();
    } catch {
      broken = true; // observation failed; the body still reaches the SDK whole
    }
  };
  const end = (how: BodyEnd) => {
    if (ended) return;
    ended = true;
    onEnd(facts, how);
  };
  const reader = body.getReader();
  const observed = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          end({ kind: 'failed', error });
          controller.error(error);
          return;
        }
        if (chunk.done) {
          observe(() => scanner.end());
          end({ kind: 'complete' });
          controller.close();
          return;
        }
        controller.enqueue(chunk.value);
        observe(() => scanner.push(chunk.value));
      },
      cancel(reason) {
        end({ kind: 'cancelled' });
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const replacement = new Response(observed, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // Keep what the SDK may read off the original: its URL (and whether it was redirected).
  Object.defineProperty(replacement, 'url', { value: response.url });
  Object.defineProperty(replacement, 'redirected', { value: response.redirected });
  return replacement;
}
