// The simulated codecs' Cisco xAPI over HTTP(S) on loopback: every codec whose inventory entry names
// protocol cisco-xapi answers GET /status.xml (and /getxml?location=/Status/…) at its url with the
// site's call (from the meeting), its media channels (loss and jitter from the site's link quality,
// counters that grow while the call lasts) and its SIP registration; per-codec faults on demand.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { LoadedInventory } from '../inventory/load.ts';
import type { SiteSim } from './model.ts';
import { PEXIP_API_FAULTS } from './pexip.ts';
import { wobble } from './rand.ts';

/** the same four ways an API can fail as the MCU's (simulator/pexip.ts) */
export const XAPI_FAULTS = PEXIP_API_FAULTS;
export type XapiFault = (typeof XAPI_FAULTS)[number];

export interface XapiSimOptions {
  user: string;
  password: string;
  /** how long a "slow" reply takes (default 30 s: longer than any client timeout) */
  slowMs?: number;
  /** serve HTTPS with this key and certificate (default plain HTTP, loopback only) */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface XapiSim {
  /** device id → the base URL it is served at */
  urls: Map<string, string>;
  /** requests answered so far, per device */
  requests(device?: string): number;
  close(): Promise<void>;
}

/**
 * An inventory's text with its codecs (all, or those of `sites`) on the Cisco xAPI at
 * http://<codec host>:<port> (the demo's `--codecs xapi`, tests). The password is the environment
 * variable DIEMCAU_XAPI_PASSWORD. Works on the generator's one-line device entries.
 */
export function withXapiCodecs(
  text: string,
  o: { port: number; user: string; interval?: string; timeout?: string; sites?: string[] },
): string {
  const wanted = o.sites && new Set(o.sites.map((s) => `${s}-codec`));
  let n = 0;
  const out = text.replace(
    /- \{ id: ([a-z0-9-]+), kind: codec, profile: [a-z0-9-]+, address: "([^"]+)", snmp: [a-z0-9-]+/g,
    (line, id: string, address: string) => {
      if (wanted && !wanted.has(id)) return line;
      n++;
      const host = address.replace(/:\d+$/, '');
      return (
        `- { id: ${id}, kind: codec, protocol: cisco-xapi, address: "${address}", ` +
        `url: "http://${host}:${o.port}", ` +
        `credentials: { user: ${o.user}, password: { env: DIEMCAU_XAPI_PASSWORD } }` +
        (o.interval ? `, interval: ${o.interval}` : '') +
        (o.timeout ? `, timeout: ${o.timeout}` : '')
      );
    },
  );
  if (n === 0) throw new Error('inventory: no one-line codec entry to put on the xAPI');
  return out;
}

interface Counters {
  call: number;
  at: number;
  /** per channel: packets (received or sent) and lost, as floats */
  ch: { packets: number; lost: number; bytes: number }[];
}

const esc = (s: string) =>
  s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** One channel of the simulated call: direction, type, role, rate (bps), packets per second. */
interface ChannelSpec {
  id: number;
  dir: 'Incoming' | 'Outgoing';
  type: 'Audio' | 'Video';
  role?: 'Main';
  bps: number;
  pps: number;
}

function channelsOf(s: SiteSim): ChannelSpec[] {
  const audio = 64_000;
  const video = (s.callRateKbps - 64) * 1000;
  // about 1,100 bytes a video packet, 20 ms audio frames
  const vpps = Math.round(video / 8 / 1100);
  return [
    { id: 1, dir: 'Incoming', type: 'Audio', bps: audio, pps: 50 },
    { id: 2, dir: 'Outgoing', type: 'Audio', bps: audio, pps: 50 },
    { id: 3, dir: 'Incoming', type: 'Video', role: 'Main', bps: video, pps: vpps },
    { id: 4, dir: 'Outgoing', type: 'Video', role: 'Main', bps: video, pps: vpps },
  ];
}

export async function startXapiSim(
  o: XapiSimOptions,
  inv: LoadedInventory,
  sites: Map<string, SiteSim>,
  start: number,
  fault: (device: string) => XapiFault | null,
): Promise<XapiSim> {
  const auth = `Basic ${Buffer.from(`${o.user}:${o.password}`).toString('base64')}`;
  const byEndpoint = new Map<string, { device: string; site: SiteSim }>();
  const urls = new Map<string, string>();
  for (const api of inv.deviceApis.values()) {
    if (api.protocol !== 'cisco-xapi') continue;
    const site = inv.devices.get(api.device)?.site;
    const sim = site && sites.get(site.id);
    if (!sim) continue;
    const u = new URL(api.url);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
    byEndpoint.set(`${host}:${port}`, { device: api.device, site: sim });
    urls.set(api.device, api.url);
  }
  const counts = new Map<string, number>();
  const counters = new Map<string, Counters>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  /** the channel counters of a codec's current call, advanced to now at the site's quality */
  const advance = (device: string, s: SiteSim, call: number, now: number, specs: ChannelSpec[]) => {
    let c = counters.get(device);
    if (!c || c.call !== call) {
      c = { call, at: now, ch: specs.map(() => ({ packets: 0, lost: 0, bytes: 0 })) };
      counters.set(device, c);
    }
    const dt = Math.max(0, (now - c.at) / 1000);
    const q = s.quality((now - start) / 1000);
    specs.forEach((sp, i) => {
      const l = (sp.dir === 'Incoming' ? q.lossPct : q.lossPct / 2) / 100;
      const k = c!.ch[i]!;
      const n = sp.pps * dt;
      k.lost += n * l;
      k.packets += n * (1 - l);
      k.bytes += (sp.bps / 8) * dt * (1 - l);
    });
    c.at = now;
    return { c, q };
  };

  const statusXml = (device: string, s: SiteSim, location: string): string => {
    const now = Date.now();
    const call = s.currentCall();
    const parts: string[] = [];
    const want = (section: string) =>
      location === '' || location === `/Status/${section}` || location.startsWith(`/Status/${section}/`);
    if (call && want('Call')) {
      const item = call.index;
      parts.push(
        `<Call item="${item}" maxOccurrence="n">` +
          '<AnswerState>Answered</AnswerState><CallType>Video</CallType>' +
          `<CallbackNumber>sip:giao-ban@mcu.diemcau.example</CallbackNumber><DeviceType>MCU</DeviceType>` +
          '<Direction>Incoming</Direction>' +
          `<DisplayName>${esc(inv.inventory.mcu.name)}</DisplayName>` +
          `<Duration>${Math.round((now - call.start) / 1000)}</Duration>` +
          '<Encryption><Type>None</Type></Encryption><PlacedOnHold>False</PlacedOnHold>' +
          `<Protocol>SIP</Protocol><ReceiveCallRate>${s.callRateKbps}</ReceiveCallRate>` +
          '<RemoteNumber>giao-ban@mcu.diemcau.example</RemoteNumber><Status>Connected</Status>' +
          `<TransmitCallRate>${s.callRateKbps}</TransmitCallRate></Call>`,
      );
    }
    if (want('MediaChannels')) {
      let body = '';
      if (call) {
        const specs = channelsOf(s);
        const { c, q } = advance(device, s, call.index, now, specs);
        const w = wobble(s.seed, (now - start) / 1000);
        body = `<Call item="${call.index}" maxOccurrence="n">`;
        specs.forEach((sp, i) => {
          const k = c.ch[i]!;
          const l = sp.dir === 'Incoming' ? q.lossPct : q.lossPct / 2;
          // the last interval (about 5 s) at the current quality
          const interval = sp.pps * 5;
          const lastLost = Math.round((interval * l) / 100);
          const jitter = sp.dir === 'Incoming' ? Math.round(q.jitterMs) : Math.round(q.jitterMs / 2);
          const rate = Math.round(sp.bps * (sp.type === 'Video' ? 0.92 + 0.06 * w : 1));
          const media =
            sp.type === 'Audio'
              ? '<Audio><Channels>1</Channels><Mute>False</Mute><Protocol>Opus</Protocol></Audio>'
              : `<Video><ChannelRole>${sp.role}</ChannelRole><FrameRate>30</FrameRate><Protocol>H264</Protocol>` +
                '<ResolutionX>1280</ResolutionX><ResolutionY>720</ResolutionY></Video>';
          body +=
            `<Channel item="${call.index * 10 + sp.id}" maxOccurrence="n">${media}` +
            `<Direction>${sp.dir}</Direction><Encryption>Off</Encryption>` +
            `<Netstat><Bytes>${Math.floor(k.bytes)}</Bytes><ChannelRate>${rate}</ChannelRate>` +
            `<Jitter>${jitter}</Jitter><LastIntervalLost>${lastLost}</LastIntervalLost>` +
            `<LastIntervalReceived>${interval - lastLost}</LastIntervalReceived>` +
            `<Loss>${Math.floor(k.lost)}</Loss><MaxJitter>${jitter + 2}</MaxJitter>` +
            `<Packets>${Math.floor(k.packets)}</Packets></Netstat>` +
            `<ParticipantId></ParticipantId><Type>${sp.type}</Type></Channel>`;
        });
        body += '</Call>';
      } else counters.delete(device);
      parts.push(`<MediaChannels>${body}</MediaChannels>`);
    }
    if (want('SIP')) {
      // a codec registers while its link is up (the request got here, so it is)
      parts.push(
        '<SIP><Registration item="1" maxOccurrence="n"><Reason></Reason><Status>Registered</Status>' +
          `<URI>${esc(`${s.id}@bac-kan.example`)}</URI></Registration></SIP>`,
      );
    }
    return (
      '<?xml version="1.0"?>\n' +
      `<Status product="Cisco Codec" version="ce9.15.0.diemcau-sim" apiVersion="4">${parts.join('')}</Status>\n`
    );
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const ep = byEndpoint.get(`${req.socket.localAddress}:${req.socket.localPort}`);
    if (!ep) {
      res.writeHead(404).end();
      return;
    }
    const { device, site } = ep;
    counts.set(device, (counts.get(device) ?? 0) + 1);
    // a codec the NOC cannot reach, without power or hung does not answer at all
    if (!site.reachable() || site.hung) return;
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': 'text/xml; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        ...headers,
      });
      res.end(body);
    };
    const f = fault(device);
    if (f === 'unreachable') return void req.socket.destroy();
    if (req.headers.authorization !== auth || f === 'unauthorized')
      return send(401, '<?xml version="1.0"?>\n<Unauthorized/>\n', {
        'www-authenticate': 'Basic realm="Cisco Codec"',
      });
    const url = new URL(req.url ?? '/', 'http://codec');
    const answer = () => {
      if (req.method !== 'GET') return send(405, '');
      let location: string;
      if (url.pathname === '/status.xml') location = '';
      else if (url.pathname === '/getxml' && url.searchParams.get('location')?.startsWith('/Status'))
        location = url.searchParams.get('location')!.replace(/\/$/, '');
      else return send(404, '');
      const xml = statusXml(device, site, location);
      // a garbled reply: cut in the middle of the tree
      send(200, f === 'malformed' ? xml.slice(0, Math.floor(xml.length / 2)) : xml);
    };
    if (f === 'slow') {
      const t = setTimeout(() => {
        timers.delete(t);
        answer();
      }, o.slowMs ?? 30_000);
      timers.add(t);
    } else answer();
  };

  const servers: (http.Server | https.Server)[] = [];
  const close = async () => {
    for (const t of timers) clearTimeout(t);
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  };
  try {
    for (const key of byEndpoint.keys()) {
      const i = key.lastIndexOf(':');
      const [host, port] = [key.slice(0, i), Number(key.slice(i + 1))];
      const server = o.tls ? https.createServer({ ...o.tls }, handler) : http.createServer(handler);
      servers.push(server);
      server.on(o.tls ? 'secureConnection' : 'connection', (s: Socket) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err) =>
          reject(new Error(`simulator: cannot listen on ${host}:${port} for a codec's xAPI: ${err.message}`)),
        );
        server.listen(port, host, resolve);
      });
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    urls,
    requests: (device) =>
      device === undefined ? [...counts.values()].reduce((a, b) => a + b, 0) : (counts.get(device) ?? 0),
    close,
  };
}
