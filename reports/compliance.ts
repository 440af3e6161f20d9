// The yearly report's compliance figures (Điều 11.3: Sở TT&TT "theo dõi, đôn đốc, kiểm tra, đánh giá
// việc thực hiện Quy chế"): registrations on time, late and emergency (Điều 6); readiness test runs
// (Điều 7.1.b); technician coverage (Điều 13.2, 14.1.e, 14.2.b); fault episodes by cause and owner
// with the time to restore; availability per carrier and per circuit over meeting windows and overall
// (Điều 14.2); power events per Điện lực branch (Điều 14.3).
//
// Pure apart from its reads: the state database (meetings, readiness runs, episodes) and the metrics
// store, queried one site (or one bounded window) at a time with aggregate buckets, never raw
// year-long series. The meetings that were actually held are the caller's (`meetingWindows`).
import type { Episode } from '../api/contract.ts';
import type { Bucket, MetricsStore } from '../core/ports.ts';
import { CAUSES, type Cause } from '../core/vocabulary.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { CARRIERS, type Carrier, type Site, TIERS, type Tier } from '../inventory/schema.ts';
import { CAUSE_LABEL } from '../meetings/incidents.ts';
import type { Readiness, ReadinessRun, ReasonCode, Slot } from '../meetings/readiness.ts';
import { type DbMeetings, type Meeting, NOTICE_MS } from '../meetings/store.ts';
import type { EpisodeSource } from './meeting.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** overall availability: 5-minute buckets, as reports/period.ts (a year is 105 120 buckets per site) */
export const COMPLIANCE_BUCKET_MS = 5 * MINUTE;
/** availability over meeting windows: 1-minute buckets (a meeting's edges are minutes, not 5-minute slots) */
export const MEETING_BUCKET_MS = MINUTE;
/** a run of merged meeting windows is read in pieces of at most this long (all sites at once) */
const WINDOW_CHUNK_MS = 4 * HOUR;
/** how many circuits `availability.worst` lists */
export const WORST_CIRCUITS = 10;

/** A figure's name for a person: Vietnamese (the filed report) and English. */
export interface Label {
  vi: string;
  en: string;
}

export interface ComplianceDeps {
  inventory: LoadedInventory;
  store: MetricsStore;
  meetings: DbMeetings;
  /** readiness runs (meetings/readiness.ts); null: the readiness figures are empty */
  readiness: Readiness | null;
  /** the fault episodes kept in the state database (reports/meeting.ts dbEpisodes) */
  episodes: Pick<EpisodeSource, 'startedIn'>;
}

/** A meeting as held: when it ran and which sites it connected (given by the caller). */
export interface MeetingWindow {
  id: string;
  start: number;
  end: number;
  sites: string[];
}

export interface ComplianceOptions {
  now: number;
  meetingWindows: readonly MeetingWindow[];
}

/** A count with its share of the whole (null when the whole is 0). */
export interface Counted extends Label {
  count: number;
  share: number | null;
}

/**
 * Availability over some time: the share of the measured time the site (or circuit, or carrier)
 * answered. Time without a stored measurement is neither up nor down: it lowers `coverage`, never
 * `availability`.
 */
export interface Availability {
  /** up_ms / measured_ms (0..1); null when nothing was measured */
  availability: number | null;
  /** measured_ms / expected_ms (0..1); null when nothing was expected (no meeting, empty period) */
  coverage: number | null;
  /** the time asked about (period, or the union of the site's meeting windows), summed over sites */
  expected_ms: number;
  /** time covered by a bucket holding at least one `reachable` sample of the site's probe */
  measured_ms: number;
  /** measured time the site did not answer: Σ (1 − bucket mean) × bucket time */
  down_ms: number;
}

export interface CircuitAvailability {
  circuit: string;
  carrier: Carrier;
  /** the sites on this circuit (one in the Bắc Kạn inventory) */
  sites: { site: string; name: string; tier: Tier }[];
  overall: Availability;
  meetings: Availability;
}

export interface CarrierAvailability extends Label {
  carrier: Carrier;
  circuits: number;
  /** time-weighted over its circuits: Σ up / Σ measured, not the mean of the circuits' shares */
  overall: Availability;
  meetings: Availability;
}

export interface EpisodeGroup {
  count: number;
  /** not resolved yet (firing, acknowledged, suppressed or settling) */
  open: number;
  resolved: number;
  /** mean time to restore over the resolved ones, ms; null when none */
  mean_ttr_ms: number | null;
  max_ttr_ms: number | null;
}

export interface SlotReadiness extends Label {
  slot: Slot;
  /** runs of this slot for the period's meetings */
  runs: number;
  /** meetings of the period without a run of this slot (null for `manual`: not required) */
  missing: number | null;
  /** runs in which every site was ready */
  all_ready_runs: number;
  /** site checks: Σ sites over the runs */
  site_checks: number;
  ready_checks: number;
  /** ready_checks / site_checks; null without checks */
  ready_share: number | null;
}

export interface TierTechnicians extends Label {
  tier: Tier;
  sites: number;
  /** sites whose `technician` names a person of the inventory */
  with_technician: number;
  /** … and that person has at least one channel (e-mail, phone, Telegram, Zalo) */
  with_contact: number;
  /** sites whose technician serves no other site (Điều 13.2: one technician per site) */
  dedicated: number;
  technician_share: number | null;
  contact_share: number | null;
}

/**
 * Compliance figures of one period. Every section carries its Vietnamese and English label; numbers
 * are raw (shares 0..1, durations in ms or minutes as named), formatting is the renderer's.
 */
export interface Compliance {
  kind: 'compliance';
  generated_at: number;
  from: number;
  /** the end asked for, exclusive */
  to: number;
  /** the end counted: min(to, now); everything below is over [from, until) */
  until: number;
  /** the period reaches past now: the figures are up to `until` */
  partial: boolean;
  /** Điều 6.1, 6.4: registered meetings starting in the period, cancelled ones not counted */
  registrations: {
    label: Label;
    /** the notice required (meetings/store.ts NOTICE_MS: 03 days) */
    notice_ms: number;
    total: number;
    /** not emergency, registered at least notice_ms before the start */
    on_time: Counted;
    /** not emergency, registered less than notice_ms before the start */
    late: Counted;
    /** đột xuất, khẩn cấp: exempt from the notice, whatever the lead time */
    emergency: Counted;
    /** cancelled meetings that would have started in the period (not in total) */
    cancelled: number;
    late_meetings: { id: string; title: string; start: number; registered_at: number; lead_ms: number }[];
  };
  /** Điều 7.1.b: test runs at T-12h and T-1h of the period's meetings */
  readiness: {
    label: Label;
    meetings: number;
    slots: SlotReadiness[];
    /** sites checked at least once in the period's runs (any slot) */
    sites_checked: number;
    /** sites checked at least once and never ready */
    never_ready: {
      site: string;
      name: string;
      tier: Tier;
      checks: number;
      /** why, counted over its checks */
      reasons: ({ code: ReasonCode; count: number } & Label)[];
    }[];
  };
  /**
   * Điều 13.2, 14.1.e, 14.2.b: a technician per site, with a contact. From the inventory as it is
   * when the report is made (the inventory keeps no history): `runs` says how many of the period's
   * readiness runs had, for every site they checked, a technician with a contact in today's inventory.
   */
  technicians: {
    label: Label;
    by_tier: TierTechnicians[];
    total: Omit<TierTechnicians, 'tier' | 'vi' | 'en'>;
    runs: { runs: number; all_sites_with_contact: number; share: number | null };
    note: Label;
  };
  /**
   * Fault episodes (alerts/): those whose start is in the period. Time to restore = from the start
   * to when the root cause cleared (`cleared_at`, the time the "back to normal" message states),
   * `resolved_at` when not recorded; over resolved episodes only.
   */
  episodes: {
    label: Label;
    total: EpisodeGroup;
    by_cause: (EpisodeGroup & Label & { cause: Cause | 'unknown' })[];
    /** by owner organisation (who was paged); org null: no owner */
    by_owner: (EpisodeGroup & { org: string | null; name: string; name_en: string; kind: string | null })[];
  };
  /**
   * Điều 14.2: availability of each site's link as the NOC measures it — the stored `reachable`
   * samples of the site's probe (`<site>:rtp`, else `<site>:icmp`). A bucket's mean is the share of
   * its samples answered; up time = Σ mean × (bucket ∩ range). Overall in 5-minute buckets, over
   * meeting windows in 1-minute buckets (a window counts for the sites it connected). End to end:
   * a site dark from a power cut is down here too (the power events are in `power`).
   */
  availability: {
    label: Label;
    bucket_ms: number;
    meeting_bucket_ms: number;
    carriers: CarrierAvailability[];
    circuits: CircuitAvailability[];
    /** the measured circuits below 100 % overall, worst first (at most WORST_CIRCUITS) */
    worst: CircuitAvailability[];
  };
  /** Điều 14.3: episodes caused by mains power, per Điện lực branch (the episode's owner) */
  power: {
    label: Label;
    total: { events: number; minutes: number; touched_meetings: number };
    branches: {
      org: string;
      name: string;
      name_en: string;
      events: number;
      /** not resolved yet */
      open: number;
      /** Σ (restore − start) inside the period (open ones, and any restored after it, up to `until`), minutes */
      minutes: number;
      /** events that overlapped a held meeting connecting one of their sites */
      touched_meetings: number;
      meetings: string[];
    }[];
  };
}

export const CARRIER_LABEL: Record<Carrier, Label> = {
  viettel: { vi: 'Viettel Bắc Kạn', en: 'Viettel Bắc Kạn' },
  vnpt: { vi: 'Viễn thông Bắc Kạn (VNPT)', en: 'VNPT Bắc Kạn' },
};

export const TIER_NAMES: Record<Tier, Label> = {
  province: { vi: 'Cấp tỉnh', en: 'Province' },
  district: { vi: 'Cấp huyện', en: 'District' },
  commune: { vi: 'Cấp xã', en: 'Commune' },
};

export const SLOT_NAMES: Record<Slot, Label> = {
  'T-12h': { vi: 'Vận hành thử trước 1/2 ngày (T-12h)', en: 'Test run half a day before (T-12h)' },
  'T-1h': { vi: 'Vận hành thử trước 01 giờ (T-1h)', en: 'Test run one hour before (T-1h)' },
  manual: { vi: 'Kiểm tra theo yêu cầu', en: 'On-demand check' },
};

/** a readiness reason (meetings/readiness.ts) without its measured value */
export const REASON_NAMES: Record<ReasonCode, Label> = {
  unreachable: { vi: 'Mất kết nối', en: 'Unreachable' },
  no_data: { vi: 'Không có số liệu đo', en: 'No measurement' },
  ups_on_battery: { vi: 'UPS chạy pin', en: 'UPS on battery' },
  ups_runtime_short: { vi: 'Pin UPS không đủ', en: 'UPS runtime short' },
  loss_high: { vi: 'Mất gói cao', en: 'High packet loss' },
  jitter_high: { vi: 'Độ biến thiên trễ cao', en: 'High jitter' },
  rtt_high: { vi: 'Độ trễ cao', en: 'High round-trip time' },
  mos_low: { vi: 'MOS thấp', en: 'Low MOS' },
  codec_not_answering: { vi: 'Codec không trả lời', en: 'Codec not answering' },
  codec_not_registered: { vi: 'Codec chưa đăng ký MCU', en: 'Codec not registered' },
  maintenance: { vi: 'Bảo trì', en: 'Maintenance' },
  alert: { vi: 'Đang có cảnh báo', en: 'Alert' },
  test_call_failed: { vi: 'Gọi thử từ MCU không kết nối', en: 'MCU test call failed' },
};

const UNKNOWN_CAUSE: Label = { vi: 'Chưa xác định', en: 'Undetermined' };

const share = (n: number, of: number) => (of > 0 ? n / of : null);

/** Half-open intervals merged (sorted, overlapping or touching joined). */
export function mergeIntervals(
  list: readonly { start: number; end: number }[],
): { start: number; end: number }[] {
  const sorted = list.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}

/** Length of [lo, hi) ∩ the merged, sorted intervals. */
function overlapMs(lo: number, hi: number, merged: readonly { start: number; end: number }[]): number {
  let ms = 0;
  for (const i of merged) {
    if (i.start >= hi) break;
    if (i.end <= lo) continue;
    ms += Math.min(hi, i.end) - Math.max(lo, i.start);
  }
  return ms;
}

/** Running sums of an Availability. */
class Acc {
  expected = 0;
  measured = 0;
  up = 0;
  add(o: Acc): void {
    this.expected += o.expected;
    this.measured += o.measured;
    this.up += o.up;
  }
  /** one bucket's contribution: `ms` of it inside the range */
  bucket(b: Bucket, ms: number): void {
    if (ms <= 0) return;
    this.measured += ms;
    this.up += Math.min(1, Math.max(0, b.mean)) * ms;
  }
  result(): Availability {
    return {
      availability: this.measured > 0 ? this.up / this.measured : null,
      coverage: this.expected > 0 ? Math.min(1, this.measured / this.expected) : null,
      expected_ms: this.expected,
      measured_ms: this.measured,
      down_ms: this.measured - this.up,
    };
  }
}

/** The site's probe series among the aggregate's: RTP preferred, else ICMP (as reports/period.ts). */
function probeBuckets<T extends { device: string; buckets: Bucket[] }>(
  series: readonly T[],
  site: string,
): Bucket[] {
  return (
    (series.find((x) => x.device === `${site}:rtp`) ?? series.find((x) => x.device === `${site}:icmp`))
      ?.buckets ?? []
  );
}

async function availability(
  d: ComplianceDeps,
  from: number,
  until: number,
  windows: readonly MeetingWindow[],
): Promise<Compliance['availability']> {
  const sites = [...d.inventory.sites.values()];
  const overall = new Map<string, Acc>();
  const inMeetings = new Map<string, Acc>();
  // each site's meeting time: the union of the held windows that connected it, inside the period
  const perSite = new Map<string, { start: number; end: number }[]>();
  for (const w of windows)
    for (const site of new Set(w.sites)) {
      const i = { start: Math.max(w.start, from), end: Math.min(w.end, until) };
      const list = perSite.get(site);
      if (list) list.push(i);
      else perSite.set(site, [i]);
    }
  const siteWindows = new Map([...perSite].map(([site, list]) => [site, mergeIntervals(list)]));

  // overall: one site at a time, 5-minute buckets (a year of 10-second samples never in memory)
  for (const s of sites) {
    const acc = new Acc();
    acc.expected = Math.max(0, until - from);
    if (until > from) {
      const series = await d.store.aggregate({
        metric: 'reachable',
        site: s.id,
        from,
        to: until,
        bucketMs: COMPLIANCE_BUCKET_MS,
      });
      for (const b of probeBuckets(series, s.id))
        acc.bucket(b, Math.min(until, b.time + COMPLIANCE_BUCKET_MS) - Math.max(from, b.time));
    }
    overall.set(s.id, acc);
    const m = new Acc();
    m.expected = (siteWindows.get(s.id) ?? []).reduce((a, i) => a + i.end - i.start, 0);
    inMeetings.set(s.id, m);
  }

  // meeting windows: the union of every window, read in pieces of ≤ 4 h for all sites at once
  const all = mergeIntervals(
    windows.map((w) => ({ start: Math.max(w.start, from), end: Math.min(w.end, until) })),
  );
  for (const run of all) {
    for (let lo = run.start; lo < run.end; lo += WINDOW_CHUNK_MS) {
      const hi = Math.min(run.end, lo + WINDOW_CHUNK_MS);
      const series = await d.store.aggregate({
        metric: 'reachable',
        from: lo,
        to: hi,
        bucketMs: MEETING_BUCKET_MS,
      });
      const bySite = new Map<string, typeof series>();
      for (const x of series) {
        const list = bySite.get(x.site);
        if (list) list.push(x);
        else bySite.set(x.site, [x]);
      }
      for (const [site, list] of bySite) {
        const acc = inMeetings.get(site);
        const mine = siteWindows.get(site);
        if (!acc || !mine || mine.length === 0) continue;
        for (const b of probeBuckets(list, site)) {
          const bLo = Math.max(lo, b.time);
          const bHi = Math.min(hi, b.time + MEETING_BUCKET_MS);
          acc.bucket(b, overlapMs(bLo, bHi, mine));
        }
      }
    }
  }

  const byCircuit = new Map<string, Site[]>();
  for (const s of sites) {
    const list = byCircuit.get(s.link.circuit);
    if (list) list.push(s);
    else byCircuit.set(s.link.circuit, [s]);
  }
  const circuitAcc = new Map<string, { o: Acc; m: Acc }>();
  const circuits: CircuitAvailability[] = [...byCircuit]
    .map(([circuit, list]) => {
      const o = new Acc();
      const m = new Acc();
      for (const s of list) {
        o.add(overall.get(s.id)!);
        m.add(inMeetings.get(s.id)!);
      }
      circuitAcc.set(circuit, { o, m });
      return {
        circuit,
        carrier: list[0]!.link.carrier,
        sites: list.map((s) => ({ site: s.id, name: s.name, tier: s.tier })),
        overall: o.result(),
        meetings: m.result(),
      };
    })
    .sort((a, b) => a.carrier.localeCompare(b.carrier) || a.circuit.localeCompare(b.circuit));
  const carriers: CarrierAvailability[] = CARRIERS.map((carrier) => {
    const o = new Acc();
    const m = new Acc();
    const mine = circuits.filter((c) => c.carrier === carrier);
    for (const c of mine) {
      o.add(circuitAcc.get(c.circuit)!.o);
      m.add(circuitAcc.get(c.circuit)!.m);
    }
    return {
      carrier,
      ...CARRIER_LABEL[carrier],
      circuits: mine.length,
      overall: o.result(),
      meetings: m.result(),
    };
  });
  const worst = circuits
    .filter((c) => c.overall.availability !== null && c.overall.availability < 1)
    .sort(
      (a, b) =>
        a.overall.availability! - b.overall.availability! ||
        (a.meetings.availability ?? 1) - (b.meetings.availability ?? 1) ||
        a.circuit.localeCompare(b.circuit),
    )
    .slice(0, WORST_CIRCUITS);
  return {
    label: {
      vi: 'Tỷ lệ sẵn sàng đường truyền theo doanh nghiệp viễn thông và theo kênh (Điều 14.2)',
      en: 'Link availability per carrier and per circuit (Điều 14.2)',
    },
    bucket_ms: COMPLIANCE_BUCKET_MS,
    meeting_bucket_ms: MEETING_BUCKET_MS,
    carriers,
    circuits,
    worst,
  };
}

function registrations(meetings: Meeting[], cancelled: number): Compliance['registrations'] {
  const emergency = meetings.filter((m) => m.emergency);
  const regular = meetings.filter((m) => !m.emergency);
  const onTime = regular.filter((m) => m.start - m.registered_at >= NOTICE_MS);
  const late = regular.filter((m) => m.start - m.registered_at < NOTICE_MS);
  const n = meetings.length;
  return {
    label: { vi: 'Đăng ký sử dụng hệ thống (Điều 6)', en: 'Registrations (Điều 6)' },
    notice_ms: NOTICE_MS,
    total: n,
    on_time: {
      vi: 'Đăng ký đúng hạn (trước ít nhất 03 ngày)',
      en: 'Registered on time (at least 3 days ahead)',
      count: onTime.length,
      share: share(onTime.length, n),
    },
    late: {
      vi: 'Đăng ký muộn (dưới 03 ngày)',
      en: 'Registered late (less than 3 days ahead)',
      count: late.length,
      share: share(late.length, n),
    },
    emergency: {
      vi: 'Đột xuất, khẩn cấp (Điều 6.4)',
      en: 'Emergency (Điều 6.4)',
      count: emergency.length,
      share: share(emergency.length, n),
    },
    cancelled,
    late_meetings: late.map((m) => ({
      id: m.id,
      title: m.title,
      start: m.start,
      registered_at: m.registered_at,
      lead_ms: m.start - m.registered_at,
    })),
  };
}

function readiness(
  d: ComplianceDeps,
  meetings: Meeting[],
): { figures: Compliance['readiness']; runs: ReadinessRun[] } {
  const byMeeting = new Map<string, ReadinessRun[]>();
  for (const m of meetings) byMeeting.set(m.id, d.readiness ? d.readiness.runs(m.id) : []);
  const runs = [...byMeeting.values()].flat();
  const slots: SlotReadiness[] = (['T-12h', 'T-1h', 'manual'] as const).map((slot) => {
    const of = runs.filter((r) => r.slot === slot);
    const checks = of.reduce((a, r) => a + r.results.length, 0);
    const ready = of.reduce((a, r) => a + r.results.filter((x) => x.status === 'ready').length, 0);
    return {
      slot,
      ...SLOT_NAMES[slot],
      runs: of.length,
      missing:
        slot === 'manual'
          ? null
          : meetings.filter((m) => !byMeeting.get(m.id)!.some((r) => r.slot === slot)).length,
      all_ready_runs: of.filter((r) => r.results.length > 0 && r.results.every((x) => x.status === 'ready'))
        .length,
      site_checks: checks,
      ready_checks: ready,
      ready_share: share(ready, checks),
    };
  });
  const perSite = new Map<string, { checks: number; ready: number; reasons: Map<ReasonCode, number> }>();
  for (const r of runs)
    for (const x of r.results) {
      let p = perSite.get(x.site);
      if (!p) {
        p = { checks: 0, ready: 0, reasons: new Map() };
        perSite.set(x.site, p);
      }
      p.checks++;
      if (x.status === 'ready') p.ready++;
      for (const why of x.reasons) p.reasons.set(why.code, (p.reasons.get(why.code) ?? 0) + 1);
    }
  const never = [...perSite]
    .filter(([, p]) => p.checks > 0 && p.ready === 0)
    .map(([site, p]) => {
      const s = d.inventory.sites.get(site);
      return {
        site,
        name: s?.name ?? site,
        tier: s?.tier ?? ('commune' as Tier),
        checks: p.checks,
        reasons: [...p.reasons]
          .map(([code, count]) => ({ code, count, ...REASON_NAMES[code] }))
          .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
      };
    })
    .sort((a, b) => b.checks - a.checks || a.site.localeCompare(b.site));
  return {
    figures: {
      label: { vi: 'Vận hành thử trước cuộc họp (Điều 7.1.b)', en: 'Readiness test runs (Điều 7.1.b)' },
      meetings: meetings.length,
      slots,
      sites_checked: perSite.size,
      never_ready: never,
    },
    runs,
  };
}

function technicians(inv: LoadedInventory, runs: ReadinessRun[]): Compliance['technicians'] {
  const sites = [...inv.sites.values()];
  const served = new Map<string, number>();
  for (const s of sites) served.set(s.technician, (served.get(s.technician) ?? 0) + 1);
  const known = (s: Site) => inv.people.has(s.technician);
  const contact = (s: Site) => {
    const p = inv.people.get(s.technician);
    return p !== undefined && Object.values(p.channels).some((c) => c !== undefined);
  };
  const count = (list: Site[]) => {
    const withTech = list.filter(known).length;
    const withContact = list.filter(contact).length;
    return {
      sites: list.length,
      with_technician: withTech,
      with_contact: withContact,
      dedicated: list.filter((s) => known(s) && served.get(s.technician) === 1).length,
      technician_share: share(withTech, list.length),
      contact_share: share(withContact, list.length),
    };
  };
  const covered = runs.filter((r) =>
    r.results.every((x) => {
      const s = inv.sites.get(x.site);
      return s !== undefined && contact(s);
    }),
  ).length;
  return {
    label: {
      vi: 'Cán bộ kỹ thuật tại điểm cầu (Điều 13.2, 14.1.e, 14.2.b)',
      en: 'Technicians at the sites (Điều 13.2, 14.1.e, 14.2.b)',
    },
    by_tier: TIERS.map((tier) => ({
      tier,
      ...TIER_NAMES[tier],
      ...count(sites.filter((s) => s.tier === tier)),
    })),
    total: count(sites),
    runs: { runs: runs.length, all_sites_with_contact: covered, share: share(covered, runs.length) },
    note: {
      vi:
        'Theo danh mục hiện tại (danh mục không lưu lịch sử): điểm cầu có cán bộ kỹ thuật khi trường technician ' +
        'chỉ tới một người trong danh mục, có liên hệ khi người đó có ít nhất một kênh (thư điện tử, điện thoại, ' +
        'Telegram, Zalo); một lần vận hành thử "đủ liên hệ" khi mọi điểm cầu được kiểm tra đều có liên hệ.',
      en:
        'From the inventory as it is now (it keeps no history): a site has a technician when its technician ' +
        'names a person of the inventory, a contact when that person has at least one channel (e-mail, phone, ' +
        'Telegram, Zalo); a test run is covered when every site it checked has a contact.',
    },
  };
}

/** When the episode's fault ended: the root cause cleared, else resolved; null while open. */
function restoredAt(e: Episode): number | null {
  if (e.state !== 'resolved') return null;
  return e.cleared_at ?? e.resolved_at;
}

function group(list: Episode[]): EpisodeGroup {
  const ttr = list
    .map((e) => [e, restoredAt(e)] as const)
    .filter(([, r]) => r !== null)
    .map(([e, r]) => r! - e.started_at);
  return {
    count: list.length,
    open: list.filter((e) => e.state !== 'resolved').length,
    resolved: ttr.length,
    mean_ttr_ms: ttr.length ? Math.round(ttr.reduce((a, b) => a + b, 0) / ttr.length) : null,
    max_ttr_ms: ttr.length ? Math.max(...ttr) : null,
  };
}

function episodes(inv: LoadedInventory, list: Episode[]): Compliance['episodes'] {
  const owners = new Map<string | null, Episode[]>();
  for (const e of list) {
    const l = owners.get(e.owner_org);
    if (l) l.push(e);
    else owners.set(e.owner_org, [e]);
  }
  const causes = [...CAUSES, 'unknown' as const];
  return {
    label: { vi: 'Sự cố theo nguyên nhân và đơn vị xử lý', en: 'Fault episodes by cause and owner' },
    total: group(list),
    by_cause: causes.map((cause) => ({
      cause,
      ...(cause === 'unknown' ? UNKNOWN_CAUSE : CAUSE_LABEL[cause]),
      ...group(list.filter((e) => (e.cause ?? 'unknown') === cause)),
    })),
    by_owner: [...owners]
      .map(([org, of]) => {
        const o = org === null ? undefined : inv.organisations.get(org);
        return {
          org,
          name: org === null ? 'Chưa giao đơn vị xử lý' : (o?.name ?? org),
          name_en: org === null ? 'No owner' : (o?.name_en ?? o?.name ?? org),
          kind: o?.kind ?? null,
          ...group(of),
        };
      })
      .sort((a, b) => b.count - a.count || (a.org ?? '~').localeCompare(b.org ?? '~')),
  };
}

function power(
  inv: LoadedInventory,
  list: Episode[],
  until: number,
  windows: readonly MeetingWindow[],
): Compliance['power'] {
  const branches = new Map<string, Compliance['power']['branches'][number]>();
  let touchedTotal = 0;
  let minutesTotal = 0;
  const cuts = list.filter((e) => e.cause === 'power');
  for (const e of cuts) {
    // the owner the engine paged; without one, the Điện lực of the episode's first site
    const org = e.owner_org ?? inv.sites.get(e.sites[0] ?? '')?.power ?? 'unknown';
    const o = inv.organisations.get(org);
    let b = branches.get(org);
    if (!b) {
      b = {
        org,
        name: o?.name ?? org,
        name_en: o?.name_en ?? o?.name ?? org,
        events: 0,
        open: 0,
        minutes: 0,
        touched_meetings: 0,
        meetings: [],
      };
      branches.set(org, b);
    }
    const end = Math.min(until, restoredAt(e) ?? until);
    const minutes = Math.max(0, end - e.started_at) / MINUTE;
    b.events++;
    if (e.state !== 'resolved') b.open++;
    b.minutes += minutes;
    minutesTotal += minutes;
    const sites = new Set(e.sites);
    const hit = windows.filter(
      (w) =>
        w.start < Math.max(end, e.started_at + 1) &&
        w.end > e.started_at &&
        w.sites.some((s) => sites.has(s)),
    );
    if (hit.length > 0) {
      b.touched_meetings++;
      touchedTotal++;
      for (const w of hit) if (!b.meetings.includes(w.id)) b.meetings.push(w.id);
    }
  }
  return {
    label: {
      vi: 'Sự cố mất điện lưới theo Điện lực (Điều 14.3)',
      en: 'Mains power events per Điện lực branch (Điều 14.3)',
    },
    total: { events: cuts.length, minutes: minutesTotal, touched_meetings: touchedTotal },
    branches: [...branches.values()].sort((a, b) => b.events - a.events || a.org.localeCompare(b.org)),
  };
}

/**
 * The compliance figures of [from, min(to, now)). Registrations and readiness count the registered,
 * not cancelled meetings starting in that range; availability over meetings and the power events'
 * meeting count use `opts.meetingWindows` (the meetings actually held, clipped to the range).
 */
export async function compliance(
  d: ComplianceDeps,
  from: number,
  to: number,
  opts: ComplianceOptions,
): Promise<Compliance> {
  const until = Math.max(from, Math.min(to, opts.now));
  const listed = d.meetings
    .list({ from, to: until, include_cancelled: true })
    .items.filter((m) => m.start >= from && m.start < until);
  const meetings = listed.filter((m) => m.cancelled_at === null);
  const rd = readiness(d, meetings);
  const eps = until > from ? d.episodes.startedIn(from, until) : [];
  const windows = opts.meetingWindows
    .map((w) => ({ ...w, start: Math.max(w.start, from), end: Math.min(w.end, until) }))
    .filter((w) => w.end > w.start);
  return {
    kind: 'compliance',
    generated_at: opts.now,
    from,
    to,
    until,
    partial: to > opts.now,
    registrations: registrations(meetings, listed.length - meetings.length),
    readiness: rd.figures,
    technicians: technicians(d.inventory, rd.runs),
    episodes: episodes(d.inventory, eps),
    availability: await availability(d, from, until, windows),
    power: power(d.inventory, eps, until, windows),
  };
}
