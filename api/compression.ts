// Compression of what the server sends (issue 15: the 1,000-site /sites + /inventory went out as ~1 MB).
//   - responses made at request time (the API's JSON, CSV, /metrics, index.html): hono's compress
//     middleware, gzip or deflate by CompressionStream, from 1 kB up;
//   - the dashboard's built files: the .br and .gz files the vite build writes beside them (brotli 11,
//     gzip 9, see dashboard/vite.config.ts), chosen here by the request's Accept-Encoding in api/static.ts.
// Not the live stream (text/event-stream) here: a compressor buffers, and SSE must reach the browser
// frame by frame. hono's list of compressible types already leaves it out; the filter says so again,
// and a response that says `Cache-Control: no-transform` (the live stream does) is left alone too.
// The live route gzips its own stream with a sync flush after every frame (api/routes/live.ts).
import type { MiddlewareHandler } from 'hono';
import { COMPRESSIBLE_CONTENT_TYPE_REGEX, compress } from 'hono/compress';

const EVENT_STREAM = /^\s*text\/event-stream/i;

export const isCompressible = (type: string): boolean =>
  !EVENT_STREAM.test(type) && COMPRESSIBLE_CONTENT_TYPE_REGEX.test(type);

export function compression(): MiddlewareHandler {
  return compress({ threshold: 1024, contentTypeFilter: isCompressible });
}

/** content codings of the files the dashboard build writes beside each asset, best first */
export const PRECOMPRESSED = [
  { encoding: 'br', ext: '.br' },
  { encoding: 'gzip', ext: '.gz' },
] as const;
export type Precompressed = (typeof PRECOMPRESSED)[number];

/**
 * Which of `available` the client takes, by its Accept-Encoding (RFC 9110 §12.5.3): the highest
 * q-value wins, `*` stands for codings not named, `q=0` refuses; ties go to the order of `available`.
 * No header: none (identity).
 */
export function chooseEncoding<T extends { encoding: string }>(
  header: string | undefined,
  available: readonly T[],
): T | undefined {
  if (!header) return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    let value = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) value = Number(m[1]);
    }
    if (Number.isFinite(value)) q.set(name.trim().toLowerCase(), value);
  }
  let best: { item: T; q: number } | undefined;
  for (const item of available) {
    const v = q.get(item.encoding) ?? q.get('*') ?? 0;
    if (v > 0 && (!best || v > best.q)) best = { item, q: v };
  }
  return best?.item;
}
