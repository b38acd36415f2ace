import type { IncomingMessage } from 'node:http';
import { errorBody } from './errors';

/**
 * Claude on Amazon Bedrock and Google Vertex AI, as the platform clients meet them: their paths,
 * auth, error shapes and stream framing, and their quotas (per account or project, region and
 * model, with no rate-limit headers and no `retry-after`). The simulator serves them beside the
 * Claude API, chosen by path, so one simulator answers every client.
 */

export type PlatformName = 'bedrock' | 'vertex';

export interface PlatformRoute {
  platform: PlatformName;
  /** `METHOD /path` with the model as `{model}`: what the simulator counts by. */
  key: string;
  /** The model id from the path (Bedrock ids, inference profiles, ARNs; Vertex `name@version`). */
  model: string;
  stream: boolean;
  countTokens: boolean;
}

const BEDROCK = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/;
const VERTEX =
  /^(?:\/v1)?\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/;

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The platform route of a request path, if it is one. */
export function platformRouteOf(method: string, path: string): PlatformRoute | undefined {
  if (method !== 'POST') return undefined;
  const bedrock = BEDROCK.exec(path);
  if (bedrock) {
    const stream = bedrock[2] === 'invoke-with-response-stream';
    return {
      platform: 'bedrock',
      key: `POST /model/{model}/${bedrock[2]}`,
      model: decoded(bedrock[1]),
      stream,
      countTokens: false,
    };
  }
  const vertex = VERTEX.exec(path);
  if (vertex) {
    const model = decoded(vertex[3]);
    return {
      platform: 'vertex',
      key: `POST /v1/projects/{project}/locations/{region}/publishers/anthropic/models/{model}:${vertex[4]}`,
      model,
      stream: vertex[4] === 'streamRawPredict',
      countTokens: model === 'count-tokens',
    };
  }
  return undefined;
}

/**
 * Whose quota the request counts against, from its credential (never checked, only told apart):
 * Bedrock's access key and region from the SigV4 scope, or its API key; Vertex AI's project and
 * region from the path (any Google token passes). Null: no credential.
 */
export function quotaUnitOf(route: PlatformRoute, req: IncomingMessage, path: string): string | null {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || auth === '') return null;
  if (route.platform === 'vertex') {
    if (!auth.startsWith('Bearer ')) return null;
    const [, project, region] = VERTEX.exec(path) ?? [];
    return `gcp:${decoded(project)}:${decoded(region)}`;
  }
  // AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/bedrock/aws4_request, SignedHeaders=...
  const scope = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\//.exec(auth);
  if (scope) return `aws:${scope[1]}:${scope[2]}`;
  if (auth.startsWith('Bearer ') && auth.length > 7) return `aws:key:${auth.slice(7)}`;
  return null;
}

/** Bedrock's `x-amzn-errortype` for a Claude API error type. */
const BEDROCK_ERRORS: Record<string, [status: number, type: string, message: string]> = {
  rate_limit_error: [429, 'ThrottlingException', 'Too many requests, please wait before trying again.'],
  overloaded_error: [503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.'],
  api_error: [500, 'InternalServerException', 'The server encountered an internal error.'],
  timeout_error: [408, 'ModelTimeoutException', 'Model has timed out in processing the request.'],
  invalid_request_error: [400, 'ValidationException', 'Malformed input request.'],
  authentication_error: [
    403,
    'UnrecognizedClientException',
    'The security token included in the request is invalid.',
  ],
  permission_error: [
    403,
    'AccessDeniedException',
    'You do not have access to the model with the specified model ID.',
  ],
  not_found_error: [
    404,
    'ResourceNotFoundException',
    'Could not resolve the foundation model from the provided model identifier.',
  ],
};

/** Google's canonical status for a Claude API error type. */
const VERTEX_ERRORS: Record<string, [status: number, code: string]> = {
  rate_limit_error: [429, 'RESOURCE_EXHAUSTED'],
  overloaded_error: [503, 'UNAVAILABLE'],
  api_error: [500, 'INTERNAL'],
  timeout_error: [504, 'DEADLINE_EXCEEDED'],
  invalid_request_error: [400, 'INVALID_ARGUMENT'],
  authentication_error: [401, 'UNAUTHENTICATED'],
  permission_error: [403, 'PERMISSION_DENIED'],
  not_found_error: [404, 'NOT_FOUND'],
};

export interface PlatformError {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * An error as the platform answers it. Error types it has no equivalent of (a Claude API 529 that
 * Bedrock would call unavailable) take its nearest; no `retry-after` on either platform.
 */
export function platformError(
  platform: PlatformName,
  type: string,
  requestId: string,
  message: string | undefined,
): PlatformError {
  if (platform === 'bedrock') {
    const [status, errorType, text] = BEDROCK_ERRORS[type] ?? BEDROCK_ERRORS.api_error;
    return {
      status,
      headers: { 'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
      body: { message: message ?? text },
    };
  }
  const [status, code] = VERTEX_ERRORS[type] ?? VERTEX_ERRORS.api_error;
  const text =
    type === 'rate_limit_error'
      ? 'Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model with base model: anthropic-claude. Please submit a quota increase request.'
      : (message ?? errorBody(type, requestId).error.message);
  return { status, headers: {}, body: { error: { code: status, message: text, status: code } } };
}

/** Headers of every platform response: Bedrock's request id; Vertex AI sends none of the API's. */
export function platformHeaders(platform: PlatformName, requestId: string): Record<string, string> {
  return platform === 'bedrock' ? { 'x-amzn-requestid': requestId } : {};
}

/** The version a platform expects in the body, in place of the `anthropic-version` header. */
export const PLATFORM_VERSIONS: Record<PlatformName, string> = {
  bedrock: 'bedrock-2023-05-31',
  vertex: 'vertex-2023-10-16',
};

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let crc = -1;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

const CHUNK_HEADERS = (() => {
  const parts: Buffer[] = [];
  for (const [name, value] of [
    [':event-type', 'chunk'],
    [':content-type', 'application/json'],
    [':message-type', 'event'],
  ]) {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(value.length);
    // name length, name, type 7 (string), value length, value
    parts.push(Buffer.from([name.length]), Buffer.from(name), Buffer.from([7]), length, Buffer.from(value));
  }
  return Buffer.concat(parts);
})();

/**
 * One event of a Bedrock stream in AWS's binary event-stream framing: a `chunk` whose payload
 * carries the Claude API's event, base64-encoded (`{"bytes": ...}`).
 */
export function eventStreamChunk(event: unknown): Buffer {
  const payload = Buffer.from(
    JSON.stringify({ bytes: Buffer.from(JSON.stringify(event)).toString('base64') }),
  );
  const total = 12 + CHUNK_HEADERS.length + payload.length + 4;
  const frame = Buffer.alloc(total);
  frame.writeUInt32BE(total, 0);
  frame.writeUInt32BE(CHUNK_HEADERS.length, 4);
  frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8);
  CHUNK_HEADERS.copy(frame, 12);
  payload.copy(frame, 12 + CHUNK_HEADERS.length);
  frame.writeUInt32BE(crc32(frame.subarray(0, total - 4)), total - 4);
  return frame;
}
