import type { Middleware, MiddlewareContext } from '@anthropic-ai/sdk';
import { context, type Span, type Tracer, trace } from '@opentelemetry/api';
import type { AttemptFacts } from '../facts/attempt-facts';
import {
  type Classification,
  classifyHttpError,
  classifyStreamError,
  classifyTransportError,
  identifier,
  modelId,
  OK,
  TRUNCATED,
} from '../facts/classify';
import { type Endpoint, endpointOf } from '../facts/endpoint';
import {
  type RateLimitResource,
  ResponseRateLimits,
  readRetryAfterMs,
  readShouldRetry,
} from '../facts/headers';
import { bedrockErrorType, type Provider, providerOf } from '../facts/platform';
import type { RequestFacts } from '../facts/request-facts';
import { sdkReadsJson, sdkWouldRetry } from '../facts/sdk-rules';
import type { Admission } from '../governor/gate';
import type { Governor } from '../governor/governor';
import type { Selected } from '../limit-groups';
import {
  ATTR_ANTHROPIC_GOVERNOR_WAIT_MS,
  ATTR_ANTHROPIC_RETRY_BACKOFF_MS,
  ATTR_ANTHROPIC_STREAM,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_TEMPLATE,
  GEN_AI_PROVIDER_ANTHROPIC,
} from '../semconv';
import { type BodyEnd, type BodyFacts, observeBody, StreamWatch } from './body-observer';
import { sentUrlOf } from './client-bond';
import { readErrorBody } from './error-body';
import { endAttemptSpan, startAttemptSpan } from './span';
import { readStreamHead } from './stream-head';

type Request = Parameters<Middleware>[0];

const ABORTED: Classification = { failed: false, aborted: true };
const NO_RESOURCES: readonly RateLimitResource[] = [];

function isAbort(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'AbortError';
}
type Next = Parameters<Middleware>[1];

/** Where finished attempts are counted (the prom-client metrics). */
export interface AttemptRecorder {
  /** Whether `ended` uses the span's ids (exemplars); they are not looked up otherwise. */
  readonly exemplars?: boolean;
  started(): void;
  ended(
    facts: AttemptFacts,
    ids: { traceId: string; spanId: string } | undefined,
    previousErrorType?: string,
  ): void;
}

/** What the attempt middleware needs from its owner. */
export interface AttemptSettings {
  tracer: () => Tracer;
  /** Default: none. */
  recorder?: AttemptRecorder;
  /** OpenTelemetry metrics (guarded apart from the Prometheus ones). Default: none. */
  otelRecorder?: AttemptRecorder;
  /** The governor of a Messages request's limit (see `limit-groups.ts`), and its price. Default: none. */
  governor?: (origin: string, headers: Headers, request: RequestFacts) => Selected | undefined;
  /** Told of every governed attempt's end (learns organizations, calibrates pricing). Default: none. */
  observeGoverned?: (origin: string, headers: Headers, selected: Selected, facts: AttemptFacts) => void;
  rateLimitResources: readonly RateLimitResource[];
  /** The user's model -> rate-limit group overrides (`governor.modelGroups`), for every consumer of the request's facts. */
  modelGroups?: Readonly<Record<string, string>>;
  /** Rate-limit attributes on every attempt's span, not only on failed ones. Default: false. */
  rateLimitAttributesOnEvery?: boolean;
  errorBodyTimeoutMs: number;
  errorBodyMaxBytes: number;
  /** Retry a stream whose first event is a retryable error (see `ClaudeOtelConfig`). */
  retryEarlyStreamErrors?: boolean;
}

/** Ends the span of an attempt whose response was collected before its body was read to an end. */
const unread = new FinalizationRegistry<Attempt>((attempt) => attempt.abandoned());

/** Per-call state, kept on the SDK's request options object (the same across a call's attempts). */
const CALL_STATE = Symbol('claude-otel.call');

/** The call's state, on a hidden property of its options object (cheaper for the GC than a WeakMap). */
function callState(options: object | undefined): CallState | undefined {
  return options ? (options as { [CALL_STATE]?: CallState })[CALL_STATE] : undefined;
}

interface CallState {
  /** When the latest attempt of the call ended (headers or transport failure). */
  lastEnd: number;
  /** Its error type, once classified: what a retry is a retry of. */
  lastErrorType?: string;
  /** A token-limit 429 of the call was sent back to the governor's gate at once (once per call). */
  retriedAtGate?: boolean;
}

/** Distinct request URLs whose attributes are kept; batch and file URLs carry ids, so it must stay bounded. */
export const URL_CACHE_LIMIT = 256;
const urlCache = new Map<string, Map<string, Target>>();
/** For tests: how many URLs the cache holds. */
export const urlCacheSize = () => {
  let size = 0;
  for (const byUrl of urlCache.values()) size += byUrl.size;
  return size;
};

/** Where a request goes: its endpoint, and the URL attributes of its span (without credentials). */
export interface Target {
  endpoint: Endpoint;
  /** The URL's origin: with the credential, the governor's limit domain. */
  origin: string;
  /** `{method} {url.template}`, as the HTTP conventions name a client span. */
  spanName: string;
  /** The platform the base URL belongs to (the sent URL may say more: see `readSentUrl`). */
  provider: Provider;
  attributes: Record<string, string | number>;
}

/** The target of a request, cached by method and URL: a client calls few distinct URLs. */
export function targetOf(request: { method?: string; url: string }): Target {
  const method = request.method ?? 'GET';
  let byUrl = urlCache.get(method);
  if (!byUrl) {
    byUrl = new Map();
    urlCache.set(method, byUrl);
  }
  let target = byUrl.get(request.url);
  if (!target) {
    const url = new URL(request.url);
    url.username = '';
    url.password = '';
    const endpoint = endpointOf(method, url.pathname);
    target = {
      endpoint,
      provider: providerOf(url.href),
      origin: url.origin,
      spanName: `${method} ${endpoint.route}`,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_URL_FULL]: url.href,
        [ATTR_URL_TEMPLATE]: endpoint.route,
        [ATTR_SERVER_ADDRESS]: url.hostname,
        [ATTR_SERVER_PORT]: url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443,
        [ATTR_GEN_AI_OPERATION_NAME]: endpoint.operation,
      },
    };
    if (byUrl.size >= URL_CACHE_LIMIT) byUrl.clear();
    byUrl.set(request.url, target);
  }
  return target;
}

/** The HTTP status the SDK retries for each retryable error type that can open a stream. */
const EARLY_ERROR_STATUS: Record<string, number> = {
  overloaded_error: 529,
  api_error: 500,
  rate_limit_error: 429,
  timeout_error: 504,
};

/** An error response as the API sends it, with the stream's own headers (request id, rate limits). */
function errorResponse(status: number, type: string, headers: Headers): Response {
  const copied = new Headers(headers);
  copied.set('content-type', 'application/json');
  copied.delete('content-length');
  const body = JSON.stringify({
    type: 'error',
    error: { type, message: `${type} before any content of the stream` },
  });
  return new Response(body, { status, headers: copied });
}

/**
 * The same response (status, headers, unread body) with one header set: `x-should-retry: false`
 * stops the SDK retrying; `retry-after-ms: 1` has it retry at once (the retry waits at the gate).
 */
function withHeader(response: Response, name: string, value: string): Response {
  try {
    const headers = new Headers(response.headers);
    headers.set(name, value);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  } catch {
    return response;
  }
}

const withoutRetry = (response: Response) => withHeader(response, 'x-should-retry', 'false');
const retryAtOnce = (response: Response) => withHeader(response, 'retry-after-ms', '1');

/** One HTTP attempt, from the gate to the end of its body. Never throws into the SDK. */
export class Attempt {
  private readonly startedAt = performance.now();
  private readonly span: Span;
  private readonly facts: AttemptFacts;
  private readonly call: object | undefined;
  private readonly previousErrorType: string | undefined;
  /** The SDK returns the body unread (`__binaryResponse`): the attempt ends with its headers. */
  private readonly raw: boolean;
  private ended = false;

  constructor(
    private readonly request: Request,
    private readonly ctx: MiddlewareContext,
    private readonly settings: AttemptSettings,
    private readonly target: Target,
    asked: RequestFacts | undefined,
    /** The SDK's 0-based attempt number (`X-Stainless-Retry-Count`). */
    retryCount: number,
    /** The governor the attempt went through (and is fed back to), and how it was let through. */
    private readonly governed?: { governor: Governor; selected: Selected; admission: Admission },
  ) {
    const options = ctx.options as
      | { body?: { model?: unknown; stream?: unknown }; stream?: boolean; __binaryResponse?: boolean }
      | undefined;
    this.call = ctx.options;
    // Batch results and file downloads: the SDK hands the body back raw (it marks them `stream` too).
    this.raw = options?.__binaryResponse === true;
    const previous = retryCount > 0 ? callState(this.call) : undefined;
    const url = target.attributes;
    this.facts = {
      operation: target.endpoint.operation,
      serverAddress: url[ATTR_SERVER_ADDRESS] as string,
      serverPort: url[ATTR_SERVER_PORT] as number,
      model: modelId(options?.body?.model),
      provider: target.provider,
      stream: !this.raw && (options?.stream === true || options?.body?.stream === true),
      request: asked,
      organizationId: undefined,
      retryCount,
      // Every field from the start: one shape for every attempt's facts.
      backoffMs: undefined,
      status: undefined,
      requestId: undefined,
      retryAfterMs: undefined,
      rateLimits: undefined,
      outcome: OK,
      reply: undefined,
      timeToFirstChunk: undefined,
      durationMs: 0,
      veto: undefined,
    };
    if (previous) {
      this.facts.backoffMs = Math.max(0, this.startedAt - previous.lastEnd);
      this.previousErrorType = previous.lastErrorType;
    }

    const attributes: Record<string, string | number | boolean> = {
      ...url,
      [ATTR_GEN_AI_PROVIDER_NAME]: target.provider,
    };
    if (this.facts.stream) attributes[ATTR_ANTHROPIC_STREAM] = true;
    if (this.facts.model) attributes[ATTR_GEN_AI_REQUEST_MODEL] = this.facts.model;
    if (retryCount > 0) attributes[ATTR_HTTP_REQUEST_RESEND_COUNT] = retryCount;
    if (this.facts.backoffMs !== undefined)
      attributes[ATTR_ANTHROPIC_RETRY_BACKOFF_MS] = Math.round(this.facts.backoffMs);
    if (governed) attributes[ATTR_ANTHROPIC_GOVERNOR_WAIT_MS] = Math.round(governed.admission.waitedMs);
    this.span = startAttemptSpan(settings.tracer, target.spanName, attributes);
    settings.recorder?.started();
    if (settings.otelRecorder) this.guard(() => settings.otelRecorder?.started());
  }

  /** Sends the attempt with its span active, so that deeper instrumentation nests under it. */
  send(next: Next): Promise<Response> {
    return context.with(trace.setSpan(context.active(), this.span), () => next(this.request));
  }

  /** The transport failed or the attempt was aborted before a response arrived. */
  failedToSend(error: unknown): void {
    this.guard(() => {
      this.readSentUrl(undefined);
      this.markCallEnd();
      this.finish(classifyTransportError(error, this.callerAborted(), this.request.signal?.aborted === true));
    });
  }

  /** An error response: read what its body says (from a clone) before the SDK sees it. */
  async failed(response: Response): Promise<Response> {
    try {
      this.readHeaders(response);
      const body = await readErrorBody(
        response,
        this.settings.errorBodyMaxBytes,
        this.settings.errorBodyTimeoutMs,
      );
      // Bedrock names its errors in a header (`x-amzn-errortype: ThrottlingException`).
      body.type ??= bedrockErrorType(response.headers.get('x-amzn-errortype'));
      const shouldRetry = readShouldRetry(response.headers);
      const outcome = classifyHttpError(response.status, body, shouldRetry);
      if (this.governed)
        this.facts.veto = this.governed.governor.verdict(
          { ...this.facts, outcome },
          sdkWouldRetry(response.status, shouldRetry),
        );
      this.finish(outcome);
    } catch {
      this.guard(() => this.finish({ failed: true, errorType: String(response.status) }));
    }
    if (this.facts.veto) return withoutRetry(response);
    return this.retriesAtGate() ? retryAtOnce(response) : response;
  }

  /**
   * A 429 from a token limit advises a wait from the refill alone, while replies in flight give
   * tokens back sooner: the retry then waits at the governor's gate, which knows when it fits,
   * instead of sleeping the whole retry-after. Once per call, so a wrong model costs at most one
   * of the SDK's retries.
   */
  private retriesAtGate(): boolean {
    try {
      const governed = this.governed;
      const state = callState(this.call);
      if (!governed || !state || state.retriedAtGate) return false;
      if (!governed.governor.waitsAtGate(this.facts, governed.admission)) return false;
      state.retriedAtGate = true;
      return true;
    } catch {
      return false;
    }
  }

  /**
   * A 2xx: the span stays open until the SDK has read the body to its end, observed the way the
   * SDK reads it (a stream request's body through its SSE reader, others through `json()`).
   * A body it does not parse (a 204, `content-length: 0`, or one it hands back raw) ends it now.
   */
  succeeded(response: Response): Response {
    try {
      this.readHeaders(response);
      const readAsStream = this.facts.stream;
      if (this.raw || (!readAsStream && !sdkReadsJson(response))) {
        this.finish(OK);
        return response;
      }
      unread.register(response, this, this);
      observeBody(response, readAsStream, (facts, end) => this.guard(() => this.bodyEnded(facts, end)));
    } catch {
      this.guard(() => this.finish(OK));
    }
    return response;
  }

  /** Whether this 2xx is a stream whose head is read first, to retry an error that comes before any content. */
  readsStreamHead(response: Response): boolean {
    return (
      this.settings.retryEarlyStreamErrors === true &&
      this.facts.stream &&
      (response.headers.get('content-type') ?? '').includes('text/event-stream')
    );
  }

  /**
   * A 2xx stream, its head read first: an error event before any content becomes the HTTP error
   * the SDK retries (529 for `overloaded_error`); anything else goes on as `succeeded()`.
   */
  async succeededStream(response: Response): Promise<Response> {
    let head: Awaited<ReturnType<typeof readStreamHead>>;
    const watch = new StreamWatch((facts, end) => this.guard(() => this.bodyEnded(facts, end)));
    try {
      head = await readStreamHead(
        response,
        watch,
        (error) => EARLY_ERROR_STATUS[error.type ?? ''] !== undefined,
      );
    } catch (error) {
      // The caller aborted, or the connection broke, before any content: the SDK sees the same failure.
      this.guard(() => {
        this.readHeaders(response, true);
        this.finish(this.callerAborted() ? ABORTED : classifyTransportError(error, false));
      });
      throw error;
    }
    if ('response' in head) return this.relayed(response, head.response);
    const { type = 'api_error', code } = head.error;
    const retryAs = errorResponse(EARLY_ERROR_STATUS[type] as number, type, response.headers);
    try {
      this.readHeaders(response, true);
      const outcome = classifyStreamError(type, code);
      if (this.governed) this.facts.veto = this.governed.governor.verdict({ ...this.facts, outcome }, true);
      this.finish(outcome);
    } catch {
      this.guard(() => this.finish({ failed: true, errorType: type }));
    }
    return this.facts.veto ? withoutRetry(retryAs) : retryAs;
  }

  /** A 2xx stream past its head: `relay` (watched as it is read) goes to the SDK in its place. */
  private relayed(response: Response, relay: Response): Response {
    try {
      this.readHeaders(response);
      // No body to relay (it cannot happen for a 2xx stream): nothing was cut short.
      if (relay.body) unread.register(relay, this, this);
      else this.finish(OK);
    } catch {
      this.guard(() => this.finish(OK));
    }
    return relay;
  }

  /** `retryMayFollow`: the call's state is kept for the next attempt (a 2xx adds none to the SDK's options). */
  private readHeaders(response: Response, retryMayFollow = !response.ok): void {
    if (retryMayFollow) this.markCallEnd();
    const headers = response.headers;
    this.facts.status = response.status;
    this.facts.requestId = identifier(headers.get('request-id') ?? headers.get('x-amzn-requestid'));
    this.readSentUrl(response);
    if (this.governed) this.facts.organizationId = identifier(headers.get('anthropic-organization-id'));
    // Only an error advises a wait; a success's headers are not searched for one.
    if (!response.ok) this.facts.retryAfterMs = readRetryAfterMs(headers);
    this.facts.rateLimits = new ResponseRateLimits(headers);
  }

  /**
   * The platform clients (Bedrock, Vertex AI) rewrite the path after every user middleware: the
   * URL their middleware sent (else the one the response came from) is the one sent, and names
   * the platform.
   */
  private readSentUrl(response: Response | undefined): void {
    const sent = sentUrlOf(this.ctx) ?? response?.url;
    if (!sent || sent === this.request.url) return;
    const url = new URL(sent);
    url.username = '';
    url.password = '';
    this.span.setAttribute(ATTR_URL_FULL, url.href);
    // A gateway or proxy in between may hide the platform's path: the base URL's platform stands.
    const provider = providerOf(sent);
    if (provider === this.facts.provider || provider === GEN_AI_PROVIDER_ANTHROPIC) return;
    this.facts.provider = provider;
    this.span.setAttribute(ATTR_GEN_AI_PROVIDER_NAME, provider);
  }

  /** The response was dropped without its body read to an end (a consumer we do not observe). */
  abandoned(): void {
    this.guard(() => this.finish(OK));
  }

  private bodyEnded(body: BodyFacts, end: BodyEnd): void {
    unread.unregister(this);
    this.facts.reply = body.reply;
    const stream = body.stream;
    if (stream?.firstDeltaAt !== undefined) {
      this.facts.timeToFirstChunk = (stream.firstDeltaAt - this.startedAt) / 1000;
    }
    if (stream?.error) this.finish(classifyStreamError(stream.error.type, stream.error.code));
    else if (body.malformed || stream?.malformed) {
      this.finish({ failed: true, errorType: 'invalid_response_body', retryable: false });
    } else if (end.kind === 'cancelled') this.finish(ABORTED);
    else if (end.kind === 'failed') {
      // The request timeout is disarmed once headers arrive: an abort now is the caller's.
      this.finish(isAbort(end.error) ? ABORTED : classifyTransportError(end.error, false));
    } else if (stream && !stream.stopped) this.finish(TRUNCATED);
    else this.finish(OK);
  }

  private callerAborted(): boolean {
    return (this.ctx.options as { signal?: AbortSignal | null } | undefined)?.signal?.aborted === true;
  }

  private markCallEnd(): void {
    if (!this.call) return;
    const state = callState(this.call);
    if (state) {
      state.lastEnd = performance.now();
      state.lastErrorType = undefined;
    } else {
      // Not enumerable: a spread or JSON of the options never carries it.
      Object.defineProperty(this.call, CALL_STATE, { value: { lastEnd: performance.now() }, writable: true });
    }
  }

  private noteErrorType(errorType: string | undefined): void {
    const state = callState(this.call);
    if (state) state.lastErrorType = errorType;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch {
      // telemetry must never break the call
    }
  }

  private finish(outcome: Classification): void {
    if (this.ended) return;
    this.ended = true;
    const facts = this.facts;
    facts.outcome = outcome;
    facts.durationMs = performance.now() - this.startedAt;
    if (outcome.errorType) {
      // A 2xx whose body failed (the connection cut): SDK 1.17 sends the request again, and that
      // resend is a retry of this failure (its backoff measured from here), as after an error status.
      if (facts.status !== undefined && facts.status < 300) this.markCallEnd();
      this.noteErrorType(outcome.errorType);
    }
    // Each sink on its own: a fault in one never stops the others.
    const governed = this.governed;
    if (governed) {
      this.guard(() => governed.governor.ended(facts, governed.admission));
      const observe = this.settings.observeGoverned;
      if (observe)
        this.guard(() =>
          observe(this.target.origin, this.request.headers as Headers, governed.selected, facts),
        );
    }
    const settings = this.settings;
    const resources =
      outcome.failed || settings.rateLimitAttributesOnEvery ? settings.rateLimitResources : NO_RESOURCES;
    this.guard(() => endAttemptSpan(this.span, facts, resources));
    const recorder = this.settings.recorder;
    if (recorder) {
      const ids = recorder.exemplars ? this.spanIds() : undefined;
      this.guard(() => recorder.ended(facts, ids, this.previousErrorType));
    }
    const otel = this.settings.otelRecorder;
    if (otel) this.guard(() => otel.ended(facts, undefined, this.previousErrorType));
  }

  /** The span's ids for exemplars, when it has valid ones (a broken span has none). */
  private spanIds(): { traceId: string; spanId: string } | undefined {
    try {
      const context = this.span.spanContext();
      return trace.isSpanContextValid(context)
        ? { traceId: context.traceId, spanId: context.spanId }
        : undefined;
    } catch {
      return undefined;
    }
  }
}
