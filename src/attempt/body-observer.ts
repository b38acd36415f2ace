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

/**
 * Passes a successful response's body through to the SDK byte for byte, observing it on the way:
 * usage and stop reason, and for streams the first delta, `message_stop` and error events.
 * `onEnd` runs once, when the SDK has read the body to its end (before its read resolves) or
 * when the body failed or was cancelled.
 */
export function observeBody(
  response: Response,
  stream: boolean,
  onEnd: (facts: BodyFacts, error?: unknown) => void,
): Response {
  const body = response.body;
  const facts: BodyFacts = { reply: { usage: {} } };
  if (!body) {
    onEnd(facts);
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
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    onEnd(facts, error);
  };
  let broken = false;
  const observer = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      controller.enqueue(chunk);
      if (broken) return;
      try {
        scanner.push(chunk);
      } catch {
        broken = true;
      }
    },
    flush() {
      try {
        if (!broken) scanner.end();
      } catch {
        // observation failed; the body still reached the SDK whole
      }
      end();
    },
  });
  body.pipeTo(observer.writable).catch((error: unknown) => end(error ?? new Error('body cancelled')));
  const observed = new Response(observer.readable, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // Keep what the SDK may read off the original: its URL (and whether it was redirected).
  Object.defineProperty(observed, 'url', { value: response.url });
  Object.defineProperty(observed, 'redirected', { value: response.redirected });
  return observed;
}
