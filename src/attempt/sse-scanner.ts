import { identifier } from '../facts/classify';
import { mergeMessage, mergeUsage, type ReplyFacts } from '../facts/reply-facts';

/** What a Messages stream showed, event by event, without keeping its content. */
export interface StreamFacts {
  /** performance.now() of the first content_block_delta. */
  firstDeltaAt?: number;
  /** `message_stop` arrived. */
  stopped: boolean;
  /** An `event: error` arrived, with its type and code. */
  error?: { type?: string; code?: string };
  /** An event's data was not JSON. */
  malformed?: boolean;
}

/** The events the scanner tells apart; every other one is `OTHER`. */
const OTHER = 0;
const MESSAGE_START = 1;
const MESSAGE_DELTA = 2;
const MESSAGE_STOP = 3;
const CONTENT_BLOCK_DELTA = 4;
const ERROR = 5;
const EVENT_NAMES: [string, number][] = [
  ['message_start', MESSAGE_START],
  ['message_delta', MESSAGE_DELTA],
  ['message_stop', MESSAGE_STOP],
  ['content_block_delta', CONTENT_BLOCK_DELTA],
  ['error', ERROR],
];
const EVENTS = EVENT_NAMES.map(([name, kind]) => ({ bytes: new TextEncoder().encode(name), kind }));

const LF = 10;
const CR = 13;
const SPACE = 32;
const EVENT_FIELD = new TextEncoder().encode('event:');
const DATA_FIELD = new TextEncoder().encode('data:');
const NEWLINE = new Uint8Array([LF]);
const decoder = new TextDecoder();

function startsWith(line: Uint8Array, prefix: Uint8Array): boolean {
  if (line.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (line[i] !== prefix[i]) return false;
  return true;
}

/** The kind of the event an `event:` line names (its value trimmed as the SDK trims it). */
function eventKind(line: Uint8Array): number {
  let from = EVENT_FIELD.length;
  let to = line.length;
  while (from < to && line[from] <= SPACE) from++;
  while (to > from && line[to - 1] <= SPACE) to--;
  const length = to - from;
  next: for (const { bytes, kind } of EVENTS) {
    if (bytes.length !== length) continue;
    for (let i = 0; i < length; i++) if (line[from + i] !== bytes[i]) continue next;
    return kind;
  }
  return OTHER;
}

function joined(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * An incremental Server-Sent Events scanner for the Messages stream: fed raw chunks in order,
 * it tracks the first content delta, usage, the stop reason and an error event. It works on the
 * bytes: only the data of `message_start`, `message_delta` and `error` is decoded and parsed;
 * content deltas are only noted.
 */
export class SseScanner {
  /** The start of a line that continues in the next chunk. */
  private partial: Uint8Array[] = [];
  /** The last chunk ended in CR: an LF that starts the next one belongs to it. */
  private afterCR = false;
  private event = OTHER;
  /** The data lines of the event being read (copies), unparsed. */
  private data: Uint8Array[] = [];
  /** The data of the last dispatched event, kept (unparsed) until the next one. */
  private lastData: Uint8Array[] = [];

  constructor(
    readonly reply: ReplyFacts,
    readonly stream: StreamFacts,
  ) {}

  push(chunk: Uint8Array): void {
    let start = 0;
    if (this.afterCR) {
      this.afterCR = false;
      if (chunk[0] === LF) start = 1;
    }
    // CR line ends are rare: a chunk without any is split on LF alone, by the native search.
    const crs = chunk.indexOf(CR, start) !== -1;
    // Only the new bytes are searched, and a line split over chunks is joined once, at its end:
    // linear in the stream, however long one line is.
    for (;;) {
      let end = chunk.indexOf(LF, start);
      if (crs) {
        const cr = chunk.indexOf(CR, start);
        if (cr !== -1 && (end === -1 || cr < end)) end = cr;
      }
      if (end === -1) break;
      if (this.partial.length) {
        this.partial.push(chunk.subarray(start, end));
        const line = joined(this.partial);
        this.partial = [];
        this.line(line, true);
      } else this.line(chunk.subarray(start, end), false);
      start = end + 1;
      if (chunk[end] === CR) {
        if (start === chunk.length) this.afterCR = true;
        else if (chunk[start] === LF) start++;
      }
    }
    // A copy: the chunk belongs to its reader.
    if (start < chunk.length) this.partial.push(chunk.slice(start));
  }

  end(): void {
    if (this.partial.length) {
      const line = joined(this.partial);
      this.partial = [];
      this.line(line, true);
    }
    this.afterCR = false;
    this.dispatch();
  }

  /**
   * Whether the data of the last event dispatched (or being read) is not JSON: the SDK parses
   * every event, so a stream its reader gave up on right after such an event was garbled,
   * not abandoned. Decoded and parsed only when asked.
   */
  lastEventMalformed(): boolean {
    const data = this.data.length ? this.data : this.lastData;
    if (!data.length) return false;
    try {
      JSON.parse(text(data));
      return false;
    } catch {
      return true;
    }
  }

  /** One line, without its line end; `owned` when it is already a copy of its own. */
  private line(line: Uint8Array, owned: boolean): void {
    if (line.length === 0) {
      this.dispatch();
      return;
    }
    if (line[0] === 101 /* e */ && startsWith(line, EVENT_FIELD)) {
      this.event = eventKind(line);
    } else if (line[0] === 100 /* d */ && startsWith(line, DATA_FIELD)) {
      const from = line[DATA_FIELD.length] === SPACE ? DATA_FIELD.length + 1 : DATA_FIELD.length;
      const value = owned ? line.subarray(from) : line.slice(from);
      if (this.data.length) this.data.push(NEWLINE);
      this.data.push(value);
    }
  }

  private dispatch(): void {
    const { event, data } = this;
    this.event = OTHER;
    if (data.length) {
      this.lastData = data;
      this.data = [];
    }
    if (event === CONTENT_BLOCK_DELTA) {
      this.stream.firstDeltaAt ??= performance.now();
      return;
    }
    if (event === MESSAGE_STOP) {
      this.stream.stopped = true;
      return;
    }
    if (event === OTHER) return;
    if (!data.length) {
      if (event === ERROR) this.stream.error = {};
      return;
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text(data));
    } catch {
      if (event === ERROR) this.stream.error = {};
      else this.stream.malformed = true;
      return;
    }
    if (event === MESSAGE_START) mergeMessage(this.reply, parsed.message);
    else if (event === MESSAGE_DELTA) {
      const reason = identifier((parsed.delta as { stop_reason?: unknown } | undefined)?.stop_reason);
      if (reason) this.reply.finishReason = reason;
      mergeUsage(this.reply.usage, parsed.usage);
    } else {
      const error = parsed.error as { type?: unknown; details?: { error_code?: unknown } } | undefined;
      const type = identifier(error?.type);
      const code = identifier(error?.details?.error_code);
      this.stream.error = { ...(type ? { type } : {}), ...(code ? { code } : {}) };
    }
  }
}

function text(parts: Uint8Array[]): string {
  return decoder.decode(joined(parts));
}
