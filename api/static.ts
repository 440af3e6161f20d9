// Serves the built dashboard (dashboard/dist) at /, with the SPA fallback: any GET that is not the
// API and not a file gets index.html, so deep links into the app work on reload. A file the build
// also wrote compressed (app-….js.br, app-….js.gz) goes out compressed to a client that accepts it.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { Context } from 'hono';
import { chooseEncoding, isCompressible, PRECOMPRESSED } from './compression.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.geojson': 'application/geo+json',
};

const NOT_BUILT = `<!doctype html><html lang="vi"><meta charset="utf-8"><title>diemcau</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>diemcau</h1>
<p>Bảng điều khiển chưa được build. Chạy <code>npm run build</code> rồi tải lại trang.</p>
<p lang="en">The dashboard is not built yet. Run <code>npm run build</code> and reload.</p>
<p>API: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a></p>
</body></html>`;

export function staticHandler(dir: string) {
  const root = resolve(dir);
  return async (c: Context): Promise<Response> => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      return c.json({ error: { code: 'not_found', message: 'Không tìm thấy / Not found' } }, 404);
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      return c.text('Bad path', 400);
    }
    if (path.includes('\0')) return c.text('Bad path', 400);
    const file = normalize(join(root, path));
    const inside = file === root || file.startsWith(root + sep);
    let target: string | null = null;
    if (inside && existsSync(file) && statSync(file).isFile()) target = file;
    else if (!extname(path) || path.endsWith('.html')) {
      const index = join(root, 'index.html');
      if (existsSync(index)) target = index;
      else return c.html(NOT_BUILT, 200);
    }
    if (!target)
      return c.json({ error: { code: 'not_found', message: `Không tìm thấy / Not found: ${path}` } }, 404);
    const type = TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream';
    // the .br/.gz beside the file, if the build wrote them and the client takes one
    const variants = isCompressible(type)
      ? PRECOMPRESSED.filter((v) => existsSync(target + v.ext) && statSync(target + v.ext).isFile())
      : [];
    const chosen = chooseEncoding(c.req.header('accept-encoding'), variants);
    const st = statSync(target);
    const isIndex = target.endsWith(`${sep}index.html`);
    // Vite puts content hashes in asset names: those never change; index.html always revalidates
    const immutable = target.includes(`${sep}assets${sep}`);
    const sent = chosen ? target + chosen.ext : target;
    const headers: Record<string, string> = {
      'content-type': type,
      'content-length': String(chosen ? statSync(sent).size : st.size),
      'cache-control': immutable
        ? 'public, max-age=31536000, immutable'
        : isIndex
          ? 'no-cache'
          : 'public, max-age=300',
      'last-modified': st.mtime.toUTCString(),
      ...(chosen && { 'content-encoding': chosen.encoding }),
      ...(variants.length > 0 && { vary: 'Accept-Encoding' }),
    };
    if (c.req.method === 'HEAD') return new Response(null, { status: 200, headers });
    const body = Readable.toWeb(createReadStream(sent)) as ReadableStream<Uint8Array>;
    return new Response(body, { status: 200, headers });
  };
}
