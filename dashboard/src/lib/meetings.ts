// The meetings module's objects as the API sends them (api/routes/meetings.ts, reports.ts), and small
// helpers the meetings, incidents and reports pages share.

// The API's types, from its contract (type-only: erased at build time).
import type {
  CauseClass,
  HostType,
  IncidentStatus,
  Meeting,
  MeetingSeries,
  MeetingStatus,
  Overlap,
  SiteReadiness,
  Slot,
  Tier,
} from '../../../api/contract.ts';
import type { Key } from './i18n.svelte.ts';

export type {
  CauseClass,
  Host,
  HostOrg,
  HostType,
  Incident,
  IncidentChange,
  IncidentDetail,
  IncidentDraft,
  IncidentStatus,
  Meeting,
  MeetingSeries,
  MeetingStatus,
  Overlap,
  ReadinessRun,
  RecurrenceInput,
  Registered,
  Slot,
  Tier,
} from '../../../api/contract.ts';
export type ReadinessResult = SiteReadiness;

// Values are repeated here rather than imported: meetings/ and inventory/ would pull zod into the bundle.
export const TIERS: readonly Tier[] = ['province', 'district', 'commune'];
export const SLOTS: readonly Slot[] = ['T-12h', 'T-1h', 'manual'];
export const SLOT_KEY: Record<Slot, Key> = { 'T-12h': 'slot_t12', 'T-1h': 'slot_t1', manual: 'slot_manual' };
export const CAUSE_CLASSES: readonly CauseClass[] = ['link', 'power', 'equipment', 'mcu', 'other'];
export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['draft', 'open', 'restored'];
export const STATUS_KEY: Record<IncidentStatus, Key> = {
  draft: 'incident_status_draft',
  open: 'incident_status_open',
  restored: 'incident_status_restored',
};

export type Phase = 'upcoming' | 'live' | 'past' | 'cancelled';

export function phase(m: Meeting, now = Date.now()): Phase {
  if (m.cancelled_at !== null) return 'cancelled';
  if (now < m.start) return 'upcoming';
  if (now < m.end) return 'live';
  return 'past';
}

// form inputs read and write Bắc Kạn time, whatever the browser's zone (core/time.ts)
export { fromLocalInput, localDayStart, toDateInput, toLocalInput } from '../../../core/time.ts';

// issue 16 h8: the meeting lifecycle (statuses, series, the host catalogue's types, the registration's answer)

/** A planned maintenance window of the meeting's sites during it (POST/PATCH /meetings `maintenance`). */
export interface MaintenanceClash {
  window: string;
  sites: string[];
  from: number;
  to: number;
  reason: string;
}

/** What POST /meetings answers: the meeting (the first of a series), overlaps, maintenance, warnings. */
export interface RegisterAnswer {
  meeting: Meeting;
  overlaps: Overlap[];
  maintenance: MaintenanceClash[];
  warnings: string[];
  series?: MeetingSeries;
}

export const MEETING_STATUS_KEY: Record<MeetingStatus, Key> = {
  confirmed: 'lc_status_confirmed',
  pending: 'lc_status_pending',
  rejected: 'lc_status_rejected',
};

/** Điều 2.3's kinds of host, in the regulation's order (repeated: meetings/hosts.ts pulls zod in). */
export const HOST_TYPES: readonly HostType[] = [
  'tinh_uy',
  'hdnd',
  'ubnd',
  'doan_dbqh',
  'department',
  'district',
  'central',
];
export const hostTypeKey = (t: HostType): Key => `host_type_${t}` as Key;

/** ISO weekdays 1 (Monday) … 7 (Sunday), as the recurrence rule numbers them. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
export const weekdayKey = (d: number): Key => `lc_wd_${d}` as Key;

/** ISO weekday (1 Monday … 7 Sunday) of a local date "2026-03-10". */
export function isoWeekday(date: string): number {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return ((d + 6) % 7) + 1;
}

/** "10/03/2026, 17/03/2026" → ["2026-03-10", "2026-03-17"]; null when a part is not a real date. */
export function parseDates(text: string): string[] | null {
  const out: string[] = [];
  for (const part of text.split(/[,;\s]+/).filter(Boolean)) {
    const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(part);
    if (!m) return null;
    const iso = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
    const d = new Date(`${iso}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) return null;
    out.push(iso);
  }
  return out;
}

/** "2026-03-10" → "10/03/2026" */
export function fmtDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/** A series' occurrences still to come and not cancelled (what "cancel the rest" cancels). */
export function remaining(s: MeetingSeries, now = Date.now()): Meeting[] {
  return s.occurrences.filter((m) => m.cancelled_at === null && m.start > now);
}
