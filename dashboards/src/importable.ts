// Grafana's "Import dashboard" flow needs what the foundation SDK does not emit.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { IMPORT_INPUT } from './kit';

const PANEL_NAMES: Record<string, string> = {
  timeseries: 'Time series',
  heatmap: 'Heatmap',
  row: 'Row',
};

/** Panel ids, `__inputs` (the data source to pick on import) and `__requires`. */
export function importable(built: dashboard.Dashboard): Record<string, unknown> {
  const panels = (built.panels ?? []).map((panel, i) => ({ ...panel, id: i + 1 }));
  const types = [...new Set(panels.map((p) => p.type))].filter((t) => t !== 'row').sort();
  return {
    __inputs: [
      {
        name: IMPORT_INPUT,
        label: 'Prometheus',
        description: 'The Prometheus that scrapes the claude-otel metrics',
        type: 'datasource',
        pluginId: 'prometheus',
        pluginName: 'Prometheus',
      },
    ],
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: '10.0.0' },
      { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
      ...types.map((id) => ({ type: 'panel', id, name: PANEL_NAMES[id] ?? id, version: '' })),
    ],
    id: null,
    ...built,
    panels,
  };
}
