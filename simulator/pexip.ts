// The simulated MCU's Pexip Infinity management status API on loopback: the sites in a call with
// the MCU are its participants (paged with meta.next like the real API), their link quality shows
// in their media streams, and the API's own faults (401, slow, malformed, unreachable) on demand.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { DisconnectCause } from '../core/vocabulary.ts';
import { type LoadedInventory, parseAddress } from '../inventory/load.ts';
import type { SiteSim } from './model.ts';
import { pexipDialOut } from './pexip-dialout.ts';
import { hashId, wobble } from './rand.ts';

export const PEXIP_API_FAULTS = ['unauthorized', 'slow', 'malformed', 'unreachable'] as const;
export type PexipApiFault = (typeof PEXIP_API_FAULTS)[number];

export interface PexipSimOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  /** participants per page when the client asks for none (the API's default is 20) */
  defaultLimit?: number;
  /** how long a "slow" reply takes (default 30 s: longer than any client timeout) */
  slowMs?: number;
}

export interface PexipSim {
  url: string;
  /** requests answered so far */
  requests(): number;
  close(): Promise<void>;
}

const STATUS = '/api/admin/status/v1';
const HISTORY = '/api/admin/history/v1';

/**
 * The disconnect reason the simulated Pexip MCU writes for each cause. hangup and operator are values
 * of Pexip's *Disconnection reasons* table; the others are the simulator's own words (the table read
 * lists the normal reasons only), docs/mcu-drivers.md.
 */
export const PEXIP_SIM_REASONS: Record<DisconnectCause, string> = {
  hangup: 'Remote disconnect',
  operator: 'Disconnected by an administrator',
  network: 'Media timeout',
  rejected: 'Call rejected',
  unknown: 'Unknown',
};

/** Pexip's time format: UTC, microseconds, no zone. */
const pexipTime = (ms: number) => new Date(ms).toISOString().replace('Z', '000');

interface Participant {
  id: string;
  s: SiteSim;
  since: number;
}

/**
 * An inventory's text with its SNMP MCU turned into a Pexip management-API MCU at `url` (the demo's
 * `--mcu pexip`, tests). The password is the environment variable DIEMCAU_PEXIP_PASSWORD.
 */
export function withPexipMcu(
  text: string,
  o: {
    url: string;
    user: string;
    interval?: string;
    timeout?: string;
    /** another management API with the same fields (default pexip-mgmt) */
    protocol?: 'pexip-mgmt' | 'cisco-tps-xmlrpc' | 'cisco-mcu-xmlrpc';
    /** the password's environment variable (default DIEMCAU_PEXIP_PASSWORD) */
    passwordEnv?: string;
  },
): string {
  const block = /\nmcu:\n((?: {2}.*\n)+)/.exec(text);
  if (!block) throw new Error('inventory: no "mcu:" block');
  const kept = block[1]!
    .split('\n')
    .filter((l) => l && !/^ {2}(profile|address|snmp|snmp_timeout|snmp_retries|protocol):/.test(l));
  const lines = [
    ...kept,
    `  protocol: ${o.protocol ?? 'pexip-mgmt'}`,
    `  url: "${o.url}"`,
    `  credentials: { user: ${o.user}, password: { env: ${o.passwordEnv ?? 'DIEMCAU_PEXIP_PASSWORD'} } }`,
    ...(o.interval ? [`  interval: ${o.interval}`] : []),
    ...(o.timeout ? [`  timeout: ${o.timeout}`] : []),
  ];
  return text.replace(block[0], `\nmcu:\n${lines.join('\n')}\n`);
}

/** A stable participant id per site and call (a UUID's shape). */
function participantId(site: string, call: number): string {
  const h = (n: number) => (hashId(`${site}:${call}`, n) >>> 0).toString(16).padStart(8, '0');
  return `${h(1)}-${h(2).slice(0, 4)}-4${h(3).slice(1, 4)}-8${h(4).slice(1, 4)}-${h(5)}${h(6).slice(0, 4)}`;
}

export async function startPexipSim(
  o: PexipSimOptions,
  inv: LoadedInventory,
  sites: Map<string, SiteSim>,
  start: number,
  fault: () => PexipApiFault | null,
): Promise<PexipSim> {
  const auth = `Basic ${Buffer.from(`${o.user}:${o.password}`).toString('base64')}`;
  const codecHost = new Map<string, string>();
  const alias = new Map<string, string>();
  for (const s of inv.sites.values()) {
    const codec = s.devices.find((d) => d.kind === 'codec');
    if (codec) codecHost.set(s.id, parseAddress(codec.address).host);
    alias.set(s.id, s.aliases?.[0] ?? codec?.aliases?.[0] ?? `sip:${s.id}@diemcau.example`);
  }
  let count = 0;
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  /**
   * The participants now: every site in a call whose port the MCU does not show faulty. A list
   * request takes a fresh snapshot; the media_stream requests that follow read it (a site that left
   * since is then a 404, as on a real MCU a moment later), so a poll does not walk every site per request.
   */
  let snapshot: { at: number; list: Participant[]; byId: Map<string, Participant> } | null = null;
  const participants = (fresh: boolean) => {
    const now = Date.now();
    if (!fresh && snapshot && now - snapshot.at < 10_000) return snapshot;
    const list: Participant[] = [];
    for (const s of sites.values()) {
      const call = s.currentCall();
      if (!call || s.portFault) continue;
      list.push({ id: participantId(s.id, call.index), s, since: call.start });
    }
    list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    snapshot = { at: now, list, byId: new Map(list.map((p) => [p.id, p])) };
    return snapshot;
  };

  const participant = (p: Participant) => ({
    bandwidth: p.s.callRateKbps,
    call_direction: 'in',
    call_quality: '1_good',
    conference: inv.inventory.mcu.name,
    connect_time: new Date(p.since).toISOString().replace('Z', ''),
    destination_alias: 'giao-ban@mcu.diemcau.example',
    display_name: p.s.site.name,
    has_media: true,
    id: p.id,
    is_muted: false,
    is_on_hold: false,
    is_presenting: false,
    protocol: 'SIP',
    remote_address: codecHost.get(p.s.id) ?? '',
    resource_uri: `${STATUS}/participant/${p.id}/`,
    role: 'chair',
    service_type: 'conference',
    source_alias: alias.get(p.s.id),
  });

  /** audio and video streams; what the MCU receives (rx) carries the site's uplink quality */
  const streams = (s: SiteSim) => {
    const t = (Date.now() - start) / 1000;
    const q = s.quality(t);
    const w = wobble(s.seed, t);
    const audio = 64;
    const video = Math.round((s.callRateKbps - audio) * (0.92 + 0.06 * w));
    const r2 = (v: number) => Math.round(v * 100) / 100;
    const stream = (id: string, type: string, kbps: number, codec: string, resolution: string) => ({
      end_time: '',
      id,
      node: '127.0.0.1',
      rx_bitrate: kbps,
      rx_codec: codec,
      rx_jitter: r2(q.jitterMs),
      rx_packet_loss: r2(q.lossPct),
      rx_resolution: resolution,
      start_time: new Date(start).toISOString().replace('Z', ''),
      tx_bitrate: kbps,
      tx_codec: codec,
      tx_jitter: 0,
      tx_packet_loss: r2(q.lossPct / 2),
      tx_resolution: resolution,
      type,
    });
    return [stream('0', 'audio', audio, 'G.722', ''), stream('1', 'video', video, 'H.264', '1280x720')];
  };

  // readiness test calls: the command API's dial and disconnect (simulator/pexip-dialout.ts)
  const dialOut = pexipDialOut(inv, sites, { codecHost, streams });

  const server = http.createServer((req, res) => {
    count++;
    const send = (status: number, body: unknown) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    const f = fault();
    if (f === 'unreachable') return void req.socket.destroy();
    if (req.headers.authorization !== auth || f === 'unauthorized')
      return send(401, { error: 'Authentication credentials were not provided.' });
    if (f === 'malformed') return send(200, '{"meta": {"limit": 20, "next": null}, "objects": [{"id": ');
    dialOut.receive(req);
    const answer = () => {
      const url = new URL(req.url ?? '/', 'http://sim');
      if (dialOut.answer(req, url, send)) return;
      if (req.method !== 'GET') return send(405, {});
      if (url.pathname === `${STATUS}/participant/`) {
        const limit = Math.max(
          1,
          Math.min(5000, Number(url.searchParams.get('limit')) || (o.defaultLimit ?? 20)),
        );
        const offset = Math.max(0, Number(url.searchParams.get('offset')) || 0);
        // the first page takes a fresh snapshot, the next pages page through it
        const all = dialOut.page(participants(offset === 0).list, offset, limit, participant);
        const link = (off: number) => `${STATUS}/participant/?limit=${limit}&offset=${off}`;
        return send(200, {
          meta: {
            limit,
            next: offset + limit < all.total ? link(offset + limit) : null,
            offset,
            previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
            total_count: all.total,
          },
          objects: all.objects,
        });
      }
      if (url.pathname === `${HISTORY}/participant/`) {
        const limit = Math.max(1, Math.min(5000, Number(url.searchParams.get('limit')) || 20));
        const offset = Math.max(0, Number(url.searchParams.get('offset')) || 0);
        const gte = url.searchParams.get('end_time__gte');
        const from = gte ? Date.parse(/Z$/.test(gte) ? gte : `${gte}Z`) : Number.NEGATIVE_INFINITY;
        if (Number.isNaN(from)) return send(400, { error: `end_time__gte: not a time: ${gte}` });
        const ended = [...sites.values()]
          .flatMap((s) => s.ended.map((c) => ({ s, c })))
          .filter((x) => Math.floor(x.c.end / 1000) * 1000 >= from)
          .sort((a, b) => a.c.end - b.c.end || a.s.id.localeCompare(b.s.id));
        const q = new URLSearchParams(url.searchParams);
        const link = (off: number) => {
          q.set('offset', String(off));
          q.set('limit', String(limit));
          return `${HISTORY}/participant/?${q.toString()}`;
        };
        return send(200, {
          meta: {
            limit,
            next: offset + limit < ended.length ? link(offset + limit) : null,
            offset,
            previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
            total_count: ended.length,
          },
          objects: ended.slice(offset, offset + limit).map(({ s, c }) => {
            const id = participantId(s.id, c.index);
            return {
              bandwidth: s.callRateKbps,
              call_direction: 'in',
              call_quality: '1_good',
              conference_name: inv.inventory.mcu.name,
              disconnect_reason: PEXIP_SIM_REASONS[c.cause],
              display_name: s.site.name,
              duration: Math.round((c.end - c.start) / 1000),
              end_time: pexipTime(c.end),
              id,
              local_alias: 'giao-ban@mcu.diemcau.example',
              protocol: 'SIP',
              remote_address: codecHost.get(s.id) ?? '',
              remote_alias: alias.get(s.id),
              resource_uri: `${HISTORY}/participant/${id}/`,
              role: 'chair',
              service_type: 'conference',
              start_time: pexipTime(c.start),
            };
          }),
        });
      }
      const m = new RegExp(`^${STATUS}/participant/([0-9a-f-]+)/media_stream/$`).exec(url.pathname);
      if (m) {
        const p = participants(false).byId.get(m[1]!);
        if (!p) return send(404, {});
        const objects = streams(p.s);
        return send(200, {
          meta: { limit: 20, next: null, offset: 0, previous: null, total_count: objects.length },
          objects,
        });
      }
      send(404, {});
    };
    if (f === 'slow') {
      const t = setTimeout(() => {
        timers.delete(t);
        answer();
      }, o.slowMs ?? 30_000);
      timers.add(t);
    } else answer();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new Error(`simulator: cannot listen on ${o.host}:${o.port} for the Pexip API: ${err.message}`)),
    );
    server.listen(o.port, o.host, resolve);
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.address}:${a.port}`,
    requests: () => count,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
