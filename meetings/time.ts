// Times as people write and read them in Bắc Kạn: Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
import { z } from 'zod';
import { localParts, TZ } from '../core/time.ts';

export { TZ };

const OFFSET = '+07:00';
const HOUR = 3600_000;
export const DAY = 24 * HOUR;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Times this NOC accepts: from 2000-01-01 to before 2100-01-01 (a 1970 or 2999 time is a mistake). */
export const MIN_TIME = Date.UTC(2000, 0, 1);
export const MAX_TIME = Date.UTC(2100, 0, 1);
/** for messages: the Vietnamese half; the English half says "between 2000 and 2099" */
export const TIME_RANGE_TEXT = 'từ năm 2000 đến 2099';

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * "2026-03-10T08:00" (local Bắc Kạn time), "2026-03-10T01:00Z", "2026-03-10" (local midnight) → ms.
 * Strict: a day the month does not have (2026-02-30), hour 24, minute 60 or a year outside 2000-2099
 * is null, never rolled over into the next month.
 */
export function parseLocalTime(text: string): number | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  if (zone && zone !== 'Z' && (Number(zone.slice(1, 3)) > 14 || Number(zone.slice(4, 6)) > 59)) return null;
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${zone ?? OFFSET}`);
  return Number.isFinite(t) && t >= MIN_TIME && t < MAX_TIME ? t : null;
}

/** ms since the epoch within the accepted range, or null. */
export function checkTimeMs(v: number): number | null {
  return Number.isSafeInteger(v) && v >= MIN_TIME && v < MAX_TIME ? v : null;
}

/** A time field: ms since epoch, or an ISO date-time (without an offset it is Bắc Kạn local time). */
export const TimeInput = z
  .union([z.number(), z.string()], 'cần thời gian, ví dụ 2026-03-10T08:00 / a time is required')
  .transform((v, ctx) => {
    const t = typeof v === 'number' ? checkTimeMs(v) : parseLocalTime(v);
    if (t === null) {
      ctx.addIssue({
        code: 'custom',
        message: `thời gian "${v}" không hợp lệ: cần ngày có thật ${TIME_RANGE_TEXT}, ví dụ 2026-03-10T08:00 (giờ Việt Nam) / not a valid time: a real date between 2000 and 2099, e.g. 2026-03-10T08:00 (Vietnam time)`,
      });
      return z.NEVER;
    }
    return t;
  });

const parts = localParts;

/** "08:00 ngày 10/03/2026" */
export function viDateTime(t: number): string {
  const p = parts(t);
  return `${p.h}:${p.mi} ngày ${p.d}/${p.mo}/${p.y}`;
}

/** "08:00" */
export function viTime(t: number): string {
  const p = parts(t);
  return `${p.h}:${p.mi}`;
}

/** "10/03/2026" */
export function viDate(t: number): string {
  const p = parts(t);
  return `${p.d}/${p.mo}/${p.y}`;
}

/** "2026-03-10 08:00" (local) */
export function isoLocal(t: number): string {
  const p = parts(t);
  return `${p.y}-${p.mo}-${p.d} ${p.h}:${p.mi}`;
}

/** Local calendar month "YYYY-MM" of t. */
export function localMonth(t: number): string {
  const p = parts(t);
  return `${p.y}-${p.mo}`;
}

/**
 * Local midnight of the same day `months` months after `from`'s (the month's last day when it is
 * shorter: 31 January + 1 month = 28/29 February).
 */
export function addLocalMonths(from: number, months: number): number {
  const p = parts(from);
  let y = Number(p.y);
  let mo = Number(p.mo) - 1 + months;
  y += Math.floor(mo / 12);
  mo = ((mo % 12) + 12) % 12;
  const d = Math.min(Number(p.d), daysInMonth(y, mo + 1));
  const t = Date.parse(
    `${y}-${String(mo + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}T00:00:00${OFFSET}`,
  );
  return t;
}

/** "1 giờ 30 phút" / "1 h 30 min" */
export function duration(ms: number): { vi: string; en: string } {
  const min = Math.round(ms / 60_000);
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  const vi = [d && `${d} ngày`, h && `${h} giờ`, (m || (!d && !h)) && `${m} phút`].filter(Boolean).join(' ');
  const en = [d && `${d} d`, h && `${h} h`, (m || (!d && !h)) && `${m} min`].filter(Boolean).join(' ');
  return { vi, en };
}
