import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
} from '../../src/semconv';
import { ROOT, run } from '../support/processes';
import { requirePrometheus } from '../support/prometheus';

type Section = Record<string, Record<string, unknown> | null>;
interface Pipeline {
  receivers: string[];
  processors: string[];
  exporters: string[];
}
interface CollectorConfig {
  extensions: Section;
  receivers: Section;
  processors: Section;
  exporters: Section;
  service: { extensions: string[]; pipelines: Record<string, Pipeline> };
}

const text = readFileSync(join(ROOT, 'otel-collector.yaml'), 'utf8');
const config = parseYaml(text) as CollectorConfig;
// biome-ignore lint/suspicious/noExplicitAny: walking free-form collector YAML
const at = (path: string): any => path.split('.').reduce((node: any, key) => node?.[key], config);

/** What the collector's env provider makes of `${env:NAME:-default}` with NAME unset. */
const expandUnset = (s: string) =>
  s.replace(/\$\{env:[A-Za-z_][A-Za-z0-9_]*(?::-([^}]*))?\}/g, (_, d) => d ?? '');

describe('otel-collector.yaml', () => {
  it('defines every component its pipelines and service use, and uses every one it defines', () => {
    const used = {
      receivers: new Set<string>(),
      processors: new Set<string>(),
      exporters: new Set<string>(),
    };
    for (const pipeline of Object.values(config.service.pipelines))
      for (const kind of ['receivers', 'processors', 'exporters'] as const)
        for (const name of pipeline[kind]) used[kind].add(name);
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      expect({ kind, names: [...used[kind]].sort() }).toEqual({
        kind,
        names: Object.keys(config[kind]).sort(),
      });
    }
    expect(config.service.extensions.sort()).toEqual(Object.keys(config.extensions).sort());
    expect(Object.keys(config.service.pipelines).sort()).toEqual(['metrics', 'traces']);
  });

  it('orders processors: memory_limiter first, tail_sampling before batch, batch last', () => {
    expect(config.service.pipelines.traces.processors).toEqual(['memory_limiter', 'tail_sampling', 'batch']);
    expect(config.service.pipelines.metrics.processors).toEqual(['memory_limiter', 'batch']);
  });

  it('binds receivers and health_check to explicit 0.0.0.0 endpoints (OTLP on 4317 gRPC and 4318 HTTP)', () => {
    expect(at('receivers.otlp.protocols.grpc.endpoint')).toBe('0.0.0.0:4317');
    expect(at('receivers.otlp.protocols.http.endpoint')).toBe('0.0.0.0:4318');
    expect(at('extensions.health_check.endpoint')).toBe('0.0.0.0:13133');
  });

  it('takes the trace and metric destinations from the environment', () => {
    expect(at('exporters.otlphttp.endpoint')).toBe('${env:TRACES_OTLP_ENDPOINT}');
    expect(at('exporters.prometheusremotewrite.endpoint')).toBe('${env:PROMETHEUS_REMOTE_WRITE_URL}');
    expect(config.service.pipelines.traces.exporters).toEqual(['otlphttp']);
    expect(config.service.pipelines.metrics.exporters).toEqual(['prometheusremotewrite']);
    expect(config.service.pipelines.traces.receivers).toEqual(['otlp']);
    expect(config.service.pipelines.metrics.receivers).toContain('prometheus');
  });

  it('tail-samples every trace with an error, a retry, a 429 or a 529, plus a share of the rest, on attributes our spans carry', () => {
    type Policy = {
      type: string;
      status_code?: { status_codes: string[] };
      numeric_attribute?: { key: string; min_value: number; max_value: number };
      string_attribute?: { key: string; values: string[] };
      probabilistic?: { sampling_percentage: number };
    };
    const policies = at('processors.tail_sampling.policies') as Policy[];
    const keeps = (key: string, value: number) =>
      policies.some(
        (p) =>
          p.type === 'numeric_attribute' &&
          p.numeric_attribute?.key === key &&
          p.numeric_attribute.min_value <= value &&
          value <= p.numeric_attribute.max_value,
      );
    expect(
      policies.some((p) => p.type === 'status_code' && p.status_code?.status_codes.includes('ERROR')),
    ).toBe(true);
    expect(keeps(ATTR_HTTP_REQUEST_RESEND_COUNT, 1)).toBe(true);
    expect(keeps(ATTR_HTTP_REQUEST_RESEND_COUNT, 0)).toBe(false);
    expect(keeps(ATTR_HTTP_RESPONSE_STATUS_CODE, 429)).toBe(true);
    expect(keeps(ATTR_HTTP_RESPONSE_STATUS_CODE, 529)).toBe(true);
    expect(keeps(ATTR_HTTP_RESPONSE_STATUS_CODE, 200)).toBe(false);
    const errorTypes = policies.find((p) => p.type === 'string_attribute');
    expect(errorTypes?.string_attribute).toEqual({
      key: ATTR_ERROR_TYPE,
      values: ['rate_limit_error', 'overloaded_error'],
    });
    const rest = policies.filter((p) => p.type === 'probabilistic');
    expect(rest).toHaveLength(1);
    expect(rest[0].probabilistic?.sampling_percentage).toBeGreaterThan(0);
    expect(rest[0].probabilistic?.sampling_percentage).toBeLessThan(100);
  });

  it('its embedded scrape config passes promtool check config', async () => {
    requirePrometheus();
    const scrape = at('receivers.prometheus.config') as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    expect(scrape.scrape_configs[0].static_configs[0].targets).toEqual([
      '${env:CLAUDE_OTEL_METRICS_TARGET:-localhost:9464}',
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'claude-otel-collector-'));
    try {
      const file = join(dir, 'prometheus.yml');
      writeFileSync(file, expandUnset(stringify(scrape)));
      expect(readFileSync(file, 'utf8')).toContain('localhost:9464');
      const done = await run('promtool', ['check', 'config', file]);
      expect({ code: done.code, out: done.stdout + done.stderr }).toEqual({
        code: 0,
        out: expect.stringContaining('SUCCESS'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('promtool check config rejects a broken scrape config (the check can fail)', async () => {
    requirePrometheus();
    const dir = mkdtempSync(join(tmpdir(), 'claude-otel-collector-'));
    try {
      const file = join(dir, 'prometheus.yml');
      writeFileSync(file, stringify({ scrape_configs: [{ job_name: 'x', scrape_interval: 'soon' }] }));
      expect((await run('promtool', ['check', 'config', file])).code).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
