// The simulated MCU's Cisco TelePresence remote management XML-RPC API on loopback (the `xmlrpc`
// package's server): the sites in a call with the MCU are its connected participants
// (participant.enumerate, paged with enumerateID), their link quality shows in the packet counters of
// currentState, participant.diagnostics gives their bit rates; the API's own faults on demand:
// unauthorized → fault 15, slow, malformed, unreachable (docs/mcu-drivers.md).
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import xmlrpc from 'xmlrpc';
import type { DisconnectCause } from '../core/vocabulary.ts';
import { type LoadedInventory, parseAddress } from '../inventory/load.ts';
import { ciscoDialOut } from './cisco-dialout.ts';
import type { SiteSim } from './model.ts';
import type { PexipApiFault } from './pexip.ts';
import { hashId } from './rand.ts';

export interface CiscoSimOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  /** participants per participant.enumerate reply (the device decides; default 10) */
  pageSize?: number;
  /** how long a "slow" reply takes (default 30 s: longer than any client timeout) */
  slowMs?: number;
}

export interface CiscoSim {
  url: string;
  /** requests answered so far */
  requests(): number;
  close(): Promise<void>;
}

/** Fault codes as the Cisco TelePresence MCU API documents them (docs/mcu-drivers.md). */
const FAULT = {
  noSuchParticipant: { faultCode: 5, faultString: 'no such participant' },
  insufficientPrivileges: { faultCode: 15, faultString: 'insufficient privileges' },
  invalidEnumerateId: { faultCode: 16, faultString: 'invalid enumerateID value' },
};

const CONFERENCE = 'Giao ban';
const CONFERENCE_ID = '00000001';
/** the index of the simulated CDR log's first event (a log that has been rotated) */
const FIRST_INDEX = 1000;

/** The disconnectReason the simulated MCU logs for each cause: values of TANDBERG API 3.0 §12. */
export const CISCO_SIM_REASONS: Record<DisconnectCause, string> = {
  hangup: 'remoteTeardown',
  operator: 'localTeardown',
  network: 'networkError',
  rejected: 'rejected',
  unknown: 'unspecified',
};

/** A Date whose local fields are the UTC time: the device writes UTC without a zone. */
const deviceTime = (ms: number) => {
  const d = new Date(ms);
  return new Date(ms + d.getTimezoneOffset() * 60_000);
};
const AUDIO_PPS = 50;
/** bytes of payload per video packet */
const VIDEO_PACKET = 1200;

interface Participant {
  key: string;
  name: string;
  s: SiteSim;
  since: number;
}

interface Counters {
  at: number;
  audioRx: number;
  audioRxLost: number;
  videoRx: number;
  videoRxLost: number;
  audioTx: number;
  audioTxLost: number;
  videoTx: number;
  videoTxLost: number;
}

export async function startCiscoSim(
  o: CiscoSimOptions,
  inv: LoadedInventory,
  sites: Map<string, SiteSim>,
  start: number,
  fault: () => PexipApiFault | null,
): Promise<CiscoSim> {
  const codecHost = new Map<string, string>();
  const address = new Map<string, string>();
  for (const s of inv.sites.values()) {
    const codec = s.devices.find((d) => d.kind === 'codec');
    if (codec) codecHost.set(s.id, parseAddress(codec.address).host);
    const alias = s.aliases?.[0] ?? codec?.aliases?.[0] ?? `${s.id}@diemcau.example`;
    address.set(s.id, alias.replace(/^(sips?|h323):/i, ''));
  }
  const pageSize = Math.max(1, o.pageSize ?? 10);
  let count = 0;
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const counters = new Map<string, Counters>();

  /** The participants now; a new enumeration takes a fresh snapshot that its enumerateIDs page through. */
  let snapshot: { id: number; list: Participant[]; byKey: Map<string, Participant> } | null = null;
  let snapshots = 0;
  const take = () => {
    const list: Participant[] = [];
    for (const s of sites.values()) {
      const call = s.currentCall();
      if (!call || s.portFault) continue;
      const n = (hashId(`${s.id}:${call.index}`) % 900_000) + 100_000;
      const name = `_${n}`;
      list.push({ key: `${name}|sip|ad_hoc`, name, s, since: call.start });
    }
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    snapshot = { id: ++snapshots, list, byKey: new Map(list.map((p) => [p.key, p])) };
    for (const k of counters.keys()) if (!snapshot.byKey.has(k)) counters.delete(k);
    return snapshot;
  };

  /** Packet counters since the call began, advanced at the site's loss since they were last read. */
  const countersOf = (p: Participant): Counters => {
    const now = Date.now();
    let c = counters.get(p.key);
    if (!c) {
      c = {
        at: p.since,
        ...{ audioRx: 0, audioRxLost: 0, videoRx: 0, videoRxLost: 0 },
        ...{ audioTx: 0, audioTxLost: 0, videoTx: 0, videoTxLost: 0 },
      };
      counters.set(p.key, c);
    }
    const dt = Math.max(0, now - c.at) / 1000;
    c.at = now;
    const loss = p.s.quality((now - start) / 1000).lossPct / 100;
    const videoPps = ((p.s.callRateKbps - 64) * 1000) / 8 / VIDEO_PACKET;
    const audio = dt * AUDIO_PPS;
    const video = dt * videoPps;
    c.audioRx += audio * (1 - loss);
    c.audioRxLost += audio * loss;
    c.videoRx += video * (1 - loss);
    c.videoRxLost += video * loss;
    c.audioTx += audio;
    c.audioTxLost += (audio * loss) / 2;
    c.videoTx += video;
    c.videoTxLost += (video * loss) / 2;
    return c;
  };

  const participant = (p: Participant) => {
    const c = countersOf(p);
    const int = Math.floor;
    return {
      participantName: p.name,
      participantProtocol: 'sip',
      participantType: 'ad_hoc',
      conferenceName: CONFERENCE,
      currentState: {
        address: address.get(p.s.id) ?? '',
        ipAddress: codecHost.get(p.s.id) ?? '',
        displayName: p.s.site.name,
        callState: 'connected',
        callDirection: 'incoming',
        connectTime: new Date(p.since),
        maxBitRateToMCU: p.s.callRateKbps,
        maxBitRateFromMCU: p.s.callRateKbps,
        audioRxCodec: 'G.722',
        audioRxReceived: int(c.audioRx),
        audioRxLost: int(c.audioRxLost),
        audioTxCodec: 'G.722',
        audioTxSent: int(c.audioTx),
        audioTxReportedLost: int(c.audioTxLost),
        videoRxCodec: 'H.264',
        videoRxReceived: int(c.videoRx),
        videoRxLost: int(c.videoRxLost),
        videoTxCodec: 'H.264',
        videoTxSent: int(c.videoTx),
        videoTxReportedLost: int(c.videoTxLost),
      },
    };
  };

  type Reply = (error: unknown, value?: unknown) => void;
  const server = xmlrpc.createServer({ host: o.host, port: o.port });
  const http = server.httpServer as HttpServer;
  const authorised = (params: unknown): Record<string, unknown> | null => {
    const p = (Array.isArray(params) ? params[0] : null) as Record<string, unknown> | null;
    if (!p || p.authenticationUser !== o.user || p.authenticationPassword !== o.password) return null;
    return p;
  };
  const method = (name: string, answer: (p: Record<string, unknown>, reply: Reply) => void) =>
    server.on(name, (_err: unknown, params: unknown, reply: Reply) => {
      const p = authorised(params);
      if (!p || fault() === 'unauthorized') return reply(FAULT.insufficientPrivileges);
      if (fault() === 'slow') {
        const t = setTimeout(() => {
          timers.delete(t);
          answer(p, reply);
        }, o.slowMs ?? 30_000);
        timers.add(t);
      } else answer(p, reply);
    });

  // readiness test calls: participant.add / participant.remove (simulator/cisco-dialout.ts)
  const dialOut = ciscoDialOut(inv, sites, method, participant);

  method('participant.enumerate', (p, reply) => {
    let snap = snapshot;
    let offset = 0;
    if (p.enumerateID === undefined) snap = take();
    else {
      const m = /^(\d+):(\d+)$/.exec(String(p.enumerateID));
      if (!m || !snap || Number(m[1]) !== snap.id) return reply(FAULT.invalidEnumerateId);
      offset = Number(m[2]);
    }
    const page = snap!.list.slice(offset, offset + pageSize);
    const next = offset + pageSize < snap!.list.length ? `${snap!.id}:${offset + pageSize}` : null;
    reply(null, {
      participants: [...page.map(participant), ...(next ? [] : dialOut.enumerate(p.enumerateFilter))],
      ...(next && { enumerateID: next }),
      currentRevision: snap!.id,
    });
  });

  /** The CDR log: participantJoined / participantLeft of every call, appended as calls start and end. */
  const cdr: Record<string, unknown>[] = [];
  const logged = new Set<string>();
  const participantNo = (site: string, call: number) =>
    String((hashId(`${site}:${call}`) % 900_000) + 100_000);
  const syncCdr = () => {
    const fresh: { t: number; e: Record<string, unknown> }[] = [];
    for (const s of sites.values()) {
      for (const c of s.calls) {
        const k = `${s.id}:${c.index}:j`;
        if (logged.has(k)) continue;
        logged.add(k);
        fresh.push({
          t: c.start,
          e: {
            type: 'participantJoined',
            conference: { uniqueId: CONFERENCE_ID, name: CONFERENCE },
            participant: { participantId: participantNo(s.id, c.index) },
            call: { direction: 'incoming' },
          },
        });
      }
      for (const c of s.ended) {
        const k = `${s.id}:${c.index}:l`;
        if (logged.has(k)) continue;
        logged.add(k);
        const secs = Math.round((c.end - c.start) / 1000);
        fresh.push({
          t: c.end,
          e: {
            type: 'participantLeft',
            conference: { uniqueId: CONFERENCE_ID, name: CONFERENCE },
            endpointDetails: {
              ipAddress: codecHost.get(s.id) ?? '',
              dn: '',
              h323Alias: address.get(s.id) ?? '',
              configuredName: '',
            },
            participant: { participantId: participantNo(s.id, c.index) },
            call: {
              timeInConference: `${Math.floor(secs / 60)} minutes ${secs % 60} seconds`,
              timeInConferenceInMinutes: Math.ceil(secs / 60),
              disconnectReason: CISCO_SIM_REASONS[c.cause],
            },
          },
        });
      }
    }
    fresh.sort((a, b) => a.t - b.t);
    for (const f of fresh) cdr.push({ time: deviceTime(f.t), index: FIRST_INDEX + cdr.length, ...f.e });
  };

  method('cdrlog.query', (_p, reply) => {
    syncCdr();
    reply(null, {
      firstIndex: FIRST_INDEX,
      deletableIndex: FIRST_INDEX - 1,
      numEvents: Math.max(0, cdr.length - 1),
    });
  });

  method('cdrlog.enumerate', (p, reply) => {
    syncCdr();
    const highest = FIRST_INDEX + cdr.length - 1;
    const asked = typeof p.index === 'number' ? p.index : -1;
    const from = asked < 0 || asked >= highest + 2 ? FIRST_INDEX : Math.max(FIRST_INDEX, asked);
    const n = typeof p.numEvents === 'number' && p.numEvents >= 1 && p.numEvents <= 20 ? p.numEvents : 20;
    const events = cdr.slice(from - FIRST_INDEX, from - FIRST_INDEX + n);
    const next = from + events.length;
    reply(null, {
      startIndex: from,
      nextIndex: next,
      eventsRemaining: next <= highest,
      currentTime: deviceTime(Date.now()),
      events,
    });
  });

  method('participant.diagnostics', (p, reply) => {
    const key = `${String(p.participantName)}|${String(p.participantProtocol)}|${String(p.participantType)}`;
    const dialled = dialOut.diagnostics(p);
    if (dialled) return reply(null, dialled);
    const found = snapshot?.byKey.get(key);
    if (!found || p.conferenceName !== CONFERENCE || !found.s.currentCall() || found.s.portFault)
      return reply(FAULT.noSuchParticipant);
    const bps = found.s.callRateKbps * 1000;
    const video = bps - 64_000;
    reply(null, {
      videoTxFrameRate: 30,
      videoRxFrameRate: 30,
      videoRxFramesReceived: Math.floor(((Date.now() - found.since) / 1000) * 30),
      videoTxChannelBitRate: bps,
      videoTxSelectedBitRate: video,
      videoTxActualBitRate: Math.round(video * 0.95),
      videoTxBitRateLimitReason: 'notLimited',
      videoRxChannelBitRate: bps,
      videoRxSelectedBitRate: video,
      videoRxActualBitRate: Math.round(video * 0.95),
    });
  });

  // the faults that are not XML-RPC answers: a dropped connection and a cut reply
  const handle = http.listeners('request')[0] as (req: IncomingMessage, res: ServerResponse) => void;
  http.removeAllListeners('request');
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    count++;
    const f = fault();
    if (f === 'unreachable') return void req.socket.destroy();
    if (f === 'malformed') {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/xml' });
      return void res.end(
        '<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>partic',
      );
    }
    handle(req, res);
  });
  http.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) =>
      reject(
        new Error(
          `simulator: cannot listen on ${o.host}:${o.port} for the Cisco XML-RPC API: ${err.message}`,
        ),
      );
    http.once('error', fail);
    http.once('listening', () => {
      http.off('error', fail);
      resolve();
    });
  });
  const a = http.address() as AddressInfo;
  return {
    url: `http://${a.address}:${a.port}`,
    requests: () => count,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise((r) => http.close(r));
    },
  };
}
