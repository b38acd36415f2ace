import {
  generateReply,
  InvalidRequest,
  invalid,
  messageBody,
  readMessagesRequest,
  tokenCounts,
} from './messages';
import { type ListPage, pageOf } from './pages';

/** How the Message Batches endpoints behave. */
export interface BatchOptions {
  /** From creation until a batch has ended (its results ready). Default 1000 ms. */
  processingMs: number;
}

interface Batch {
  id: string;
  createdAt: Date;
  /** `performance.now()` when it ends (earlier once canceled). */
  endsAt: number;
  requests: { custom_id: string; params: unknown }[];
  cancelInitiatedAt?: Date;
  /** Settled once it has ended: each request's result line. */
  results?: Result[];
}

type Result =
  | { type: 'succeeded'; message: unknown }
  | { type: 'errored'; error: { type: 'error'; error: { type: string; message: string } } }
  | { type: 'canceled' };

const MAX_REQUESTS = 100_000;
const DAY_MS = 24 * 3600 * 1000;

const errored = ({ type, message }: InvalidRequest): Result => ({
  type: 'errored',
  error: { type: 'error', error: { type, message } },
});

const notFound = (id: string) => new InvalidRequest(404, 'not_found_error', `message_batch ${id} not found`);

/** The Message Batches API: create, retrieve, list, cancel, delete, and the results as JSON Lines. */
export class BatchStore {
  private readonly batches = new Map<string, Batch>();

  constructor(
    private readonly options: BatchOptions,
    private readonly nextId: (prefix: string) => string,
    private readonly knowsModel: (model: string) => boolean,
  ) {}

  clear(): void {
    this.batches.clear();
  }

  create(raw: string, now: number, baseUrl: string): object | InvalidRequest {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return invalid('The request body is not valid JSON.');
    }
    const requests = (body as { requests?: unknown } | null)?.requests;
    if (!Array.isArray(requests)) return invalid('requests: Field required');
    if (requests.length === 0 || requests.length > MAX_REQUESTS)
      return invalid(`requests: a batch holds 1 to ${MAX_REQUESTS} requests`);
    const ids = new Set<string>();
    for (const [index, request] of requests.entries()) {
      const { custom_id, params } = (request ?? {}) as { custom_id?: unknown; params?: unknown };
      if (typeof custom_id !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(custom_id))
        return invalid(`requests.${index}.custom_id: 1 to 64 letters, digits, _ or -`);
      if (ids.has(custom_id)) return invalid(`requests.${index}.custom_id: ${custom_id} is not unique`);
      ids.add(custom_id);
      if (!params || typeof params !== 'object') return invalid(`requests.${index}.params: Field required`);
    }
    const batch: Batch = {
      id: this.nextId('msgbatch_'),
      createdAt: new Date(),
      endsAt: now + this.options.processingMs,
      requests: requests as Batch['requests'],
    };
    this.batches.set(batch.id, batch);
    return this.view(batch, now, baseUrl);
  }

  retrieve(id: string, now: number, baseUrl: string): object | InvalidRequest {
    const batch = this.batches.get(id);
    return batch ? this.view(batch, now, baseUrl) : notFound(id);
  }

  list(query: URLSearchParams, now: number, baseUrl: string): ListPage<object> | InvalidRequest {
    const newestFirst = [...this.batches.values()].reverse();
    const page = pageOf(newestFirst, query);
    if (page instanceof InvalidRequest) return page;
    return { ...page, data: page.data.map((batch) => this.view(batch, now, baseUrl)) };
  }

  cancel(id: string, now: number, baseUrl: string): object | InvalidRequest {
    const batch = this.batches.get(id);
    if (!batch) return notFound(id);
    if (now < batch.endsAt && !batch.cancelInitiatedAt) {
      batch.cancelInitiatedAt = new Date();
      // What is left is canceled at once: the next read finds the batch ended.
      const view = this.view(batch, now, baseUrl);
      batch.endsAt = now;
      return view;
    }
    return this.view(batch, now, baseUrl);
  }

  delete(id: string, now: number): object | InvalidRequest {
    const batch = this.batches.get(id);
    if (!batch) return notFound(id);
    if (now < batch.endsAt)
      return invalid(`message_batch ${id} is still processing: cancel it and wait until it has ended`);
    this.batches.delete(id);
    return { id, type: 'message_batch_deleted' };
  }

  /** The results file: one JSON line per request, in the order they were sent. */
  results(id: string, now: number): string | InvalidRequest {
    const batch = this.batches.get(id);
    if (!batch) return notFound(id);
    if (now < batch.endsAt) return notFound(`${id} results (the batch has not ended)`);
    const results = this.settle(batch);
    return results
      .map((result, i) => `${JSON.stringify({ custom_id: batch.requests[i].custom_id, result })}\n`)
      .join('');
  }

  private settle(batch: Batch): Result[] {
    batch.results ??= batch.requests.map((request): Result => {
      if (batch.cancelInitiatedAt) return { type: 'canceled' };
      const parsed = readMessagesRequest(request.params, true);
      if (parsed instanceof InvalidRequest) return errored(parsed);
      if (!this.knowsModel(parsed.model))
        return errored(new InvalidRequest(404, 'not_found_error', `model: ${parsed.model}`));
      const reply = generateReply(parsed);
      const counts = tokenCounts(parsed, { read: 0, write5m: 0, write1h: 0 }, reply.words.length);
      return { type: 'succeeded', message: messageBody(this.nextId('msg_'), parsed.model, counts, reply) };
    });
    return batch.results;
  }

  private view(batch: Batch, now: number, baseUrl: string): object {
    const ended = now >= batch.endsAt;
    const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    if (ended) for (const result of this.settle(batch)) counts[result.type]++;
    else counts.processing = batch.requests.length;
    const endedAt = ended ? new Date(Date.now() - (now - batch.endsAt)) : null;
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: ended ? 'ended' : batch.cancelInitiatedAt ? 'canceling' : 'in_progress',
      request_counts: counts,
      created_at: batch.createdAt.toISOString(),
      expires_at: new Date(batch.createdAt.getTime() + DAY_MS).toISOString(),
      ended_at: endedAt?.toISOString() ?? null,
      archived_at: null,
      cancel_initiated_at: batch.cancelInitiatedAt?.toISOString() ?? null,
      results_url: ended ? `${baseUrl}/v1/messages/batches/${batch.id}/results` : null,
    };
  }
}
