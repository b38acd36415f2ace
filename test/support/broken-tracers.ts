import type { Span, Tracer, TracerProvider } from '@opentelemetry/api';

/** A tracer provider whose tracers throw on every call. */
export const throwingProvider: TracerProvider = {
  getTracer: () =>
    ({
      startSpan: () => {
        throw new Error('tracer down');
      },
      startActiveSpan: () => {
        throw new Error('tracer down');
      },
    }) as unknown as Tracer,
};

/** A tracer whose spans throw on every method: the failure comes after the attempt started. */
export const throwingSpans: TracerProvider = {
  getTracer: () =>
    ({
      startSpan: () =>
        new Proxy({} as Span, {
          get: (_target, property) =>
            property === 'spanContext'
              ? () => ({ traceId: '0'.repeat(32), spanId: '1'.repeat(16), traceFlags: 1 })
              : () => {
                  throw new Error(`span.${String(property)} down`);
                },
        }),
    }) as unknown as Tracer,
};

/** Spans that throw from every method, spanContext() included. */
export const spansThatThrowEverywhere: TracerProvider = {
  getTracer: () =>
    ({
      startSpan: () =>
        new Proxy({} as Span, {
          get: (_target, property) => () => {
            throw new Error(`span.${String(property)} down`);
          },
        }),
    }) as unknown as Tracer,
};
