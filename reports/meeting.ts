// The post-meeting report: for every site registered (and any that joined uninvited), when it joined
// and left the MCU's call, minutes connected (a minute counts when connected for most of it; a minute
// without data is "no data", never "disconnected"), each drop with its cause (the fault episode that
// explains it, or hung up), link quality over the connected minutes only, every episode that touched
// the meeting's sites, the readiness test runs and the incidents logged.

import { episodesOverlapping, episodesStartedIn } from '../alerts/store.ts';
import type { Episode } from '../api/contract.ts';
import type { MetricName } from '../core/metrics.ts';
import type { Bucket, MetricsStore } from '../core/ports.ts';
import { CAUSE_NAMES, DISCONNECT_CAUSE_NAMES, type DisconnectCause } from '../core/vocabulary.ts';
import type { FeedbackStore } from '../feedback/store.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { MaintenanceRecords } from '../maintenance/records.ts';
import type { Incident, IncidentLog } from '../meetings/incidents.ts';
import type { CallLog, ObservedCall, ObservedLeg } from '../meetings/observed.ts';
import type { Readiness } from '../meetings/readiness.ts';
import type { DbMeetings, Meeting } from '../meetings/store.ts';
import type { PeopleDirectory } from '../people/directory.ts';
import type { StateDb } from '../storage/state-db.ts';
import { round, type Stat, stat } from './stats.ts';

const MINUTE = 60_000;
/** a leg ending this close to the meeting's end (or after it) is leaving at the end, not a drop */
const END_SLACK_MS = 2 * MINUTE;
/** an episode starting this long after a drop still explains it (its first evidence lags the port) */
const CAUSE_SLACK_MS = 3 * MINUTE;
const QUALITY = ['loss_pct', 'jitter_ms', 'rtt_ms', 'mos'] as const;
type Quality = (typeof QUALITY)[number];

/** Where the fault episodes of a window are read from (alerts/store.ts episodesOverlapping). */
export interface EpisodeSource {
  /** open at some point of [from, to) */
  overlapping(from: number, to: number): Episode[];
  /** started in [from, to) */
  startedIn(from: number, to: number): Episode[];
}

/** The episodes the alert engine kept in the state database. */
export function dbEpisodes(db: StateDb): EpisodeSource {
  return {
    overlapping: (from, to) => episodesOverlapping(db, from, to),
    startedIn: (from, to) => episodesStartedIn(db, from, to),
  };
}

export interface DropCause {
  /** mcu: the MCU's call record says why (disconnected by it or an operator, a network failure, …) */
  kind: 'episode' | 'hung_up' | 'no_data' | 'mcu';
  /** the MCU's own record of why the call ended (its history / CDR log), null without one */
  mcu_cause: DisconnectCause | null;
  mcu_cause_vendor: string | null;
  episode_id: string | null;
  cause: Episode['cause'];
  owner_org: string | null;
  owner_name: string | null;
  /** one line for a person */
  vi: string;
  en: string;
}

export interface Drop {
  at: number;
  /** when it was back in the call, null if it never came back before the end */
  back_at: number | null;
  cause: DropCause;
}

/** One stretch of a site in the call: when it joined and left, and why as the MCU recorded it. */
export interface LegLine {
  joined_at: number;
  left_at: number | null;
  /** mcu_port / codec: what saw it connected; mcu_record: only the MCU's call record */
  source: ObservedLeg['source'];
  /** the MCU's call record it follows, null without one */
  record_id: string | null;
  cause: DisconnectCause | null;
  /** the MCU's own words */
  cause_vendor: string | null;
  /** why it left, for a person (null while still connected) */
  cause_vi: string | null;
  cause_en: string | null;
}

export interface SiteMinutes {
  /** the meeting's minutes (so far, for a meeting still running) */
  total: number;
  connected: number;
  disconnected: number;
  /** minutes with neither MCU port nor codec call state */
  no_data: number;
}

/**
 * Where a site's quality figures in the report come from: the MCU's port media statistics, the
 * codec's call statistics, or a path probe (RTP reflector, ICMP) — the first that measured the site.
 */
export type ReportQualitySource = 'mcu' | 'codec' | 'rtp' | 'icmp';

export interface SiteQuality {
  site: string;
  name: string;
  tier: string;
  district: string;
  /** false: joined without being registered for the meeting (Điều 8.2.c) */
  registered: boolean;
  /** present: in the call at some point; absent: never; unknown: no call/port data at all */
  attendance: 'present' | 'absent' | 'unknown';
  joined_at: number | null;
  /** last time it left; null when it was still connected at the end (or never joined) */
  left_at: number | null;
  minutes: SiteMinutes;
  /** connected minutes / the meeting's minutes (0..1), null when unknown */
  connected: number | null;
  drops: Drop[];
  /** every join and leave within the meeting, with the MCU's cause where it recorded one */
  legs: LegLine[];
  /** link quality over the connected minutes only */
  loss_pct: Stat | null;
  jitter_ms: Stat | null;
  rtt_ms: Stat | null;
  mos: Stat | null;
  /** where the quality figures come from: the MCU's port, else the codec, else RTP, else ICMP */
  quality_source: ReportQualitySource | null;
  /** share of measured connected minutes with loss above 1 % (Polycom RMX "major") */
  lossy_minutes: number | null;
  episodes: string[];
  incidents: number;
}

export interface EpisodeLine {
  id: string;
  cause: Episode['cause'];
  cause_vi: string;
  cause_en: string;
  owner_org: string | null;
  owner_name: string | null;
  title: string;
  title_en: string;
  /** the meeting's sites it touched */
  sites: string[];
  started_at: number;
  /** when its root cause cleared: the time to restore ends here */
  restored_at: number | null;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
}

export interface MeetingReport {
  kind: 'meeting';
  generated_at: number;
  meeting: Meeting & { host_org_name: string };
  /** the MCU's call for this meeting, as observed; null when no site ever connected */
  observed: { call_id: string; started_at: number; ended_at: number | null } | null;
  /** did the meeting take place: at least one registered site connected during its time */
  held: boolean;
  summary: {
    sites: number;
    present: number;
    absent: number;
    unknown: number;
    /** sites in the call that were not registered for it */
    uninvited: number;
    drops: number;
    episodes: number;
    /** sites whose loss was above 1 % for more than 10 % of their connected minutes */
    lossy_sites: number;
    not_ready: number;
    mean_loss_pct: number | null;
    mean_mos: number | null;
    incidents: number;
    /** "Không có sự cố": nobody absent, no drop, no episode, no lossy site, no incident */
    clean: boolean;
  };
  readiness: { slot: string; at: number; ready: number; total: number; not_ready: string[] }[];
  sites: SiteQuality[];
  episodes: EpisodeLine[];
  /** the incident log's entries, with the responsible organisation's name */
  incidents: (Incident & { responsible_name: string | null })[];
}

export interface ReportDeps {
  inventory: LoadedInventory;
  store: MetricsStore;
  meetings: DbMeetings;
  incidents: IncidentLog;
  calls: CallLog;
  episodes: EpisodeSource;
  readiness?: Readiness | null;
  /** difficulties and proposals filed (feedback/store.ts): the period reports list them (Điều 11.4) */
  feedback?: Pick<FeedbackStore, 'filedIn'> | null;
  /** maintenance plans and log (maintenance/records.ts): the period reports list them (Điều 11.5, 13.3) */
  maintenance?: MaintenanceRecords | null;
  /** the people directory (people/directory.ts): the period reports list technician changes and trainings */
  people?: Pick<PeopleDirectory, 'changes' | 'trainingsBetween'> | null;
  now?: () => number;
}

/** One-minute buckets of a metric for the meeting's sites, from the device `pick` ranks highest. */
async function perSite(
  store: MetricsStore,
  metric: MetricName,
  sites: Set<string>,
  from: number,
  to: number,
  pick: (site: string, device: string) => number,
): Promise<Map<string, { device: string; buckets: Bucket[] }>> {
  const out = new Map<string, { rank: number; device: string; buckets: Bucket[] }>();
  if (to <= from) return new Map();
  const series = await store.aggregate({ metric, from, to, bucketMs: MINUTE });
  for (const s of series) {
    if (!sites.has(s.site)) continue;
    const rank = pick(s.site, s.device);
    if (rank < 0) continue;
    const cur = out.get(s.site);
    if (!cur || rank > cur.rank) out.set(s.site, { rank, device: s.device, buckets: s.buckets });
  }
  return new Map([...out].map(([k, v]) => [k, { device: v.device, buckets: v.buckets }]));
}

/** Per minute of [from, to): connected (true), not (false), or no data (absent); MCU port first. */
function minuteStates(
  from: number,
  to: number,
  port: Bucket[] | undefined,
  codec: Bucket[] | undefined,
): Map<number, boolean> {
  const out = new Map<number, boolean>();
  for (const b of codec ?? []) if (b.time >= from && b.time < to) out.set(b.time, b.mean >= 0.5);
  for (const b of port ?? []) if (b.time >= from && b.time < to) out.set(b.time, b.mean >= 0.5);
  return out;
}

function owner(inv: LoadedInventory, org: string | null): string | null {
  return org ? (inv.organisations.get(org)?.name ?? org) : null;
}

/** "Lỗi mạng … (MCU ghi: “Media timeout”)": diemcau's cause, then the MCU's own words. */
function mcuWords(cause: DisconnectCause, vendor: string | null): { vi: string; en: string } {
  const n = DISCONNECT_CAUSE_NAMES[cause];
  return {
    vi: `${n.vi}${vendor ? ` (MCU ghi: “${vendor}”)` : ''}`,
    en: `${n.en}${vendor ? ` (MCU: "${vendor}")` : ''}`,
  };
}

function causeOf(inv: LoadedInventory, leg: ObservedLeg, eps: Episode[]): DropCause {
  const at = leg.left_at!;
  const mcu = { mcu_cause: leg.left_cause, mcu_cause_vendor: leg.left_cause_vendor };
  const none = { episode_id: null, cause: null, owner_org: null, owner_name: null };
  // the MCU says the site hung up, was disconnected by it or an operator, or was refused: that is why
  if (leg.left_cause === 'hangup' || leg.left_cause === 'operator' || leg.left_cause === 'rejected')
    return {
      kind: leg.left_cause === 'hangup' ? 'hung_up' : 'mcu',
      ...mcu,
      ...none,
      ...mcuWords(leg.left_cause, leg.left_cause_vendor),
    };
  // an episode of the site's UPS alone (its runtime short for the meeting, its battery) does not end
  // a call: one with a member on the call's path (the probe, codec, router, the MCU, the district) may
  const onPath = (e: Episode) =>
    e.members.some(
      (x) => (x.site === leg.site || x.site === null) && inv.devices.get(x.device ?? '')?.kind !== 'ups',
    );
  const candidates = eps
    .filter((e) => e.sites.includes(leg.site))
    .filter(onPath)
    .filter((e) => e.started_at <= at + CAUSE_SLACK_MS)
    .filter((e) => (e.cleared_at ?? e.resolved_at ?? Number.POSITIVE_INFINITY) >= at - MINUTE)
    .sort((a, b) => Math.abs(a.started_at - at) - Math.abs(b.started_at - at));
  const e = candidates[0];
  if (e) {
    const name = e.cause ? CAUSE_NAMES[e.cause] : null;
    const org = owner(inv, e.owner_org);
    const words = leg.left_cause ? mcuWords(leg.left_cause, leg.left_cause_vendor) : null;
    return {
      kind: 'episode',
      ...mcu,
      episode_id: e.id,
      cause: e.cause,
      owner_org: e.owner_org,
      owner_name: org,
      vi: `${e.title}${name ? ` (${name.vi}${org ? ` — ${org}` : ''})` : ''}${words ? `; ${words.vi}` : ''}`,
      en: `${e.title_en}${name ? ` (${name.en}${e.owner_org ? ` — ${e.owner_org}` : ''})` : ''}${words ? `; ${words.en}` : ''}`,
    };
  }
  if (leg.left_cause)
    return { kind: 'mcu', ...mcu, ...none, ...mcuWords(leg.left_cause, leg.left_cause_vendor) };
  if (leg.left_reason === 'no_data')
    return {
      kind: 'no_data',
      ...mcu,
      ...none,
      vi: 'Mất số liệu giám sát (không rõ điểm cầu có rời cuộc họp không)',
      en: 'monitoring data lost (whether the site left is unknown)',
    };
  return {
    kind: 'hung_up',
    ...mcu,
    ...none,
    vi: 'Rời cuộc họp, không có sự cố kèm theo',
    en: 'left the call, no fault seen',
  };
}

/** A leg for the report: its times and, once it ended, why in words (the MCU's cause first). */
function legLine(l: ObservedLeg): LegLine {
  let words: { vi: string; en: string } | null = null;
  if (l.left_at !== null)
    words = l.left_cause
      ? mcuWords(l.left_cause, l.left_cause_vendor)
      : l.left_reason === 'no_data'
        ? { vi: 'Mất số liệu giám sát', en: 'monitoring data lost' }
        : {
            vi: 'Rời cuộc gọi (theo trạng thái cổng, MCU không ghi nguyên nhân)',
            en: 'left the call (port state; no cause recorded by the MCU)',
          };
  return {
    joined_at: l.joined_at,
    left_at: l.left_at,
    source: l.source,
    record_id: l.record_id,
    cause: l.left_cause,
    cause_vendor: l.left_cause_vendor,
    cause_vi: words?.vi ?? null,
    cause_en: words?.en ?? null,
  };
}

function siteLegs(call: ObservedCall | null, site: string, from: number, to: number): ObservedLeg[] {
  return (call?.legs ?? []).filter(
    (l) => l.site === site && l.joined_at < to && (l.left_at === null || l.left_at > from),
  );
}

export async function meetingReport(d: ReportDeps, meetingId: string): Promise<MeetingReport> {
  const m = d.meetings.require(meetingId);
  const inv = d.inventory;
  const now = (d.now ?? Date.now)();
  const until = Math.min(m.end, now);
  const call = d.calls.forMeeting(m.id);
  const registered = new Set(m.sites);
  const uninvited = [
    ...new Set(
      (call?.legs ?? []).filter((l) => !registered.has(l.site) && l.joined_at < m.end).map((l) => l.site),
    ),
  ];
  const all = new Set([...m.sites, ...uninvited]);

  // the call's own media figures first (the MCU's port, then the codec's call statistics: what the
  // meeting heard), then the path probes (a reflector's RTP, then ICMP) — core QUALITY_PRECEDENCE
  const mcuId = inv.inventory.mcu.id;
  const codecOf = (site: string, device: string) =>
    inv.sites.get(site)?.devices.some((x) => x.id === device && x.kind === 'codec') ?? false;
  const sourceOf = (site: string, device: string): ReportQualitySource =>
    device === mcuId ? 'mcu' : codecOf(site, device) ? 'codec' : device.endsWith(':rtp') ? 'rtp' : 'icmp';
  const qualityRank = (site: string, device: string) =>
    device === mcuId
      ? 4
      : codecOf(site, device)
        ? 3
        : device === `${site}:rtp`
          ? 2
          : device === `${site}:icmp`
            ? 1
            : -1;
  const quality = new Map<Quality, Map<string, { device: string; buckets: Bucket[] }>>();
  for (const q of QUALITY) quality.set(q, await perSite(d.store, q, all, m.start, until, qualityRank));
  const inCall = await perSite(d.store, 'in_call', all, m.start, until, (site, device) =>
    codecOf(site, device) ? 1 : -1,
  );
  const port = await perSite(d.store, 'mcu_port_up', all, m.start, until, (_site, device) =>
    device === inv.inventory.mcu.id ? 1 : -1,
  );
  const episodes = d.episodes
    .overlapping(m.start, until)
    .filter((e) => e.sites.some((s) => all.has(s)))
    .sort((a, b) => a.started_at - b.started_at);
  const incidents = d.incidents
    .list({ from: m.start, to: m.end })
    .items.filter((i) => i.meeting_id === m.id || i.sites.some((s) => m.sites.includes(s)))
    .sort((a, b) => a.started_at - b.started_at);
  const total = Math.max(0, Math.ceil((until - m.start) / MINUTE));
  const minuteStart = Math.floor(m.start / MINUTE) * MINUTE;

  const sites: SiteQuality[] = [...all].map((id) => {
    const s = inv.sites.get(id);
    const states = minuteStates(minuteStart, until, port.get(id)?.buckets, inCall.get(id)?.buckets);
    const connectedMinutes = new Set([...states].filter(([, v]) => v).map(([t]) => t));
    const legs = siteLegs(call, id, m.start, m.end);
    const known = states.size > 0 || legs.length > 0;
    const connected = connectedMinutes.size;
    const disconnected = [...states.values()].filter((v) => !v).length;
    // quality only over minutes the site was in the call (all measured minutes when the call state is unknown)
    const over = (q: Quality) => {
      const src = quality.get(q)!.get(id);
      const b = src?.buckets ?? [];
      return states.size > 0 ? b.filter((x) => connectedMinutes.has(x.time)) : b;
    };
    const loss = over('loss_pct');
    const src = quality.get('loss_pct')!.get(id)?.device ?? quality.get('mos')!.get(id)?.device;
    const drops: Drop[] = [];
    legs.forEach((l, i) => {
      // nothing heard from the site is not a drop: those minutes are "no data"
      if (l.left_at === null || l.left_at >= m.end - END_SLACK_MS || l.left_at < m.start) return;
      if (l.left_reason === 'no_data') return;
      drops.push({
        at: l.left_at,
        back_at: legs[i + 1]?.joined_at ?? null,
        cause: causeOf(inv, l, episodes),
      });
    });
    const last = legs.at(-1);
    return {
      site: id,
      name: s?.name ?? id,
      tier: s?.tier ?? '',
      district: s?.district ?? '',
      registered: registered.has(id),
      attendance: !known ? 'unknown' : legs.length > 0 || connected > 0 ? 'present' : 'absent',
      joined_at: legs[0]?.joined_at ?? null,
      left_at: last && last.left_at !== null && last.left_at < m.end + END_SLACK_MS ? last.left_at : null,
      minutes: {
        total,
        connected,
        disconnected,
        no_data: Math.max(0, total - connected - disconnected),
      },
      connected: known && total > 0 ? round(Math.min(1, connected / total), 4) : null,
      drops,
      legs: legs.map(legLine),
      loss_pct: stat(loss),
      jitter_ms: stat(over('jitter_ms')),
      rtt_ms: stat(over('rtt_ms')),
      mos: stat(over('mos'), true),
      quality_source: src ? sourceOf(id, src) : null,
      lossy_minutes: loss.length ? round(loss.filter((b) => b.mean > 1).length / loss.length, 4) : null,
      episodes: episodes.filter((e) => e.sites.includes(id)).map((e) => e.id),
      incidents: incidents.filter((i) => i.sites.includes(id)).length,
    };
  });
  const meanOf = (vals: (number | undefined)[]) => {
    const v = vals.filter((x): x is number => x !== undefined);
    return v.length ? round(v.reduce((a, b) => a + b, 0) / v.length, 3) : null;
  };
  const readiness = (d.readiness?.runs(m.id) ?? []).map((r) => ({
    slot: r.slot,
    at: r.at,
    ready: r.ready,
    total: r.total,
    not_ready: r.results.filter((x) => x.status === 'not_ready').map((x) => x.site),
  }));
  const episodeLines: EpisodeLine[] = episodes.map((e) => {
    const name = e.cause ? CAUSE_NAMES[e.cause] : { vi: 'Chưa rõ', en: 'unknown' };
    return {
      id: e.id,
      cause: e.cause,
      cause_vi: name.vi,
      cause_en: name.en,
      owner_org: e.owner_org,
      owner_name: owner(inv, e.owner_org),
      title: e.title,
      title_en: e.title_en,
      sites: e.sites.filter((s) => all.has(s)),
      started_at: e.started_at,
      restored_at: e.cleared_at ?? e.resolved_at,
      acknowledged_by: e.acknowledged_by,
      acknowledged_at: e.acknowledged_at,
    };
  });
  const present = sites.filter((s) => s.registered && s.attendance === 'present').length;
  const summary = {
    sites: m.sites.length,
    present,
    absent: sites.filter((s) => s.registered && s.attendance === 'absent').length,
    unknown: sites.filter((s) => s.registered && s.attendance === 'unknown').length,
    uninvited: uninvited.length,
    drops: sites.reduce((n, s) => n + s.drops.length, 0),
    episodes: episodeLines.length,
    lossy_sites: sites.filter((s) => (s.lossy_minutes ?? 0) > 0.1).length,
    not_ready: readiness.at(-1)?.not_ready.length ?? 0,
    mean_loss_pct: meanOf(sites.map((s) => s.loss_pct?.mean)),
    mean_mos: meanOf(sites.map((s) => s.mos?.mean)),
    incidents: incidents.length,
  };
  return {
    kind: 'meeting',
    generated_at: now,
    meeting: {
      ...m,
      host_org_name:
        d.meetings.hosts.get(m.host_org)?.name ?? inv.organisations.get(m.host_org)?.name ?? m.host_org,
    },
    observed: call ? { call_id: call.id, started_at: call.started_at, ended_at: call.ended_at } : null,
    held: (call?.legs ?? []).some(
      (l) => registered.has(l.site) && l.joined_at < m.end && (l.left_at === null || l.left_at > m.start),
    ),
    summary: {
      ...summary,
      clean:
        summary.absent === 0 &&
        summary.unknown === 0 &&
        summary.drops === 0 &&
        summary.episodes === 0 &&
        summary.lossy_sites === 0 &&
        summary.incidents === 0,
    },
    readiness,
    sites,
    episodes: episodeLines,
    incidents: incidents.map((i) => ({ ...i, responsible_name: owner(inv, i.responsible_org) })),
  };
}
