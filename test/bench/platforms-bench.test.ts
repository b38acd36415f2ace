import { join } from 'node:path';
import { requireBuild, run } from '../support/processes';

const root = join(__dirname, '..', '..');

beforeAll(requireBuild);

// The benchmark's short mode end to end (its figures are not the committed ones: `node
// bench/platforms.mjs` makes those): both arms run, both accounts are reported.
describe('bench/platforms.mjs, short mode', () => {
  it('runs the plain client and claude-otel with two accounts and reports every target', async () => {
    const done = await run('node', [join(root, 'bench', 'platforms.mjs'), '--short', '--no-write'], {
      cwd: root,
    });
    expect(done.stderr).toBe('');
    const rows = done.stdout.split('\n').filter((line) => /^\| (plain|claude-otel) \| [AB] /.test(line));
    expect(rows).toHaveLength(4);
    // Every call of both accounts answered (ok or failed), in both arms.
    for (const row of rows) {
      const [, , , calls, ok, failed] = row.split('|').map((cell) => cell.trim());
      expect(Number(ok) + Number(failed)).toBe(Number(calls));
    }
    expect(done.stdout).toContain("| the other account's (B's) calls: mean time vs the plain client |");
  }, 120_000);
});
