// metrics.mjs: serve prom-client's default registry, where claude-otel counts, on /metrics, from the
// process that registered it (here: node --import ./instrumentation.mjs metrics.mjs).
import { startMetricsServer } from 'claude-otel';

// Default 127.0.0.1:9464; host: '0.0.0.0' to be scraped from other hosts.
const server = await startMetricsServer({ port: Number(process.env.METRICS_PORT ?? 9464) });
console.log(`Prometheus metrics on ${server.url}`);
