// A stand-in for the diemcau API, for developing and screenshotting the dashboard before (or without)
// the real `diemcau demo`: the real inventory, synthetic statuses and numbers, the same routes and SSE
// events as api/contract.ts, and POST /faults {kind:'power_cut', site} to cut a site's power.
//   node --import tsx test/e2e/mock-api.ts [port]    (serves dashboard/dist too)
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Alert, SiteStatus } from '../../api/contract.ts';
import { loadInventory } from '../../inventory/load.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(ROOT, 'dashboard/dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface MockApi {
  url: string;
  password: string;
  server: Server;
  close(): Promise<void>;
}

function rnd(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function startMockApi(
  opts: { port?: number; host?: string; inventory?: string } = {},
): Promise<MockApi> {
  const inv = loadInventory(opts.inventory ?? join(ROOT, 'inventory/bac-kan.yaml'));
  const i = inv.inventory;
  const password = 'mat-khau-thu';
  const sessions = new Map<string, string>();
  const rand = rnd(42);
  const now = Date.now();
  const sites = new Map<string, SiteStatus>();
  for (const s of i.sites) {
    sites.set(s.id, {
      id: s.id,
      name: s.name,
      gso: s.gso,
      tier: s.tier,
      district: s.district,
      carrier: s.link.carrier,
      lat: s.lat ?? null,
      lon: s.lon ?? null,
      state: 'ok',
      cause: null,
      since: now - 3_600_000,
      summary: 'Hoạt động bình thường / Operating normally',
      metrics: {
        rtt_ms: 20,
        loss_pct: 0,
        jitter_ms: 2,
        mos: 4.3,
        ups_on_battery: 0,
        ups_runtime_min: 45,
        mcu_port_up: 1,
        in_call: 1,
      },
      updated: now,
      firing_alerts: 0,
      in_meeting: false,
    });
  }
  // a realistic mix: one degraded link, one site in maintenance
  const ids = [...sites.keys()];
  const degraded = sites.get(ids[40]!)!;
  Object.assign(degraded, {
    state: 'degraded',
    cause: 'link',
    summary: 'Chất lượng đường truyền kém / Link quality degraded',
  });
  const maint = sites.get(ids[70]!)!;
  Object.assign(maint, { state: 'maintenance', cause: null, summary: 'Đang bảo trì / Maintenance' });
  const alerts = new Map<string, Alert>();
  const silences: unknown[] = [];
  let seq = now * 1000;
  const clients = new Set<ServerResponse>();
  const history: { id: number; frame: string }[] = [];

  const send = (event: string, data: unknown) => {
    const id = ++seq;
    const frame = `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    history.push({ id, frame });
    if (history.length > 5000) history.shift();
    for (const c of clients) c.write(frame);
  };

  const tick = setInterval(() => {
    const t = Date.now();
    for (const s of sites.values()) {
      const down = s.state === 'down';
      const bad = s.state === 'degraded';
      const m = s.metrics;
      m.rtt_ms = down ? undefined : Math.round((bad ? 120 : 18) + rand() * (bad ? 80 : 10));
      m.loss_pct = down ? 100 : Math.round((bad ? 4 : 0.1) * rand() * 100) / 100;
      m.jitter_ms = down ? undefined : Math.round(((bad ? 25 : 2) + rand() * 3) * 10) / 10;
      m.mos = down ? undefined : Math.round(((bad ? 3.2 : 4.3) - rand() * 0.2) * 100) / 100;
      if (m.ups_on_battery === 1) m.ups_runtime_min = Math.max(0, (m.ups_runtime_min ?? 45) - 0.2);
      s.updated = t;
      send('metrics', { site: s.id, time: t, values: { ...m } });
    }
  }, 2000);
  const hb = setInterval(() => send('heartbeat', { time: Date.now() }), 5000);

  function powerCut(siteId: string) {
    const s = sites.get(siteId);
    if (!s) return false;
    const t = Date.now();
    Object.assign(s, {
      state: 'on_battery',
      cause: 'power',
      since: t,
      summary: 'Mất điện lưới — UPS đang chạy pin / Mains power lost, UPS on battery',
      firing_alerts: 1,
    });
    s.metrics.ups_on_battery = 1;
    send('site', s);
    const a: Alert = {
      id: `a-${t}`,
      rule: 'ups_on_battery',
      severity: 'major',
      state: 'firing',
      cause: 'power',
      site: s.id,
      sites: [s.id],
      district: s.district,
      title: `Mất điện lưới: ${s.name}`,
      reasoning: 'UPS báo chạy pin, điện áp vào 0 V / UPS on battery, input 0 V',
      evidence: { ups_input_v: 0 },
      owner_org: `dien-luc-${s.district}`,
      started_at: t,
      resolved_at: null,
      acknowledged_by: null,
      ack_comment: null,
      suppressed_by: null,
      meeting: null,
    };
    alerts.set(a.id, a);
    send('alert', a);
    return true;
  }

  const json = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage) => {
    let b = '';
    for await (const c of req) b += c;
    return b ? JSON.parse(b) : {};
  };
  const user = (req: IncomingMessage) => {
    const m = /diemcau_session=([^;]+)/.exec(req.headers.cookie ?? '');
    return m ? sessions.get(m[1]!) : undefined;
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    try {
      if (p === '/faults' && req.method === 'POST') {
        const b = await readBody(req);
        return json(res, powerCut(b.site) ? 200 : 404, { ok: true });
      }
      if (p.startsWith('/api/v1/')) {
        const r = p.slice(7);
        if (r === '/auth/login' && req.method === 'POST') {
          const b = await readBody(req);
          if (b.name !== 'admin' || b.password !== password)
            return json(res, 401, {
              error: { code: 'bad_credentials', message: 'Sai tên đăng nhập hoặc mật khẩu' },
            });
          const sid = randomBytes(12).toString('hex');
          sessions.set(sid, 'csrf-' + sid);
          res.setHeader('set-cookie', `diemcau_session=${sid}; Path=/; HttpOnly; SameSite=Strict`);
          return json(res, 200, {
            user: { name: 'admin', role: 'admin' },
            via: 'session',
            csrf_token: sessions.get(sid),
          });
        }
        const csrf = user(req);
        if (!csrf) return json(res, 401, { error: { code: 'unauthenticated', message: 'Chưa đăng nhập' } });
        if (req.method !== 'GET' && req.headers['x-csrf-token'] !== csrf)
          return json(res, 403, { error: { code: 'csrf', message: 'Thiếu X-CSRF-Token' } });
        if (r === '/auth/me')
          return json(res, 200, { user: { name: 'admin', role: 'admin' }, via: 'session', csrf_token: csrf });
        if (r === '/auth/logout') return json(res, 200, { ok: true });
        if (r === '/inventory')
          return json(res, 200, {
            network: i.network,
            mcu: i.mcu,
            districts: i.districts,
            organisations: i.organisations,
            sites: i.sites.map((s) => ({
              id: s.id,
              host_org: s.host_org ?? null,
              power: s.power,
              mcu_port: s.mcu_port ?? null,
            })),
          });
        if (r === '/sites')
          return json(res, 200, { items: [...sites.values()], total: sites.size, limit: 1000, offset: 0 });
        const sm = /^\/sites\/([^/]+)(\/metrics)?$/.exec(r);
        if (sm) {
          const site = inv.sites.get(sm[1]!);
          if (!site) return json(res, 404, { error: { code: 'not_found', message: 'Không tìm thấy' } });
          if (sm[2]) {
            const to = Number(url.searchParams.get('to') ?? Date.now());
            const from = Number(url.searchParams.get('from') ?? to - 3_600_000);
            const metrics = (url.searchParams.get('metric') ?? 'rtt_ms').split(',');
            const n = 120;
            const step = (to - from) / n;
            const base: Record<string, number> = {
              mos: 4.3,
              loss_pct: 0.2,
              jitter_ms: 2,
              rtt_ms: 20,
              ups_runtime_min: 45,
            };
            return json(res, 200, {
              site: site.id,
              from,
              to,
              bucket_ms: step,
              series: metrics.map((metric) => ({
                metric,
                unit: '',
                label: metric,
                device: `${site.id}-codec`,
                buckets: Array.from({ length: n }, (_, k) => {
                  const v = (base[metric] ?? 1) * (1 + 0.1 * Math.sin(k / 7) + 0.05 * rand());
                  return { time: Math.round(from + k * step), mean: v, min: v, max: v, p95: v, count: 1 };
                }),
              })),
            });
          }
          const person = (id: string) => {
            const x = inv.people.get(id);
            return x
              ? {
                  id: x.id,
                  name: x.name,
                  title: x.title ?? null,
                  org: x.org ?? null,
                  email: x.channels.email ?? null,
                }
              : null;
          };
          const org = (id: string | undefined) => {
            const o = id ? inv.organisations.get(id) : undefined;
            return o ? { id: o.id, name: o.name, people: o.contacts.map(person).filter(Boolean) } : null;
          };
          const carrier = [...inv.organisations.values()].find(
            (o) => o.kind === 'carrier' && o.carrier === site.link.carrier,
          );
          return json(res, 200, {
            site: sites.get(site.id),
            link: site.link,
            mcu_port: site.mcu_port ?? null,
            host_org: null,
            devices: site.devices.map((d) => ({
              id: d.id,
              kind: d.kind,
              profile: d.profile,
              address: d.address,
            })),
            contacts: {
              technician: person(site.technician),
              carrier: org(carrier?.id),
              power: org(site.power),
              mcu: org(i.mcu.operator),
            },
            alerts: [...alerts.values()].filter((a) => a.site === site.id),
          });
        }
        if (r === '/alerts') return json(res, 200, { items: [...alerts.values()] });
        const am = /^\/alerts\/([^/]+)\/ack$/.exec(r);
        if (am && req.method === 'POST') {
          const a = alerts.get(am[1]!);
          if (!a) return json(res, 404, { error: { code: 'not_found', message: 'Không tìm thấy' } });
          const b = await readBody(req);
          Object.assign(a, { state: 'acknowledged', acknowledged_by: 'admin', ack_comment: b.comment ?? '' });
          send('alert', a);
          return json(res, 200, a);
        }
        if (r === '/silences' && req.method === 'GET') return json(res, 200, { items: silences });
        if (r === '/silences' && req.method === 'POST') {
          const b = await readBody(req);
          const s = { id: `s-${Date.now()}`, created_by: 'admin', ...b };
          silences.push(s);
          return json(res, 200, s);
        }
        const dm = /^\/silences\/([^/]+)$/.exec(r);
        if (dm && req.method === 'DELETE') {
          const k = silences.findIndex((s) => (s as { id: string }).id === dm[1]);
          if (k >= 0) silences.splice(k, 1);
          return json(res, 200, { ok: true });
        }
        if (r === '/live') {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          res.write('retry: 3000\n\n');
          const last = Number(req.headers['last-event-id'] ?? url.searchParams.get('last_event_id') ?? 0);
          if (last && history.length && last >= history[0]!.id - 1) {
            for (const h of history) if (h.id > last) res.write(h.frame);
          } else {
            res.write(
              `id: ${seq}\nevent: snapshot\ndata: ${JSON.stringify({ sites: [...sites.values()], alerts: [...alerts.values()] })}\n\n`,
            );
          }
          clients.add(res);
          req.on('close', () => clients.delete(res));
          return;
        }
        return json(res, 404, { error: { code: 'not_found', message: r } });
      }
      // the SPA, with fallback to index.html
      const file = join(DIST, p === '/' ? 'index.html' : p);
      const target =
        file.startsWith(DIST) && existsSync(file) && extname(file) ? file : join(DIST, 'index.html');
      res.writeHead(200, { 'content-type': TYPES[extname(target)] ?? 'application/octet-stream' });
      res.end(readFileSync(target));
    } catch (err) {
      json(res, 500, { error: { code: 'internal', message: String(err) } });
    }
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}`,
    password,
    server,
    async close() {
      clearInterval(tick);
      clearInterval(hb);
      for (const c of clients) c.end();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const m = await startMockApi({ port: Number(process.argv[2] ?? 8099) });
  console.log(`mock API on ${m.url} (admin / ${m.password})`);
}
