import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { modelGroupOf } from '../facts/model-groups';
import { BatchStore } from './batches';
import { type Fault, resolveConfig, type SimulatorConfig, type SimulatorOptions } from './config';
import { errorBody, htmlPage, isHtmlStatus } from './errors';
import { FileStore } from './files';
import type { LimitedRequest } from './limits';
import {
  generateReply,
  InvalidRequest,
  type MessagesRequest,
  messageBody,
  parseMessagesRequest,
  readMessagesRequest,
  tokenCounts,
} from './messages';
import { ModelCatalog } from './model-catalog';
import {
  eventStreamChunk,
  PLATFORM_VERSIONS,
  type PlatformName,
  type PlatformRoute,
  platformError,
  platformHeaders,
  platformRouteOf,
  quotaUnitOf,
} from './platforms';
import { PromptCache } from './prompt-cache';
import { ROUTE_KEYS, type Route, routeOf } from './routes';
import { type ScenarioName, scenario } from './scenarios';
import { writeStream } from './sse';
import { type AttemptRecord, type SimulatorStats, StatsRecorder } from './stats';
import { type Decision, rejectionOf, TrafficModel } from './traffic';

export interface StartOptions extends SimulatorOptions {
  /** A named scenario to start from; the other options are merged over it. */
  scenario?: ScenarioName;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface Simulator {
  /** Base URL for `new Anthropic({ baseURL })`, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  readonly config: SimulatorConfig;
  /** Ground truth: every attempt counted by status, error type and error code. */
  stats(): SimulatorStats;
  /** The most recent attempts (up to `logSize`), oldest first. */
  attempts(): AttemptRecord[];
  /** Outcomes for the next `/v1/messages` requests, in order, ahead of every other rule. */
  script(...faults: Fault[]): void;
  /**
   * Outcomes for the next requests of another route (`GET /v1/messages/batches/{id}`, ...):
   * `error`, `connection-reset` or `garbage-headers` faults, in order.
   */
  scriptRoute(route: string, ...faults: Fault[]): void;
  /** Zeroes the counts and restarts the clock, buckets, phases and random source. */
  reset(): void;
  close(): Promise<void>;
}

class SimulatedApi {
  readonly traffic: TrafficModel;
  readonly recorder: StatsRecorder;
  readonly closing = new AbortController();
  private readonly promptCache = new PromptCache();
  private readonly idPrefix = randomBytes(6).toString('hex');
  private idCounter = 0;
  private readonly batches: BatchStore;
  private readonly files: FileStore;
  private readonly models: ModelCatalog;
  /** Scripted outcomes for the next requests of a route other than `/v1/messages`. */
  private readonly routeScripts = new Map<string, Fault[]>();

  constructor(readonly config: SimulatorConfig) {
    this.traffic = new TrafficModel(config, performance.now());
    this.recorder = new StatsRecorder(config.name, config.logSize);
    const nextId = (prefix: string) => this.nextId(prefix);
    this.batches = new BatchStore(config.batches, nextId, (model) => this.knowsModel(model));
    this.files = new FileStore(nextId);
    this.models = new ModelCatalog(config.models);
  }

  private nextId(prefix: string): string {
    return `${prefix}011Sim${this.idPrefix}${(this.idCounter++).toString(36).padStart(8, '0')}`;
  }

  stats(): SimulatorStats {
    const now = performance.now();
    return this.recorder.snapshot(this.traffic.phaseName(now), Math.round(this.traffic.elapsed(now)));
  }

  reset(): void {
    this.traffic.reset(performance.now());
    this.recorder.reset();
    this.promptCache.clear();
    this.batches.clear();
    this.files.clear();
    this.routeScripts.clear();
  }

  scriptRoute(route: string, faults: Fault[]): void {
    if (!ROUTE_KEYS.has(route))
      throw new Error(`scriptRoute: no route "${route}"; routes: ${[...ROUTE_KEYS].join(', ')}`);
    for (const fault of faults) {
      if (!rejectionOf(fault))
        throw new Error(
          `scriptRoute: a ${fault.kind} fault needs a reply; use error, connection-reset or garbage-headers`,
        );
    }
    this.routeScripts.set(route, [...(this.routeScripts.get(route) ?? []), ...faults]);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith('/_sim/')) {
      this.admin(req, res, path);
      return;
    }
    const route = routeOf(req.method ?? 'GET', path);
    const limit = this.config.bodyLimits[typeof route === 'object' ? route.bodyLimit : 'messages'];
    const answer = (body: Buffer | null) =>
      this.answer(req, res, path, route, body).catch(() => res.destroy());
    // A declared length over the limit is refused at once, as the CDN does; the body is discarded.
    if (Number(req.headers['content-length']) > limit) {
      req.resume();
      void answer(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      void answer(size > limit ? null : Buffer.concat(chunks));
    });
  }

  private admin(req: IncomingMessage, res: ServerResponse, path: string): void {
    req.resume();
    if (req.method === 'GET' && path === '/_sim/stats') {
      sendJson(res, 200, this.stats(), {});
    } else if (req.method === 'GET' && path === '/_sim/attempts') {
      sendJson(res, 200, this.recorder.attempts(), {});
    } else if (req.method === 'POST' && path === '/_sim/reset') {
      this.reset();
      sendJson(res, 200, { reset: true }, {});
    } else {
      sendJson(
        res,
        404,
        { error: 'simulator admin paths: GET /_sim/stats, GET /_sim/attempts, POST /_sim/reset' },
        {},
      );
    }
  }

  private async answer(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    route: Route | 'method' | undefined,
    body: Buffer | null,
  ): Promise<void> {
    const now = performance.now();
    const retryHeader = req.headers['x-stainless-retry-count'];
    const record: AttemptRecord = {
      requestId: this.nextId('req_'),
      method: req.method ?? 'GET',
      path,
      route: typeof route === 'object' ? route.key : null,
      model: null,
      stream: false,
      retryCount: typeof retryHeader === 'string' && /^\d+$/.test(retryHeader) ? Number(retryHeader) : null,
      status: null,
      errorType: null,
      errorCode: null,
      retryAfterSeconds: null,
      streamEnd: null,
      phase: this.traffic.phaseName(now),
      at: Math.round(this.traffic.elapsed(now)),
    };
    const reject = (status: number, type: string, message?: string) => {
      this.sendError(res, record, { kind: 'reject', status, type }, message, apiKeyOf(req));
    };

    if (body === null) return reject(413, 'request_too_large');
    const platform = route === undefined ? platformRouteOf(req.method ?? 'GET', path) : undefined;
    if (platform) return this.answerPlatform(req, res, path, platform, body, record, now);
    if (route === undefined) return reject(404, 'not_found_error', `${req.method} ${path}: not found`);
    if (route === 'method') return reject(405, 'invalid_request_error', `Method ${req.method} not allowed`);
    const key = apiKeyOf(req);
    if (!key) return reject(401, 'authentication_error', 'x-api-key header is required');
    if (this.config.apiKeys && !this.config.apiKeys.includes(key)) return reject(401, 'authentication_error');
    if (!req.headers['anthropic-version']) {
      return reject(400, 'invalid_request_error', 'anthropic-version: header is required');
    }
    if (route.name === 'messages' || route.name === 'count_tokens') {
      const isCount = route.name === 'count_tokens';
      const parsed = parseMessagesRequest(body.toString('utf8'), !isCount);
      if (parsed instanceof InvalidRequest) return reject(parsed.status, parsed.type, parsed.message);
      record.model = parsed.model;
      record.stream = parsed.stream && !isCount;
      if (!this.knowsModel(parsed.model)) return reject(404, 'not_found_error', `model: ${parsed.model}`);
      const limited = this.limitedRequest(parsed, key, now);
      if (isCount) {
        record.status = 200;
        this.recorder.attempt(record);
        return sendJson(res, 200, { input_tokens: parsed.inputTokens }, this.headers(record, key, limited));
      }
      return this.serveMessages(res, record, parsed, key, limited);
    }
    const fault = this.routeScripts.get(route.key)?.shift();
    const decision = fault && rejectionOf(fault);
    if (decision?.kind === 'connection-reset') {
      this.recorder.attempt(record);
      res.socket?.destroy();
      return;
    }
    if (decision?.kind === 'reject') return this.sendError(res, record, decision, undefined, key);
    const answer = this.serveOther(route, req, body, now);
    if (answer instanceof InvalidRequest) return reject(answer.status, answer.type, answer.message);
    record.status = 200;
    this.recorder.attempt(record);
    const headers = this.headers(record, key);
    if (typeof answer === 'string') {
      res.writeHead(200, {
        ...headers,
        'content-type': 'application/binary',
        'content-length': String(Buffer.byteLength(answer)),
      });
      res.end(answer);
      return;
    }
    sendJson(res, 200, answer, headers);
  }

  /**
   * A Messages request as Bedrock or Vertex AI receive it: the model in the path, the version in
   * the body, a quota per account (or project), region and model.
   */
  private answerPlatform(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    route: PlatformRoute,
    body: Buffer,
    record: AttemptRecord,
    now: number,
  ): Promise<void> | void {
    record.route = route.key;
    const unit = quotaUnitOf(route, req, path);
    const reject = (type: string, message?: string) =>
      this.sendError(
        res,
        record,
        { kind: 'reject', status: 0, type },
        message,
        unit,
        undefined,
        route.platform,
      );
    if (!unit) return reject('authentication_error');
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(body.toString('utf8'));
    } catch {
      return reject('invalid_request_error', 'Malformed input request: the body is not valid JSON.');
    }
    if (!fields || typeof fields !== 'object' || Array.isArray(fields))
      return reject('invalid_request_error', 'Malformed input request: the body must be a JSON object.');
    // The platforms take the API version in the body (the clients copy the `anthropic-version` header).
    if (typeof fields.anthropic_version !== 'string' || fields.anthropic_version === '')
      return reject(
        'invalid_request_error',
        `anthropic_version: Field required (e.g. "${PLATFORM_VERSIONS[route.platform]}")`,
      );
    if (!route.countTokens) {
      if ('model' in fields) return reject('invalid_request_error', 'model: the model is named in the path');
      fields.model = route.model;
    }
    delete fields.anthropic_version;
    const parsed = readMessagesRequest(fields, !route.countTokens);
    if (parsed instanceof InvalidRequest) return reject(parsed.type, parsed.message);
    // The path decides: invoke or invoke-with-response-stream (rawPredict or streamRawPredict).
    parsed.stream = route.stream;
    record.model = parsed.model;
    record.stream = parsed.stream;
    if (!(this.config.models ? this.config.models.includes(parsed.model) : parsed.model.includes('claude-')))
      return reject('not_found_error');
    const limited: LimitedRequest = {
      organization: unit,
      group: parsed.model,
      lane: parsed.fast ? 'fast' : 'standard',
      priority: false,
      inputTokens: Math.max(0, parsed.inputTokens - this.promptCache.peek(parsed.cache, now).read),
      maxTokens: parsed.maxTokens,
    };
    if (route.countTokens) {
      record.status = 200;
      this.recorder.attempt(record);
      return sendJson(
        res,
        200,
        { input_tokens: parsed.inputTokens },
        platformHeaders(route.platform, record.requestId),
      );
    }
    return this.serveMessages(res, record, parsed, unit, limited, route.platform);
  }

  /** The batches, files and models endpoints: a JSON body, the text of a results file, or an error. */
  private serveOther(route: Route, req: IncomingMessage, body: Buffer, now: number) {
    const query = new URL(req.url ?? '/', 'http://simulator').searchParams;
    const base = `http://${req.headers.host ?? '127.0.0.1'}`;
    const id = route.id ?? '';
    switch (route.name) {
      case 'batches.create':
        return this.batches.create(body.toString('utf8'), now, base);
      case 'batches.list':
        return this.batches.list(query, now, base);
      case 'batches.retrieve':
        return this.batches.retrieve(id, now, base);
      case 'batches.delete':
        return this.batches.delete(id, now);
      case 'batches.cancel':
        return this.batches.cancel(id, now, base);
      case 'batches.results':
        return this.batches.results(id, now);
      case 'files.upload':
        return this.files.upload(body, req.headers['content-type'] ?? '');
      case 'files.list':
        return this.files.list(query);
      case 'files.retrieve':
        return this.files.retrieve(id);
      case 'files.delete':
        return this.files.delete(id);
      case 'files.download':
        return this.files.download(id);
      case 'models.list':
        return this.models.list(query);
      default:
        return this.models.retrieve(id, (model) => this.knowsModel(model));
    }
  }

  private knowsModel(model: string): boolean {
    return this.config.models ? this.config.models.includes(model) : model.startsWith('claude-');
  }

  private organizationOf(key: string | null): string {
    return (key && this.config.organizations?.[key]) || this.config.organizationId;
  }

  /** Which limits a Messages request counts against, and what it takes of them when it starts. */
  private limitedRequest(request: MessagesRequest, key: string, now: number): LimitedRequest {
    // Cache reads do not count against the input limit (cache-aware, as on current models).
    const cached = this.promptCache.peek(request.cache, now).read;
    return {
      organization: this.organizationOf(key),
      group: modelGroupOf(request.model, this.config.modelGroups ?? undefined),
      lane: request.fast ? 'fast' : request.inputTokens > 200_000 ? 'long-context' : 'standard',
      priority: this.config.limitShape.priority !== undefined && !request.standardOnly,
      inputTokens: Math.max(0, request.inputTokens - cached),
      maxTokens: request.maxTokens,
    };
  }

  /** Headers of every response: request id, organization, and (Messages) its limits' buckets as they are now. */
  private headers(
    record: AttemptRecord,
    key: string | null,
    limited?: LimitedRequest,
    platform?: PlatformName,
  ): Record<string, string> {
    if (platform) return platformHeaders(platform, record.requestId);
    const headers: Record<string, string> = {
      'request-id': record.requestId,
      'anthropic-organization-id': this.organizationOf(key),
    };
    return limited
      ? Object.assign(headers, this.traffic.rateLimitHeaders(limited, performance.now()))
      : headers;
  }

  private async serveMessages(
    res: ServerResponse,
    record: AttemptRecord,
    request: MessagesRequest,
    key: string,
    limited: LimitedRequest,
    platform?: PlatformName,
  ): Promise<void> {
    const reply = generateReply(request);
    const now = performance.now();
    record.phase = this.traffic.phaseName(now);
    const decision = this.traffic.decide({ model: request.model, stream: request.stream, limited }, now);
    if (decision.kind === 'connection-reset') {
      this.recorder.attempt(record);
      res.socket?.destroy();
      return;
    }
    if (decision.kind === 'reject')
      return this.sendError(res, record, decision, undefined, key, limited, platform);

    record.status = 200;
    this.recorder.attempt(record);
    this.recorder.served(request.inputTokens, reply.words.length);
    // Only a reply that is sent reads or writes the cache.
    const counts = tokenCounts(request, this.promptCache.use(request.cache, now), reply.words.length);
    counts.priority = decision.reservation.priority !== undefined;
    counts.fast = request.fast;
    const messageId = this.nextId('msg_');
    // The headers are those of the response's start: its own reservation (max_tokens) still held.
    const headers = this.headers(record, key, limited, platform);
    const settle = () => this.traffic.settle(decision.reservation, counts.output, performance.now());
    if (decision.malformed) {
      const type = request.stream ? 'text/event-stream' : 'application/json';
      res.writeHead(200, { ...headers, 'content-type': type });
      res.end(
        request.stream ? 'event: message_start\ndata: {"type":"message_st\n\n' : '{"id":"msg_x","type":"mess',
      );
      settle();
      return;
    }
    if (!request.stream) {
      if (this.config.latency.responseMs > 0) await delay(this.config.latency.responseMs);
      if (decision.bodyCut) {
        // The whole body announced, half of it sent, then the connection dropped.
        const text = JSON.stringify(messageBody(messageId, request.model, counts, reply));
        res.writeHead(200, {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(text)),
        });
        res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
        settle();
        return;
      }
      sendJson(res, 200, messageBody(messageId, request.model, counts, reply), headers);
      settle();
      return;
    }
    // Bedrock frames each event in AWS's binary event stream; Vertex AI sends the API's SSE.
    const bedrock = platform === 'bedrock';
    res.writeHead(200, {
      ...headers,
      'content-type': bedrock ? 'application/vnd.amazon.eventstream' : 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    const ended = await writeStream(res, {
      frame: bedrock ? (_name, data) => eventStreamChunk(data) : undefined,
      messageId,
      requestId: record.requestId,
      model: request.model,
      counts,
      reply,
      latency: this.config.latency,
      faults: decision.streamFaults,
      closing: this.closing.signal,
    });
    settle();
    this.recorder.streamEnded(record, ended.end, ended.end === 'mid-stream-error' ? ended.type : undefined);
  }

  private sendError(
    res: ServerResponse,
    record: AttemptRecord,
    decision: Extract<Decision, { kind: 'reject' }>,
    message?: string,
    key: string | null = null,
    limited?: LimitedRequest,
    platform?: PlatformName,
  ): void {
    if (platform) {
      this.sendPlatformError(res, record, decision, message, platform);
      return;
    }
    const headers = this.headers(record, key, limited);
    if (decision.garbageHeaders) garble(headers);
    const html = isHtmlStatus(decision.status);
    record.status = decision.status;
    // An HTML page (CDN or proxy) carries no error type: only its status tells what happened.
    record.errorType = html ? null : decision.type;
    record.errorCode = decision.errorCode ?? null;
    if (decision.retryAfterMs !== undefined && !decision.garbageHeaders) {
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      record.retryAfterSeconds = seconds;
      headers['retry-after'] = String(seconds);
      if (this.config.retryAfterMs)
        headers['retry-after-ms'] = String(Math.max(1, Math.ceil(decision.retryAfterMs)));
    }
    this.recorder.attempt(record);
    if (html) {
      res.writeHead(decision.status, { ...headers, 'content-type': 'text/html' });
      res.end(htmlPage(decision.status));
      return;
    }
    sendJson(
      res,
      decision.status,
      errorBody(decision.type, record.requestId, message ?? decision.message, decision.errorCode),
      headers,
    );
  }

  /** An error in the platform's shape: no rate-limit headers, no `retry-after`. */
  private sendPlatformError(
    res: ServerResponse,
    record: AttemptRecord,
    decision: Extract<Decision, { kind: 'reject' }>,
    message: string | undefined,
    platform: PlatformName,
  ): void {
    const answer = platformError(platform, decision.type, record.requestId, message ?? decision.message);
    record.status = answer.status;
    record.errorType = decision.type;
    record.errorCode = null;
    this.recorder.attempt(record);
    const headers = { ...platformHeaders(platform, record.requestId), ...answer.headers };
    if (decision.garbageHeaders) headers['x-amzn-requestid'] = `not an id <${'x'.repeat(200)}>`;
    sendJson(res, answer.status, answer.body, headers);
  }
}

/** Headers no parser should trust: what a broken proxy might send. */
function garble(headers: Record<string, string>): void {
  headers['retry-after'] = 'soon';
  headers['retry-after-ms'] = '-5';
  headers['request-id'] = `not an id <${'x'.repeat(200)}>`;
  for (const name of Object.keys(headers)) {
    if (name.startsWith('anthropic-ratelimit-'))
      headers[name] = name.endsWith('-reset') ? 'yesterday' : 'lots';
  }
}

function apiKeyOf(req: IncomingMessage): string | null {
  const key = req.headers['x-api-key'];
  if (typeof key === 'string' && key.length > 0) return key;
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ') && auth.length > 7) return auth.slice(7);
  return null;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Starts the simulated Claude API on loopback. */
export async function startSimulator(options: StartOptions = {}): Promise<Simulator> {
  const { scenario: name, port = 0, host = '127.0.0.1', ...overrides } = options;
  const base = name ? scenario(name) : {};
  const config = resolveConfig({
    ...base,
    ...overrides,
    limits: { ...base.limits, ...overrides.limits },
    latency: { ...base.latency, ...overrides.latency },
  });
  const api = new SimulatedApi(config);
  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => api.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    config,
    stats: () => api.stats(),
    attempts: () => api.recorder.attempts(),
    script: (...faults) => api.traffic.script(faults),
    scriptRoute: (route, ...faults) => api.scriptRoute(route, faults),
    reset: () => api.reset(),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        api.closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
