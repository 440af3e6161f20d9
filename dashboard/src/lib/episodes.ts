// Fault episodes as the alerts page shows them (issue 12): which card an alert belongs to, which tab
// an episode sits in, times in Bắc Kạn's zone and "12 phút trước". Pure functions, unit-tested.
import type { Alert, Episode } from '../../../api/contract.ts';
import { TZ } from '../../../core/time.ts';

export type EpisodeTab = 'open' | 'resolved';

/** Open episodes, the ones needing a person first: firing, settling, silenced, acknowledged. */
const OPEN_ORDER: Record<Episode['state'], number> = {
  firing: 0,
  settling: 1,
  suppressed: 2,
  acknowledged: 3,
  resolved: 4,
};

const SEV_ORDER: Record<Episode['severity'], number> = { critical: 0, major: 1, minor: 2, info: 3 };

export function tabOf(state: Episode['state'] | Alert['state']): EpisodeTab {
  return state === 'resolved' ? 'resolved' : 'open';
}

/** One card: an episode with its member alerts, or (before the engine groups it) an alert on its own. */
export type Card = { kind: 'episode'; episode: Episode; alerts: Alert[] } | { kind: 'alert'; alert: Alert };

export function cardKey(c: Card): string {
  return c.kind === 'episode' ? `e:${c.episode.id}` : `a:${c.alert.id}`;
}

function cardState(c: Card): Episode['state'] {
  return c.kind === 'episode' ? c.episode.state : c.alert.state;
}
function cardSeverity(c: Card): Episode['severity'] {
  return c.kind === 'episode' ? c.episode.severity : c.alert.severity;
}
function cardStart(c: Card): number {
  return c.kind === 'episode' ? c.episode.started_at : c.alert.started_at;
}

/**
 * The cards of a tab: every episode of the tab with its members (the alerts naming it, or listed in
 * its members), and every alert that belongs to no known episode as a card of its own.
 * Open: firing first, then settling, silenced, acknowledged; then the most severe; then the newest.
 * Resolved: the most recently resolved first.
 */
export function cardsFor(tab: EpisodeTab, episodes: readonly Episode[], alerts: readonly Alert[]): Card[] {
  const byId = new Map(episodes.map((e) => [e.id, e]));
  const alertById = new Map(alerts.map((a) => [a.id, a]));
  const members = new Map<string, Alert[]>();
  const claimed = new Set<string>();
  for (const e of episodes) {
    const list: Alert[] = [];
    for (const m of e.members) {
      const a = alertById.get(m.alert);
      if (a) {
        list.push(a);
        claimed.add(a.id);
      }
    }
    members.set(e.id, list);
  }
  for (const a of alerts) {
    if (claimed.has(a.id) || !a.episode || !byId.has(a.episode)) continue;
    members.get(a.episode)!.push(a);
    claimed.add(a.id);
  }
  const cards: Card[] = [];
  for (const e of episodes)
    if (tabOf(e.state) === tab) cards.push({ kind: 'episode', episode: e, alerts: members.get(e.id) ?? [] });
  for (const a of alerts) {
    // an alert whose episode we do not hold (yet) is shown alone rather than not at all
    if (claimed.has(a.id)) continue;
    if (tabOf(a.state) === tab) cards.push({ kind: 'alert', alert: a });
  }
  if (tab === 'resolved') {
    const end = (c: Card) =>
      c.kind === 'episode'
        ? (c.episode.resolved_at ?? c.episode.cleared_at ?? c.episode.started_at)
        : (c.alert.resolved_at ?? c.alert.started_at);
    return cards.sort((x, y) => end(y) - end(x));
  }
  return cards.sort(
    (x, y) =>
      OPEN_ORDER[cardState(x)] - OPEN_ORDER[cardState(y)] ||
      SEV_ORDER[cardSeverity(x)] - SEV_ORDER[cardSeverity(y)] ||
      cardStart(y) - cardStart(x),
  );
}

/** What the header's count shows: firing episodes, plus firing alerts that no episode holds. */
export function firingCount(episodes: readonly Episode[], alerts: readonly Alert[]): number {
  const known = new Set(episodes.map((e) => e.id));
  let n = 0;
  for (const e of episodes) if (e.state === 'firing') n++;
  for (const a of alerts) if (a.state === 'firing' && !(a.episode && known.has(a.episode))) n++;
  return n;
}

const HCM = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "06/12/2026 22:41": Bắc Kạn's time (UTC+7), whatever zone the browser is in. */
export function fmtHcm(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const p: Record<string, string> = {};
  for (const x of HCM.formatToParts(new Date(ms))) p[x.type] = x.value;
  return `${p['day']}/${p['month']}/${p['year']} ${p['hour']}:${p['minute']}`;
}

/** "12 phút trước" / "12 min ago"; "1 giờ 5 phút trước"; "3 ngày trước"; under a minute "vừa xong". */
export function fmtAgo(ms: number, now: number, lang: 'vi' | 'en'): string {
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

/** `silence:<id>` or `maintenance:<id>`: which of the two holds an episode back. */
export function suppressedKind(by: string | null): 'silence' | 'maintenance' | null {
  if (!by) return null;
  return by.startsWith('maintenance') ? 'maintenance' : 'silence';
}

/** The sites a user may silence from an episode's card: all of them, or a technician's own. */
export function silenceSites(e: Pick<Episode, 'sites'>, user: { role: string; sites?: string[] }): string[] {
  if (user.role !== 'technician') return [...e.sites];
  return e.sites.filter((s) => user.sites?.includes(s));
}

/** The alert an incident is drafted from: the episode's root condition, else its first member. */
export function rootAlert(e: Pick<Episode, 'members'>): string | null {
  return (e.members.find((m) => m.role === 'root') ?? e.members[0])?.alert ?? null;
}
