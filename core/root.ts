// The project directory, where the data files beside the code live (profiles, migrations, rules,
// the built dashboard). Found from this module whether it runs as TypeScript source (core/) or
// compiled into a bundle (dist/): the nearest folder above that holds package.json.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; ) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`diemcau: no package.json above ${from}; cannot find the data files`);
    dir = up;
  }
}

export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the project directory, e.g. `fromRoot('collector', 'profiles')`. */
export const fromRoot = (...parts: string[]): string => join(ROOT, ...parts);
