import { factsOf } from '../attempt/error-body';
import {
  classifyHttpError,
  classifyStreamError,
  classifyTransportError,
  identifier,
  modelId,
} from './classify';

describe('classifyHttpError: the error-type table', () => {
  it.each([
    [400, 'invalid_request_error', undefined, false],
    [401, 'authentication_error', undefined, false],
    [402, 'billing_error', undefined, false],
    [403, 'permission_error', undefined, false],
    [404, 'not_found_error', undefined, false],
    [408, undefined, undefined, true],
    [409, undefined, undefined, true],
    [413, 'request_too_large', undefined, false],
    [429, 'rate_limit_error', undefined, true],
    [429, 'rate_limit_error', 'ramp_limit_exceeded', true],
    [429, 'rate_limit_error', 'enforced_spend_limit_reached', false],
    [429, 'rate_limit_error', 'contract_spend_limit_reached', false],
    [500, 'api_error', undefined, true],
    [502, undefined, undefined, true],
    [504, 'timeout_error', undefined, true],
    [529, 'overloaded_error', undefined, true],
  ])('%i %s %s -> retryable %s', (status, type, code, retryable) => {
    const result = classifyHttpError(status, { type, code }, undefined);
    expect(result).toEqual({
      failed: true,
      errorType: type ?? String(status),
      ...(code ? { errorCode: code } : {}),
      retryable,
    });
  });
  it('x-should-retry from the server overrides the table', () => {
    expect(classifyHttpError(529, { type: 'overloaded_error' }, false).retryable).toBe(false);
    expect(classifyHttpError(400, { type: 'invalid_request_error' }, true).retryable).toBe(true);
  });
});

describe('other outcomes', () => {
  it('a mid-stream error is retryable when its type is', () => {
    expect(classifyStreamError('overloaded_error', undefined)).toEqual({
      failed: true,
      errorType: 'overloaded_error',
      retryable: true,
    });
    expect(classifyStreamError('invalid_request_error', undefined).retryable).toBe(false);
    expect(classifyStreamError(undefined, undefined).errorType).toBe('stream_error');
  });
  it('transport failures: timeout, connection error, or an abort by the caller', () => {
    const abort = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
    expect(classifyTransportError(abort, false).errorType).toBe('timeout');
    expect(
      classifyTransportError(new TypeError('fetch failed', { cause: new Error('ECONNRESET') }), false),
    ).toEqual({
      failed: true,
      errorType: 'connection_error',
      retryable: true,
    });
    expect(classifyTransportError(abort, true)).toEqual({ failed: false, aborted: true });
    expect(classifyTransportError(undefined, false).errorType).toBe('connection_error');
    // The SDK's timeout aborted the attempt's signal, whatever error reached the middleware.
    expect(classifyTransportError(new Error('{}'), false, true).errorType).toBe('timeout');
  });
});

describe('reading error bodies', () => {
  it('takes type and code from the envelope', () => {
    const body = JSON.stringify({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'x', details: { error_code: 'ramp_limit_exceeded' } },
    });
    expect(factsOf(body)).toEqual({ type: 'rate_limit_error', code: 'ramp_limit_exceeded' });
  });
  it.each([
    ['<html><body>502 Bad Gateway</body></html>'],
    ['{"type":"error","error":'],
    ['{"error":{"type":"a type with spaces <script>"}}'],
    ['{"error":{"type":42}}'],
    ['null'],
    [''],
  ])('garbage %j yields nothing', (text) => {
    expect(factsOf(text)).toEqual({});
  });
  it("reads Vertex AI's error shape (Google's canonical status) as the Claude API's type", () => {
    const body = JSON.stringify({
      error: {
        code: 429,
        message: 'Quota exceeded for aiplatform.googleapis.com/...',
        status: 'RESOURCE_EXHAUSTED',
      },
    });
    expect(factsOf(body)).toEqual({ type: 'rate_limit_error' });
    expect(factsOf('{"error":{"code":503,"status":"UNAVAILABLE"}}')).toEqual({ type: 'overloaded_error' });
    // The Claude API's own type wins where a body has both.
    expect(factsOf('{"error":{"type":"overloaded_error","status":"RESOURCE_EXHAUSTED"}}')).toEqual({
      type: 'overloaded_error',
    });
  });
  it("modelId() keeps the platforms' ids and bounds them", () => {
    expect(modelId('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe(
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    );
    expect(modelId('claude-sonnet-4-5@20250929')).toBe('claude-sonnet-4-5@20250929');
    expect(
      modelId('arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-1-v1:0'),
    ).toBeDefined();
    expect(modelId('x'.repeat(201))).toBeUndefined();
    expect(modelId('claude <script>')).toBeUndefined();
  });
  it('identifier() bounds what it keeps', () => {
    expect(identifier('overloaded_error')).toBe('overloaded_error');
    expect(identifier('x'.repeat(65))).toBeUndefined();
    expect(identifier('bad value')).toBeUndefined();
  });
});
