import { launchPrometheus } from '../../src/cli/demo/prometheus-process';
import { requireDebianBinary } from './processes';

/** Fails with what to do when the Prometheus binary is missing. */
export const requirePrometheus = () => requireDebianBinary('prometheus');

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
  const { url, api, stop } = await launchPrometheus(
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n${extraConfig}scrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  const query: PrometheusProcess['query'] = async (expr) =>
    ((await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as { result: [] }).result;
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
    stop,
  };
}
