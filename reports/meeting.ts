// The post-meeting quality report: for every participating site, whether it was in the call
// (codec in call or MCU port connected), and its link quality over the meeting window (loss, jitter,
// RTT, MOS from the metrics store's one-minute buckets), with the incidents logged during it.
import type { MetricName } from '../core/metrics.ts';
import type { Bucket, MetricsStore } from '../core/ports.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { Incident, IncidentLog } from '../meetings/incidents.ts';
import type { Readiness } from '../meetings/readiness.ts';
import type { DbMeetings, Meeting } from '../meetings/store.ts';
import { round, type Stat, stat } from './stats.ts';

const MINUTE = 60_000;
const QUALITY = ['loss_pct', 'jitter_ms', 'rtt_ms', 'mos'] as const;
type Quality = (typeof QUALITY)[number];

export interface SiteQuality {
  site: string;
  name: string;
  tier: string;
  district: string;
  /** present: in the call at some point; absent: never; unknown: no call/port data at all */
  attendance: 'present' | 'absent' | 'unknown';
  /** share of the meeting's minutes the site was connected (0..1), null when unknown */
  connected: number | null;
  loss_pct: Stat | null;
  jitter_ms: Stat | null;
  rtt_ms: Stat | null;
  mos: Stat | null;
  /** share of measured minutes with loss above 1 % (Polycom RMX "major") */
  lossy_minutes: number | null;
  incidents: number;
}

export interface MeetingReport {
  kind: 'meeting';
  generated_at: number;
  meeting: Meeting & { host_org_name: string };
  summary: {
    sites: number;
    present: number;
    absent: number;
    unknown: number;
    mean_loss_pct: number | null;
    mean_mos: number | null;
    incidents: number;
  };
  readiness: { slot: string; at: number; ready: number; total: number }[];
  sites: SiteQuality[];
  incidents: Incident[];
}

export interface ReportDeps {
  inventory: LoadedInventory;
  store: MetricsStore;
  meetings: DbMeetings;
  incidents: IncidentLog;
  readiness?: Readiness | null;
  now?: () => number;
}

/** Series of one metric for the meeting's sites: the probe's (RTP preferred over ICMP) or any device's. */
async function perSite(
  store: MetricsStore,
  metric: MetricName,
  m: Meeting,
  pick: (site: string, device: string) => number,
): Promise<Map<string, Bucket[]>> {
  const out = new Map<string, { rank: number; buckets: Bucket[] }>();
  const want = new Set(m.sites);
  const series = await store.aggregate({ metric, from: m.start, to: m.end, bucketMs: MINUTE });
  for (const s of series) {
    if (!want.has(s.site)) continue;
    const rank = pick(s.site, s.device);
    if (rank < 0) continue;
    const cur = out.get(s.site);
    if (!cur || rank > cur.rank) out.set(s.site, { rank, buckets: s.buckets });
  }
  return new Map([...out].map(([k, v]) => [k, v.buckets]));
}

export async function meetingReport(d: ReportDeps, meetingId: string): Promise<MeetingReport> {
  const m = d.meetings.require(meetingId);
  const inv = d.inventory;
  const probeRank = (site: string, device: string) =>
    device === `${site}:rtp` ? 2 : device === `${site}:icmp` ? 1 : -1;
  const quality = new Map<Quality, Map<string, Bucket[]>>();
  for (const q of QUALITY) quality.set(q, await perSite(d.store, q, m, probeRank));
  const inCall = await perSite(d.store, 'in_call', m, (site, device) =>
    inv.sites.get(site)?.devices.some((x) => x.id === device && x.kind === 'codec') ? 1 : -1,
  );
  const port = await perSite(d.store, 'mcu_port_up', m, (_site, device) =>
    device === inv.inventory.mcu.id ? 1 : -1,
  );
  const incidents = d.incidents
    .list({ from: m.start, to: m.end })
    .items.filter((i) => i.meeting_id === m.id || i.sites.some((s) => m.sites.includes(s)))
    .sort((a, b) => a.started_at - b.started_at);
  // a meeting still running is judged on the minutes so far
  const now = (d.now ?? Date.now)();
  const minutes = Math.max(1, Math.ceil((Math.min(m.end, now) - m.start) / MINUTE));

  const sites: SiteQuality[] = m.sites.map((id) => {
    const s = inv.sites.get(id);
    const connectedMinutes = new Set<number>();
    let known = false;
    for (const src of [inCall.get(id), port.get(id)]) {
      if (!src) continue;
      known = true;
      for (const b of src) if (b.max >= 0.5) connectedMinutes.add(b.time);
    }
    const loss = quality.get('loss_pct')!.get(id) ?? [];
    return {
      site: id,
      name: s?.name ?? id,
      tier: s?.tier ?? '',
      district: s?.district ?? '',
      attendance: !known ? 'unknown' : connectedMinutes.size > 0 ? 'present' : 'absent',
      connected: known ? round(Math.min(1, connectedMinutes.size / minutes), 4) : null,
      loss_pct: stat(loss),
      jitter_ms: stat(quality.get('jitter_ms')!.get(id) ?? []),
      rtt_ms: stat(quality.get('rtt_ms')!.get(id) ?? []),
      mos: stat(quality.get('mos')!.get(id) ?? [], true),
      lossy_minutes: loss.length ? round(loss.filter((b) => b.mean > 1).length / loss.length, 4) : null,
      incidents: incidents.filter((i) => i.sites.includes(id)).length,
    };
  });
  const meanOf = (vals: (number | undefined)[]) => {
    const v = vals.filter((x): x is number => x !== undefined);
    return v.length ? round(v.reduce((a, b) => a + b, 0) / v.length, 3) : null;
  };
  return {
    kind: 'meeting',
    generated_at: now,
    meeting: { ...m, host_org_name: inv.organisations.get(m.host_org)?.name ?? m.host_org },
    summary: {
      sites: sites.length,
      present: sites.filter((s) => s.attendance === 'present').length,
      absent: sites.filter((s) => s.attendance === 'absent').length,
      unknown: sites.filter((s) => s.attendance === 'unknown').length,
      mean_loss_pct: meanOf(sites.map((s) => s.loss_pct?.mean)),
      mean_mos: meanOf(sites.map((s) => s.mos?.mean)),
      incidents: incidents.length,
    },
    readiness: (d.readiness?.runs(m.id) ?? []).map((r) => ({
      slot: r.slot,
      at: r.at,
      ready: r.ready,
      total: r.total,
    })),
    sites,
    incidents,
  };
}
