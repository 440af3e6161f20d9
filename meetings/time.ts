// Times as people write and read them in Bắc Kạn: Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
import { z } from 'zod';

export const TZ = 'Asia/Ho_Chi_Minh';
const OFFSET = '+07:00';
const HOUR = 3600_000;
export const DAY = 24 * HOUR;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** "2026-03-10T08:00" (local Bắc Kạn time), "2026-03-10T01:00Z", "2026-03-10" (local midnight) → ms. */
export function parseLocalTime(text: string): number | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${zone ?? OFFSET}`);
  return Number.isFinite(t) ? t : null;
}

/** A time field: ms since epoch, or an ISO date-time (without an offset it is Bắc Kạn local time). */
export const TimeInput = z
  .union([z.number(), z.string()], 'cần thời gian, ví dụ 2026-03-10T08:00 / a time is required')
  .transform((v, ctx) => {
    const t = typeof v === 'number' ? (Number.isSafeInteger(v) && v >= 0 ? v : null) : parseLocalTime(v);
    if (t === null) {
      ctx.addIssue({
        code: 'custom',
        message: `thời gian "${v}" không đúng dạng, ví dụ 2026-03-10T08:00 (giờ Việt Nam) / not a time, e.g. 2026-03-10T08:00 (Vietnam time)`,
      });
      return z.NEVER;
    }
    return t;
  });

const parts = (t: number) => {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(t));
  const get = (k: string) => f.find((p) => p.type === k)?.value ?? '';
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour'), mi: get('minute') };
};

/** "08:00 ngày 10/03/2026" */
export function viDateTime(t: number): string {
  const p = parts(t);
  return `${p.h}:${p.mi} ngày ${p.d}/${p.mo}/${p.y}`;
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

/** Local midnight of the first day of the month `months` after the month of `from`. */
export function addLocalMonths(from: number, months: number): number {
  const p = parts(from);
  let y = Number(p.y);
  let mo = Number(p.mo) - 1 + months;
  y += Math.floor(mo / 12);
  mo = ((mo % 12) + 12) % 12;
  return parseLocalTime(`${y}-${String(mo + 1).padStart(2, '0')}-${p.d}`)!;
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
