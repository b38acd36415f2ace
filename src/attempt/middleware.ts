import type { Middleware, MiddlewareContext } from '@anthropic-ai/sdk';
import { Attempt, type AttemptSettings } from './attempt';

/** Marks a chain already observed by a claude-otel middleware (the context is one per attempt). */
const OBSERVED = Symbol('claude-otel.observed');

/**
 * The per-attempt middleware: one span for every HTTP attempt the SDK makes. If telemetry
 * fails anywhere, the request goes on exactly as it would without it.
 */
export function attemptMiddleware(
  settings: AttemptSettings,
  enabled: () => boolean = () => true,
): Middleware {
  return async (request, next, ctx) => {
    const marked = ctx as MiddlewareContext & { [OBSERVED]?: true };
    if (marked[OBSERVED] || !enabled()) return next(request);
    let attempt: Attempt | undefined;
    try {
      Object.defineProperty(marked, OBSERVED, { value: true });
      attempt = new Attempt(request, ctx, settings);
    } catch {
      attempt = undefined;
    }
    if (!attempt) return next(request);
    let response: Response;
    try {
      response = await attempt.send(next);
    } catch (error) {
      attempt.failedToSend(error);
      throw error;
    }
    return response.ok ? attempt.succeeded(response) : attempt.failed(response);
  };
}
