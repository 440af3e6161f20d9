// /api/v1/live: Server-Sent Events. First a snapshot (or, with Last-Event-ID, exactly the events
// missed), then site / metrics / alert deltas and heartbeats. Technicians see only their sites.
// Gzipped when the client accepts it, flushed after every frame (never held back by the compressor).
import { pipeline, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGzip, constants as zlib } from 'node:zlib';
import { createRoute, z } from '@hono/zod-openapi';
import { chooseEncoding } from '../compression.ts';
import { allow, type Deps, READ_ROLES } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import { ERRORS, roles, SECURITY, subApp } from '../openapi.ts';

/** bytes a client may have waiting before it is dropped (it reconnects and resumes); http.live_queue_kb */
export const CLIENT_QUEUE_BYTES = 1 << 20;

const LiveQuery = z
  .object({
    /** for clients that cannot set the Last-Event-ID header (the header wins); not a number → snapshot */
    last_event_id: z.string().max(40).optional(),
  })
  .strict();

const GZIP = [{ encoding: 'gzip' }] as const;

export function liveRoutes(d: Deps, opts: { queueBytes?: number } = {}) {
  const app = subApp();
  const http = d.rt.config.http;
  const queueBytes = opts.queueBytes ?? http.live_queue_kb * 1024;
  const maxClients = http.live_max_clients;
  const maxPerUser = http.live_max_per_user;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/live',
      summary:
        'Luồng trực tiếp (SSE): snapshot, site, metrics, alert, heartbeat; Last-Event-ID để nối lại / live stream',
      security: SECURITY,
      ...roles(...READ_ROLES),
      // Last-Event-ID header: resume after that id; anything that is not a known id gets a snapshot
      // (never an error: a browser's EventSource does not retry after a 4xx)
      request: { query: LiveQuery },
      responses: {
        200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } },
        ...ERRORS,
      },
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      // one user cannot take every slot: a few streams each (a wall screen, a laptop, a phone …)
      if (d.live.userClientCount(a.user.name) >= maxPerUser)
        throw new ApiFailure(
          429,
          'too_many_streams',
          `Tài khoản này đã mở ${maxPerUser} luồng trực tiếp, hãy đóng bớt tab hoặc màn hình / This account already has ${maxPerUser} live streams open (http.live_max_per_user); close one`,
          undefined,
          { 'Retry-After': '30' },
        );
      if (d.live.clientCount() >= maxClients)
        throw new ApiFailure(
          503,
          'too_many_clients',
          'Quá nhiều kết nối trực tiếp / Too many live clients',
          undefined,
          {
            'Retry-After': '10',
          },
        );
      const raw = c.req.header('last-event-id') ?? c.req.valid('query').last_event_id;
      const lastEventId = raw !== undefined && /^\d{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : null;
      const sites = a.user.role === 'technician' ? new Set(a.user.sites) : null;
      let client: { close(): void } | null = null;
      let credit: number | null = null;
      const stream = new ReadableStream<Uint8Array>(
        {
          start(controller) {
            controller.enqueue(new TextEncoder().encode('retry: 3000\n\n'));
            client = d.live.connect({
              user: a.user.name,
              sites,
              lastEventId,
              sink: {
                push(frame) {
                  controller.enqueue(frame);
                  // the first frame (the snapshot, or the replay) is what the screen must have: it
                  // never counts against the queue, or a screen of a large network, dropped for its
                  // own snapshot, would reconnect and be dropped again for ever
                  if (credit === null) credit = frame.length;
                  return (controller.desiredSize ?? 0) + credit >= 0;
                },
                queued: () => queueBytes - (controller.desiredSize ?? queueBytes),
                drop() {
                  // end the response now and free what is queued for it; the browser reconnects
                  // with Last-Event-ID and resumes
                  try {
                    controller.close();
                  } catch {}
                  (c.env as { outgoing?: { destroy(): void } } | undefined)?.outgoing?.destroy();
                },
              },
            });
          },
          cancel() {
            client?.close();
          },
        },
        new ByteLengthQueuingStrategy({ highWaterMark: queueBytes }),
      );
      const headers: Record<string, string> = {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        vary: 'Accept-Encoding',
      };
      if (!chooseEncoding(c.req.header('accept-encoding'), GZIP))
        return new Response(stream, { status: 200, headers });
      // gzip with a sync flush after every frame: each event leaves at once, and the snapshot of a large
      // network (mostly repeated JSON keys) goes out at a fraction of its size
      const gz = createGzip({ flush: zlib.Z_SYNC_FLUSH });
      const source = Readable.fromWeb(stream as unknown as WebReadableStream<Uint8Array>);
      pipeline(source, gz, () => {});
      return new Response(Readable.toWeb(gz) as unknown as ReadableStream<Uint8Array>, {
        status: 200,
        headers: { ...headers, 'content-encoding': 'gzip' },
      });
    },
  );
  return app;
}
