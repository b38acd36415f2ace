// `npm start` runs the demo from dist/: it builds first only when a source, the TypeScript config
// or package.json changed since the last build (a full build takes ~10 s; `--help` or a mistyped
// flag should answer at once). The stamp is written by `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(ROOT, 'dist', '.built');

/** The newest modification time under `path` (a file or a directory), ms. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

const sources = Math.max(
  ...['src', 'tsconfig.json', 'package.json', 'scripts/esm-wrappers.mjs'].map((p) => newest(join(ROOT, p))),
);
if (!existsSync(STAMP) || statSync(STAMP).mtimeMs < sources) {
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  process.exit(built.status ?? 1);
}
