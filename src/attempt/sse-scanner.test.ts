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
