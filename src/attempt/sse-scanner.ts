import { identifier } from './classify';
import { mergeMessage, mergeUsage, type ReplyFacts } from './reply-facts';

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
  private partial = '';
  private event = '';
  private data = '';

  constructor(
    readonly reply: ReplyFacts,
    readonly stream: StreamFacts,
  ) {}

  push(chunk: Uint8Array): void {
    let text = this.partial + this.decoder.decode(chunk, { stream: true });
    // A trailing \r may be half of a \r\n: keep it for the next chunk.
    const keep = text.endsWith('\r') ? 1 : 0;
    if (keep) text = text.slice(0, -1);
    const lines = text.split(/\r\n|\r|\n/);
    this.partial = (lines.pop() ?? '') + (keep ? '\r' : '');
    for (const line of lines) this.line(line);
  }

  end(): void {
    const rest = this.partial + this.decoder.decode();
    this.partial = '';
    if (rest) this.line(rest);
    this.line('');
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith('event:')) {
      this.event = line.slice(6).trim();
    } else if (line.startsWith('data:') && PARSED.has(this.event)) {
      const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
      this.data = this.data ? `${this.data}\n${value}` : value;
    }
  }

  private dispatch(): void {
    const { event, data } = this;
    this.event = '';
    this.data = '';
    if (event === 'content_block_delta') {
      this.stream.firstDeltaAt ??= performance.now();
      return;
    }
    if (event === 'message_stop') {
      this.stream.stopped = true;
      return;
    }
    if (!data) {
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
