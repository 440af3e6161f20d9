// The people and roster tabs' pure parts (issue 17): finding a person by any word of their name, title,
// organisation or sites typed without diacritics; a site's technician history as replacements
// (old → new, why, from when); the duty roster's week (Monday to Sunday, Bắc Kạn calendar days) and
// which organisations keep one (carriers, then the power company and its branches). Unit-tested.
import { fromLocalInput, toDateInput } from '../../../core/time.ts';
import type {
  OrgTechnicianRow,
  RosterRow as StoredRosterRow,
  TechnicianRow as StoredTechnician,
  TrainingRow,
} from '../../../people/directory.ts';
import { HttpError } from './api.ts';
import { fold } from './search.ts';

/** An organisation as GET /inventory lists it. */
export interface OrgRef {
  id: string;
  name: string;
  kind: string;
  carrier?: string | null;
  district?: string | null;
}

/** What a person is found by: their name first, then any other words (title, organisation, sites, id). */
export interface Searchable {
  name: string;
  words: readonly string[];
}

/**
 * The items matching `query` (diacritics and case ignored, every word of the query must occur), best
 * first: the name's start, a word of the name, anywhere in the name, then only in the other words.
 * An empty query keeps every item in its order.
 */
export function searchPeople<T extends Searchable>(items: readonly T[], query: string): T[] {
  const q = fold(query);
  if (!q) return [...items];
  const words = q.split(' ');
  const ranked: { item: T; rank: number; i: number }[] = [];
  items.forEach((item, i) => {
    const name = fold(item.name);
    const hay = ` ${name} ${item.words.map(fold).join(' ')} `;
    let rank: number;
    if (name.startsWith(q)) rank = 0;
    else if (` ${name}`.includes(` ${q}`)) rank = 1;
    else if (words.every((w) => name.includes(w))) rank = 2;
    else if (words.every((w) => hay.includes(w))) rank = 3;
    else return;
    ranked.push({ item, rank, i });
  });
  ranked.sort((a, b) => a.rank - b.rank || a.i - b.i);
  return ranked.map((r) => r.item);
}

/** A row of a site's technician history (GET /sites/{id}/technicians): who, from when until when (ms). */
export interface TechnicianRow extends StoredTechnician {
  /** the person's name as the directory has it */
  person_name: string | null;
}

/** A replacement as the history shows it: the person before (null for the first), the person after. */
export interface Replacement {
  before: string | null;
  after: string;
  from: number;
  reason: string;
  by: string;
}

/** A site's history rows (any order) as replacements, newest first. */
export function replacements(
  rows: readonly Pick<TechnicianRow, 'person' | 'valid_from' | 'reason' | 'by' | 'id'>[],
): Replacement[] {
  const sorted = [...rows].sort((a, b) => a.valid_from - b.valid_from || a.id - b.id);
  const out: Replacement[] = sorted.map((x, i) => ({
    before: i > 0 ? sorted[i - 1]!.person : null,
    after: x.person,
    from: x.valid_from,
    reason: x.reason,
    by: x.by,
  }));
  return out.reverse();
}

const DAY = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Is "2026-12-07" a real calendar day? */
export function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** "2026-12-07" plus `n` days (calendar arithmetic, no time zone involved). */
export function addDays(date: string, n: number): string {
  if (!isDate(date)) throw new Error(`not a date: ${date}`);
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

/** ISO weekday of a calendar day: 1 Monday … 7 Sunday. */
export function weekday(date: string): number {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return ((d + 6) % 7) + 1;
}

/** The Monday of the week holding `date`. */
export function mondayOf(date: string): string {
  return addDays(date, 1 - weekday(date));
}

/**
 * "2026-12-07" (or ms: its Bắc Kạn day) → "07/12/2026"; with `short`, "07/12". Anything else comes back
 * as it was.
 */
export function fmtDate(day: string | number | null | undefined, short = false): string {
  if (day === null || day === undefined || day === '') return '—';
  const date = typeof day === 'number' ? toDateInput(day) : day;
  const m = DATE.exec(date.slice(0, 10));
  if (!m) return date;
  return short ? `${m[3]}/${m[2]}` : `${m[3]}/${m[2]}/${m[1]}`;
}

export interface WeekDay {
  date: string;
  /** 1 Monday … 7 Sunday */
  weekday: number;
  today: boolean;
}

/** The seven days (Monday … Sunday) of the week holding `date`; `today` (a calendar day) is marked. */
export function weekDays(date: string, today: string): WeekDay[] {
  const monday = mondayOf(date);
  return Array.from({ length: 7 }, (_, i) => {
    const d = addDays(monday, i);
    return { date: d, weekday: i + 1, today: d === today };
  });
}

/** Carrier first, then the power company, then its branches: the order of the roster's rows. */
const ROSTER_KINDS = ['carrier', 'power', 'power_branch'] as const;

/**
 * The organisations that keep a duty roster (Điều 14: the carriers, and the power company with its
 * district branches), carriers first, each kind by its Vietnamese name.
 */
export function rosterOrgs<O extends OrgRef>(orgs: readonly O[]): O[] {
  const rank = (o: O) => ROSTER_KINDS.indexOf(o.kind as (typeof ROSTER_KINDS)[number]);
  return orgs
    .filter((o) => rank(o) >= 0)
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, 'vi'));
}

/** A duty roster entry: who of `org` is on call on `date` (for `sites` only, when given). */
export interface RosterEntry {
  org: string;
  date: string;
  person: string;
  sites?: readonly string[] | null;
}

/** The roster's cells: `${org} ${date}` → that day's entries of that organisation. */
export function rosterCells<E extends RosterEntry>(entries: readonly E[]): Map<string, E[]> {
  const cells = new Map<string, E[]>();
  for (const e of entries) {
    const k = cellKey(e.org, e.date);
    const list = cells.get(k);
    if (list) list.push(e);
    else cells.set(k, [e]);
  }
  return cells;
}

export const cellKey = (org: string, date: string): string => `${org} ${date}`;

/** Who may change a person: admin and NOC anyone, a host office its own staff, nobody else. */
export function canEditPerson(
  user: { role: string; org?: string | undefined } | null | undefined,
  personOrg: string | null | undefined,
): boolean {
  if (!user) return false;
  if (user.role === 'admin' || user.role === 'noc') return true;
  return user.role === 'host' && !!user.org && user.org === personOrg;
}

// ── the API's answers (api/routes/people.ts), as the tabs read them ──────────────────────────────────

/** A training record (Điều 13.2): which course, which day (yyyy-mm-dd), given by whom. */
export type Training = TrainingRow;

/** What a person can be reached by; null for those who may not see it. */
export interface Channels {
  email: string | null;
  phone: string | null;
  /** the phone number is kept as a secret reference in the inventory file */
  phone_secret: boolean;
  telegram: boolean;
  zalo: boolean;
}

/** GET /people: a person and the sites whose technician they are now. */
export interface PersonView {
  id: string;
  name: string;
  title: string | null;
  org: string | null;
  sites: string[];
  from_inventory: boolean;
  edited_at: number | null;
  edited_by: string | null;
  channels: Channels | null;
}

/** GET /sites/{id}/technicians */
export interface SiteTechnicians {
  site: string;
  current: TechnicianRow | null;
  history: TechnicianRow[];
}

/** POST /sites/{id}/technician: the rows closed and opened, and how many notices to Sở TT&TT were queued */
export interface Replaced {
  previous: TechnicianRow | null;
  current: TechnicianRow;
  notified: number;
}

/** GET /roster: one person on duty for an organisation on a day */
export type RosterRow = StoredRosterRow;

/** GET /org-technicians: the technician a carrier or power organisation names for a site */
export type OrgTechnician = OrgTechnicianRow;

// ── what the forms send ───────────────────────────────────────────────────────────────────────────────

/** The fields of the person form, as typed. */
export interface PersonFields {
  name: string;
  title: string;
  org: string;
  email: string;
  phone: string;
}

/**
 * The PATCH body for a changed person: only the fields that differ from `before` (trimmed; emptied →
 * null), so a field left alone is never written back — in particular a phone number kept as a secret
 * reference, which the form shows empty. A new person (no `before`): every non-empty field.
 */
export function personChanges(
  before: PersonFields | null,
  after: PersonFields,
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const k of ['name', 'title', 'org', 'email', 'phone'] as const) {
    const v = after[k].trim();
    if (before === null) {
      if (v) out[k] = v;
    } else if (v !== before[k].trim()) out[k] = v || null;
  }
  return out;
}

/**
 * The replacement's `from` for the day chosen in the form: nothing when it is today (the API takes
 * now), else that day's midnight in Bắc Kạn (ms); undefined also for an empty or malformed day.
 */
export function replacementFrom(day: string, today: string): number | undefined {
  if (day === today) return undefined;
  return fromLocalInput(day) ?? undefined;
}

/**
 * The lines a refusal is shown in: the API's message and then each field's problem (a directory
 * refusal says why in its message, a validation failure in its issues), once each. Thrown again as an
 * HttpError whose issues are those lines, so AsyncForm and Task show them all.
 */
export function refusalLines(err: unknown): string[] {
  if (!(err instanceof HttpError)) return [(err as Error).message];
  return [...new Set([err.message, ...err.issues.map((i) => i.message)])];
}

/** `p`, its refusal rethrown with every line of refusalLines */
export async function explained<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    throw new HttpError(
      err.status,
      err.message,
      err.code,
      refusalLines(err).map((message) => ({ path: '', message })),
    );
  }
}
