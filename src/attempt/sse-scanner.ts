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

/** The events told apart; any other name (or none) is OTHER. */
const OTHER = 0;
const MESSAGE_START = 1;
const MESSAGE_DELTA = 2;
const MESSAGE_STOP = 3;
const CONTENT_BLOCK_DELTA = 4;
const ERROR = 5;
const bytesOf = (name: string) => new TextEncoder().encode(name);
const MESSAGE_START_NAME = bytesOf('message_start');
const MESSAGE_DELTA_NAME = bytesOf('message_delta');
const MESSAGE_STOP_NAME = bytesOf('message_stop');
const CONTENT_BLOCK_DELTA_NAME = bytesOf('content_block_delta');
const ERROR_NAME = bytesOf('error');

const LF = 10;
const CR = 13;
const SPACE = 32;

// Node's own byte search and UTF-8 decoding (memchr, simdutf) read any Uint8Array, at a fraction
// of the cost of TypedArray#indexOf and TextDecoder (measured: 4x for the search).
const utf8Slice = (
  Buffer.prototype as { utf8Slice?: (this: Uint8Array, start: number, end: number) => string }
).utf8Slice;
const indexOf = Buffer.prototype.indexOf as (this: Uint8Array, byte: number, from: number) => number;
const decoder = new TextDecoder();
function decode(bytes: Uint8Array, start: number, end: number): string {
  return utf8Slice ? utf8Slice.call(bytes, start, end) : decoder.decode(bytes.subarray(start, end));
}

function named(bytes: Uint8Array, start: number, name: Uint8Array): boolean {
  for (let i = 0; i < name.length; i++) if (bytes[start + i] !== name[i]) return false;
  return true;
}

/** The kind of event named by `bytes[start, end)`, trimmed of spaces and controls: by length first. */
function kindOf(bytes: Uint8Array, start: number, end: number): number {
  while (start < end && bytes[start] <= SPACE) start++;
  while (end > start && bytes[end - 1] <= SPACE) end--;
  switch (end - start) {
    case 19:
      return named(bytes, start, CONTENT_BLOCK_DELTA_NAME) ? CONTENT_BLOCK_DELTA : OTHER;
    case 13:
      if (named(bytes, start, MESSAGE_DELTA_NAME)) return MESSAGE_DELTA;
      return named(bytes, start, MESSAGE_START_NAME) ? MESSAGE_START : OTHER;
    case 12:
      return named(bytes, start, MESSAGE_STOP_NAME) ? MESSAGE_STOP : OTHER;
    case 5:
      return named(bytes, start, ERROR_NAME) ? ERROR : OTHER;
    default:
      return OTHER;
  }
}

function joined(parts: Uint8Array[]): Uint8Array {
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

/** The data lines of one event, as places in the chunks they came in: decoded only if needed. */
class Data {
  /** bytes, start, end of each line, flat. */
  readonly lines: (Uint8Array | number)[] = [];

  get empty(): boolean {
    const lines = this.lines;
    return lines.length === 0 || (lines.length === 3 && lines[1] === lines[2]);
  }

  text(): string {
    const lines = this.lines;
    let text = decode(lines[0] as Uint8Array, lines[1] as number, lines[2] as number);
    for (let i = 3; i < lines.length; i += 3)
      text += `\n${decode(lines[i] as Uint8Array, lines[i + 1] as number, lines[i + 2] as number)}`;
    return text;
  }
}

/**
 * An incremental Server-Sent Events scanner for the Messages stream: fed raw chunks in order,
 * it tracks the first content delta, usage, the stop reason and an error event. It works on the
 * bytes, by index: lines are found by the native search, event names compared as bytes, and only
 * the data of `message_start`, `message_delta` and `error` is decoded and parsed.
 */
export class SseScanner {
  /** The start of a line that continues in a later chunk. */
  private partial: Uint8Array[] = [];
  /** The last chunk ended in CR: an LF that starts the next one is part of it. */
  private afterCR = false;
  private atStart = true;
  private event = OTHER;
  private data = new Data();
  /** The data of the last event that had any, kept (unparsed) until the next one. */
  private lastData = new Data();

  constructor(
    readonly reply: ReplyFacts,
    readonly stream: StreamFacts,
  ) {}

  push(chunk: Uint8Array): void {
    const length = chunk.length;
    if (length === 0) return;
    let start = 0;
    if (this.atStart) {
      this.atStart = false;
      // A byte-order mark, as a UTF-8 decoder would drop it.
      if (length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) start = 3;
    }
    if (this.afterCR) {
      this.afterCR = false;
      if (chunk[start] === LF) start++;
    }
    // CR line ends are rare: where there is none, lines are split on LF alone.
    let cr = indexOf.call(chunk, CR, start);
    // Only the new bytes are searched, and a line split over chunks is joined once, at its end:
    // linear in the stream, however long one line is.
    while (start < length) {
      let end = indexOf.call(chunk, LF, start);
      if (cr !== -1) {
        if (cr < start) cr = indexOf.call(chunk, CR, start);
        if (cr !== -1 && (end === -1 || cr < end)) end = cr;
      }
      if (end === -1) break;
      if (this.partial.length) {
        this.partial.push(chunk.subarray(start, end));
        const line = joined(this.partial);
        this.partial = [];
        this.line(line, 0, line.length);
      } else this.line(chunk, start, end);
      start = end + 1;
      if (chunk[end] === CR) {
        if (start === length) this.afterCR = true;
        else if (chunk[start] === LF) start++;
      }
    }
    if (start < length) this.partial.push(start === 0 ? chunk : chunk.subarray(start));
  }

  end(): void {
    if (this.partial.length) {
      const line = joined(this.partial);
      this.partial = [];
      this.line(line, 0, line.length);
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
    const data = this.data.empty ? this.lastData : this.data;
    if (data.empty) return false;
    try {
      JSON.parse(data.text());
      return false;
    } catch {
      return true;
    }
  }

  /** One line, `bytes[start, end)`. */
  private line(bytes: Uint8Array, start: number, end: number): void {
    if (end === start) {
      this.dispatch();
      return;
    }
    const first = bytes[start];
    if (
      first === 101 /* e */ &&
      end - start >= 6 &&
      bytes[start + 1] === 118 /* v */ &&
      bytes[start + 2] === 101 /* e */ &&
      bytes[start + 3] === 110 /* n */ &&
      bytes[start + 4] === 116 /* t */ &&
      bytes[start + 5] === 58 /* : */
    ) {
      this.event = kindOf(bytes, start + 6, end);
    } else if (
      first === 100 /* d */ &&
      end - start >= 5 &&
      bytes[start + 1] === 97 /* a */ &&
      bytes[start + 2] === 116 /* t */ &&
      bytes[start + 3] === 97 /* a */ &&
      bytes[start + 4] === 58 /* : */
    ) {
      const from = start + 5 < end && bytes[start + 5] === SPACE ? start + 6 : start + 5;
      this.data.lines.push(bytes, from, end);
    }
  }

  private dispatch(): void {
    const event = this.event;
    const data = this.data;
    this.event = OTHER;
    if (data.lines.length === 0) {
      if (event === CONTENT_BLOCK_DELTA) this.stream.firstDeltaAt ??= performance.now();
      else if (event === MESSAGE_STOP) this.stream.stopped = true;
      else if (event === ERROR) this.stream.error = {};
      return;
    }
    // The two holders swap: no allocation per event.
    const empty = data.empty;
    if (!empty) {
      this.data = this.lastData;
      this.lastData = data;
    }
    this.data.lines.length = 0;
    if (event === CONTENT_BLOCK_DELTA) {
      this.stream.firstDeltaAt ??= performance.now();
      return;
    }
    if (event === MESSAGE_STOP) {
      this.stream.stopped = true;
      return;
    }
    if (empty || event === OTHER) {
      if (event === ERROR) this.stream.error = {};
      return;
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(data.text());
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
    } else if (event === ERROR) {
      const error = parsed.error as { type?: unknown; details?: { error_code?: unknown } } | undefined;
      const type = identifier(error?.type);
      const code = identifier(error?.details?.error_code);
      this.stream.error = { ...(type ? { type } : {}), ...(code ? { code } : {}) };
    }
  }
}
