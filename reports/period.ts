// Reports over a period: the 6-month report (Điều 14.1.c: meeting counts, "định kỳ 06 tháng") and the
// yearly report to the provincial People's Committee (Điều 11.3): meetings by host office, tier and
// month; incidents by cause with the mean time to restore; availability per site.
import type { MetricsStore } from '../core/ports.ts';
import { toDateInput } from '../core/time.ts';
import type { FeedbackCategory, FeedbackKind, FeedbackStatus } from '../feedback/vocabulary.ts';
import { TIERS, type Tier } from '../inventory/schema.ts';
import { planOccurrences, scopeText } from '../maintenance/plans.ts';
import { CAUSE_CLASSES, CAUSE_LABEL, type CauseClass } from '../meetings/incidents.ts';
import { addLocalMonths, parseLocalTime } from '../meetings/time.ts';
import { type Compliance, compliance } from './compliance.ts';
import { type HeldKind, type LogbookRow, logbook, logbookTotals, type NotHeld } from './logbook.ts';
import type { ReportDeps } from './meeting.ts';
import { round } from './stats.ts';

export const AVAILABILITY_BUCKET_MS = 5 * 60_000;

export type PeriodKind = 'six-month' | 'yearly' | 'period';

export interface SiteAvailability {
  site: string;
  name: string;
  tier: Tier;
  district: string;
  /** share of measured 5-minute buckets in which the site answered (0..1); null without data */
  availability: number | null;
  /** share of the period's 5-minute buckets that have a measurement (0..1) */
  coverage: number;
  /** minutes the site did not answer (from the measured buckets) */
  down_minutes: number;
}

export interface PeriodReport {
  /** maintenance plans with a window in the period, and the maintenance done (Điều 11.5, 13.3) */
  maintenance: { plans: MaintenancePlanItem[]; done: MaintenanceDoneItem[] };
  kind: PeriodKind;
  generated_at: number;
  from: number;
  /** exclusive */
  to: number;
  /** meetings as held (the logbook), never registrations: see reports/logbook.ts */
  meetings: {
    /** counted up to here: the period's end, or now when the period reaches into the future */
    counted_until: number;
    /** the period reaches into the future: counts so far */
    partial: boolean;
    /** meetings held */
    total: number;
    /** held, registered as emergency (Điều 6: đột xuất, khẩn cấp) */
    emergency: number;
    by_kind: Record<HeldKind, number>;
    cancelled: number;
    /** registered, its time passed, no site of it ever seen connected */
    not_observed: number;
    /** registered, not yet started: never counted */
    upcoming: number;
    by_host: { org: string; name: string; count: number }[];
    /** a meeting counts for each tier it connected; site_sessions = sites × meetings */
    by_tier: { tier: Tier; meetings: number; site_sessions: number }[];
    by_month: { month: string; count: number }[];
    /** minutes of meetings held */
    minutes: number;
    logbook: LogbookRow[];
    not_held: NotHeld[];
  };
  incidents: {
    total: number;
    open: number;
    mean_ttr_ms: number | null;
    by_cause: {
      cause_class: CauseClass;
      vi: string;
      en: string;
      count: number;
      restored: number;
      mean_ttr_ms: number | null;
      max_ttr_ms: number | null;
    }[];
  };
  /** Điều 6, 7.1.b, 11.3, 14.2, 14.3: registrations, readiness, technicians, episodes, carriers, power */
  compliance: Compliance;
  /** difficulties and proposals filed in the period, with the NOC's answers (Điều 11.4, 15.2) */
  feedback: {
    total: number;
    answered: number;
    items: FeedbackItem[];
  };
  availability: {
    bucket_ms: number;
    by_tier: { tier: Tier; mean: number | null }[];
    sites: SiteAvailability[];
  };
  /** site technicians replaced and trainings held in the period (Điều 10, 13.2) */
  people: {
    technician_changes: TechnicianChangeItem[];
    trainings: TrainingItem[];
  };
}

export interface TechnicianChangeItem {
  site: string;
  site_name: string;
  /** the technician before, null for none */
  previous: string | null;
  previous_name: string | null;
  person: string;
  person_name: string;
  from: number;
  reason: string;
  by: string;
}

export interface TrainingItem {
  person: string;
  person_name: string;
  course: string;
  /** yyyy-mm-dd */
  date: string;
  provider: string | null;
}

/** Technician replacements that took effect, and trainings held, in [from, to). */
function peopleOf(d: ReportDeps, from: number, to: number): PeriodReport['people'] {
  const name = (id: string) => d.inventory.people.get(id)?.name ?? id;
  return {
    technician_changes: (d.people?.changes(from, to) ?? []).map((c) => ({
      site: c.site,
      site_name: d.inventory.sites.get(c.site)?.name ?? c.site,
      previous: c.previous,
      previous_name: c.previous === null ? null : name(c.previous),
      person: c.person,
      person_name: name(c.person),
      from: c.valid_from,
      reason: c.reason,
      by: c.by,
    })),
    trainings: (d.people?.trainingsBetween(toDateInput(from), toDateInput(to)) ?? []).map((t) => ({
      person: t.person,
      person_name: name(t.person),
      course: t.course,
      date: t.date,
      provider: t.provider,
    })),
  };
}

export interface FeedbackItem {
  id: number;
  filed_at: number;
  kind: FeedbackKind;
  category: FeedbackCategory;
  /** who filed it: the host office's name, else the account and its role */
  from: string;
  site: string | null;
  site_name: string | null;
  text: string;
  status: FeedbackStatus;
  answer: string | null;
  answered_at: number | null;
}

export interface MaintenancePlanItem {
  id: string;
  kind: 'once' | 'recurring';
  /** the scope in words (Vietnamese): "điểm cầu Hội trường UBND xã Bằng Thành" */
  scope_name: string;
  starts_at: number;
  ends_at: number | null;
  weekdays: number[];
  start_local: string | null;
  duration_min: number | null;
  work: string;
  by: string;
  cancelled: boolean;
  /** its windows within the period */
  windows: number;
}

export interface MaintenanceDoneItem {
  id: string;
  at: number;
  plan_id: string | null;
  site: string | null;
  site_name: string;
  devices: string[];
  done: string;
  findings: string;
  parts: string;
  by: string;
}

/** The plans with a window in [from, to) and the log entries of the period, oldest first. */
function maintenanceOf(d: ReportDeps, from: number, to: number): PeriodReport['maintenance'] {
  const person = (id: string | null) => (id ? (d.inventory.people.get(id)?.name ?? id) : '');
  return {
    plans: (d.maintenance?.plansBetween(from, to) ?? []).map((x) => ({
      id: x.id,
      kind: x.kind,
      scope_name: scopeText(d.inventory, x).vi,
      starts_at: x.starts_at,
      ends_at: x.ends_at,
      weekdays: x.weekdays,
      start_local: x.start_local,
      duration_min: x.duration_min,
      work: x.work,
      by: [person(x.by_person), x.by_text].filter(Boolean).join(', '),
      cancelled: x.cancelled_at !== null,
      windows: planOccurrences(x, from, to).length,
    })),
    done: (d.maintenance?.logBetween(from, to) ?? []).map((x) => ({
      ...x,
      site_name: x.site ? (d.inventory.sites.get(x.site)?.name ?? x.site) : 'MCU',
    })),
  };
}

/** The feedback filed in [from, to), oldest first, with names for the document. */
function feedbackOf(d: ReportDeps, from: number, to: number): PeriodReport['feedback'] {
  const items: FeedbackItem[] = (d.feedback?.filedIn(from, to) ?? []).map((f) => ({
    id: f.id,
    filed_at: f.filed_at,
    kind: f.kind,
    category: f.category,
    from: f.org
      ? (d.meetings.hosts.get(f.org)?.name ?? d.inventory.organisations.get(f.org)?.name ?? f.org)
      : f.filed_by,
    site: f.site,
    site_name: f.site ? (d.inventory.sites.get(f.site)?.name ?? f.site) : null,
    text: f.text,
    status: f.status,
    answer: f.answer,
    answered_at: f.answered_at,
  }));
  return { total: items.length, answered: items.filter((f) => f.status === 'answered').length, items };
}

/** Period bounds from a local date: six months or a year from `from` (Bắc Kạn local midnight). */
export function periodBounds(kind: 'six-month' | 'yearly', from: string): { from: number; to: number } {
  const f = parseLocalTime(from);
  if (f === null) throw new Error(`not a date: ${from}`);
  return { from: f, to: addLocalMonths(f, kind === 'yearly' ? 12 : 6) };
}

async function availability(
  store: MetricsStore,
  d: ReportDeps,
  from: number,
  to: number,
  now: number,
): Promise<SiteAvailability[]> {
  const end = Math.min(to, now);
  const expected = Math.max(1, Math.ceil((end - from) / AVAILABILITY_BUCKET_MS));
  const out: SiteAvailability[] = [];
  // one site at a time: a year of 10-second samples for the whole network would not fit in memory
  for (const s of d.inventory.sites.values()) {
    const series =
      end > from
        ? await store.aggregate({
            metric: 'reachable',
            site: s.id,
            from,
            to: end,
            bucketMs: AVAILABILITY_BUCKET_MS,
          })
        : [];
    const probe =
      series.find((x) => x.device === `${s.id}:rtp`) ?? series.find((x) => x.device === `${s.id}:icmp`);
    const buckets = probe?.buckets ?? [];
    const up = buckets.filter((b) => b.mean >= 0.5).length;
    out.push({
      site: s.id,
      name: s.name,
      tier: s.tier,
      district: s.district,
      availability: buckets.length ? round(up / buckets.length, 5) : null,
      coverage: round(Math.min(1, buckets.length / expected), 4),
      down_minutes: ((buckets.length - up) * AVAILABILITY_BUCKET_MS) / 60_000,
    });
  }
  return out;
}

export async function periodReport(
  d: ReportDeps,
  kind: PeriodKind,
  from: number,
  to: number,
): Promise<PeriodReport> {
  const now = (d.now ?? Date.now)();
  const book = logbook(d, from, to, now, (f, t) => d.episodes.overlapping(f, t));
  const totals = logbookTotals(book, from, to);
  const figures = await compliance({ ...d, readiness: d.readiness ?? null }, from, to, {
    now,
    meetingWindows: book.rows.map((r) => ({
      id: r.meeting_id ?? r.call_id ?? String(r.n),
      start: r.start,
      end: r.end,
      sites: r.site_ids,
    })),
  });

  const incidents = d.incidents.list({ from, to }).items;
  const restored = incidents.filter((i) => i.time_to_restore_ms !== null);
  const mean = (v: number[]) => (v.length ? Math.round(v.reduce((a, b) => a + b, 0) / v.length) : null);

  const sites = await availability(d.store, d, from, to, now);
  return {
    kind,
    generated_at: now,
    from,
    to,
    meetings: {
      counted_until: book.counted_until,
      partial: book.partial,
      total: totals.total,
      emergency: totals.by_kind.emergency,
      by_kind: totals.by_kind,
      cancelled: book.not_held.filter((x) => x.reason === 'cancelled').length,
      not_observed: book.not_held.filter((x) => x.reason === 'not_observed').length,
      upcoming: book.upcoming,
      by_host: totals.by_host,
      by_tier: totals.by_tier,
      by_month: totals.by_month,
      minutes: totals.minutes,
      logbook: book.rows,
      not_held: book.not_held,
    },
    incidents: {
      total: incidents.length,
      open: incidents.length - restored.length,
      mean_ttr_ms: mean(restored.map((i) => i.time_to_restore_ms!)),
      by_cause: CAUSE_CLASSES.map((c) => {
        const of = incidents.filter((i) => i.cause_class === c);
        const ttr = of.filter((i) => i.time_to_restore_ms !== null).map((i) => i.time_to_restore_ms!);
        return {
          cause_class: c,
          ...CAUSE_LABEL[c],
          count: of.length,
          restored: ttr.length,
          mean_ttr_ms: mean(ttr),
          max_ttr_ms: ttr.length ? Math.max(...ttr) : null,
        };
      }),
    },
    compliance: figures,
    feedback: feedbackOf(d, from, to),
    maintenance: maintenanceOf(d, from, to),
    people: peopleOf(d, from, to),
    availability: {
      bucket_ms: AVAILABILITY_BUCKET_MS,
      by_tier: TIERS.map((tier) => {
        const v = sites.filter((s) => s.tier === tier && s.availability !== null).map((s) => s.availability!);
        return { tier, mean: v.length ? round(v.reduce((a, b) => a + b, 0) / v.length, 5) : null };
      }),
      sites,
    },
  };
}
