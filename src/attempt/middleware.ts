import type { Middleware, MiddlewareContext } from '@anthropic-ai/sdk';
import { readRetryCount } from '../facts/headers';
import { GovernorRejectedError } from '../governor/errors';
import type { Admission } from '../governor/gate';
import type { Governor } from '../governor/governor';
import { Attempt, type AttemptSettings, type Target, targetOf } from './attempt';

/** Marks a chain already observed by a claude-otel middleware (the context is one per attempt). */
const OBSERVED = Symbol('claude-otel.observed');

type Request = Parameters<Middleware>[0];

/** The request's governor, and its place in line; a governor that fails lets the attempt go. */
function enter(settings: AttemptSettings, request: Request, retryCount: number) {
  let governor: Governor | undefined;
  let entered: Admission | Promise<Admission>;
  try {
    governor = settings.governor?.(request as { url: string; headers: Headers });
    if (!governor) return undefined;
    entered = governor.enter(request.signal ?? undefined, retryCount > 0);
  } catch (error) {
    if (error instanceof GovernorRejectedError) throw error;
    return undefined;
  }
  return { governor, entered };
}

/**
 * The per-attempt middleware: every HTTP attempt the SDK makes waits for its governor (when
 * there is one), then gets one span and its metrics. If telemetry or the governor fails anywhere,
 * the request goes on exactly as it would without them.
 */
export function attemptMiddleware(
  settings: AttemptSettings,
  enabled: () => boolean = () => true,
): Middleware {
  return async (request, next, ctx) => {
    const marked = ctx as MiddlewareContext & { [OBSERVED]?: true };
    if (marked[OBSERVED] || !enabled()) return next(request);
    marked[OBSERVED] = true;
    // Rejections here (an abort while queued, a full queue, a wait past its bound) go to the caller.
    const retryCount = readRetryCount(request.headers as Headers);
    let target: Target;
    try {
      target = targetOf(request);
    } catch {
      return next(request);
    }
    // The governor paces the Messages API; other endpoints have limits of their own.
    const gate =
      settings.governor && target.endpoint.governed ? enter(settings, request, retryCount) : undefined;
    const admission = gate ? await gate.entered : undefined;
    let attempt: Attempt | undefined;
    try {
      attempt = new Attempt(
        request,
        ctx,
        settings,
        target,
        retryCount,
        gate && admission && { governor: gate.governor, admission },
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
    return attempt.readsStreamHead(response)
      ? attempt.succeededStream(response)
      : attempt.succeeded(response);
  };
}
