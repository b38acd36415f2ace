// Writes the dashboards' JSON next to this source: `npm run dashboards`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboards, render } from './index';

const out = join(__dirname, '..', '..', '..', 'dashboards');
for (const [file, model] of Object.entries(dashboards())) {
  writeFileSync(join(out, file), render(model));
  process.stdout.write(`wrote dashboards/${file}\n`);
}
