// npm run grafana: writes grafana/dashboards/*.json from grafana/dashboards.ts.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARDS } from './dashboards.ts';

export const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'dashboards');

export function render(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(DASHBOARDS).map(([name, build]) => [
      `${name}.json`,
      `${JSON.stringify(build(), null, 2)}\n`,
    ]),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, text] of Object.entries(render())) writeFileSync(join(OUT_DIR, file), text);
  console.log(`wrote ${Object.keys(DASHBOARDS).length} dashboards to ${OUT_DIR}`);
}
