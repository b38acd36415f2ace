/** One HTTP attempt as the simulator answered it. */
export interface AttemptRecord {
  requestId: string;
  method: string;
  path: string;
  /** `METHOD /path` with its id as `{id}` (`GET /v1/messages/batches/{id}`); null off the API's routes. */
  route: string | null;
  model: string | null;
  stream: boolean;
  /** The SDK's `x-stainless-retry-count` header (0 on first attempts), or null when absent. */
  retryCount: number | null;
  /** HTTP status sent, or null when the connection was reset before any header. */
  status: number | null;
  /** `error.type` of an error response or of a mid-stream `event: error`. */
  errorType: string | null;
  errorCode: string | null;
  /** `retry-after` sent, in seconds. */
  retryAfterSeconds: number | null;
  /** How a 200 stream ended, for streams. */
  streamEnd: 'completed' | 'mid-stream-error' | 'truncated' | 'client-aborted' | null;
  phase: string;
  /** Milliseconds since the simulator started (or was reset). */
  at: number;
}

export interface SimulatorStats {
  scenario: string;
  /** The phase active now. */
  phase: string;
  elapsedMs: number;
  /** Every HTTP request received on an API path, connection resets included. */
  attempts: number;
  /** By path, ids as `{id}` (`/v1/messages/batches/{id}`). */
  byPath: Record<string, number>;
  /** By route (`GET /v1/messages/batches/{id}`), for requests to a route the simulator serves. */
  byRoute: Record<string, number>;
  /** HTTP status sent, as a string key; resets are not here (see `connectionResets`). */
  byStatus: Record<string, number>;
  /** `error.type` of error responses and of mid-stream errors. */
  byErrorType: Record<string, number>;
  /** `error.details.error_code` sent. */
  byErrorCode: Record<string, number>;
  byModel: Record<string, number>;
  connectionResets: number;
  streams: {
    started: number;
    completed: number;
    midStreamErrors: number;
    truncated: number;
    clientAborted: number;
  };
  /** Tokens of the replies served (every 200). */
  tokens: { input: number; output: number };
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** The simulator's ground truth: what it answered, counted once per attempt. */
export class StatsRecorder {
  private stats!: SimulatorStats;
  private log: AttemptRecord[] = [];
  private logNext = 0;

  constructor(
    private readonly scenario: string,
    private readonly logSize: number,
  ) {
    this.reset();
  }

  reset(): void {
    this.stats = {
      scenario: this.scenario,
      phase: '',
      elapsedMs: 0,
      attempts: 0,
      byPath: {},
      byRoute: {},
      byStatus: {},
      byErrorType: {},
      byErrorCode: {},
      byModel: {},
      connectionResets: 0,
      streams: { started: 0, completed: 0, midStreamErrors: 0, truncated: 0, clientAborted: 0 },
      tokens: { input: 0, output: 0 },
    };
    this.log = [];
    this.logNext = 0;
  }

  /** Counts an attempt when its outcome is sent (headers, or a reset). */
  attempt(record: AttemptRecord): void {
    const s = this.stats;
    s.attempts++;
    bump(s.byPath, record.route ? record.route.slice(record.route.indexOf(' ') + 1) : record.path);
    if (record.route) bump(s.byRoute, record.route);
    if (record.model) bump(s.byModel, record.model);
    if (record.status === null) s.connectionResets++;
    else bump(s.byStatus, String(record.status));
    if (record.errorType) bump(s.byErrorType, record.errorType);
    if (record.errorCode) bump(s.byErrorCode, record.errorCode);
    if (record.stream && record.status === 200) s.streams.started++;
    if (this.logSize > 0) {
      if (this.log.length < this.logSize) this.log.push(record);
      else this.log[this.logNext] = record;
      this.logNext = (this.logNext + 1) % this.logSize;
    }
  }

  served(inputTokens: number, outputTokens: number): void {
    this.stats.tokens.input += inputTokens;
    this.stats.tokens.output += outputTokens;
  }

  /** Records how a started stream ended. */
  streamEnded(record: AttemptRecord, end: NonNullable<AttemptRecord['streamEnd']>, errorType?: string): void {
    record.streamEnd = end;
    const streams = this.stats.streams;
    if (end === 'completed') streams.completed++;
    else if (end === 'truncated') streams.truncated++;
    else if (end === 'client-aborted') streams.clientAborted++;
    else {
      streams.midStreamErrors++;
      record.errorType = errorType ?? null;
      if (errorType) bump(this.stats.byErrorType, errorType);
    }
  }

  snapshot(phase: string, elapsedMs: number): SimulatorStats {
    return structuredClone({ ...this.stats, phase, elapsedMs });
  }

  /** The most recent attempts, oldest first. */
  attempts(): AttemptRecord[] {
    if (this.log.length < this.logSize) return this.log.map((r) => ({ ...r }));
    return [...this.log.slice(this.logNext), ...this.log.slice(0, this.logNext)].map((r) => ({ ...r }));
  }
}
