// Pexip Infinity's management history API (docs/mcu-drivers.md "Call records"): the participants
// whose calls ended, read incrementally by end_time, each matched to a site and turned into a call
// record with its disconnect reason. The same participant id is never returned twice by one reader;
// after a restart the reader looks back `lookbackMs` and the observed-calls log drops what it has.
import { z } from 'zod';
import type { CallRecord } from '../../core/call-records.ts';
import { aliasKey, type LoadedInventory } from '../../inventory/load.ts';
import { pexipCause } from './disconnect-causes.ts';
import { DriverError, type JsonClient } from './http.ts';

export const PEXIP_HISTORY = '/api/admin/history/v1';
const PAGE = 500;
const MAX_PAGES = 100;
/** how far back a fresh reader (a collector that just started) asks for ended participants */
export const HISTORY_LOOKBACK_MS = 6 * 3_600_000;

const str = z.string().nullable().optional();
/** The documented history participant fields this reader uses; the others pass through unread. */
export const PexipHistoryParticipant = z
  .object({
    id: z.string().min(1),
    start_time: str,
    end_time: str,
    /** seconds */
    duration: z.number().finite().nullable().optional(),
    disconnect_reason: str,
    call_direction: str,
    remote_alias: str,
    local_alias: str,
    source_alias: str,
    destination_alias: str,
    remote_address: str,
    conference_name: str,
    call_quality: str,
  })
  .loose();
export type PexipHistoryParticipant = z.infer<typeof PexipHistoryParticipant>;

const Page = z.object({
  meta: z.object({ next: z.string().nullable().optional() }).loose(),
  objects: z.array(PexipHistoryParticipant),
});

/** Pexip's times: UTC, ISO 8601 without a zone ("2018-01-19T11:47:03.314052"). */
export function pexipTime(s: string | null | undefined): number | null {
  if (!s) return null;
  const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(s) ? s : `${s}Z`;
  // milliseconds at most: Date.parse does not promise more fractional digits
  const t = Date.parse(zoned.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(t) ? t : null;
}

/** The filter value: seconds, UTC, no zone (as the API writes its times). */
function filterTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
}

/** The site of an ended participant: its remote alias, then the alias of its direction, then its address. */
export function siteOfHistoryParticipant(
  p: PexipHistoryParticipant,
  aliases: Map<string, string>,
): string | null {
  const dir = p.call_direction === 'out' ? p.destination_alias : p.source_alias;
  for (const a of [p.remote_alias, dir, p.remote_address]) {
    if (!a) continue;
    const site = aliases.get(aliasKey(a));
    if (site) return site;
  }
  return null;
}

/** One ended participant as a call record of `site` (null without an end time). */
export function pexipRecord(mcu: string, p: PexipHistoryParticipant, site: string): CallRecord | null {
  const left = pexipTime(p.end_time);
  if (left === null) return null;
  let joined = pexipTime(p.start_time);
  if (joined === null && typeof p.duration === 'number') joined = left - p.duration * 1000;
  return {
    mcu,
    record_id: `pexip:${p.id}`,
    site,
    joined_at: joined === null ? null : Math.min(joined, left),
    left_at: left,
    cause: pexipCause(p.disconnect_reason),
    vendor_cause: p.disconnect_reason ?? null,
    conference: p.conference_name ?? null,
  };
}

export class PexipHistory {
  /** participants that ended at or after this time are asked for */
  private cursor: number;
  /** ids already read whose end time is at or after the cursor's second (the filter repeats them) */
  private seen = new Map<string, number>();

  constructor(
    private readonly inv: LoadedInventory,
    private readonly client: JsonClient,
    o: { now?: number; lookbackMs?: number; pageSize?: number } = {},
    private readonly pageSize = o.pageSize ?? PAGE,
  ) {
    this.cursor = (o.now ?? Date.now()) - (o.lookbackMs ?? HISTORY_LOOKBACK_MS);
  }

  /** The call records that ended since the last read; throws DriverError (nothing consumed) on failure. */
  async read(): Promise<CallRecord[]> {
    const all: PexipHistoryParticipant[] = [];
    let next: string | null | undefined =
      `${PEXIP_HISTORY}/participant/?end_time__gte=${filterTime(this.cursor)}&order_by=end_time&limit=${this.pageSize}&offset=0`;
    for (let page = 0; next; page++) {
      if (page >= MAX_PAGES)
        throw new DriverError('bad_response', `quá ${MAX_PAGES} trang / over ${MAX_PAGES} pages of history`);
      const r = Page.safeParse(await this.client.get(next));
      if (!r.success) {
        const i = r.error.issues[0]!;
        throw new DriverError(
          'bad_response',
          `trả lời không đúng tài liệu Pexip / reply not as documented (history participant: ${i.path.join('.') || '(root)'}: ${i.message})`,
        );
      }
      all.push(...r.data.objects);
      next = r.data.meta.next;
    }
    // everything read: only now is the cursor moved and are the records handed out
    const out: CallRecord[] = [];
    let cursor = this.cursor;
    // what the filter asked for: a server that ignores it does not hand out old records again
    const since = Math.floor(this.cursor / 1000) * 1000;
    for (const p of all) {
      const end = pexipTime(p.end_time);
      if (end === null || end < since || this.seen.has(p.id)) continue;
      this.seen.set(p.id, end);
      cursor = Math.max(cursor, end);
      const site = siteOfHistoryParticipant(p, this.inv.aliases);
      if (!site) continue;
      const r = pexipRecord(this.inv.inventory.mcu.id, p, site);
      if (r) out.push(r);
    }
    this.cursor = cursor;
    const floor = Math.floor(cursor / 1000) * 1000;
    for (const [id, end] of this.seen) if (end < floor) this.seen.delete(id);
    return out.sort((a, b) => a.left_at - b.left_at);
  }
}
