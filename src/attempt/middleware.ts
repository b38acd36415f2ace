import type { Middleware, MiddlewareContext } from '@anthropic-ai/sdk';
import { readRetryCount } from '../facts/headers';
import { providerOfUserAgent } from '../facts/platform';
import { platformRequestOf } from '../facts/platform-client';
import { type RequestFacts, requestFactsOf } from '../facts/request-facts';
import { GovernorRejectedError } from '../governor/errors';
import type { Admission } from '../governor/gate';
import type { Selected } from '../limit-groups';
import { Attempt, type AttemptSettings, type Target, targetOf } from './attempt';
import { clientOf } from './client-bond';

/** Marks a chain already observed by a claude-otel middleware (the context is one per attempt). */
const OBSERVED = Symbol('claude-otel.observed');

type Request = Parameters<Middleware>[0];

/** The request's governor, and its place in line; a governor that fails lets the attempt go. */
function enter(
  settings: AttemptSettings,
  request: Request,
  target: Target,
  facts: RequestFacts,
  retryCount: number,
) {
  let selected: Selected | undefined;
  let entered: Admission | Promise<Admission>;
  try {
    selected = settings.governor?.(target.origin, request.headers as Headers, facts);
    if (!selected) return undefined;
    entered = selected.governor.enter(request.signal ?? undefined, retryCount > 0, selected.cost);
  } catch (error) {
    if (error instanceof GovernorRejectedError) throw error;
    return undefined;
  }
  return { selected, governor: selected.governor, entered };
}

type Gate = NonNullable<ReturnType<typeof enter>>;

/**
 * The per-attempt middleware: every HTTP attempt the SDK makes waits for its governor (when
 * there is one), then gets one span and its metrics. If telemetry or the governor fails anywhere,
 * the request goes on exactly as it would without them.
 */
export function attemptMiddleware(
  settings: AttemptSettings,
  enabled: () => boolean = () => true,
): Middleware {
  return (request, next, ctx) => {
    const marked = ctx as MiddlewareContext & { [OBSERVED]?: true };
    if (marked[OBSERVED] || !enabled()) return next(request);
    marked[OBSERVED] = true;
    const retryCount = readRetryCount(request.headers as Headers);
    let target: Target;
    let quotaUnit: string | undefined;
    try {
      target = targetOf(request);
      // A platform client names its platform (whatever its base URL) and its quota unit; one
      // the middleware was given to by hand names its platform in its user agent.
      const client = clientOf(ctx);
      const platform = client && platformRequestOf(client);
      const provider =
        platform?.provider ?? providerOfUserAgent((request.headers as Headers).get('user-agent'));
      if (provider && provider !== target.provider) target = { ...target, provider };
      quotaUnit = platform?.quotaUnit;
    } catch {
      return next(request);
    }
    // The governor paces the Messages API; other endpoints have limits of their own.
    let gate: Gate | undefined;
    let facts: RequestFacts | undefined;
    try {
      if (target.endpoint.operation === 'chat')
        facts = requestFactsOf(ctx.options, request.body, settings.modelGroups, target.provider, quotaUnit);
      gate =
        settings.governor && target.endpoint.governed && facts
          ? enter(settings, request, target, facts, retryCount)
          : undefined;
    } catch (error) {
      // A refusal (a full queue, load shedding) goes to the caller.
      return Promise.reject(error);
    }
    const entered = gate?.entered;
    // Let through at once (the usual case): no promise to wait for.
    if (!(entered instanceof Promise))
      return runAttempt(settings, request, next, ctx, target, facts, retryCount, gate, entered);
    // Rejections while queued (an abort, a wait past its bound) go to the caller.
    return entered.then((admission) =>
      runAttempt(settings, request, next, ctx, target, facts, retryCount, gate, admission),
    );
  };
}

/** One attempt, admitted: its span and metrics around the SDK's request. */
async function runAttempt(
  settings: AttemptSettings,
  request: Request,
  next: Parameters<Middleware>[1],
  ctx: MiddlewareContext,
  target: Target,
  facts: RequestFacts | undefined,
  retryCount: number,
  gate: Gate | undefined,
  admission: Admission | undefined,
): Promise<Response> {
  let attempt: Attempt | undefined;
  try {
    attempt = new Attempt(
      request,
      ctx,
      settings,
      target,
      facts,
      retryCount,
      gate && admission && { governor: gate.governor, selected: gate.selected, admission },
    );
  } catch {
    attempt = undefined;
    gate?.governor.released();
  }
  if (!attempt) return next(request);
  let response: Response;
  try {
    response = await attempt.send(next);
  } catch (error) {
    attempt.failedToSend(error);
    throw error;
  }
  if (!response.ok) return attempt.failed(response);
  return attempt.readsStreamHead(response) ? attempt.succeededStream(response) : attempt.succeeded(response);
}
