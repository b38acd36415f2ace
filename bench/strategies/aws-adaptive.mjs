// A port of the AWS SDK's "adaptive" retry mode rate limiter (the formulas in
// ../../shared/reference/governor-designs.md): a token bucket whose fill rate follows CUBIC,
// enabled by the first throttle. As in AWS SDK for JavaScript v3, only first attempts take a
// send token (retries skip it), waiters do not re-check capacity after their sleep, and the
// limiter is per client.
import { sleep } from './pacer.mjs';

const BETA = 0.7;
const SCALE = 0.4;
const MIN_FILL_RATE = 0.5;

export class AwsAdaptive {
  fillRate = MIN_FILL_RATE;
  maxCapacity = MIN_FILL_RATE;
  capacity = 0;
  lastRefill = 0;
  enabled = false;
  measured = 0;
  lastMaxRate = 0;
  lastThrottle = now();
  timeWindow = 0;
  requestCount = 0;
  lastBucket = Math.floor(now() * 2) / 2;

  async getSendToken() {
    if (!this.enabled) return;
    this.refill();
    if (this.capacity < 1) await sleep(((1 - this.capacity) / this.fillRate) * 1000);
    this.refill();
    this.capacity -= 1;
  }

  update(throttled) {
    this.updateMeasured();
    let rate;
    if (throttled) {
      const base = this.enabled ? Math.min(this.measured, this.fillRate) : this.measured;
      this.lastMaxRate = base;
      this.timeWindow = Math.cbrt((this.lastMaxRate * (1 - BETA)) / SCALE);
      this.lastThrottle = now();
      rate = base * BETA;
      this.enabled = true;
    } else {
      rate = SCALE * (now() - this.lastThrottle - this.timeWindow) ** 3 + this.lastMaxRate;
    }
    this.setRate(Math.min(rate, 2 * this.measured));
  }

  refill() {
    const t = now();
    if (this.lastRefill === 0) {
      this.lastRefill = t;
      return;
    }
    this.capacity = Math.min(this.maxCapacity, this.capacity + (t - this.lastRefill) * this.fillRate);
    this.lastRefill = t;
  }

  setRate(rate) {
    this.refill();
    this.fillRate = Math.max(rate, MIN_FILL_RATE);
    this.maxCapacity = Math.max(rate, 1);
    this.capacity = Math.min(this.capacity, this.maxCapacity);
  }

  updateMeasured() {
    const t = now();
    const bucket = Math.floor(t * 2) / 2;
    this.requestCount++;
    if (bucket > this.lastBucket) {
      const current = this.requestCount / (bucket - this.lastBucket);
      this.measured = current * 0.8 + this.measured * 0.2;
      this.requestCount = 0;
      this.lastBucket = bucket;
    }
  }
}

/** The limiter as an SDK middleware: first attempts take a send token; every response updates the rate. */
export function awsAdaptiveMiddleware() {
  const limiter = new AwsAdaptive();
  return async (request, next) => {
    if ((request.headers.get('x-stainless-retry-count') ?? '0') === '0') await limiter.getSendToken();
    const response = await next(request);
    limiter.update(response.status === 429);
    return response;
  };
}

function now() {
  return performance.now() / 1000;
}
