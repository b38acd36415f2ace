import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { launchPrometheus } from './prometheus-process';

/** The package's root (where dashboards/ lives), from wherever this file runs (src or dist). */
function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'dashboards', 'alerts.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find dashboards/alerts.yaml next to the claude-otel package');
    dir = up;
  }
  return dir;
}

export function prometheusAvailable(): boolean {
  return spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}

export interface DemoPrometheus {
  url: string;
  alerts(): Promise<Alert[]>;
  /** Resolves once a scrape of every target has happened after `ms` (epoch ms). */
  scrapedAfter(ms: number): Promise<void>;
  /** Resolves once every rule group has been evaluated after `ms` (epoch ms). */
  evaluatedAfter(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** A Prometheus on loopback with the package's alert rules, scraping `targets` (job -> URL) every second. */
export async function startDemoPrometheus(targets: Record<string, string>): Promise<DemoPrometheus> {
  const rules = join(packageRoot(), 'dashboards', 'alerts.yaml');
  const jobs = Object.entries(targets).map(([job, url]) => {
    const u = new URL(url);
    return `  - job_name: ${JSON.stringify(job)}\n    metrics_path: ${JSON.stringify(u.pathname)}\n    static_configs:\n      - targets: [${JSON.stringify(u.host)}]\n`;
  });
  const { url, api, stop } = await launchPrometheus(
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - ${JSON.stringify(rules)}\nscrape_configs:\n${jobs.join('')}`,
  );
  const poll = async (done: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 100; i++) {
      if (await done()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`prometheus did not ${what} within 20 s: see ${url}`);
  };
  return {
    url,
    alerts: async () => (await api<{ alerts: Alert[] }>('/api/v1/alerts')).alerts,
    // Prometheus hands new targets to its scrapers up to 5 s after it starts: no event to wait on, so poll.
    scrapedAfter: (ms) =>
      poll(async () => {
        const { activeTargets } = await api<{ activeTargets: { lastScrape: string; health: string }[] }>(
          '/api/v1/targets',
        );
        const scraped = activeTargets.filter((t) => t.health === 'up' && Date.parse(t.lastScrape) > ms);
        return scraped.length === Object.keys(targets).length;
      }, "scrape the demo's metrics"),
    evaluatedAfter: (ms) =>
      poll(async () => {
        const { groups } = await api<{ groups: { lastEvaluation: string }[] }>('/api/v1/rules');
        return groups.length > 0 && groups.every((g) => Date.parse(g.lastEvaluation) > ms);
      }, 'evaluate its rules'),
    stop,
  };
}
