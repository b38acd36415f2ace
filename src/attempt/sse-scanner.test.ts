import { SseScanner } from './sse-scanner';

const encoder = new TextEncoder();

function scan(text: string, chunkSize: number) {
  const reply = { usage: {} };
  const stream = { stopped: false };
  const scanner = new SseScanner(reply, stream);
  const bytes = encoder.encode(text);
  for (let i = 0; i < bytes.length; i += chunkSize) scanner.push(bytes.subarray(i, i + chunkSize));
  scanner.end();
  return { reply, stream };
}

const events = [
  'event: message_start',
  'data: {"type":"message_start","message":{"id":"msg_1","model":"claude-x","usage":{"input_tokens":12,"output_tokens":1}}}',
  '',
  'event: ping',
  'data: {"type":"ping"}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","delta":{"type":"text_delta","text":"héllo"}}',
  '',
  'event: message_delta',
  'data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}',
  '',
  'event: message_stop',
  'data: {"type":"message_stop"}',
  '',
  '',
];

describe('SseScanner', () => {
  it.each([1, 2, 3, 7, 1000])(
    'reads usage, stop and first delta whatever the chunking (%i bytes)',
    (size) => {
      for (const newline of ['\n', '\r\n', '\r']) {
        const { reply, stream } = scan(events.join(newline), size);
        expect(reply).toEqual({
          id: 'msg_1',
          model: 'claude-x',
          finishReason: 'end_turn',
          usage: { input: 12, output: 7 },
        });
        expect(stream.stopped).toBe(true);
        expect(stream).toHaveProperty('firstDeltaAt');
      }
    },
  );

  it('an error event gives its type and code', () => {
    const text =
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","details":{"error_code":"x_y"}}}\n\n';
    expect(scan(text, 5).stream).toEqual({
      stopped: false,
      error: { type: 'overloaded_error', code: 'x_y' },
    });
  });

  it('garbage data is noted, never thrown', () => {
    const { stream } = scan('event: message_start\ndata: {not json\n\nevent: error\ndata: ???\n\n', 4);
    expect(stream).toEqual({ stopped: false, malformed: true, error: {} });
  });
});

describe('SseScanner on long lines', () => {
  /** Milliseconds to scan one data line of `mb` megabytes fed in 64 KiB chunks. */
  function scanLine(mb: number): number {
    const chunk = encoder.encode('x'.repeat(64 * 1024));
    const chunks = (mb * 1024 * 1024) / chunk.length;
    const scanner = new SseScanner({ usage: {} }, { stopped: false });
    const t0 = performance.now();
    scanner.push(encoder.encode('event: content_block_delta\ndata: '));
    for (let i = 0; i < chunks; i++) scanner.push(chunk);
    scanner.push(encoder.encode('\n\n'));
    return performance.now() - t0;
  }

  it('grows linearly with the line: 8x the bytes costs well under 24x the time (quadratic would be 64x)', () => {
    scanLine(1); // warm-up
    // The median of 9 paired ratios, 2 MB against 16 MB: a busy machine slows a pair alike, and
    // the garbage collector makes a long line cost somewhat more than linear (about 10x for 4x
    // under load, measured), so the bound sits far from both linear (8x) and quadratic (64x).
    const ratios: number[] = [];
    for (let round = 0; round < 9; round++) {
      const small = scanLine(2);
      ratios.push(scanLine(16) / Math.max(small, 1));
    }
    ratios.sort((a, b) => a - b);
    expect(ratios[4]).toBeLessThan(24);
  });
});

describe("the last event's data, for telling a garbled stream from a caller who stopped reading", () => {
  it('is malformed when the last event (a content delta included) did not parse, and not otherwise', () => {
    const garbled = new SseScanner({ usage: {} }, { stopped: false });
    garbled.push(
      encoder.encode('event: content_block_delta\ndata: {"type":"content_block_delta","delta":{\n\n'),
    );
    expect(garbled.lastEventMalformed()).toBe(true);
    const fine = new SseScanner({ usage: {} }, { stopped: false });
    fine.push(encoder.encode(`${events.slice(0, 9).join('\n')}\n`));
    expect(fine.lastEventMalformed()).toBe(false);
  });
});
