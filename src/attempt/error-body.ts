import { identifier } from '../facts/classify';
import { vertexErrorType } from '../facts/platform';
import { timerDelayMs } from '../timers';

export interface ErrorBodyFacts {
  type?: string;
  code?: string;
}

/**
 * Reads what an error response's body says (`error.type`, `error.details.error_code`) from a
 * clone, so the SDK still gets the body. Bounded in size and time: a body that is not JSON, too
 * large or too slow yields nothing, and the attempt is classified by its status.
 */
export async function readErrorBody(
  response: Response,
  maxBytes: number,
  timeoutMs: number,
): Promise<ErrorBodyFacts> {
  const body = response.clone().body;
  if (!body) return {};
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timerDelayMs(timeoutMs));
    timer.unref?.();
  });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), timeout]);
      if (next === 'timeout' || next.done) break;
      size += next.value.byteLength;
      if (size > maxBytes) break;
      chunks.push(next.value);
    }
  } catch {
    return {};
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => undefined);
  }
  if (size > maxBytes) return {};
  return factsOf(Buffer.concat(chunks).toString('utf8'));
}

/** `error.type` and `error.details.error_code` of an error envelope, if the text is one. */
export function factsOf(text: string): ErrorBodyFacts {
  if (!text.trimStart().startsWith('{')) return {};
  try {
    const error = (
      JSON.parse(text) as { error?: { type?: unknown; status?: unknown; details?: { error_code?: unknown } } }
    ).error;
    const facts: ErrorBodyFacts = {};
    // Vertex AI answers in Google's shape: `{"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}`.
    const type = identifier(error?.type) ?? vertexErrorType(error?.status);
    const code = identifier(error?.details?.error_code);
    if (type) facts.type = type;
    if (code) facts.code = code;
    return facts;
  } catch {
    return {};
  }
}
