// Writes dist/esm/<entry>.mjs (+ .d.mts): ESM faces over the one CommonJS build, so that
// `import` and `require` share module state (one governor per process, not two).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const entries = { index: 'index.js', simulator: 'simulator/index.js' };

mkdirSync(join(root, 'dist/esm'), { recursive: true });
for (const [name, cjsPath] of Object.entries(entries)) {
  const names = Object.keys(require(join(root, 'dist/cjs', cjsPath))).filter((key) => key !== '__esModule');
  const from = `../cjs/${cjsPath}`;
  writeFileSync(
    join(root, 'dist/esm', `${name}.mjs`),
    `import cjs from '${from}';\nexport const { ${names.join(', ')} } = cjs;\n`,
  );
  writeFileSync(join(root, 'dist/esm', `${name}.d.mts`), `export * from '${from.replace(/\.js$/, '')}';\n`);
}
