import { readRateLimits, readRetryAfterMs, readRetryCount, readShouldRetry } from './headers';

const h = (init: Record<string, string>) => new Headers(init);

describe('readRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    [{ 'retry-after': '2' }, 2000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after': '0' }, 0],
    [{ 'retry-after-ms': '1234', 'retry-after': '9' }, 1234],
    [{ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }, 3000],
    [{ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }, 0],
  ])('%j -> %d ms', (headers, expected) => {
    expect(readRetryAfterMs(h(headers), now)).toBe(expected);
  });
  it.each([
    [{}],
    [{ 'retry-after': 'soon' }],
    [{ 'retry-after': '-3' }],
    [{ 'retry-after-ms': 'NaN' }],
    [{ 'retry-after': '1e400' }],
  ])('garbage %j -> undefined', (headers) => {
    expect(readRetryAfterMs(h(headers), now)).toBeUndefined();
  });
  it('a garbage retry-after-ms falls back to a valid retry-after', () => {
    expect(readRetryAfterMs(h({ 'retry-after-ms': '-5', 'retry-after': '3' }), now)).toBe(3000);
  });
});

describe('readRateLimits', () => {
  it('reads limit, remaining and reset of each asked resource', () => {
    const headers = h({
      'anthropic-ratelimit-requests-limit': '4000',
      'anthropic-ratelimit-requests-remaining': '3999',
      'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:05Z',
      'anthropic-ratelimit-input-tokens-limit': '2000000',
      'anthropic-ratelimit-input-tokens-remaining': '1999000',
    });
    expect(readRateLimits(headers, ['requests', 'input_tokens', 'output_tokens'])).toEqual({
      requests: { limit: 4000, remaining: 3999, resetAt: Date.parse('2026-01-01T00:00:05Z') },
      input_tokens: { limit: 2000000, remaining: 1999000 },
    });
  });
  it('skips garbage values and resources not asked for', () => {
    const headers = h({
      'anthropic-ratelimit-requests-limit': 'lots',
      'anthropic-ratelimit-requests-remaining': '-1',
      'anthropic-ratelimit-requests-reset': 'yesterday',
      'anthropic-ratelimit-tokens-limit': '10',
    });
    expect(readRateLimits(headers, ['requests'])).toEqual({});
  });
});

describe('readRetryCount / readShouldRetry', () => {
  it('reads the SDK retry count; garbage is 0', () => {
    expect(readRetryCount(h({ 'x-stainless-retry-count': '2' }))).toBe(2);
    expect(readRetryCount(h({ 'x-stainless-retry-count': 'two' }))).toBe(0);
    expect(readRetryCount(h({}))).toBe(0);
  });
  it('reads x-should-retry only when it is true or false', () => {
    expect(readShouldRetry(h({ 'x-should-retry': 'true' }))).toBe(true);
    expect(readShouldRetry(h({ 'x-should-retry': 'false' }))).toBe(false);
    expect(readShouldRetry(h({ 'x-should-retry': 'maybe' }))).toBeUndefined();
  });
});
