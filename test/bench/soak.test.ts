import { join } from 'node:path';
import { requireBuild, run } from '../support/processes';

const root = join(__dirname, '..', '..');

beforeAll(requireBuild);

// The soak's short mode (the committed figures come from `node --expose-gc bench/soak.mjs`).
describe('bench/soak.mjs, short mode', () => {
  it('every call settles, and telemetry accounts for every attempt, through the fault mix', async () => {
    const done = await run(
      'node',
      ['--expose-gc', join(root, 'bench', 'soak.mjs'), '--calls', '300', '--concurrency', '20', '--no-write'],
      { cwd: root },
    );
    expect(done.stdout).toContain('Every call settled: **yes** (unsettled: plain 0, claude-otel 0)');
    expect(done.stdout).toMatch(
      /Attempt spans == attempts counted, and each request the server saw among them: \*\*yes\*\*/,
    );
    expect(done.stdout).toMatch(/in flight after: 0\./);
    expect(done.code).toBe(0);
  }, 180_000);
});
