// The logbook of meetings held (Điều 14.1.c: Viettel "thống kê số lượng cuộc họp"): one row per
// meeting that took place — a registered meeting at least one of whose sites connected, or a call the
// MCU carried that nobody registered (unregistered, central, district-hosted) — never because a meeting
// was registered. Cancelled and future meetings never count; a period reaching into the future counts
// up to now and says so.
import type { Episode } from '../api/contract.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { TIERS, type Tier } from '../inventory/schema.ts';
import type { CallLog, ObservedCall } from '../meetings/observed.ts';
import type { DbMeetings, Meeting } from '../meetings/store.ts';
import { addLocalMonths, localMonth } from '../meetings/time.ts';

export const HELD_KINDS = ['registered', 'emergency', 'unregistered', 'central', 'district_hosted'] as const;
export type HeldKind = (typeof HELD_KINDS)[number];

export const HELD_KIND_LABEL: Record<HeldKind, { vi: string; en: string }> = {
  registered: { vi: 'Đã đăng ký', en: 'registered' },
  emergency: { vi: 'Đột xuất, khẩn cấp', en: 'emergency' },
  unregistered: { vi: 'Chưa đăng ký', en: 'unregistered' },
  central: { vi: 'Trung ương chủ trì', en: 'central' },
  district_hosted: { vi: 'Cấp huyện chủ trì', en: 'district-hosted' },
};

export interface LogbookRow {
  /** 1-based row number */
  n: number;
  meeting_id: string | null;
  call_id: string | null;
  kind: HeldKind;
  /** as held: the first connection (not before the registered start) … the last disconnection */
  start: number;
  end: number;
  /** registered times, for registered meetings */
  registered_start: number | null;
  registered_end: number | null;
  host_org: string | null;
  host_name: string;
  title: string;
  /** sites that were in the call, by tier */
  sites: Record<Tier, number> & { total: number };
  site_ids: string[];
  minutes: number;
  /** fault episodes that touched its sites while it ran */
  episodes: number;
}

export interface NotHeld {
  meeting_id: string;
  title: string;
  host_name: string;
  start: number;
  /** cancelled by its host; or its time passed with no site of it ever seen connected */
  reason: 'cancelled' | 'not_observed';
}

export interface Logbook {
  /** counted up to here: the period's end, or now when the period reaches into the future */
  counted_until: number;
  partial: boolean;
  rows: LogbookRow[];
  not_held: NotHeld[];
  /** registered meetings not yet started: never counted */
  upcoming: number;
}

const MIN = 60_000;

function tiers(inv: LoadedInventory, sites: Iterable<string>): LogbookRow['sites'] {
  const out = { province: 0, district: 0, commune: 0, total: 0 };
  for (const s of sites) {
    const tier = inv.sites.get(s)?.tier;
    if (!tier) continue;
    out[tier]++;
    out.total++;
  }
  return out;
}

function span(legs: ObservedCall['legs'], until: number, floor = -Infinity): { start: number; end: number } {
  const start = Math.max(floor, Math.min(...legs.map((l) => l.joined_at)));
  const end = Math.min(until, Math.max(...legs.map((l) => l.left_at ?? until)));
  return { start, end: Math.max(start, end) };
}

export function logbook(
  d: { inventory: LoadedInventory; meetings: DbMeetings; calls: CallLog },
  from: number,
  to: number,
  now: number,
  episodes: (from: number, to: number) => Episode[],
): Logbook {
  const inv = d.inventory;
  const until = Math.min(to, now);
  const orgName = (org: string | null) => (org ? (inv.organisations.get(org)?.name ?? org) : null);
  const registered = d.meetings
    .list({ from, to, include_cancelled: true })
    .items.filter((m) => m.start >= from && m.start < to);
  const rows: Omit<LogbookRow, 'n' | 'episodes'>[] = [];
  const notHeld: NotHeld[] = [];
  let upcoming = 0;
  const held = (m: Meeting) => {
    const call = d.calls.forMeeting(m.id);
    const legs = (call?.legs ?? []).filter(
      (l) => l.joined_at < m.end && (l.left_at === null || l.left_at > m.start) && l.joined_at < until,
    );
    return { call, legs };
  };
  for (const m of registered) {
    const base = { meeting_id: m.id, title: m.title, host_name: orgName(m.host_org)!, start: m.start };
    if (m.cancelled_at !== null) {
      notHeld.push({ ...base, reason: 'cancelled' });
      continue;
    }
    if (m.start >= now) {
      upcoming++;
      continue;
    }
    const { call, legs } = held(m);
    if (!legs.some((l) => m.sites.includes(l.site))) {
      // still to come within its time: not held yet, not "not observed" either
      if (m.end > now) upcoming++;
      else notHeld.push({ ...base, reason: 'not_observed' });
      continue;
    }
    const { start, end } = span(legs, until, m.start);
    const ids = [...new Set(legs.map((l) => l.site))];
    rows.push({
      meeting_id: m.id,
      call_id: call!.id,
      kind: m.emergency ? 'emergency' : 'registered',
      start,
      end,
      registered_start: m.start,
      registered_end: m.end,
      host_org: m.host_org,
      host_name: orgName(m.host_org)!,
      title: m.title,
      sites: tiers(inv, ids),
      site_ids: ids,
      minutes: Math.round((end - start) / MIN),
    });
  }
  for (const c of d.calls.list({ from, to: until })) {
    if (c.kind === 'registered' || c.kind === 'test' || c.started_at < from || c.legs.length === 0) continue;
    const { start, end } = span(c.legs, until);
    const ids = [...new Set(c.legs.map((l) => l.site))];
    const label = {
      unregistered: { vi: 'Cuộc gọi chưa đăng ký', host: 'Chưa xác định' },
      central: { vi: 'Hội nghị do Trung ương chủ trì', host: 'Trung ương' },
      district_hosted: { vi: 'Hội nghị do cấp huyện chủ trì', host: 'Cấp huyện' },
    }[c.kind];
    rows.push({
      meeting_id: null,
      call_id: c.id,
      kind: c.kind,
      start,
      end,
      registered_start: null,
      registered_end: null,
      host_org: c.host_org,
      host_name: orgName(c.host_org) ?? label.host,
      title: c.title ?? label.vi,
      sites: tiers(inv, ids),
      site_ids: ids,
      minutes: Math.round((end - start) / MIN),
    });
  }
  rows.sort((a, b) => a.start - b.start);
  const eps = until > from ? episodes(from, until) : [];
  return {
    counted_until: until,
    partial: to > now,
    rows: rows.map((r, i) => ({
      ...r,
      n: i + 1,
      episodes: eps.filter(
        (e) =>
          e.started_at < r.end &&
          (e.cleared_at ?? e.resolved_at ?? Number.POSITIVE_INFINITY) > r.start &&
          e.sites.some((s) => r.site_ids.includes(s)),
      ).length,
    })),
    not_held: notHeld,
    upcoming,
  };
}

/** Totals of the logbook, by host, tier and month: always the sum of its rows. */
export function logbookTotals(book: Logbook, from: number, to: number) {
  const rows = book.rows;
  const byKind = Object.fromEntries(
    HELD_KINDS.map((k) => [k, rows.filter((r) => r.kind === k).length]),
  ) as Record<HeldKind, number>;
  const byHost = new Map<string, { org: string; name: string; count: number }>();
  for (const r of rows) {
    const key = r.host_org ?? `~${r.host_name}`;
    const cur = byHost.get(key) ?? { org: r.host_org ?? '', name: r.host_name, count: 0 };
    cur.count++;
    byHost.set(key, cur);
  }
  const months: string[] = [];
  for (let t = from; t < to; t = addLocalMonths(t, 1)) months.push(localMonth(t));
  const byMonth = new Map(months.map((mo) => [mo, 0]));
  for (const r of rows) byMonth.set(localMonth(r.start), (byMonth.get(localMonth(r.start)) ?? 0) + 1);
  return {
    total: rows.length,
    by_kind: byKind,
    by_host: [...byHost.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
    /** a meeting counts for each tier it connected; site_sessions = sites × meetings */
    by_tier: TIERS.map((tier) => ({
      tier,
      meetings: rows.filter((r) => r.sites[tier] > 0).length,
      site_sessions: rows.reduce((a, r) => a + r.sites[tier], 0),
    })),
    by_month: [...byMonth].map(([month, count]) => ({ month, count })),
    minutes: rows.reduce((a, r) => a + r.minutes, 0),
  };
}
