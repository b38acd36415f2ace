import { diag } from '@opentelemetry/api';

/** Which endpoint of the API an attempt went to: its name and its route without ids. */
export interface Endpoint {
  /** `gen_ai.operation.name` and the `operation` label: `chat`, `count_tokens`, `messages.batches.retrieve`, ... */
  operation: string;
  /** `url.template`: the path with its ids as `{placeholders}`, as the SDK's call span has it in `http.route`. */
  route: string;
  /** Paced by the governor: the Messages API's own rate limits. Other endpoints have limits of their own. */
  governed: boolean;
}

/** The endpoints the SDK calls, named as its methods are (its call spans are `anthropic.<name>`). */
const KNOWN: [method: string, route: string, operation: string][] = [
  ['POST', '/v1/messages', 'chat'],
  ['POST', '/v1/messages/count_tokens', 'count_tokens'],
  ['POST', '/v1/messages/batches', 'messages.batches.create'],
  ['GET', '/v1/messages/batches', 'messages.batches.list'],
  ['GET', '/v1/messages/batches/{message_batch_id}', 'messages.batches.retrieve'],
  ['DELETE', '/v1/messages/batches/{message_batch_id}', 'messages.batches.delete'],
  ['POST', '/v1/messages/batches/{message_batch_id}/cancel', 'messages.batches.cancel'],
  ['GET', '/v1/messages/batches/{message_batch_id}/results', 'messages.batches.results'],
  ['POST', '/v1/files', 'files.upload'],
  ['GET', '/v1/files', 'files.list'],
  ['GET', '/v1/files/{file_id}', 'files.retrieve_metadata'],
  ['DELETE', '/v1/files/{file_id}', 'files.delete'],
  ['GET', '/v1/files/{file_id}/content', 'files.download'],
  ['GET', '/v1/models', 'models.list'],
  ['GET', '/v1/models/{model_id}', 'models.retrieve'],
];

const known = KNOWN.map(([method, route, operation]) => ({
  method,
  parts: route.split('/').slice(2),
  endpoint: { operation, route, governed: operation === 'chat' },
}));

/** Routes not in the table that keep their own name; past this, `other` (said once). */
export const MAX_UNKNOWN_ROUTES = 32;
const unknown = new Map<string, Endpoint>();
const OTHER: Endpoint = { operation: 'other', route: 'other', governed: false };
let saidOther = false;

/** A path segment that names a collection or an action (`batches`, `count_tokens`); anything else is an id. */
const NAME = /^[a-z][a-z_]{0,39}$/;

/**
 * The endpoint of a request. The path is read from its last `/v1/` on, so a base URL with a path of its
 * own (a gateway's prefix) names the same endpoints. A route the table does not know is named
 * `<METHOD> <route>` with its ids as `{id}`: an endpoint the SDK adds later gets a name of its own.
 */
export function endpointOf(method: string, pathname: string): Endpoint {
  // The last `/v1/`: Vertex AI's base URL ends in `/v1` itself (`.../v1/v1/messages`).
  const start = pathname.lastIndexOf('/v1/');
  const parts = (start === -1 ? pathname : pathname.slice(start + 3)).split('/').filter(Boolean);
  for (const entry of known) {
    if (entry.method === method && matches(entry.parts, parts)) return entry.endpoint;
  }
  const route = `${start === -1 ? '' : '/v1'}/${parts.map((p) => (NAME.test(p) ? p : '{id}')).join('/')}`;
  const key = `${method} ${route}`;
  let endpoint = unknown.get(key);
  if (!endpoint) {
    if (unknown.size >= MAX_UNKNOWN_ROUTES) {
      if (!saidOther) {
        saidOther = true;
        diag.warn(
          `claude-otel: more than ${MAX_UNKNOWN_ROUTES} routes it does not know; attempts to the rest (now ${key}) are named "other".`,
        );
      }
      return OTHER;
    }
    endpoint = { operation: key, route, governed: false };
    unknown.set(key, endpoint);
  }
  return endpoint;
}

function matches(template: string[], parts: string[]): boolean {
  if (template.length !== parts.length) return false;
  for (let i = 0; i < parts.length; i++) {
    if (template[i][0] !== '{' && template[i] !== parts[i]) return false;
  }
  return true;
}
