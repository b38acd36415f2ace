import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as an OTLP/HTTP JSON export carried it, flattened for assertions. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  statusCode: number;
  scope: string;
  attributes: Record<string, unknown>;
  startNs: bigint;
  endNs: bigint;
}

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};

function plainValue(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(plainValue);
  return undefined;
}

interface ExportRequest {
  resourceSpans?: {
    scopeSpans?: {
      scope?: { name?: string };
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        status?: { code?: number };
        attributes?: { key: string; value: AnyValue }[];
        startTimeUnixNano: string | number;
        endTimeUnixNano: string | number;
      }[];
    }[];
  }[];
}

/** One data point of an exported metric, flattened: a sum's value, or a histogram's count and sum. */
export interface ReceivedPoint {
  metric: string;
  unit: string;
  scope: string;
  attributes: Record<string, unknown>;
  value?: number;
  count?: number;
  sum?: number;
}

interface MetricsExportRequest {
  resourceMetrics?: {
    scopeMetrics?: {
      scope?: { name?: string };
      metrics?: {
        name: string;
        unit?: string;
        sum?: { dataPoints?: DataPoint[] };
        gauge?: { dataPoints?: DataPoint[] };
        histogram?: { dataPoints?: DataPoint[] };
      }[];
    }[];
  }[];
}

interface DataPoint {
  attributes?: { key: string; value: AnyValue }[];
  asInt?: string | number;
  asDouble?: number;
  count?: string | number;
  sum?: number;
}

function metricPoints(body: MetricsExportRequest): ReceivedPoint[] {
  const points: ReceivedPoint[] = [];
  for (const resource of body.resourceMetrics ?? []) {
    for (const scoped of resource.scopeMetrics ?? []) {
      for (const metric of scoped.metrics ?? []) {
        const data = metric.sum ?? metric.gauge ?? metric.histogram;
        for (const p of data?.dataPoints ?? []) {
          const point: ReceivedPoint = {
            metric: metric.name,
            unit: metric.unit ?? '',
            scope: scoped.scope?.name ?? '',
            attributes: Object.fromEntries((p.attributes ?? []).map((a) => [a.key, plainValue(a.value)])),
          };
          if (metric.histogram) {
            point.count = Number(p.count ?? 0);
            point.sum = p.sum ?? 0;
          } else point.value = p.asDouble ?? Number(p.asInt ?? 0);
          points.push(point);
        }
      }
    }
  }
  return points;
}

/**
 * An OTLP/HTTP (JSON) receiver on 127.0.0.1 for traces and metrics: what an app's real exporters
 * send lands here (metrics: each export's points; cumulative, so the last export holds the totals).
 */
export async function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const metricExports: ReceivedPoint[][] = [];
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const json = String(req.headers['content-type']).includes('json');
      if (req.url === '/v1/metrics' && json) {
        metricExports.push(metricPoints(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      if (req.url !== '/v1/traces' || !json) {
        res.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest;
      for (const resource of body.resourceSpans ?? []) {
        for (const scoped of resource.scopeSpans ?? []) {
          for (const s of scoped.spans ?? []) {
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId || undefined,
              name: s.name,
              kind: s.kind,
              statusCode: s.status?.code ?? 0,
              scope: scoped.scope?.name ?? '',
              attributes: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, plainValue(a.value)])),
              startNs: BigInt(s.startTimeUnixNano),
              endNs: BigInt(s.endTimeUnixNano),
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    /** The points of the latest metrics export (cumulative temporality: the totals so far). */
    latestMetrics: () => metricExports.at(-1) ?? [],
    requests: () => requests,
    clear: () => {
      spans.splice(0);
      metricExports.splice(0);
      requests = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
