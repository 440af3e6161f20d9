// The maintenance tab's pure parts (issue 17): plans and log entries as the API answers, a plan's
// schedule in words (one-off: from – to; recurring: weekdays, local start and length, from / until),
// the form's body from its fields (Bắc Kạn local times through core/time.ts), plans grouped as the tab
// shows them (active, upcoming, past). Unit-tested.
import { fromLocalInput } from '../../../core/time.ts';
import type { MaintenanceLogEntry } from '../../../maintenance/log.ts';
import type { MaintenancePlan, PlanKind, PlanScopeKind } from '../../../maintenance/plans.ts';

export type { PlanKind } from '../../../maintenance/plans.ts';
export type ScopeKind = PlanScopeKind;
export type PlanStatus = 'upcoming' | 'active' | 'past' | 'cancelled';

/** a plan as GET /maintenance-plans answers: the stored plan, its state now, its sites and next windows */
export interface Plan extends MaintenancePlan {
  status: PlanStatus;
  sites: string[];
  windows: { from: number; to: number }[];
}

export interface PlanAnswer extends Plan {
  meetings: {
    meeting: string;
    title: string;
    host_org: string;
    start: number;
    end: number;
    sites: string[];
  }[];
  notified_hosts: string[];
}

export type LogEntry = MaintenanceLogEntry;

export interface DeviceRef {
  id: string;
  kind: string;
  site: string | null;
}

export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
const WEEKDAY_VI = ['', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'CN'];
const WEEKDAY_EN = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export function weekdayName(d: number, lang: 'vi' | 'en'): string {
  return (lang === 'en' ? WEEKDAY_EN : WEEKDAY_VI)[d] ?? String(d);
}

/** "T2, T5 07:00, 120 phút" / "Mon, Thu 07:00, 120 min"; every day when no weekday is chosen */
export function recurrenceText(
  p: Pick<Plan, 'weekdays' | 'start_local' | 'duration_min'>,
  lang: 'vi' | 'en',
): string {
  const days = p.weekdays.length
    ? p.weekdays.map((d) => weekdayName(d, lang)).join(', ')
    : lang === 'en'
      ? 'every day'
      : 'hằng ngày';
  return `${days} ${p.start_local ?? ''}, ${p.duration_min ?? 0} ${lang === 'en' ? 'min' : 'phút'}`;
}

/** The tab's three lists: what is under way now, what is ahead (soonest first), what is over or cancelled (newest first). */
export function groupPlans(plans: readonly Plan[]): { active: Plan[]; upcoming: Plan[]; past: Plan[] } {
  const next = (p: Plan) => p.windows[0]?.from ?? p.starts_at;
  return {
    active: plans.filter((p) => p.status === 'active'),
    upcoming: plans.filter((p) => p.status === 'upcoming').sort((a, b) => next(a) - next(b)),
    past: plans
      .filter((p) => p.status === 'past' || p.status === 'cancelled')
      .sort((a, b) => (b.ends_at ?? b.starts_at) - (a.ends_at ?? a.starts_at)),
  };
}

export interface PlanFields {
  kind: PlanKind;
  scopeKind: ScopeKind;
  scopeValue: string;
  /** once: datetime-local values */
  from: string;
  to: string;
  /** recurring */
  weekdays: number[];
  startLocal: string;
  durationMin: number;
  /** recurring: date values (until is optional) */
  since: string;
  until: string;
  work: string;
  byPerson: string;
  byText: string;
}

/**
 * The POST /maintenance-plans body of the form, times read as Bắc Kạn local time; a field the form
 * cannot read is sent as written so the API names it.
 */
export function planBody(f: PlanFields): Record<string, unknown> {
  const time = (v: string) => fromLocalInput(v) ?? v;
  const common = {
    kind: f.kind,
    scope: { kind: f.scopeKind, value: f.scopeValue },
    work: f.work.trim(),
    ...(f.byPerson ? { by_person: f.byPerson } : {}),
    ...(f.byText.trim() ? { by_text: f.byText.trim() } : {}),
  };
  if (f.kind === 'once') return { ...common, starts_at: time(f.from), ends_at: time(f.to) };
  const until = f.until ? fromLocalInput(f.until) : null;
  return {
    ...common,
    weekdays: [...f.weekdays].sort(),
    start_local: f.startLocal,
    duration_min: f.durationMin,
    ...(f.since ? { starts_at: time(f.since) } : {}),
    // until a day: through its end (the next local midnight)
    ends_at: f.until ? (until !== null ? until + 86_400_000 : f.until) : null,
  };
}
