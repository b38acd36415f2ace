import { join } from 'node:path';
import { requireBuild, run } from '../support/processes';

const root = join(__dirname, '..', '..');

beforeAll(requireBuild);

// The benchmark's short mode: every scenario and strategy runs end to end (figures from so short
// a run are not the committed ones; `npm run bench:governor` makes those).
describe('npm run bench:governor, short mode', () => {
  it('runs every strategy on every scenario and reports each figure', async () => {
    const done = await run('node', [join(root, 'bench', 'governor.mjs'), '--short', '--no-write'], {
      cwd: root,
    });
    expect(done.code).toBe(0);
    for (const scenario of [
      '2x overload',
      '529 episode',
      'acceleration cold start',
      'capacity drop',
      'spend limit',
      '529 sweep 40%',
      'load-independent errors',
      'load-driven overload',
      'shared overload, free rejections',
      'mixed models',
      'OTPM-bound',
      'ITPM-bound',
      'one group, two models',
      'fast and standard',
    ]) {
      expect(done.stdout).toContain(`## ${scenario} (`);
    }
    // One row per scenario, and for the limits kept per group one per traffic class (8) and one
    // summary per scenario (5).
    const ours = done.stdout.split('\n').filter((line) => line.startsWith('| **claude-otel**'));
    expect(ours).toHaveLength(9 + 8 + 5);
  }, 300_000);

  it('10,000 queued calls: heap and per-call cost are measured', async () => {
    const done = await run('node', ['--expose-gc', join(root, 'bench', 'governor-scale.mjs'), '--no-write'], {
      cwd: root,
    });
    expect(done.code).toBe(0);
    const heap = Number(/waiting calls: \*\*([\d.]+) MB/.exec(done.stdout)?.[1]);
    expect(heap).toBeLessThan(50);
  }, 120_000);
});
