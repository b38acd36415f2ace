import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Fails with what to do when the Prometheus binary is missing (.ci/run installs it). */
export function requirePrometheus(): void {
  try {
    execFileSync('prometheus', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'prometheus is not installed: run "apt-get install -y --no-install-recommends prometheus" (.ci/run does it)',
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface PrometheusProcess {
  url: string;
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  exemplars(expr: string, startSec: number, endSec: number): Promise<{ labels: Record<string, string> }[]>;
  /** Polls an instant query until `accept` holds (no event exists to wait on), or fails at the deadline. */
  until<T>(
    expr: string,
    accept: (result: Awaited<ReturnType<PrometheusProcess['query']>>) => T | undefined,
    ms?: number,
  ): Promise<T>;
  stop(): Promise<void>;
}

/** A real Prometheus on 127.0.0.1 scraping `target` (host:port, path /metrics) every second. */
export async function startPrometheus(target: string, extraConfig = ''): Promise<PrometheusProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'claude-otel-prom-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n${extraConfig}scrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const api = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: unknown; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error}`);
    return body.data;
  };
  const query: PrometheusProcess['query'] = async (expr) =>
    ((await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as { result: [] }).result;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`prometheus not ready in 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    query,
    exemplars: async (expr, start, end) => {
      const data = (await api(
        `/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${start}&end=${end}`,
      )) as { exemplars: { labels: Record<string, string> }[] }[];
      return data.flatMap((series) => series.exemplars);
    },
    until: async (expr, accept, ms = 30_000) => {
      const end = Date.now() + ms;
      let last: unknown;
      for (;;) {
        last = await query(expr);
        const accepted = accept(last as Awaited<ReturnType<typeof query>>);
        if (accepted !== undefined) return accepted;
        if (Date.now() > end)
          throw new Error(`"${expr}" never held in ${ms} ms; last: ${JSON.stringify(last)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
