import { TokenBucket } from './bucket';

describe('TokenBucket', () => {
  it('starts full, refills continuously at perMinute/60 per second, never above capacity', () => {
    const bucket = new TokenBucket(60, 10, 0);
    expect(bucket.available(0)).toBe(10);
    bucket.take(10, 0);
    expect(bucket.available(0)).toBe(0);
    expect(bucket.available(500)).toBeCloseTo(0.5);
    expect(bucket.available(3000)).toBeCloseTo(3);
    expect(bucket.available(60_000)).toBe(10);
  });

  it('tells how long until an amount fits, and until it is full', () => {
    const bucket = new TokenBucket(120, 4, 0);
    bucket.take(4, 0);
    expect(bucket.msUntil(1, 0)).toBe(500);
    expect(bucket.msUntil(100, 0)).toBe(2000); // never more than the capacity
    expect(bucket.msUntilFull(1000)).toBe(1000);
    expect(bucket.msUntil(1, 1000)).toBe(0);
  });

  it('carries a debt: a large take is paid back by refill', () => {
    const bucket = new TokenBucket(60, 5, 0);
    bucket.take(8, 0);
    expect(bucket.available(0)).toBe(-3);
    expect(bucket.msUntil(1, 0)).toBe(4000);
  });

  it('counts no stretch of refill twice when a caller passes a time older than the last update', () => {
    const bucket = new TokenBucket(60, 100, 0); // 1 token a second
    bucket.take(100, 0);
    expect(bucket.available(10_000)).toBeCloseTo(10);
    bucket.take(0, 5_000); // a stale clock
    expect(bucket.available(10_000)).toBeCloseTo(10); // was 15: the 5-10 s stretch counted twice
  });
});
