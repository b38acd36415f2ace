/** Error types this package names itself: what the simulator never sent, so its counts do not hold them. */
const OWN_ERROR_TYPES = new Set(['connection_error', 'timeout', 'stream_truncated']);

/** Whether an `error.type` came from the API's own body (not a bare status, not ours). */
export function isApiErrorType(type: string | undefined): type is string {
  return !!type && !/^\d+$/.test(type) && !OWN_ERROR_TYPES.has(type);
}
