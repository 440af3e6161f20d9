// Vite build of the NOC dashboard: `npm run build` writes dashboard/dist, which the API serves at `/`.
// `npx vite --config dashboard/vite.config.ts` serves it for development, proxying /api to DIEMCAU_API
// (default http://127.0.0.1:8080, where `diemcau demo` listens).
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env['DIEMCAU_API'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  plugins: [svelte()],
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
