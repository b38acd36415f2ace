import { ResponseRateLimits, readRetryAfterMs, readRetryCount, readShouldRetry } from './headers';

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

describe('ResponseRateLimits', () => {
  const all = (limits: ResponseRateLimits) =>
    Object.fromEntries(
      (['requests', 'tokens', 'input_tokens', 'output_tokens'] as const).map((r) => {
        const reading = limits[r];
        return [
          r,
          reading && { limit: reading.limit, remaining: reading.remaining, resetAt: reading.resetAt },
        ];
      }),
    );

  it('reads limit, remaining and reset of each resource', () => {
    const headers = h({
      'anthropic-ratelimit-requests-limit': '4000',
      'anthropic-ratelimit-requests-remaining': '3999',
      'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:05Z',
      'anthropic-ratelimit-input-tokens-limit': '2000000',
      'anthropic-ratelimit-input-tokens-remaining': '1999000',
      'anthropic-ratelimit-output-tokens-reset': '2026-01-01T00:00:07Z',
    });
    expect(all(new ResponseRateLimits(headers))).toEqual({
      requests: { limit: 4000, remaining: 3999, resetAt: Date.parse('2026-01-01T00:00:05Z') },
      tokens: undefined,
      input_tokens: { limit: 2000000, remaining: 1999000, resetAt: undefined },
      output_tokens: { limit: undefined, remaining: undefined, resetAt: Date.parse('2026-01-01T00:00:07Z') },
    });
  });

  it('skips garbage values', () => {
    const headers = h({
      'anthropic-ratelimit-requests-limit': 'lots',
      'anthropic-ratelimit-requests-remaining': '-1',
      'anthropic-ratelimit-requests-reset': 'yesterday',
      'anthropic-ratelimit-tokens-limit': '10',
      'anthropic-ratelimit-tokens-reset': 'soon',
    });
    const limits = new ResponseRateLimits(headers);
    expect(limits.requests).toBeUndefined();
    expect(all(limits).tokens).toEqual({ limit: 10, remaining: undefined, resetAt: undefined });
  });

  it('reads each header once, and only the resources and the reset dates asked for', () => {
    const headers = h({
      'anthropic-ratelimit-requests-limit': '4000',
      'anthropic-ratelimit-requests-remaining': '3999',
      'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:05Z',
    });
    const read: string[] = [];
    const get = headers.get.bind(headers);
    Object.defineProperty(headers, 'get', {
      value: (name: string) => {
        read.push(name);
        return get(name);
      },
    });
    const limits = new ResponseRateLimits(headers);
    expect(read).toEqual([]);
    expect(limits.requests?.remaining).toBe(3999);
    expect(limits.requests?.limit).toBe(4000);
    expect(read).toEqual(['anthropic-ratelimit-requests-limit', 'anthropic-ratelimit-requests-remaining']);
    expect(limits.requests?.resetAt).toBe(Date.parse('2026-01-01T00:00:05Z'));
    expect(limits.requests?.resetAt).toBe(Date.parse('2026-01-01T00:00:05Z'));
    expect(read).toHaveLength(3);
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
