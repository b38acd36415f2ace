import type { AttemptFacts } from './attempt-facts';

/** The rule for a 429 from the acceleration limit: its error code says so, or its own headers still show room. */
export function isAccelerationLimit(facts: Pick<AttemptFacts, 'outcome' | 'rateLimits' | 'status'>): boolean {
  const { errorType, errorCode } = facts.outcome;
  if (errorCode === 'ramp_limit_exceeded') return true;
  if (facts.status !== 429 || errorType !== 'rate_limit_error' || errorCode) return false;
  const remaining = Object.values(facts.rateLimits ?? {})
    .map((r) => r.remaining)
    .filter((r): r is number => r !== undefined);
  return remaining.length > 0 && remaining.every((r) => r > 0);
}
