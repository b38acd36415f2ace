// Every dashboard this package ships, by the file it is written to.
import { governorDashboard } from './governor';
import { importable } from './importable';
import { overviewDashboard } from './overview';

export function dashboards(): Record<string, Record<string, unknown>> {
  return {
    'claude-api-overview.json': importable(overviewDashboard().build()),
    'claude-api-governor.json': importable(governorDashboard().build()),
  };
}

/** The JSON text committed for a dashboard. */
export function render(model: Record<string, unknown>): string {
  return `${JSON.stringify(model, null, 2)}\n`;
}
