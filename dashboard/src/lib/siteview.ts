// What the map, its card, the sites table and the site page show of one site (issue 15): derived
// from the live status and episodes on every update, never chosen once. Pure functions, unit-tested.
import type {
  Alert,
  Episode,
  MaintenanceWindow,
  Silence,
  SiteMetrics,
  SiteStatus,
} from '../../../api/contract.ts';
import { TZ } from '../../../core/time.ts';
import { severityRank } from './states.ts';

/** The system's one time zone (core/time.ts): the dashboard formats in it, never in the browser's. */
export { TZ };

type Lang = 'vi' | 'en';

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function parts(ms: number, withDate: boolean, seconds: boolean): Record<string, string> {
  const key = `${withDate}${seconds}`;
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: TZ,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      ...(seconds && { second: '2-digit' }),
      ...(withDate && { day: '2-digit', month: '2-digit', year: 'numeric' }),
    });
    fmtCache.set(key, f);
  }
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
  return p;
}

const bad = (ms: number | null | undefined): ms is null | undefined =>
  ms === null || ms === undefined || !Number.isFinite(ms) || ms === 0;

/** "08:00:05" in Bắc Kạn time. */
export function fmtClock(ms: number | null | undefined): string {
  if (bad(ms)) return '—';
  const p = parts(ms, false, true);
  return `${p['hour']}:${p['minute']}:${p['second']}`;
}

/** "08:00:05 10/03/2026" in Bắc Kạn time (time first, as Vietnamese documents write it). */
export function fmtStamp(ms: number | null | undefined): string {
  if (bad(ms)) return '—';
  const p = parts(ms, true, true);
  return `${p['hour']}:${p['minute']}:${p['second']} ${p['day']}/${p['month']}/${p['year']}`;
}

/** "08:00 10/03/2026" in Bắc Kạn time. */
export function fmtMinuteTz(ms: number | null | undefined): string {
  if (bad(ms)) return '—';
  const p = parts(ms, true, false);
  return `${p['hour']}:${p['minute']} ${p['day']}/${p['month']}/${p['year']}`;
}

/** "12 phút trước" / "12 min ago"; under a minute "vừa xong" / "just now". */
export function fmtAgo(ms: number, now: number, lang: Lang): string {
  const min = Math.max(0, Math.floor((now - ms) / 60_000));
  const vi = lang === 'vi';
  if (min < 1) return vi ? 'vừa xong' : 'just now';
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  let text: string;
  if (d > 0) text = vi ? `${d} ngày${h ? ` ${h} giờ` : ''}` : `${d} d${h ? ` ${h} h` : ''}`;
  else if (h > 0) text = vi ? `${h} giờ${m ? ` ${m} phút` : ''}` : `${h} h${m ? ` ${m} min` : ''}`;
  else text = vi ? `${m} phút` : `${m} min`;
  return vi ? `${text} trước` : `${text} ago`;
}

/** A site that needs attention on the map: anything but ok, maintenance and switched off. */
export function needsAttention(s: Pick<SiteStatus, 'state'> | undefined): boolean {
  return !!s && s.state !== 'ok' && s.state !== 'maintenance' && s.state !== 'off';
}

/**
 * The sites needing attention, worst first: by state (down, on battery, degraded, unknown), then those
 * nobody is on yet before those acknowledged or held back, then the longest in that state, then by id.
 * The keyboard's path through the map and the order names are placed in (the worst get room first).
 */
export function attentionOrder(
  ids: readonly string[],
  statusOf: (id: string) => SiteStatus | undefined,
  handled: (s: SiteStatus) => boolean = () => false,
): string[] {
  const rows: { id: string; rank: number; held: number; since: number }[] = [];
  for (const id of ids) {
    const s = statusOf(id);
    if (!s || !needsAttention(s)) continue;
    rows.push({ id, rank: severityRank(s.state), held: handled(s) ? 1 : 0, since: s.since });
  }
  rows.sort(
    (a, b) =>
      a.rank - b.rank || a.held - b.held || a.since - b.since || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return rows.map((r) => r.id);
}

/**
 * The sites named beside their node, from the statuses as they are now, worst first (the first
 * get room when names compete): a small set (one district) names every site but the province's (they
 * have labels of their own); the whole network names the communes that need attention while they
 * are few enough to place (48: a district outage and then some; placeLabels leaves out those with no room).
 */
export function labelledIds(
  ids: readonly string[],
  statusOf: (id: string) => SiteStatus | undefined,
): string[] {
  if (ids.length <= 40) {
    const worst = attentionOrder(ids, statusOf);
    const first = new Set(worst);
    return [...worst, ...ids.filter((id) => !first.has(id))].filter(
      (id) => statusOf(id)?.tier !== 'province',
    );
  }
  const communes = attentionOrder(ids, statusOf).filter((id) => statusOf(id)?.tier === 'commune');
  return communes.length > 48 ? [] : communes;
}

/** The figures worth showing: a down site's last MOS, jitter and delay are stale, so none. */
export function shownMetrics(s: Pick<SiteStatus, 'state' | 'metrics'>): SiteMetrics {
  if (s.state !== 'down') return s.metrics;
  const { mos: _m, jitter_ms: _j, rtt_ms: _r, ...rest } = s.metrics;
  return { ...rest, loss_pct: 100 };
}

/**
 * The episode that is the site's state: the one the server named (alerts/precedence.ts), else (an
 * older server, or the episode not here yet) the most severe open episode that lists the site.
 */
export function episodeOf(
  s: Pick<SiteStatus, 'id' | 'episode' | 'state'>,
  episodes: readonly Episode[],
): Episode | undefined {
  if (s.state === 'ok') return undefined;
  if (s.episode) {
    const e = episodes.find((x) => x.id === s.episode);
    if (e) return e;
  }
  const rank = { critical: 0, major: 1, minor: 2, info: 3 } as const;
  return episodes
    .filter((e) => e.state !== 'resolved' && e.sites.includes(s.id))
    .sort((a, b) => rank[a.severity] - rank[b.severity] || a.started_at - b.started_at)[0];
}

/** Who is on a fault: acknowledged (by whom, when, what they said), silenced or in maintenance (until when), or nobody. */
export type Handling =
  | { kind: 'none' }
  | { kind: 'acknowledged'; by: string; at: number | null; comment: string | null }
  | {
      kind: 'silence' | 'maintenance';
      id: string;
      until: number | null;
      by: string | null;
      comment: string | null;
    };

/** The end of the maintenance window's occurrence that holds `now` (local Bắc Kạn time), or null. */
export function maintenanceUntil(
  w: Pick<MaintenanceWindow, 'weekdays' | 'start' | 'duration_min'>,
  now: number,
): number | null {
  const [hh, mm] = w.start.split(':').map(Number) as [number, number];
  // Bắc Kạn is UTC+7 all year (no daylight saving)
  const OFFSET = 7 * 3_600_000;
  const localMidnight = Math.floor((now + OFFSET) / 86_400_000) * 86_400_000 - OFFSET;
  for (const back of [0, 1, 2, 3, 4, 5, 6, 7]) {
    const day = localMidnight - back * 86_400_000;
    const start = day + (hh * 60 + mm) * 60_000;
    const end = start + w.duration_min * 60_000;
    const weekday = ((new Date(day + OFFSET).getUTCDay() + 6) % 7) + 1;
    if (w.weekdays.length > 0 && !w.weekdays.includes(weekday)) continue;
    if (start <= now && now < end) return end;
  }
  return null;
}

export function handlingOf(
  e: Pick<Episode, 'acknowledged_by' | 'acknowledged_at' | 'ack_comment' | 'suppressed_by'> | undefined,
  holds: { silences: readonly Silence[]; maintenance: readonly MaintenanceWindow[] },
  now: number,
): Handling {
  if (!e) return { kind: 'none' };
  if (e.suppressed_by) {
    const [kind, id = ''] = e.suppressed_by.split(':') as [string, string | undefined];
    if (kind === 'maintenance') {
      const w = holds.maintenance.find((m) => m.id === id);
      return {
        kind: 'maintenance',
        id,
        until: w ? maintenanceUntil(w, now) : null,
        by: w?.created_by ?? null,
        comment: w?.comment || null,
      };
    }
    const s = holds.silences.find((x) => x.id === id);
    return {
      kind: 'silence',
      id,
      until: s?.ends_at ?? null,
      by: s?.created_by ?? null,
      comment: s?.comment || null,
    };
  }
  if (e.acknowledged_by) {
    return { kind: 'acknowledged', by: e.acknowledged_by, at: e.acknowledged_at, comment: e.ack_comment };
  }
  return { kind: 'none' };
}

/**
 * What the store holds after a live snapshot: the snapshot's alerts and episodes (every open one),
 * plus the resolved ones already known — the alerts page fetched them for its resolved tab, and a
 * snapshot (on every reconnect) carries only what is open.
 */
export function mergeSnapshot(
  known: { alerts: ReadonlyMap<string, Alert>; episodes: ReadonlyMap<string, Episode> },
  snapshot: { alerts: readonly Alert[]; episodes: readonly Episode[] },
): { alerts: Map<string, Alert>; episodes: Map<string, Episode> } {
  // resolved is final: a snapshot made a moment before an episode resolved must not reopen it here
  const alerts = new Map(snapshot.alerts.map((a) => [a.id, a]));
  for (const a of known.alerts.values()) if (a.state === 'resolved') alerts.set(a.id, a);
  const episodes = new Map(snapshot.episodes.map((e) => [e.id, e]));
  for (const e of known.episodes.values()) if (e.state === 'resolved') episodes.set(e.id, e);
  return { alerts, episodes };
}

/** A meeting going on now (not cancelled), for the map's "this meeting" filter. */
export function liveMeetings<M extends { start: number; end: number; cancelled_at: number | null }>(
  list: readonly M[],
  now: number,
): M[] {
  return list
    .filter((m) => m.cancelled_at === null && m.start <= now && now < m.end)
    .sort((a, b) => a.start - b.start);
}
