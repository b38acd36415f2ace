import type { AttemptFacts } from './attempt-facts';
import { RATE_LIMIT_RESOURCES, type RateLimitResource } from './headers';

/** What a request needs of a resource to pass: 1 request, its input (about 4 characters a token), its `max_tokens`. */
function needed(resource: RateLimitResource, request: AttemptFacts['request']): number {
  if (resource === 'requests' || !request) return 1;
  const input = Math.max(1, Math.floor(request.bodyChars / 4));
  const output = Math.max(1, request.maxTokens ?? 1);
  if (resource === 'tokens') return Math.min(input, output);
  return resource.endsWith('input_tokens') ? input : output;
}

/**
 * The rule for a 429 from the acceleration limit: its error code says so, or every limit its
 * headers report (fast mode's and Priority Tier's too) still held what the request needed. A 429
 * from a limit that ran short (a token limit below the request's size, a workspace limit in
 * `tokens-*`, fast mode's own) is that limit, not a spike.
 */
export function isAccelerationLimit(
  facts: Pick<AttemptFacts, 'outcome' | 'rateLimits' | 'status' | 'request'>,
): boolean {
  const { errorType, errorCode } = facts.outcome;
  if (errorCode === 'ramp_limit_exceeded') return true;
  if (facts.status !== 429 || errorType !== 'rate_limit_error' || errorCode) return false;
  let reported = false;
  for (const resource of RATE_LIMIT_RESOURCES) {
    const remaining = facts.rateLimits?.[resource]?.remaining;
    if (remaining === undefined) continue;
    if (remaining <= 0 || remaining < needed(resource, facts.request)) return false;
    reported = true;
  }
  return reported;
}
