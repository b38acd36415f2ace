import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboards, render } from '../../dashboards/src';
import { committedDashboard, DASHBOARD_FILES, DASHBOARDS, type Panel } from '../support/operator-kit';

const dataPanels = (panels: Panel[]) => panels.filter((p) => p.type !== 'row');

describe('the dashboards', () => {
  it('committed JSON is exactly what the TypeScript source generates (run "npm run dashboards")', () => {
    const generated = dashboards();
    expect(Object.keys(generated).sort()).toEqual([...DASHBOARD_FILES].sort());
    for (const [file, model] of Object.entries(generated)) {
      expect({ file, json: readFileSync(join(DASHBOARDS, file), 'utf8') }).toEqual({
        file,
        json: render(model),
      });
    }
  });

  describe.each(DASHBOARD_FILES)('%s', (file) => {
    const dashboard = committedDashboard(file);

    it('imports through "Import dashboard": __inputs names the Prometheus data source, __requires every panel type', () => {
      expect(dashboard.__inputs).toEqual([
        expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
      ]);
      const required = dashboard.__requires.filter((r) => r.type === 'panel').map((r) => r.id);
      const used = [...new Set(dataPanels(dashboard.panels).map((p) => p.type))].sort();
      expect(required).toEqual(used);
      expect(dashboard.__requires).toContainEqual(
        expect.objectContaining({ type: 'datasource', id: 'prometheus' }),
      );
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    });

    it('has a datasource variable named "datasource" (starting at the imported one) and job/instance variables', () => {
      const [first, ...rest] = dashboard.templating.list as unknown as {
        name: string;
        type: string;
        query: string;
        current?: { value: string };
        datasource?: { uid: string };
      }[];
      expect(first).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
      expect(first.current?.value).toBe('${DS_PROMETHEUS}');
      const names = rest.map((v) => v.name);
      expect(names.slice(0, 2)).toEqual(['job', 'instance']);
      for (const variable of rest) expect(variable.datasource?.uid).toBe('${datasource}');
    });

    it('every panel has a title, a description and a unit, and queries the datasource variable', () => {
      const panels = dataPanels(dashboard.panels);
      expect(panels.length).toBeGreaterThanOrEqual(8);
      for (const panel of panels) {
        const where = `${file} panel ${panel.id}`;
        expect({ where, title: Boolean(panel.title?.trim()) }).toEqual({ where, title: true });
        expect({ where, description: (panel.description ?? '').length > 20 }).toEqual({
          where,
          description: true,
        });
        expect({ where, unit: Boolean(panel.fieldConfig?.defaults?.unit) }).toEqual({ where, unit: true });
        expect({ where, uid: panel.datasource?.uid }).toEqual({ where, uid: '${datasource}' });
        expect(panel.targets?.length).toBeGreaterThan(0);
        for (const target of panel.targets ?? [])
          expect({ where, uid: target.datasource?.uid }).toEqual({ where, uid: '${datasource}' });
      }
    });

    it('every rate() and increase() over a counter uses $__rate_interval', () => {
      for (const panel of dataPanels(dashboard.panels))
        for (const { expr } of panel.targets ?? []) {
          const windows = [...expr.matchAll(/\b(?:rate|increase)\([^[]*\[([^\]]+)\]/g)].map((m) => m[1]);
          for (const window of windows)
            expect({ expr, window }).toEqual({ expr, window: '$__rate_interval' });
        }
    });

    it('filters every query by the job variable, and raw metrics by the instance variable too', () => {
      for (const panel of dataPanels(dashboard.panels))
        for (const { expr } of panel.targets ?? []) {
          const selectors = [...expr.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)];
          expect({ expr, selectors: selectors.length > 0 }).toEqual({ expr, selectors: true });
          for (const [, name, matchers] of selectors) {
            // Recording rules aggregate by job: they have no instance label.
            const wanted = name.includes(':') ? ['job=~"$job"'] : ['job=~"$job"', 'instance=~"$instance"'];
            expect({ expr, matchers: wanted.filter((m) => matchers.includes(m)) }).toEqual({
              expr,
              matchers: wanted,
            });
          }
        }
    });
  });

  it('Overview: operation and model variables, and exemplars on the latency and time-to-first-token panels', () => {
    const overview = committedDashboard('claude-api-overview.json');
    expect(overview.templating.list.map((v) => v.name)).toEqual([
      'datasource',
      'job',
      'instance',
      'operation',
      'model',
    ]);
    const exemplarPanels = dataPanels(overview.panels)
      .filter((p) => p.targets?.every((t) => t.exemplar === true))
      .map((p) => p.title);
    expect(exemplarPanels).toEqual(['Attempt latency by operation', 'Time to first token']);
  });

  it('Overview: every query of an attempt metric follows the operation variable; latency is per operation', () => {
    const overview = committedDashboard('claude-api-overview.json');
    const panels = dataPanels(overview.panels);
    for (const panel of panels)
      for (const { expr } of panel.targets ?? [])
        for (const [, matchers] of expr.matchAll(
          /\banthropic_(?:attempt|retries|backoff|time_to|tokens|acceleration)[a-z_]*\{([^}]*)\}/g,
        ))
          expect({ expr, operation: matchers.includes('operation=~"$operation"') }).toEqual({
            expr,
            operation: true,
          });
    const latency = panels.find((p) => p.title === 'Attempt latency by operation');
    expect(latency?.targets?.map((t) => t.expr.includes('sum by (le, operation)'))).toEqual([
      true,
      true,
      true,
    ]);
  });
});
