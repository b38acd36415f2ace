/** Node's longest timer: a longer delay overflows and fires after 1 ms (a busy loop when re-armed). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay a timer can take: at least 1 ms, at most MAX_TIMER_MS. */
export function timerDelayMs(ms: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(ms)));
}
