import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../../src/version';
import { ROOT, requireBuild, run } from '../support/processes';

beforeAll(requireBuild);

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('the package as users load it', () => {
  it('require() works for the root and the simulator subpath', async () => {
    const script = `
      const root = require('claude-otel');
      const { startSimulator, scenarioNames } = require('claude-otel/simulator');
      (async () => {
        const sim = await startSimulator({ scenario: 'healthy' });
        const res = await fetch(sim.url + '/_sim/stats');
        console.log(JSON.stringify({ version: root.VERSION, scenarios: scenarioNames.length, status: res.status }));
        await sim.close();
      })();`;
    const done = await run('node', ['-e', script]);
    expect(done.stderr).toBe('');
    expect(JSON.parse(done.stdout)).toEqual({ version: pkg.version, scenarios: 8, status: 200 });
  });

  it('import works for the root and the simulator subpath, sharing one module instance with require', async () => {
    const script = `
      import { createRequire } from 'node:module';
      import { VERSION } from 'claude-otel';
      import { startSimulator } from 'claude-otel/simulator';
      const require = createRequire(import.meta.url);
      const sim = await startSimulator();
      console.log(JSON.stringify({
        version: VERSION,
        same: startSimulator === require('claude-otel/simulator').startSimulator,
        url: /^http:/.test(sim.url),
      }));
      await sim.close();`;
    const done = await run('node', ['--input-type=module', '-e', script]);
    expect(done.stderr).toBe('');
    expect(JSON.parse(done.stdout)).toEqual({ version: pkg.version, same: true, url: true });
  });

  it('VERSION matches package.json', () => {
    expect(VERSION).toBe(pkg.version);
  });

  it('the published files hold both builds, their types and the bin', async () => {
    const done = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']);
    const files = (JSON.parse(done.stdout)[0].files as { path: string }[]).map((f) => f.path);
    for (const file of [
      'dist/cjs/index.js',
      'dist/cjs/index.d.ts',
      'dist/esm/index.mjs',
      'dist/esm/index.d.mts',
      'dist/cjs/simulator/index.js',
      'dist/esm/simulator.mjs',
      'dist/esm/simulator.d.mts',
      'dist/cjs/cli/bin.js',
      'README.md',
    ]) {
      expect(files).toContain(file);
    }
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
    // What a user needs of the operator kit, not how it is generated.
    expect(files.filter((f) => f.startsWith('dashboards/')).sort()).toEqual([
      'dashboards/alerts.test.yaml',
      'dashboards/alerts.yaml',
      'dashboards/claude-api-governor.json',
      'dashboards/claude-api-overview.json',
      'dashboards/runbook.md',
    ]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.d.mts'))).toEqual(
      [],
    );
  });

  it('every source map carries its sources (src/ is not published)', () => {
    const maps = readdirSync(join(ROOT, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.js.map'),
    );
    expect(maps.length).toBeGreaterThan(50);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(ROOT, 'dist', file), 'utf8'));
      expect({ file, inline: map.sourcesContent?.length }).toEqual({ file, inline: map.sources.length });
    }
  });
});
