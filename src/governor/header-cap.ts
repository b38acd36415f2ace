import type { RateLimitReading, RateLimits } from '../facts/headers';
import type { Admission } from './gate';

/**
 * A cap on the request rate from the latest request-limit headers (token limits are priced per
 * request by `TokenBudget`), so the group keeps headroom: spend what the
 * bucket holds above a reserve over `horizonMs`, on top of its refill rate (limit per minute).
 * The reserve is `reserve` x the bucket's size (the limit, or the fullest `remaining` seen if less).
 * With plenty remaining the cap is far above any real rate; as `remaining` nears the reserve it
 * converges on the refill rate, which is the most the API can sustain.
 */
export class HeaderCap {
  private latest: { reading: RateLimitReading; at: number; ticket: number; fullest: number } | undefined;

  constructor(
    private readonly reserve: number,
    private readonly horizonMs: number,
  ) {}

  /** A response's readings, taken when its attempt was sent (`admission`); older readings than the latest are ignored. */
  update(limits: RateLimits | undefined, admission: Pick<Admission, 'at' | 'ticket'>): void {
    const reading = limits?.requests;
    if (reading?.limit === undefined || reading.remaining === undefined || reading.limit <= 0) return;
    const previous = this.latest;
    // A new limit is a new bucket: how full the old one got says nothing of it.
    const sameBucket = previous?.reading.limit === reading.limit;
    const fullest = Math.max(reading.remaining, sameBucket ? (previous?.fullest ?? 0) : 0);
    if (previous && previous.ticket > admission.ticket) {
      if (sameBucket) previous.fullest = fullest;
    } else this.latest = { reading, at: admission.at, ticket: admission.ticket, fullest };
  }

  /** The highest request rate the headers allow now, requests/s, given `sent` attempts so far (tickets). */
  cap(now: number, sent: number): number {
    if (!this.latest) return Number.POSITIVE_INFINITY;
    const { reading, at, ticket, fullest } = this.latest;
    const limit = reading.limit as number;
    const refillPerSecond = limit / 60;
    // What the bucket holds now: the reading (taken as its attempt was sent), plus what refilled
    // since, less what the attempts sent after it took.
    const refilled = Math.min(limit, (reading.remaining as number) + (refillPerSecond * (now - at)) / 1000);
    const held = refilled - (sent - ticket);
    // The reserve is a share of what the bucket can hold: the limit, or less where the
    // bucket is smaller than a minute's worth (the fullest it has been seen).
    const spare = held - this.reserve * Math.min(limit, fullest + 1);
    return Math.max(0, refillPerSecond + (spare * 1000) / this.horizonMs);
  }
}
