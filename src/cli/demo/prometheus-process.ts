import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../free-port';

export interface PrometheusServer {
  url: string;
  /** GET a Prometheus API path; its `data`, or an error with Prometheus's message. */
  api<T>(path: string): Promise<T>;
  /** Stops it and removes its config and data. */
  stop(): Promise<void>;
}

/**
 * Starts the `prometheus` binary on a free loopback port with `config` (prometheus.yml text),
 * exemplar storage on, its data in a temporary folder; resolves once it is ready.
 */
export async function launchPrometheus(config: string): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'claude-otel-prom-'));
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
      '--log.level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited at start: ${stderr.trim()}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within 30 s: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    api: async <T>(path: string): Promise<T> => {
      const body = (await (await fetch(`${url}${path}`)).json()) as {
        status: string;
        data: T;
        error?: string;
      };
      if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error}`);
      return body.data;
    },
    stop,
  };
}
