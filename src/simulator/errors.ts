/** The documented `error.type` of each status (`invalid_request_error` for other 4xx, `api_error` for other 5xx). */
const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const MESSAGE_BY_TYPE: Record<string, string> = {
  invalid_request_error: 'Invalid request',
  authentication_error: 'invalid x-api-key',
  billing_error: 'Your credit balance is too low to access the Anthropic API.',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: 'This request would exceed your rate limit. Please try again later.',
  api_error: 'Internal server error',
  timeout_error: 'Request timed out',
  overloaded_error: 'Overloaded',
};

export function errorTypeFor(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** Statuses answered with an HTML page (a CDN or proxy answers before the API does). */
export function isHtmlStatus(status: number): boolean {
  return status === 413 || status === 502;
}

export interface ApiErrorBody {
  type: 'error';
  error: { type: string; message: string; details?: { error_code: string } };
  request_id: string;
}

export function errorBody(
  type: string,
  requestId: string,
  message?: string,
  errorCode?: string,
): ApiErrorBody {
  const error: ApiErrorBody['error'] = { type, message: message ?? MESSAGE_BY_TYPE[type] ?? type };
  if (errorCode) error.details = { error_code: errorCode };
  return { type: 'error', error, request_id: requestId };
}

export function htmlPage(status: number): string {
  const title = status === 413 ? '413 Request Entity Too Large' : '502 Bad Gateway';
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`;
}
