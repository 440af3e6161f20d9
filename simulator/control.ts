// The simulator's HTTP control API (loopback only): faults and meetings for tests, the CLI and people.
//   GET /faults · POST /faults (JSON fault) · DELETE /faults/:id · DELETE /faults
//   POST /meeting/start {"sites": [...]} · POST /meeting/end · GET /meeting · GET /status
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { log } from '../core/log.ts';
import type { Simulator } from './index.ts';

type Api = Pick<Simulator, 'faults' | 'meeting' | 'status'>;

const MeetingBody = z.object({ sites: z.array(z.string().min(1)).min(1) }).strict();

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 * 1024) throw new HttpError(413, 'nội dung quá lớn / body too large (64 KiB at most)');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') throw new HttpError(400, 'cần nội dung JSON / a JSON body is required');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'nội dung không phải JSON hợp lệ / the body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(text);
}

async function route(api: Api, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const m = req.method ?? 'GET';
  if (path === '/faults' && m === 'GET') return send(res, 200, { faults: api.faults.list() });
  if (path === '/faults' && m === 'POST') {
    const body = await readJson(req);
    const id = api.faults.inject(body as never);
    return send(res, 201, { id, fault: api.faults.list().find((f) => f.id === id) });
  }
  if (path === '/faults' && m === 'DELETE') {
    api.faults.clearAll();
    return send(res, 200, { cleared: 'all' });
  }
  const one = /^\/faults\/([^/]+)$/.exec(path);
  if (one && m === 'DELETE') {
    const id = decodeURIComponent(one[1]!);
    if (!api.faults.list().some((f) => f.id === id))
      throw new HttpError(404, `không có lỗi giả lập "${id}" / no fault "${id}" (GET /faults lists them)`);
    api.faults.clear(id);
    return send(res, 200, { cleared: id });
  }
  if (path === '/meeting' && m === 'GET') return send(res, 200, { sites: api.meeting.active() });
  if (path === '/status' && m === 'GET') return send(res, 200, { sites: api.status() });
  if (path === '/meeting/start' && m === 'POST') {
    const r = MeetingBody.safeParse(await readJson(req));
    if (!r.success)
      throw new HttpError(
        400,
        'cần danh sách điểm cầu / body must be {"sites": ["site-id", ...]} with at least one site',
      );
    api.meeting.start(r.data.sites);
    return send(res, 200, { sites: api.meeting.active() });
  }
  if (path === '/meeting/end' && m === 'POST') {
    api.meeting.end();
    return send(res, 200, { sites: [] });
  }
  const known = ['/faults', '/meeting', '/meeting/start', '/meeting/end', '/status'].includes(path) || one;
  throw new HttpError(
    known ? 405 : 404,
    known
      ? `method ${m} not allowed on ${path}`
      : `no route ${m} ${path}; routes: GET|POST|DELETE /faults, DELETE /faults/:id, GET /meeting, POST /meeting/start, POST /meeting/end, GET /status`,
  );
}

export async function startControl(
  at: { host: string; port: number },
  api: Api,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    route(api, req, res).catch((err: unknown) => {
      const status =
        err instanceof HttpError ? err.status : err instanceof Error && err.name === 'FaultError' ? 400 : 500;
      send(res, status, { error: err instanceof Error ? err.message : String(err) });
    });
  });
  if (!/^(127\.|::1$|localhost$|::ffff:127\.)/.test(at.host))
    log.warn(
      { host: at.host },
      'simulator control API listens beyond loopback: anyone who can reach it can inject faults',
    );
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new Error(`simulator control API: cannot listen on ${at.host}:${at.port}: ${err.message}`)),
    );
    server.listen(at.port, at.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}
