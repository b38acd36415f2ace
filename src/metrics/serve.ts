import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register as defaultRegistry } from 'prom-client';
import type { AnyRegistry } from './attempt-metrics';

/**
 * A request handler that serves a registry in its own format (OpenMetrics registries carry
 * exemplars), for an existing server: `app.get('/metrics', metricsHandler())` in Express, or
 * inside any `http.createServer` callback.
 */
export function metricsHandler(registry: AnyRegistry = defaultRegistry) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      },
      (error: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`metrics failed: ${error.message}\n`);
      },
    );
  };
}

export interface MetricsServerOptions {
  /** Default 9464 (the OpenTelemetry Prometheus exporter's port); 0 picks a free one. */
  port?: number;
  /** Default 127.0.0.1. Use 0.0.0.0 to be scraped from other hosts. */
  host?: string;
  /** Default: prom-client's default registry. */
  registry?: AnyRegistry;
  /** Default /metrics. */
  path?: string;
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the registry at `path` on its own HTTP server. */
export async function startMetricsServer(options: MetricsServerOptions = {}): Promise<MetricsServer> {
  const { port = 9464, host = '127.0.0.1', registry = defaultRegistry, path = '/metrics' } = options;
  const handler = metricsHandler(registry);
  const server: Server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] === path) handler(req, res);
    else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`metrics are at ${path}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${bound}${path}`,
    port: bound,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
