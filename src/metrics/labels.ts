/** Label values kept low-cardinality: what reaches Prometheus is bounded, whatever the input. */

export const OTHER = 'other';

/** The error types a label may carry: the API's documented ones and this package's own. */
export const KNOWN_ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
  'connection_error',
  'timeout',
  'stream_truncated',
  'stream_error',
  'invalid_response_body',
]);

/** An error type as a label: known types as they are, an HTTP status (`"502"`) as it is, anything else `other`. */
export function errorTypeLabel(errorType: string | undefined): string {
  if (!errorType) return '';
  return KNOWN_ERROR_TYPES.has(errorType) || /^[1-5]\d\d$/.test(errorType) ? errorType : OTHER;
}

/** Model names as labels: the first `max` distinct names keep their own series, the rest share `other`. */
export class ModelLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  label(model: string | undefined): string {
    if (!model) return '';
    if (this.seen.has(model)) return model;
    if (this.seen.size < this.max) {
      this.seen.add(model);
      return model;
    }
    return OTHER;
  }
}
