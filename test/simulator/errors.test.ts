import Anthropic from '@anthropic-ai/sdk';
import { type Simulator, startSimulator } from '../../src/simulator';
import { ask, caught, clientFor, MODEL, rawPost } from '../support/sdk';

type ApiError = InstanceType<typeof Anthropic.APIError>;

describe('simulator: errors as the official SDK sees them', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ bodyLimits: { messages: 4096 } });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  const cases: [number, string, new (...args: never[]) => Error][] = [
    [402, 'billing_error', Anthropic.PaymentRequiredError],
    [403, 'permission_error', Anthropic.PermissionDeniedError],
    [429, 'rate_limit_error', Anthropic.RateLimitError],
    [500, 'api_error', Anthropic.InternalServerError],
    [504, 'timeout_error', Anthropic.GatewayTimeoutError],
    [529, 'overloaded_error', Anthropic.OverloadedError],
  ];

  it.each(cases)('%i answers %s in the documented envelope', async (status, type, errorClass) => {
    sim.script({ kind: 'error', status });
    const error = (await caught(() => ask(clientFor(sim, { maxRetries: 0 })))) as ApiError;
    expect(error).toBeInstanceOf(errorClass);
    expect(error.status).toBe(status);
    expect(error.type).toBe(type);
    const [attempt] = sim.attempts();
    expect(error.requestID).toBe(attempt.requestId);
    expect(error.error).toEqual({
      type: 'error',
      error: { type, message: expect.any(String) },
      request_id: attempt.requestId,
    });
    expect(error.headers?.get('anthropic-ratelimit-requests-limit')).toBe('4000');
    expect(sim.stats().byStatus).toEqual({ [String(status)]: 1 });
    expect(sim.stats().byErrorType).toEqual({ [type]: 1 });
  });

  it('400 for a missing field, with the field named', async () => {
    const reply = await rawPost(sim, '/v1/messages', JSON.stringify({ model: MODEL, messages: [] }));
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text).error).toEqual({
      type: 'invalid_request_error',
      message: 'max_tokens: Field required',
    });
    const error = (await caught(() =>
      clientFor(sim).messages.create({ model: MODEL, max_tokens: 10, messages: [] }),
    )) as ApiError;
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.type).toBe('invalid_request_error');
    expect(sim.stats().byStatus).toEqual({ '400': 2 });
  });

  it('400 for a body that is not JSON, and for a bad role', async () => {
    expect((await rawPost(sim, '/v1/messages', '{not json')).status).toBe(400);
    const badRole = { model: MODEL, max_tokens: 5, messages: [{ role: 'system', content: 'x' }] };
    const reply = await rawPost(sim, '/v1/messages', JSON.stringify(badRole));
    expect(JSON.parse(reply.text).error.message).toBe(
      "messages.0.role: Input should be 'user' or 'assistant'",
    );
  });

  it('400 without anthropic-version, 401 without a key', async () => {
    const body = JSON.stringify({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    const noVersion = await rawPost(sim, '/v1/messages', body, { 'anthropic-version': '' });
    expect(noVersion.status).toBe(400);
    const noKey = await rawPost(sim, '/v1/messages', body, { 'x-api-key': '' });
    expect(noKey.status).toBe(401);
    expect(JSON.parse(noKey.text).error.type).toBe('authentication_error');
  });

  it('401 for a key the API does not accept; the accepted key works', async () => {
    const strict = await startSimulator({ apiKeys: ['sk-good'] });
    try {
      const error = await caught(() => ask(clientFor(strict, { apiKey: 'sk-bad' })));
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      expect((error as ApiError).type).toBe('authentication_error');
      expect((await ask(clientFor(strict, { apiKey: 'sk-good' }))).type).toBe('message');
      // Bearer tokens count as keys too.
      const bearer = clientFor(strict, { apiKey: null, authToken: 'sk-good' });
      expect((await ask(bearer)).type).toBe('message');
    } finally {
      await strict.close();
    }
  });

  it('404 for an unknown model and for an unknown path', async () => {
    const model = (await caught(() => ask(clientFor(sim), 'x', { model: 'gpt-4' }))) as ApiError;
    expect(model).toBeInstanceOf(Anthropic.NotFoundError);
    expect(model.type).toBe('not_found_error');
    expect(model.message).toContain('model: gpt-4');
    const path = await rawPost(sim, '/v1/nothing-here', '{}');
    expect(path.status).toBe(404);
    expect(JSON.parse(path.text).error.type).toBe('not_found_error');
  });

  it('413 over the size limit: an HTML page, as the CDN sends, not retried', async () => {
    const error = (await caught(() => ask(clientFor(sim), 'x'.repeat(8000)))) as ApiError;
    expect(error).toBeInstanceOf(Anthropic.ContentTooLargeError);
    expect(error.status).toBe(413);
    expect(error.headers?.get('content-type')).toBe('text/html');
    expect(error.message).toContain('413 Request Entity Too Large');
    expect(error.type).toBeNull();
    expect(sim.stats()).toMatchObject({ attempts: 1, byStatus: { '413': 1 }, byErrorType: {} });
  });

  it('413 at the real limit of 32 MB', async () => {
    const real = await startSimulator();
    try {
      const error = await caught(() =>
        ask(clientFor(real, { maxRetries: 0 }), 'x'.repeat(32 * 1024 * 1024 + 1)),
      );
      expect(error).toBeInstanceOf(Anthropic.ContentTooLargeError);
    } finally {
      await real.close();
    }
  });

  it('502 from a proxy: HTML, retried by the SDK like any 5xx', async () => {
    sim.script({ kind: 'error', status: 502 }, { kind: 'error', status: 502 });
    const message = await ask(clientFor(sim, { maxRetries: 2 }));
    expect(message.type).toBe('message');
    expect(sim.attempts().map((a) => [a.status, a.retryCount])).toEqual([
      [502, 0],
      [502, 1],
      [200, 2],
    ]);
  });

  it('a connection reset before headers is an APIConnectionError once retries run out', async () => {
    sim.script({ kind: 'connection-reset' }, { kind: 'connection-reset' });
    const error = await caught(() => ask(clientFor(sim, { maxRetries: 1 })));
    expect(error).toBeInstanceOf(Anthropic.APIConnectionError);
    expect(sim.stats()).toMatchObject({ attempts: 2, connectionResets: 2, byStatus: {} });
  });

  it('a custom error code rides in error.details and picks the SDK class for it', async () => {
    sim.script({ kind: 'error', status: 429, errorCode: 'ramp_limit_exceeded', retryAfterSeconds: 3 });
    const error = (await caught(() => ask(clientFor(sim, { maxRetries: 0 })))) as ApiError;
    expect(error.constructor.name).toBe('RampLimitExceededError');
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.errorCode).toBe('ramp_limit_exceeded');
    expect(error.headers?.get('retry-after')).toBe('3');
    expect(sim.stats().byErrorCode).toEqual({ ramp_limit_exceeded: 1 });
  });

  it('rejects a config with a fault that is not an error status', async () => {
    await expect(startSimulator({ faults: [{ kind: 'error', status: 200 }] })).rejects.toThrow(
      /status must be an HTTP error status/,
    );
  });
});
