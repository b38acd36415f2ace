import type { RateLimitReading, RateLimits } from '../facts/headers';
import type { Admission } from './gate';

/** Rate-limit resources the cap paces on, and what one request costs of each. */
type Paced = 'requests' | 'input_tokens' | 'output_tokens';

/**
 * A cap from the latest rate-limit headers, so the organization keeps headroom: spend what the
 * bucket holds above a reserve over `horizonMs`, on top of its refill rate (limit per minute).
 * The reserve is `reserve` x the bucket's size (the limit, or the fullest `remaining` seen if less).
 * With plenty remaining the cap is far above any real rate; as `remaining` nears the reserve it
 * converges on the refill rate, which is the most the API can sustain.
 */
export class HeaderCap {
  private readonly readings = new Map<
    Paced,
    { reading: RateLimitReading; at: number; ticket: number; fullest: number }
  >();
  /** Smoothed tokens per request, for the token resources. */
  private readonly perRequest: Record<'input_tokens' | 'output_tokens', number> = {
    input_tokens: 0,
    output_tokens: 0,
  };

  constructor(
    private readonly reserve: number,
    private readonly horizonMs: number,
  ) {}

  /** A response's readings, taken when its attempt was sent (`admission`); older readings than the latest are ignored. */
  update(limits: RateLimits | undefined, admission: Pick<Admission, 'at' | 'ticket'>): void {
    if (!limits) return;
    for (const resource of ['requests', 'input_tokens', 'output_tokens'] as const) {
      const reading = limits[resource];
      if (reading?.limit === undefined || reading.remaining === undefined || reading.limit <= 0) continue;
      const previous = this.readings.get(resource);
      // A new limit is a new bucket: how full the old one got says nothing of it.
      const sameBucket = previous?.reading.limit === reading.limit;
      const fullest = Math.max(reading.remaining, sameBucket ? (previous?.fullest ?? 0) : 0);
      if (previous && previous.ticket > admission.ticket) {
        if (sameBucket) previous.fullest = fullest;
      } else this.readings.set(resource, { reading, at: admission.at, ticket: admission.ticket, fullest });
    }
  }

  usage(input: number | undefined, output: number | undefined): void {
    if (input !== undefined) this.perRequest.input_tokens = smooth(this.perRequest.input_tokens, input);
    if (output !== undefined) this.perRequest.output_tokens = smooth(this.perRequest.output_tokens, output);
  }

  /** The highest request rate the headers allow now, requests/s, given `sent` attempts so far (tickets). */
  cap(now: number, sent: number): number {
    let cap = Number.POSITIVE_INFINITY;
    for (const [resource, { reading, at, ticket, fullest }] of this.readings) {
      const cost = resource === 'requests' ? 1 : this.perRequest[resource];
      if (!(cost > 0)) continue;
      const limit = reading.limit as number;
      const refillPerSecond = limit / 60;
      // What the bucket holds now: the reading (taken as its attempt was sent), plus what refilled
      // since, less what the attempts sent after it took.
      const refilled = Math.min(limit, (reading.remaining as number) + (refillPerSecond * (now - at)) / 1000);
      const held = refilled - (sent - ticket) * cost;
      // The reserve is a share of what the bucket can hold: the limit, or less where the
      // bucket is smaller than a minute's worth (the fullest it has been seen).
      const spare = held - this.reserve * Math.min(limit, fullest + 1);
      const tokensPerSecond = Math.max(0, refillPerSecond + (spare * 1000) / this.horizonMs);
      cap = Math.min(cap, tokensPerSecond / cost);
    }
    return cap;
  }
}

function smooth(previous: number, value: number): number {
  return previous === 0 ? value : 0.9 * previous + 0.1 * value;
}
