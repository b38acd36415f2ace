/** The API paths the simulator serves. */
export type RouteName =
  | 'messages'
  | 'count_tokens'
  | 'batches.create'
  | 'batches.list'
  | 'batches.retrieve'
  | 'batches.delete'
  | 'batches.cancel'
  | 'batches.results'
  | 'files.upload'
  | 'files.list'
  | 'files.retrieve'
  | 'files.delete'
  | 'files.download'
  | 'models.list'
  | 'models.retrieve';

/** Which of the documented request size limits applies. */
export type BodyLimit = 'messages' | 'batches' | 'files';

export interface Route {
  name: RouteName;
  /** `METHOD /path` with the id as `{id}`: what the simulator counts by and scripts faults for. */
  key: string;
  /** The id in the path. */
  id?: string;
  bodyLimit: BodyLimit;
}

const ROUTES: [method: string, path: string, name: RouteName, bodyLimit: BodyLimit][] = [
  ['POST', '/v1/messages', 'messages', 'messages'],
  ['POST', '/v1/messages/count_tokens', 'count_tokens', 'messages'],
  ['POST', '/v1/messages/batches', 'batches.create', 'batches'],
  ['GET', '/v1/messages/batches', 'batches.list', 'messages'],
  ['GET', '/v1/messages/batches/{id}', 'batches.retrieve', 'messages'],
  ['DELETE', '/v1/messages/batches/{id}', 'batches.delete', 'messages'],
  ['POST', '/v1/messages/batches/{id}/cancel', 'batches.cancel', 'messages'],
  ['GET', '/v1/messages/batches/{id}/results', 'batches.results', 'messages'],
  ['POST', '/v1/files', 'files.upload', 'files'],
  ['GET', '/v1/files', 'files.list', 'messages'],
  ['GET', '/v1/files/{id}', 'files.retrieve', 'messages'],
  ['DELETE', '/v1/files/{id}', 'files.delete', 'messages'],
  ['GET', '/v1/files/{id}/content', 'files.download', 'messages'],
  ['GET', '/v1/models', 'models.list', 'messages'],
  ['GET', '/v1/models/{id}', 'models.retrieve', 'messages'],
];

/** Every route key, for checking what a script names. */
export const ROUTE_KEYS = new Set(ROUTES.map(([method, path]) => `${method} ${path}`));

const patterns = ROUTES.map(([method, path, name, bodyLimit]) => ({
  method,
  key: `${method} ${path}`,
  pattern: new RegExp(`^${path.replace('{id}', '([^/]+)')}$`),
  name,
  bodyLimit,
}));

/** The route of a request; `'method'` when the path is served but not with this method. */
export function routeOf(method: string, path: string): Route | 'method' | undefined {
  let pathKnown = false;
  for (const route of patterns) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    pathKnown = true;
    if (route.method !== method) continue;
    const id = match[1] === undefined ? undefined : decoded(match[1]);
    return { name: route.name, key: route.key, id, bodyLimit: route.bodyLimit };
  }
  return pathKnown ? 'method' : undefined;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
