// The meetings module's objects as the API sends them (api/routes/meetings.ts, reports.ts), and small
// helpers the meetings, incidents and reports pages share.

// The API's types, from its contract (type-only: erased at build time).
import type {
  CauseClass,
  IncidentStatus,
  Meeting,
  SiteReadiness,
  Slot,
  Tier,
} from '../../../api/contract.ts';
import type { Key } from './i18n.svelte.ts';

export type {
  CauseClass,
  HostOrg,
  Incident,
  IncidentChange,
  IncidentDetail,
  IncidentDraft,
  IncidentStatus,
  Meeting,
  Overlap,
  ReadinessRun,
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

const pad = (n: number) => String(n).padStart(2, '0');

/** ms → the value of an `<input type="datetime-local">` in the browser's time zone. */
export function toLocalInput(ms: number | null | undefined): string {
  if (!ms) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value of an `<input type="datetime-local">` (browser time zone) → ms; null when empty or invalid. */
export function fromLocalInput(v: string): number | null {
  if (!v) return null;
  const t = new Date(v).getTime();
  return Number.isNaN(t) ? null : t;
}

/** ms → `2026-03-10` (browser time zone), for `<input type="date">`. */
export function toDateInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
