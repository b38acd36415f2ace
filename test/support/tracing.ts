import type { Attributes } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** The real OpenTelemetry SDK, registered globally, keeping finished spans in memory. */
export function startTracing() {
  const exporter = new InMemorySpanExporter();
  const waiters: { count: number; resolve: () => void }[] = [];
  // claude-otel's only spans are attempt spans.
  const attempts = () =>
    exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === 'claude-otel');
  // Wakes whoever waits for attempt spans, as each one ends: no polling, no sleeps.
  const notifier: SpanProcessor = {
    onStart: () => undefined,
    onEnd: () => {
      const ended = attempts().length;
      for (const waiter of waiters.filter((w) => ended >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  };
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter), notifier] });
  provider.register();
  const spans = () => exporter.getFinishedSpans();
  return {
    provider,
    spans,
    attempts,
    /** Resolves once `count` attempt spans have ended. */
    waitForAttempts: (count: number) =>
      new Promise<ReadableSpan[]>((resolve) => {
        const done = () => resolve(attempts());
        if (attempts().length >= count) done();
        else waiters.push({ count, resolve: done });
      }),
    calls: () =>
      spans().filter((s) => s.name.startsWith('anthropic.') && s.instrumentationScope.name !== 'claude-otel'),
    reset: () => exporter.reset(),
    shutdown: () => provider.shutdown(),
  };
}

export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

/** Every attribute value of every span, as text: what must never hold a secret or content. */
export function allAttributeText(spans: ReadableSpan[]): string {
  return spans.map((s) => JSON.stringify(s.attributes as Attributes)).join('\n');
}
