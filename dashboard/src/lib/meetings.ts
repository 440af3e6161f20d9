// The meetings module's objects as the API sends them (api/routes/meetings.ts, reports.ts), and small
// helpers the meetings, incidents and reports pages share. Types only: nothing from meetings/ is bundled.
import type { Key } from './i18n.svelte.ts';

export type Tier = 'province' | 'district' | 'commune';
export const TIERS: readonly Tier[] = ['province', 'district', 'commune'];

export interface Meeting {
  id: string;
  title: string;
  host_org: string;
  start: number;
  end: number;
  sites: string[];
  selection: { sites: string[]; tiers: Tier[]; districts: string[] };
  emergency: boolean;
  emergency_reason: string | null;
  note: string | null;
  registered_by: string;
  registered_at: number;
  cancelled_at: number | null;
  cancelled_by: string | null;
  cancel_reason: string | null;
}

export interface Overlap {
  id: string;
  title: string;
  host_org: string;
  start: number;
  end: number;
  shared_sites: string[];
}

export interface Registered {
  meeting: Meeting;
  overlaps: Overlap[];
  warnings: string[];
}

export type Slot = 'T-12h' | 'T-1h' | 'manual';
export const SLOTS: readonly Slot[] = ['T-12h', 'T-1h', 'manual'];
export const SLOT_KEY: Record<Slot, Key> = { 'T-12h': 'slot_t12', 'T-1h': 'slot_t1', manual: 'slot_manual' };

export interface ReadinessResult {
  site: string;
  status: 'ready' | 'not_ready';
  reasons: { code: string; vi: string; en: string; value?: number }[];
  metrics: Record<string, number>;
}

export interface ReadinessRun {
  id: number;
  meeting_id: string;
  slot: Slot;
  at: number;
  requested_by: string;
  ready: number;
  total: number;
  results: ReadinessResult[];
}

export type CauseClass = 'link' | 'power' | 'equipment' | 'mcu' | 'other';
export const CAUSE_CLASSES: readonly CauseClass[] = ['link', 'power', 'equipment', 'mcu', 'other'];

export interface Incident {
  id: string;
  sites: string[];
  meeting_id: string | null;
  alert_id: string | null;
  started_at: number;
  restored_at: number | null;
  time_to_restore_ms: number | null;
  cause_class: CauseClass;
  cause: string;
  fix: string;
  reported_by: string;
  created_at: number;
  updated_at: number;
}

/** `GET /incidents/draft?alert_id=`: what the alert says, every field optional. */
export interface IncidentDraft {
  alert_id?: string;
  sites?: string[];
  meeting_id?: string | null;
  started_at?: number;
  restored_at?: number | null;
  cause_class?: CauseClass;
  cause?: string;
}

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
