// Vite build of the NOC dashboard: `npm run build` writes dashboard/dist, which the API serves at `/`.
// `npx vite --config dashboard/vite.config.ts` serves it for development, proxying /api to DIEMCAU_API
// (default http://127.0.0.1:8080, where `diemcau demo` listens).
// The build also writes each text file of 1 kB or more compressed beside it (x.js.br, x.js.gz), which
// api/static.ts sends to a browser that accepts them: brotli at its best level costs the build a second
// once, instead of the server compressing the bundle on every request.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env['DIEMCAU_API'] ?? 'http://127.0.0.1:8080';

const TEXT = /\.(js|mjs|css|html|svg|json|txt|webmanifest|geojson)$/;

function precompress(): Plugin {
  let dir = '';
  return {
    name: 'diemcau-precompress',
    apply: 'build',
    configResolved(config) {
      dir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!e.isFile() || !TEXT.test(e.name)) continue;
        const file = join(e.parentPath, e.name);
        const raw = readFileSync(file);
        if (raw.length < 1024) continue;
        const br = brotliCompressSync(raw, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
          },
        });
        const gz = gzipSync(raw, { level: 9 });
        // only where it pays: a file that barely shrinks is sent as it is
        if (br.length < raw.length * 0.9) writeFileSync(`${file}.br`, br);
        if (gz.length < raw.length * 0.9) writeFileSync(`${file}.gz`, gz);
      }
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [svelte(), precompress()],
  build: {
    sourcemap: process.env['SOURCEMAP'] === '1',
    minify: process.env['SOURCEMAP'] !== '1',
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 300,
  },
  server: {
    proxy: { '/api': { target: api, changeOrigin: false } },
  },
});
