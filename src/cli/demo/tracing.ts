import { createRequire } from 'node:module';
import type { Context, TracerProvider } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { INSTRUMENTATION_NAME } from '../../middleware';

/** Counts the attempt spans (claude-otel's only spans) that end: the demo checks them against the simulator's count. */
export class AttemptSpanCounter implements SpanProcessor {
  count = 0;
  onStart(_span: Span, _context: Context): void {}
  onEnd(span: ReadableSpan): void {
    if (span.instrumentationScope.name === INSTRUMENTATION_NAME) this.count++;
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface DemoTracing {
  /** Counts the governed run's attempt spans (the global provider's). */
  governed: AttemptSpanCounter;
  /** A provider of its own for the run without the governor (counted, never exported). */
  twinProvider: () => { provider: TracerProvider; counter: AttemptSpanCounter };
  /** Where spans go, for the banner: an OTLP endpoint, or "counted, not exported". */
  destination: string;
  shutdown(): Promise<void>;
}

function load<T>(name: string): T {
  try {
    return require(name) as T;
  } catch {
    throw new Error(`the demo needs ${name} for its traces: run "npm install ${name}"`);
  }
}

interface TraceSdk {
  TracerProvider: new (config: {
    spanProcessors: SpanProcessor[];
  }) => TracerProvider & { shutdown(): Promise<void> };
  BatchSpanProcessor: new (exporter: unknown) => SpanProcessor;
}

/**
 * The trace SDK that NodeSDK itself runs on: its `tracing` export on the 0.2xx line, its
 * `@opentelemetry/sdk-trace` dependency on the 0.3xx line (which has no sdk-trace-base).
 */
function traceSdkOf(sdkNode: { tracing?: Record<string, unknown> }): TraceSdk {
  if (sdkNode.tracing) {
    const { BasicTracerProvider, BatchSpanProcessor } = sdkNode.tracing;
    return { TracerProvider: BasicTracerProvider, BatchSpanProcessor } as TraceSdk;
  }
  const fromSdkNode = createRequire(require.resolve('@opentelemetry/sdk-node'));
  const { TracerProvider, BatchSpanProcessor } = fromSdkNode('@opentelemetry/sdk-trace');
  return { TracerProvider, BatchSpanProcessor };
}

/**
 * Starts the OpenTelemetry SDK the way an app would (NodeSDK as the global tracer provider),
 * exporting over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set.
 */
export function startDemoTracing(): DemoTracing {
  const sdkNode = load<typeof import('@opentelemetry/sdk-node')>('@opentelemetry/sdk-node');
  const { NodeSDK } = sdkNode;
  const base = traceSdkOf(sdkNode as { tracing?: Record<string, unknown> });
  const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const governed = new AttemptSpanCounter();
  const processors: SpanProcessor[] = [governed];
  if (endpoint) {
    const { OTLPTraceExporter } = load<typeof import('@opentelemetry/exporter-trace-otlp-http')>(
      '@opentelemetry/exporter-trace-otlp-http',
    );
    processors.push(new base.BatchSpanProcessor(new OTLPTraceExporter()));
  }
  const sdk = new NodeSDK({
    serviceName: 'claude-otel-demo',
    spanProcessors: processors,
    instrumentations: [],
  });
  sdk.start();
  const twins: { provider: { shutdown(): Promise<void> } }[] = [];
  return {
    governed,
    twinProvider: () => {
      const counter = new AttemptSpanCounter();
      const provider = new base.TracerProvider({ spanProcessors: [counter] });
      twins.push({ provider });
      return { provider, counter };
    },
    destination: endpoint
      ? `exported over OTLP to ${endpoint}`
      : 'counted, not exported (set OTEL_EXPORTER_OTLP_ENDPOINT)',
    shutdown: async () => {
      await Promise.all([sdk.shutdown(), ...twins.map((t) => t.provider.shutdown())]).catch(() => undefined);
    },
  };
}
