// The simulated Pexip management command API's dial-out (readiness test calls): POST
// /api/admin/command/v1/participant/dial/ places a call (simulator/dialout.ts) and answers with the new
// participant's id; the status API shows the call as a participant (has_media once connected, its
// media streams); a call the site cannot answer ends (the participant is gone, 404) after the ring;
// POST …/participant/disconnect/ hangs it up. Request fields and reply: docs/mcu-drivers.md.
import type { IncomingMessage } from 'node:http';
import type { LoadedInventory } from '../inventory/load.ts';
import { DialOuts } from './dialout.ts';
import type { SiteSim } from './model.ts';
import { hashId } from './rand.ts';

export const PEXIP_COMMAND = '/api/admin/command/v1';
const STATUS = '/api/admin/status/v1';

/** The largest command body read (the documented fields are a few hundred bytes). */
const MAX_BODY = 64 * 1024;

type Send = (status: number, body: unknown) => void;

export interface PexipDialOut {
  /** Starts reading a command's body as it arrives (a slow reply still carries the command out). */
  receive(req: IncomingMessage): void;
  /** Answers a dial/disconnect command or a status request about a dialled call; false: not one of those. */
  answer(req: IncomingMessage, url: URL, send: Send): boolean;
  /** One page of the participant list: the meeting's participants, then the dialled calls. */
  page<P>(
    meeting: P[],
    offset: number,
    limit: number,
    render: (p: P) => unknown,
  ): { total: number; objects: unknown[] };
  /** calls placed and not hung up (a failed call is gone once the ring is over) */
  active(): number;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(size > MAX_BODY ? null : JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(null);
      }
    });
    req.on('error', () => resolve(null));
  });
}

export function pexipDialOut(
  inv: LoadedInventory,
  sites: Map<string, SiteSim>,
  o: {
    codecHost: Map<string, string>;
    streams: (s: SiteSim) => unknown[];
    answerMs?: number;
    failMs?: number;
  },
): PexipDialOut {
  const calls = new DialOuts(inv, sites, o.answerMs, o.failMs);
  const bodies = new WeakMap<IncomingMessage, Promise<unknown>>();
  const names = new Map<string, string>();
  let seq = 0;
  const newId = () => {
    const n = ++seq;
    const h = (k: number) => (hashId(`dial:${n}`, k) >>> 0).toString(16).padStart(8, '0');
    return `${h(1)}-${h(2).slice(0, 4)}-4${h(3).slice(1, 4)}-a${h(4).slice(1, 4)}-${h(5)}${h(6).slice(0, 4)}`;
  };

  /** The call as a status participant; null when it has ended (a failed call is removed). */
  const render = (id: string) => {
    const st = calls.state(id);
    const c = calls.get(id);
    if (!st || !c) return null;
    if (st.state === 'failed') {
      calls.remove(id);
      names.delete(id);
      return null;
    }
    const up = st.state === 'connected';
    return {
      bandwidth: up && c.site ? c.site.callRateKbps : 0,
      call_direction: 'out',
      conference: c.conference,
      ...(up && { connect_time: new Date(st.since).toISOString().replace('Z', '') }),
      destination_alias: c.address,
      display_name: names.get(id) ?? c.address,
      has_media: up,
      id,
      is_muted: false,
      is_on_hold: false,
      is_presenting: false,
      protocol: /^h323:/i.test(c.address) ? 'H323' : 'SIP',
      remote_address: (c.site && o.codecHost.get(c.site.id)) ?? '',
      resource_uri: `${STATUS}/participant/${id}/`,
      role: 'guest',
      service_type: 'conference',
      source_alias: c.conference,
    };
  };

  const command = async (req: IncomingMessage, what: string, send: Send) => {
    const body = (await (bodies.get(req) ?? readJson(req))) as Record<string, unknown> | null;
    if (!body || typeof body !== 'object')
      return send(400, { status: 'failure', reason: 'request body is not a JSON object' });
    if (what === 'dial') {
      const alias = body.conference_alias;
      const dest = body.destination;
      if (typeof alias !== 'string' || !alias || typeof dest !== 'string' || !dest)
        return send(400, {
          status: 'failure',
          reason: 'conference_alias and destination are required',
        });
      const id = newId();
      const prefix = body.protocol === 'h323' ? 'h323:' : '';
      calls.dial(id, `${prefix}${dest}`, alias);
      if (typeof body.remote_display_name === 'string') names.set(id, body.remote_display_name);
      return send(200, { status: 'success', data: { participant_id: id, participant_ids: [id] } });
    }
    const id = body.participant_id;
    if (typeof id !== 'string' || !calls.remove(id))
      return send(404, { status: 'failure', reason: 'no such participant' });
    names.delete(id);
    return send(200, { status: 'success' });
  };

  return {
    receive(req) {
      if (req.method === 'POST') bodies.set(req, readJson(req));
    },
    answer(req, url, send) {
      const cmd = new RegExp(`^${PEXIP_COMMAND}/participant/(dial|disconnect)/$`).exec(url.pathname);
      if (cmd) {
        if (req.method !== 'POST') send(405, {});
        else void command(req, cmd[1]!, send);
        return true;
      }
      if (req.method !== 'GET') return false;
      const m = new RegExp(`^${STATUS}/participant/([0-9a-f-]+)/(media_stream/)?$`).exec(url.pathname);
      if (!m || !calls.get(m[1]!)) return false;
      const c = calls.get(m[1]!)!;
      const p = render(c.id);
      if (!p) send(404, {});
      else if (!m[2]) send(200, p);
      else {
        const objects = p.has_media && c.site ? o.streams(c.site) : [];
        send(200, {
          meta: { limit: 20, next: null, offset: 0, previous: null, total_count: objects.length },
          objects,
        });
      }
      return true;
    },
    page(meeting, offset, limit, renderMeeting) {
      const dialled = calls
        .list()
        .map((c) => render(c.id))
        .filter((p) => p !== null);
      const objects = [
        ...meeting.slice(offset, offset + limit).map(renderMeeting),
        ...dialled.slice(Math.max(0, offset - meeting.length), Math.max(0, offset + limit - meeting.length)),
      ];
      return { total: meeting.length + dialled.length, objects };
    },
    active: () => calls.list().length,
  };
}
