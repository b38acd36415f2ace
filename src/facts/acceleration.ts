import type { AttemptFacts } from './attempt-facts';
import { RATE_LIMIT_RESOURCES } from './headers';

/** The rule for a 429 from the acceleration limit: its error code says so, or its own headers still show room. */
export function isAccelerationLimit(facts: Pick<AttemptFacts, 'outcome' | 'rateLimits' | 'status'>): boolean {
  const { errorType, errorCode } = facts.outcome;
  if (errorCode === 'ramp_limit_exceeded') return true;
  if (facts.status !== 429 || errorType !== 'rate_limit_error' || errorCode) return false;
  let reported = false;
  for (const resource of RATE_LIMIT_RESOURCES) {
    const remaining = facts.rateLimits?.[resource]?.remaining;
    if (remaining === undefined) continue;
    if (remaining <= 0) return false;
    reported = true;
  }
  return reported;
}
