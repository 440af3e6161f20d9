// Reports over a period: the 6-month report (Điều 14.1.c: meeting counts, "định kỳ 06 tháng") and the
// yearly report to the provincial People's Committee (Điều 11.3): meetings by host office, tier and
// month; incidents by cause with the mean time to restore; availability per site.
import type { MetricsStore } from '../core/ports.ts';
import { TIERS, type Tier } from '../inventory/schema.ts';
import { CAUSE_CLASSES, CAUSE_LABEL, type CauseClass } from '../meetings/incidents.ts';
import { addLocalMonths, localMonth, parseLocalTime } from '../meetings/time.ts';
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
  kind: PeriodKind;
  generated_at: number;
  from: number;
  /** exclusive */
  to: number;
  meetings: {
    total: number;
    emergency: number;
    cancelled: number;
    by_host: { org: string; name: string; count: number }[];
    /** a meeting counts for each tier it connects; site_sessions = sites × meetings */
    by_tier: { tier: Tier; meetings: number; site_sessions: number }[];
    by_month: { month: string; count: number }[];
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
  availability: {
    bucket_ms: number;
    by_tier: { tier: Tier; mean: number | null }[];
    sites: SiteAvailability[];
  };
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
  const inv = d.inventory;
  const all = d.meetings.list({ from, to, include_cancelled: true }).items.filter((m) => m.start >= from);
  const held = all.filter((m) => m.cancelled_at === null);
  const byHost = new Map<string, number>();
  for (const m of held) byHost.set(m.host_org, (byHost.get(m.host_org) ?? 0) + 1);
  const months: string[] = [];
  for (let t = from; t < to; t = addLocalMonths(t, 1)) months.push(localMonth(t));
  const byMonth = new Map(months.map((mo) => [mo, 0]));
  for (const m of held) byMonth.set(localMonth(m.start), (byMonth.get(localMonth(m.start)) ?? 0) + 1);

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
      total: held.length,
      emergency: held.filter((m) => m.emergency).length,
      cancelled: all.length - held.length,
      by_host: [...byHost]
        .map(([org, count]) => ({ org, name: inv.organisations.get(org)?.name ?? org, count }))
        .sort((a, b) => b.count - a.count || a.org.localeCompare(b.org)),
      by_tier: TIERS.map((tier) => {
        const withTier = held.map((m) => m.sites.filter((s) => inv.sites.get(s)?.tier === tier).length);
        return {
          tier,
          meetings: withTier.filter((n) => n > 0).length,
          site_sessions: withTier.reduce((a, b) => a + b, 0),
        };
      }),
      by_month: [...byMonth].map(([month, count]) => ({ month, count })),
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
