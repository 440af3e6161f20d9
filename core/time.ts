// The one time zone of the system: Bắc Kạn is Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
// Everything a person reads — messages, reports, the meeting register — is written in it.
export const TZ = 'Asia/Ho_Chi_Minh';

const FORMAT = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** The local calendar fields of a time, zero-padded: { y: '2026', mo: '03', d: '10', h: '08', mi: '00', s: '05' }. */
export function localParts(t: number): {
  y: string;
  mo: string;
  d: string;
  h: string;
  mi: string;
  s: string;
} {
  const f = FORMAT.formatToParts(new Date(t));
  const get = (k: string) => f.find((p) => p.type === k)?.value ?? '';
  return {
    y: get('year'),
    mo: get('month'),
    d: get('day'),
    h: get('hour'),
    mi: get('minute'),
    s: get('second'),
  };
}

/** Bắc Kạn's offset from UTC, all year (Viet Nam has kept no daylight saving since 1975). */
export const TZ_OFFSET = '+07:00';

/** ms → "2026-03-10T08:00" in Bắc Kạn time: the value of an `<input type="datetime-local">`. */
export function toLocalInput(t: number | null | undefined): string {
  if (!t) return '';
  const p = localParts(t);
  return `${p.y}-${p.mo}-${p.d}T${p.h}:${p.mi}`;
}

/** ms → "2026-03-10", the Bắc Kạn calendar day: the value of an `<input type="date">`. */
export function toDateInput(t: number): string {
  const p = localParts(t);
  return `${p.y}-${p.mo}-${p.d}`;
}

/**
 * An input's "2026-03-10T08:00" (or "2026-03-10", its midnight) read as Bắc Kạn time, whatever the
 * browser's zone → ms; null when empty or malformed.
 */
export function fromLocalInput(v: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(:\d{2})?)?$/.exec(v.trim());
  if (!m) return null;
  const t = Date.parse(`${m[1]}T${m[2] ?? '00:00'}${m[3] ?? ':00'}${TZ_OFFSET}`);
  return Number.isNaN(t) ? null : t;
}

/** Midnight (Bắc Kạn) of the calendar day `days` after the day of `t`. */
export function localDayStart(t: number, days = 0): number {
  return fromLocalInput(toDateInput(t))! + days * 86_400_000;
}

const OFFSET_MS = 7 * 3_600_000; // TZ_OFFSET in ms
const DAY_MS = 86_400_000;

/** A window that recurs on local (Bắc Kạn) days: ISO weekdays 1 (Monday) … 7, none = every day. */
export interface WeeklyWindow {
  weekdays: readonly number[];
  /** local start "HH:MM" */
  start: string;
  durationMs: number;
}

/** The occurrences of a weekly window that overlap [from, to), in order. */
export function weeklyOccurrences(w: WeeklyWindow, from: number, to: number): { from: number; to: number }[] {
  if (!(from < to)) return [];
  const [hh, mm] = w.start.split(':').map(Number) as [number, number];
  const out: { from: number; to: number }[] = [];
  const first = Math.floor((from + OFFSET_MS) / DAY_MS) * DAY_MS - Math.ceil(w.durationMs / DAY_MS) * DAY_MS;
  for (let day = first; day - OFFSET_MS < to; day += DAY_MS) {
    const weekday = ((new Date(day).getUTCDay() + 6) % 7) + 1; // ISO: Monday = 1
    if (w.weekdays.length > 0 && !w.weekdays.includes(weekday)) continue;
    const start = day - OFFSET_MS + (hh * 60 + mm) * 60_000;
    if (start < to && start + w.durationMs > from) out.push({ from: start, to: start + w.durationMs });
  }
  return out;
}
