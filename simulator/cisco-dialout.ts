// The simulated Cisco TelePresence MCU's dial-out (readiness test calls): participant.add with
// participantType by_address calls the address (simulator/dialout.ts); participant.enumerate shows the
// participant alerting, then connected (with its packet counters) or disconnected with the documented
// disconnectReason; participant.diagnostics answers for it once connected; participant.remove hangs it
// up and forgets it. Members and fault codes: docs/mcu-drivers.md.
import type { LoadedInventory } from '../inventory/load.ts';
import { DialOuts } from './dialout.ts';
import type { SiteSim } from './model.ts';

type Reply = (error: unknown, value?: unknown) => void;
type Method = (name: string, answer: (p: Record<string, unknown>, reply: Reply) => void) => void;

/** A connected participant as simulator/cisco-telepresence.ts renders it (currentState with counters). */
export interface CiscoSimParticipant {
  key: string;
  name: string;
  s: SiteSim;
  since: number;
}

/** Fault codes of the TANDBERG/Codian API 3.0 §11 and the MCU API 2.8 fault-code table. */
const FAULT = {
  duplicateParticipant: { faultCode: 3, faultString: 'duplicate participant name' },
  noSuchParticipant: { faultCode: 5, faultString: 'no such participant' },
  noSuchConference: { faultCode: 4, faultString: 'no such conference or auto attendant' },
};

/** disconnectReason of a call the site could not take: MCU API 2.8, *Participant disconnect reasons* (p. 106). */
export const CISCO_DIAL_FAILED = 'destinationUnreachable';
/** … and of a call to an endpoint already in a call ("the endpoint is in another call", same table) */
export const CISCO_DIAL_BUSY = 'busy';

export interface CiscoDialOut {
  /** the dialled participants for the last reply of an enumeration (filter "connected": only those) */
  enumerate(filter: unknown): Record<string, unknown>[];
  /** participant.diagnostics of a dialled participant; null when the call is not one */
  diagnostics(p: Record<string, unknown>): Record<string, unknown> | null;
  /** participants added and not removed */
  active(): number;
}

export function ciscoDialOut(
  inv: LoadedInventory,
  sites: Map<string, SiteSim>,
  method: Method,
  render: (p: CiscoSimParticipant) => Record<string, unknown>,
  o: { answerMs?: number; failMs?: number } = {},
): CiscoDialOut {
  const calls = new DialOuts(inv, sites, o.answerMs, o.failMs);
  /** participantName → its identification */
  const ids = new Map<string, { protocol: string; conference: string }>();
  const key = (p: Record<string, unknown>) => String(p.participantName ?? '');
  const same = (p: Record<string, unknown>) => {
    const id = ids.get(key(p));
    return (
      id !== undefined &&
      p.participantType === 'by_address' &&
      p.participantProtocol === id.protocol &&
      p.conferenceName === id.conference
    );
  };

  method('participant.add', (p, reply) => {
    const name = key(p);
    const conference = p.conferenceName;
    const address = p.address;
    if (!name || typeof conference !== 'string' || !conference || typeof address !== 'string' || !address)
      return reply(FAULT.noSuchConference);
    if (ids.has(name)) return reply(FAULT.duplicateParticipant);
    const protocol = p.participantProtocol === 'h323' ? 'h323' : 'sip';
    ids.set(name, { protocol, conference });
    calls.dial(name, protocol === 'h323' ? `h323:${address}` : address, conference);
    reply(null, { status: 'operation successful' });
  });

  method('participant.remove', (p, reply) => {
    if (!same(p)) return reply(FAULT.noSuchParticipant);
    ids.delete(key(p));
    calls.remove(key(p));
    reply(null, { status: 'operation successful' });
  });

  const connected = (name: string): CiscoSimParticipant | null => {
    const st = calls.state(name);
    const c = calls.get(name);
    return st?.state === 'connected' && c?.site
      ? { key: `${name}|${ids.get(name)!.protocol}|by_address`, name, s: c.site, since: st.since }
      : null;
  };

  return {
    enumerate(filter) {
      const out: Record<string, unknown>[] = [];
      for (const c of calls.list()) {
        const id = ids.get(c.id)!;
        const st = calls.state(c.id)!;
        const ident = {
          participantName: c.id,
          participantProtocol: id.protocol,
          participantType: 'by_address',
          conferenceName: id.conference,
        };
        const up = connected(c.id);
        if (up) {
          const r = render(up);
          const state = r.currentState as Record<string, unknown>;
          out.push({
            ...r,
            ...ident,
            currentState: {
              ...state,
              address: c.address.replace(/^h323:/i, ''),
              callDirection: 'outgoing',
            },
          });
        } else if (filter !== 'connected')
          out.push({
            ...ident,
            currentState: {
              address: c.address.replace(/^h323:/i, ''),
              callState: st.state === 'failed' ? 'disconnected' : 'alerting',
              callDirection: 'outgoing',
              ...(st.state === 'failed' && {
                disconnectTime: new Date(c.at),
                disconnectReason: st.why === 'busy' ? CISCO_DIAL_BUSY : CISCO_DIAL_FAILED,
              }),
            },
          });
      }
      return out;
    },
    diagnostics(p) {
      if (!same(p)) return null;
      const up = connected(key(p));
      if (!up) return null;
      const bps = up.s.callRateKbps * 1000;
      const video = bps - 64_000;
      return {
        videoRxChannelBitRate: bps,
        videoRxActualBitRate: Math.round(video * 0.95),
        videoTxChannelBitRate: bps,
        videoTxActualBitRate: Math.round(video * 0.95),
        videoRxFrameRate: 30,
        videoTxFrameRate: 30,
      };
    },
    active: () => calls.list().length,
  };
}
