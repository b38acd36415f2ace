/** Why the governor refused to send a call. */
export type RejectReason = 'queue_full' | 'wait_timeout' | 'overloaded';

const ADVICE: Record<RejectReason, string> = {
  queue_full:
    'too many calls are already waiting for the Claude API limits. Send fewer calls at once, or raise `governor.maxQueue`.',
  wait_timeout:
    'the call waited longer than `governor.maxWaitMs` for the Claude API limits. Retry later, send less, or raise `governor.maxWaitMs`.',
  overloaded:
    'the Claude API is rejecting most attempts as overloaded (529), so this call was shed locally instead of adding to the overload. Retry later.',
};

/**
 * Thrown (through the SDK, to the caller) when the governor will not send a call. Nothing was
 * sent for this attempt; `reason` says why, and the message what to do.
 */
export class GovernorRejectedError extends Error {
  override readonly name = 'GovernorRejectedError';

  constructor(readonly reason: RejectReason) {
    super(`claude-otel governor: ${ADVICE[reason]}`);
  }
}

export function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
