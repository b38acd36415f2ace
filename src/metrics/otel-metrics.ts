import { type Attributes, createNoopMeter, type Meter } from '@opentelemetry/api';
import type { AttemptRecorder } from '../attempt/attempt';
import { isAccelerationLimit } from '../facts/acceleration';
import type { AttemptFacts } from '../facts/attempt-facts';
import { totalInput } from '../facts/reply-facts';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  METRIC_ANTHROPIC_ACCELERATION_SPIKES,
  METRIC_ANTHROPIC_ATTEMPTS,
  METRIC_ANTHROPIC_ATTEMPTS_IN_FLIGHT,
  METRIC_ANTHROPIC_RETRIES,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from '../semconv';

// The bucket boundaries the GenAI conventions advise.
const DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];

function create(meter: Meter) {
  return {
    duration: meter.createHistogram(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, {
      description: 'Duration of each attempt of a GenAI operation (each HTTP attempt, retries included).',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    tokens: meter.createHistogram(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
      description: 'Tokens of each successful reply, input (the cache included) and output.',
      unit: '{token}',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    }),
    firstChunk: meter.createHistogram(METRIC_GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK, {
      description: 'Time from sending a streaming attempt to its first content chunk.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    attempts: meter.createCounter(METRIC_ANTHROPIC_ATTEMPTS, {
      description: 'HTTP attempts to the Claude API, by status and error type (anthropic_attempts_total).',
      unit: '{attempt}',
    }),
    retries: meter.createCounter(METRIC_ANTHROPIC_RETRIES, {
      description: 'Attempts that were SDK retries, by the error type retried (anthropic_retries_total).',
      unit: '{attempt}',
    }),
    spikes: meter.createCounter(METRIC_ANTHROPIC_ACCELERATION_SPIKES, {
      description: '429s from an acceleration (ramp) limit (anthropic_acceleration_limit_spikes_total).',
      unit: '{attempt}',
    }),
    inFlight: meter.createUpDownCounter(METRIC_ANTHROPIC_ATTEMPTS_IN_FLIGHT, {
      description: 'Attempts sent and not yet ended (anthropic_attempts_in_flight).',
      unit: '{attempt}',
    }),
  };
}

/** The class of the API's no-op meter (what the global provider gives until one is registered). */
const NOOP_METER = createNoopMeter().constructor;

type Instruments = ReturnType<typeof create>;

/**
 * The GenAI client metrics of the OpenTelemetry conventions, recorded per attempt, and the
 * attempt counters the conventions have no name for, through OpenTelemetry's metrics API: for
 * apps whose metrics leave over OTLP. Instruments are made again when the meter changes (a
 * MeterProvider registered after the instrumentation was made).
 */
export class OtelAttemptMetrics implements AttemptRecorder {
  private meter: Meter | undefined;
  private m: Instruments | undefined;
  /** Attempts counted in flight and not yet ended (those started before a MeterProvider was not). */
  private inFlight = 0;

  constructor(private readonly meterOf: () => Meter) {}

  /** The instruments, or none while the meter is the API's no-op one (nothing would be kept). */
  private instruments(): Instruments | undefined {
    const meter = this.meterOf();
    if (meter !== this.meter) {
      this.meter = meter;
      this.m = meter.constructor === NOOP_METER ? undefined : create(meter);
    }
    return this.m;
  }

  started(): void {
    const m = this.instruments();
    if (!m) return;
    this.inFlight++;
    m.inFlight.add(1);
  }

  ended(facts: AttemptFacts, _ids: unknown, previousErrorType?: string): void {
    const m = this.instruments();
    if (!m) return;
    // Never below 0: an attempt that started before the MeterProvider was registered was not counted.
    if (this.inFlight > 0) {
      this.inFlight--;
      m.inFlight.add(-1);
    }
    const attributes: Attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: facts.operation,
      [ATTR_GEN_AI_PROVIDER_NAME]: facts.provider,
      [ATTR_SERVER_ADDRESS]: facts.serverAddress,
      [ATTR_SERVER_PORT]: facts.serverPort,
    };
    if (facts.model) attributes[ATTR_GEN_AI_REQUEST_MODEL] = facts.model;
    if (facts.reply?.model) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = facts.reply.model;
    if (facts.outcome.errorType) attributes[ATTR_ERROR_TYPE] = facts.outcome.errorType;
    m.duration.record(facts.durationMs / 1000, attributes);
    m.attempts.add(1, { ...attributes, [ATTR_HTTP_RESPONSE_STATUS_CODE]: facts.status ?? 0 });
    if (facts.retryCount > 0)
      m.retries.add(1, { ...attributes, [ATTR_ERROR_TYPE]: previousErrorType ?? 'unknown' });
    if (isAccelerationLimit(facts)) m.spikes.add(1, attributes);
    if (facts.timeToFirstChunk !== undefined) m.firstChunk.record(facts.timeToFirstChunk, attributes);
    const usage = facts.reply?.usage;
    if (usage && !facts.outcome.failed) {
      const input = totalInput(usage);
      if (input !== undefined) m.tokens.record(input, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: 'input' });
      if (usage.output !== undefined)
        m.tokens.record(usage.output, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: 'output' });
    }
  }
}
