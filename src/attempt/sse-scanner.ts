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

/** Events whose data we parse; every other event (content deltas above all) is only noted. */
const PARSED = new Set(['message_start', 'message_delta', 'error']);

/**
 * An incremental Server-Sent Events scanner for the Messages stream: fed raw chunks in order,
 * it tracks the first content delta, usage, the stop reason and an error event.
 */
export class SseScanner {
  private readonly decoder = new TextDecoder();
  private partial: string[] = [];
  private carriedCR = '';
  private event = '';
  private data = '';
  /** The data of the last dispatched event, kept (unparsed) until the next one. */
  private lastData = '';

  constructor(
    readonly reply: ReplyFacts,
    readonly stream: StreamFacts,
  ) {}

  push(chunk: Uint8Array): void {
    let text = this.decoder.decode(chunk, { stream: true });
    if (text.includes('\r')) {
      // Rare: CR or CRLF line ends. A trailing CR may be half of a CRLF, so it waits for the next chunk.
      text = this.carriedCR + text;
      this.carriedCR = text.endsWith('\r') ? '\r' : '';
      if (this.carriedCR) text = text.slice(0, -1);
      text = text.replace(/\r\n?/g, '\n');
    } else if (this.carriedCR) {
      // The carried CR ended a line, unless this chunk's LF completes it as a CRLF.
      if (!text.startsWith('\n')) text = `\n${text}`;
      this.carriedCR = '';
    }
    // Only the new text is searched, and a line split over chunks is joined once, at its end:
    // linear in the stream, however long one line is.
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) break;
      if (this.partial.length) {
        this.partial.push(text.slice(start, newline));
        const line = this.partial.join('');
        this.partial = [];
        this.line(line, 0, line.length);
      } else this.line(text, start, newline);
      start = newline + 1;
    }
    if (start < text.length) this.partial.push(start ? text.slice(start) : text);
  }

  end(): void {
    const rest = this.partial.join('') + (this.carriedCR ? '\n' : '') + this.decoder.decode();
    this.partial = [];
    this.carriedCR = '';
    if (rest) this.line(rest, 0, rest.length);
    this.dispatch();
  }

  /**
   * Whether the data of the last event dispatched (or being read) is not JSON: the SDK parses
   * every event, so a stream its reader gave up on right after such an event was garbled,
   * not abandoned. Parsed only when asked.
   */
  lastEventMalformed(): boolean {
    const data = this.data || this.lastData;
    if (!data) return false;
    try {
      JSON.parse(data);
      return false;
    } catch {
      return true;
    }
  }

  /** One line, `buffer[start, end)`, looked at without copying unless it matters. */
  private line(buffer: string, start: number, end: number): void {
    if (end === start) {
      this.dispatch();
      return;
    }
    const first = buffer.charCodeAt(start);
    if (first === 101 /* e */ && buffer.startsWith('event:', start)) {
      this.event = buffer.slice(start + 6, end).trim();
    } else if (first === 100 /* d */ && buffer.startsWith('data:', start)) {
      const from = buffer.charCodeAt(start + 5) === 32 ? start + 6 : start + 5;
      const value = buffer.slice(from, end);
      this.data = this.data ? `${this.data}\n${value}` : value;
    }
  }

  private dispatch(): void {
    const { event, data } = this;
    this.event = '';
    this.data = '';
    if (data) this.lastData = data;
    if (event === 'content_block_delta') {
      this.stream.firstDeltaAt ??= performance.now();
      return;
    }
    if (event === 'message_stop') {
      this.stream.stopped = true;
      return;
    }
    if (!data || !PARSED.has(event)) {
      if (event === 'error') this.stream.error = {};
      return;
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(data);
    } catch {
      if (event === 'error') this.stream.error = {};
      else this.stream.malformed = true;
      return;
    }
    if (event === 'message_start') mergeMessage(this.reply, parsed.message);
    else if (event === 'message_delta') {
      const reason = identifier((parsed.delta as { stop_reason?: unknown } | undefined)?.stop_reason);
      if (reason) this.reply.finishReason = reason;
      mergeUsage(this.reply.usage, parsed.usage);
    } else if (event === 'error') {
      const error = parsed.error as { type?: unknown; details?: { error_code?: unknown } } | undefined;
      const type = identifier(error?.type);
      const code = identifier(error?.details?.error_code);
      this.stream.error = { ...(type ? { type } : {}), ...(code ? { code } : {}) };
    }
  }
}
