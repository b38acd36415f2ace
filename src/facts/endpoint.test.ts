import { DiagLogLevel, diag } from '@opentelemetry/api';
import { endpointOf, MAX_UNKNOWN_ROUTES } from './endpoint';

/** `aa`, `ab`, ...: a distinct segment of letters only, which reads as a name. */
const letters = (i: number) => String.fromCharCode(97 + Math.floor(i / 26), 97 + (i % 26));

describe('endpointOf: every endpoint the SDK calls, by name and route', () => {
  it.each([
    ['POST', '/v1/messages', 'chat', '/v1/messages'],
    ['POST', '/v1/messages/count_tokens', 'count_tokens', '/v1/messages/count_tokens'],
    ['POST', '/v1/messages/batches', 'messages.batches.create', '/v1/messages/batches'],
    ['GET', '/v1/messages/batches', 'messages.batches.list', '/v1/messages/batches'],
    [
      'GET',
      '/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF',
      'messages.batches.retrieve',
      '/v1/messages/batches/{message_batch_id}',
    ],
    [
      'DELETE',
      '/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF',
      'messages.batches.delete',
      '/v1/messages/batches/{message_batch_id}',
    ],
    [
      'POST',
      '/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF/cancel',
      'messages.batches.cancel',
      '/v1/messages/batches/{message_batch_id}/cancel',
    ],
    [
      'GET',
      '/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF/results',
      'messages.batches.results',
      '/v1/messages/batches/{message_batch_id}/results',
    ],
    ['POST', '/v1/files', 'files.upload', '/v1/files'],
    ['GET', '/v1/files', 'files.list', '/v1/files'],
    ['GET', '/v1/files/file_011CNha8iCJcU1wXNR6q4V8w', 'files.retrieve_metadata', '/v1/files/{file_id}'],
    ['DELETE', '/v1/files/file_011CNha8iCJcU1wXNR6q4V8w', 'files.delete', '/v1/files/{file_id}'],
    [
      'GET',
      '/v1/files/file_011CNha8iCJcU1wXNR6q4V8w/content',
      'files.download',
      '/v1/files/{file_id}/content',
    ],
    ['GET', '/v1/models', 'models.list', '/v1/models'],
    ['GET', '/v1/models/claude-sonnet-4-5-20250929', 'models.retrieve', '/v1/models/{model_id}'],
    // A gateway's prefix before /v1/, and a trailing slash
    ['POST', '/anthropic/proxy/v1/messages/', 'chat', '/v1/messages'],
    // Vertex AI's base URL ends in /v1: the request the SDK builds on it, before the client rewrites it
    ['POST', '/v1/v1/messages', 'chat', '/v1/messages'],
  ])('%s %s -> %s (%s)', (method, path, operation, route) => {
    expect(endpointOf(method, path)).toEqual({ operation, route, governed: operation === 'chat' });
  });

  it('names a route it does not know by method and route, its ids as {id}', () => {
    expect(endpointOf('POST', '/v1/agents/agent_01AbCdEf/versions')).toEqual({
      operation: 'POST /v1/agents/{id}/versions',
      route: '/v1/agents/{id}/versions',
      governed: false,
    });
    expect(endpointOf('GET', '/v1/memory_stores/mem-7f3a/memories/42').operation).toBe(
      'GET /v1/memory_stores/{id}/memories/{id}',
    );
  });

  it(`keeps at most ${MAX_UNKNOWN_ROUTES} unknown routes, the rest "other", and says so once`, () => {
    const warnings: string[] = [];
    diag.setLogger(
      {
        warn: (m: string) => warnings.push(m),
        error: () => undefined,
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      },
      DiagLogLevel.WARN,
    );
    try {
      const names = new Set<string>();
      for (let i = 0; i < 2 * MAX_UNKNOWN_ROUTES; i++) {
        names.add(endpointOf('GET', `/v1/things/${letters(i)}`).operation);
      }
      expect(names.has('other')).toBe(true);
      expect(names.size).toBeLessThanOrEqual(MAX_UNKNOWN_ROUTES + 1);
      expect(endpointOf('POST', '/v1/messages').operation).toBe('chat');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`more than ${MAX_UNKNOWN_ROUTES} routes`);
    } finally {
      diag.disable();
    }
  });
});
