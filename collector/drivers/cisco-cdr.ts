// Cisco TelePresence MCU / TelePresence Server call detail records through XML-RPC
// (docs/mcu-drivers.md "Call records"): cdrlog.query once for where the log ends, then
// cdrlog.enumerate from the last nextIndex; participantJoined gives a participant's join time,
// participantLeft (and the TelePresence Server's participantDisconnected) its leave, where it
// called from and the disconnect reason. One record per participant of a conference.
import { z } from 'zod';
import type { CallRecord } from '../../core/call-records.ts';
import { aliasKey, type LoadedInventory } from '../../inventory/load.ts';
import { ciscoCause } from './disconnect-causes.ts';
import { DriverError } from './http.ts';
import type { XmlRpcClient } from './xmlrpc.ts';

/** a fresh reader starts this many events before the end of the log */
export const CDR_BACKLOG = 200;
/** events per cdrlog.enumerate call (the documented maximum) */
const PER_CALL = 20;
/** cdrlog.enumerate calls per read at most; the rest waits for the next poll */
const MAX_CALLS = 50;

const int = z.number().int();
const id = z.union([z.string(), z.number()]).transform(String);
const text = z.string().optional();

const QueryReply = z.object({ firstIndex: int, numEvents: int.nonnegative() }).loose();

/** One CDR event: the common members (time, type, index) and the participant events' sections. */
export const CdrEvent = z
  .object({
    time: z.date(),
    type: z.string(),
    index: int,
    conference: z.object({ uniqueId: id.optional(), name: text }).loose().optional(),
    participant: z.object({ participantId: id.optional() }).loose().optional(),
    endpointDetails: z
      .object({ ipAddress: text, dn: text, h323Alias: text, configuredName: text })
      .loose()
      .optional(),
    call: z.object({ direction: text, disconnectReason: text, timeInConference: text }).loose().optional(),
  })
  .loose();
export type CdrEvent = z.infer<typeof CdrEvent>;

const EnumerateReply = z
  .object({
    startIndex: int.optional(),
    nextIndex: int,
    eventsRemaining: z.boolean().optional(),
    events: z.array(z.unknown()),
  })
  .loose();

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  throw new DriverError(
    'bad_response',
    `trả lời không đúng tài liệu Cisco / reply not as documented (${what}: ${i.path.join('.') || '(root)'}: ${i.message})`,
  );
}

/**
 * The device writes UTC without a zone ("20110119T13:52:42", MCU API 2.9 cdrlog.enumerate); the
 * xmlrpc package reads such a time as local time, so its local fields are the UTC ones.
 */
export function utcOf(d: Date): number {
  return Date.UTC(
    d.getFullYear(),
    d.getMonth(),
    d.getDate(),
    d.getHours(),
    d.getMinutes(),
    d.getSeconds(),
    d.getMilliseconds(),
  );
}

/** "time in conference" as written in the CDR ("1 minute 5 seconds", "01:05", "65"): seconds, or null. */
export function durationSeconds(s: string | undefined): number | null {
  if (!s) return null;
  const clock = /^(?:(\d+):)?(\d+):(\d{1,2})$/.exec(s.trim());
  if (clock) return Number(clock[1] ?? 0) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
  if (/^\d+$/.test(s.trim())) return Number(s.trim());
  let total = 0;
  let any = false;
  for (const m of s.matchAll(/(\d+)\s*(hour|minute|min|second|sec)/gi)) {
    any = true;
    const u = m[2]!.toLowerCase();
    total += Number(m[1]) * (u.startsWith('h') ? 3600 : u.startsWith('m') ? 60 : 1);
  }
  return any ? total : null;
}

const LEAVES = new Set(['participantLeft', 'participantDisconnected']);

export class CiscoCdr {
  /** the next index to ask for; null until cdrlog.query said where the log ends */
  private next: number | null = null;
  /** join times by conference/participant, from participantJoined events */
  private joined = new Map<string, number>();
  /** records handed out (a TelePresence Server logs both participantLeft and participantDisconnected) */
  private done = new Set<string>();

  constructor(
    private readonly inv: LoadedInventory,
    private readonly client: XmlRpcClient,
    private readonly backlog = CDR_BACKLOG,
  ) {}

  /** The records of the participants that left since the last read; throws DriverError on failure. */
  async read(): Promise<CallRecord[]> {
    let index: number;
    if (this.next === null) {
      const q = parse(QueryReply, await this.client.call('cdrlog.query'), 'cdrlog.query');
      index = Math.max(q.firstIndex, q.firstIndex + q.numEvents - this.backlog);
    } else index = this.next;
    const events: CdrEvent[] = [];
    for (let calls = 0; calls < MAX_CALLS; calls++) {
      const r: z.infer<typeof EnumerateReply> = parse(
        EnumerateReply,
        await this.client.call('cdrlog.enumerate', { index, numEvents: PER_CALL }),
        'cdrlog.enumerate',
      );
      for (const e of r.events) {
        const ev = CdrEvent.safeParse(e);
        // an event of another type may have other members; only the participant events must parse
        if (ev.success) events.push(ev.data);
        else if (
          typeof e === 'object' &&
          e !== null &&
          (LEAVES.has(String((e as { type?: unknown }).type)) ||
            (e as { type?: unknown }).type === 'participantJoined')
        )
          parse(CdrEvent, e, 'cdrlog.enumerate events');
      }
      // below the index asked for: the device's log began again (an index past its end enumerates from
      // the beginning, MCU API 2.9 p. 25); followed, as the calls per read are bounded
      index = r.nextIndex;
      if (!r.eventsRemaining) break;
    }
    this.next = index;
    const out: CallRecord[] = [];
    for (const e of events) {
      const key = `${e.conference?.uniqueId ?? e.conference?.name ?? ''}/${e.participant?.participantId ?? `#${e.index}`}`;
      if (e.type === 'participantJoined') {
        this.joined.set(key, utcOf(e.time));
        continue;
      }
      if (!LEAVES.has(e.type) || this.done.has(key)) continue;
      const site = this.siteOf(e);
      if (!site) continue;
      this.done.add(key);
      const left = utcOf(e.time);
      const secs = durationSeconds(e.call?.timeInConference);
      const joined = this.joined.get(key) ?? (secs === null ? null : left - secs * 1000);
      this.joined.delete(key);
      const reason = e.call?.disconnectReason ?? null;
      out.push({
        mcu: this.inv.inventory.mcu.id,
        record_id: `cdr:${key}`,
        site,
        joined_at: joined === null ? null : Math.min(joined, left),
        left_at: left,
        cause: ciscoCause(reason),
        vendor_cause: reason,
        conference: e.conference?.name ?? null,
      });
    }
    if (this.done.size > 10_000) this.done = new Set([...this.done].slice(-5_000));
    if (this.joined.size > 10_000) this.joined = new Map([...this.joined].slice(-5_000));
    return out;
  }

  private siteOf(e: CdrEvent): string | null {
    const d = e.endpointDetails;
    for (const a of [d?.h323Alias, d?.dn, d?.configuredName, d?.ipAddress]) {
      if (!a) continue;
      const site = this.inv.aliases.get(aliasKey(a));
      if (site) return site;
    }
    return null;
  }
}
