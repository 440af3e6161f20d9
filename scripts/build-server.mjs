// Compiles the server (every `diemcau` command) to plain JavaScript in dist/: one ES module per
// lazily loaded part (esbuild code splitting; npm packages stay in node_modules). Production runs
// dist/diemcau.js, without tsx's TypeScript loader thread (~20 MB of memory of its own).
// Data files (profiles, migrations, rules, the dashboard) stay in place: core/root.ts finds them.
//   node scripts/build-server.mjs [OUTDIR]
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The first line of bin/diemcau.js: node with the V8 heap flags every diemcau process runs with. */
export const SHEBANG = readFileSync(join(ROOT, 'bin', 'diemcau.js'), 'utf8').split('\n')[0];
export const NODE_FLAGS = SHEBANG.split(' ').filter((w) => w.startsWith('--'));

/** Builds `entryPoints` (name → source) into `outdir`; the entries get the shebang. */
export async function buildServer({
  outdir = join(ROOT, 'dist'),
  entryPoints = { diemcau: join(ROOT, 'cli', 'main.ts') },
} = {}) {
  rmSync(outdir, { recursive: true, force: true });
  // the RTP probe's thread (collector/rtp-thread.ts looks for it beside the chunks)
  entryPoints = { ...entryPoints, 'rtp-worker': join(ROOT, 'collector', 'rtp-worker.ts') };
  await esbuild.build({
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'error',
  });
  for (const name of Object.keys(entryPoints)) {
    const file = join(outdir, `${name}.js`);
    writeFileSync(file, `${SHEBANG}\n${readFileSync(file, 'utf8')}`);
    chmodSync(file, 0o755);
  }
  return outdir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildServer(process.argv[2] ? { outdir: resolve(process.argv[2]) } : {});
  process.stdout.write(`server built: ${join(out, 'diemcau.js')}\n`);
}
