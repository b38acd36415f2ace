import type { Middleware, MiddlewareContext } from '@anthropic-ai/sdk';

/**
 * The client a request's middleware chain runs for. The SDK's middleware context names the
 * request's options but not the client; the instrumentation, which hooks every client's
 * construction, gives each client a middleware bound to it, so the attempt can read what only
 * the client knows (a platform client's account, project and region).
 */

const CLIENT = Symbol('claude-otel.client');
const SENT_URL = Symbol('claude-otel.sent-url');
/** On a bound middleware: the shared middleware it was made from. */
const BOUND_FROM = Symbol('claude-otel.bound-from');

type Context = MiddlewareContext & { [CLIENT]?: object; [SENT_URL]?: string };

/** `middleware`, for the requests of `client`: the chain's context names the client. */
export function bindToClient(middleware: Middleware, client: object): Middleware {
  const bound: Middleware = (request, next, ctx) => {
    (ctx as Context)[CLIENT] = client;
    return middleware(request, next, ctx);
  };
  (bound as { [BOUND_FROM]?: Middleware })[BOUND_FROM] = middleware;
  return bound;
}

/** Whether `candidate` is `middleware` or a client's binding of it. */
export function isBindingOf(candidate: unknown, middleware: Middleware): boolean {
  return (
    candidate === middleware ||
    (candidate as { [BOUND_FROM]?: Middleware } | null)?.[BOUND_FROM] === middleware
  );
}

/** The client the chain runs for, when the instrumentation bound it. */
export function clientOf(ctx: MiddlewareContext): object | undefined {
  return (ctx as Context)[CLIENT];
}

/** The URL the platform's own middleware sent (after its rewrite), when a tap saw it. */
export function sentUrlOf(ctx: MiddlewareContext): string | undefined {
  return (ctx as Context)[SENT_URL];
}

/** Records the request as the platform sends it: the innermost middleware, after its rewrite. */
const tapSentUrl: Middleware = (request, next, ctx) => {
  (ctx as Context)[SENT_URL] = request.url;
  return next(request);
};

interface Backend {
  backendMiddleware?: () => Middleware[];
}

/**
 * A platform client's own (backend) middleware rewrites the path after every user middleware,
 * and Bedrock answers a stream with a new response that names no URL: a tap after it records the
 * URL sent. Clients without backend middleware (the Claude API's) are left as they are.
 */
export function tapBackend(client: object): void {
  const own = client as Backend;
  const backend = Object.getPrototypeOf(client)?.backendMiddleware as Backend['backendMiddleware'];
  if (typeof backend !== 'function' || Object.hasOwn(client, 'backendMiddleware')) return;
  Object.defineProperty(own, 'backendMiddleware', {
    configurable: true,
    writable: true,
    enumerable: false,
    value(this: object) {
      const list = backend.call(this);
      return Array.isArray(list) && list.length > 0 ? [...list, tapSentUrl] : list;
    },
  });
}
