import type { Classification } from './classify';
import type { RateLimits } from './headers';
import type { Provider } from './platform';
import type { ReplyFacts } from './reply-facts';
import type { RequestFacts } from './request-facts';

/** Why the governor told the SDK not to retry a response. */
export type VetoReason = 'budget' | 'not_retryable' | 'retry_after_too_long';

/** Everything one attempt was: what telemetry (span now, metrics later) is written from. */
export interface AttemptFacts {
  /** The endpoint's name (`chat`, `count_tokens`, `messages.batches.retrieve`, ...; see `endpoint.ts`). */
  operation: string;
  serverAddress: string;
  serverPort: number;
  /** `gen_ai.provider.name`: the Claude API, or the platform (Bedrock, Vertex AI) the request was sent to. */
  provider: Provider;
  model?: string;
  stream: boolean;
  /** What a Messages request asked of its limits (model, `max_tokens`, speed, size); absent elsewhere. */
  request?: RequestFacts;
  /** `anthropic-organization-id`: whose limits the response describes. */
  organizationId?: string;
  /** 0 on the first attempt of a call, n on its n-th retry. */
  retryCount: number;
  /** Measured wait between the end of the previous attempt of the call and this one's start. */
  backoffMs?: number;
  status?: number;
  requestId?: string;
  retryAfterMs?: number;
  rateLimits?: RateLimits;
  outcome: Classification;
  reply?: ReplyFacts;
  /** Seconds from send to the first content delta (streams). */
  timeToFirstChunk?: number;
  durationMs: number;
  /** Why the governor told the SDK not to retry this response. */
  veto?: VetoReason;
}
