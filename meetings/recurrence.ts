// Recurring meetings: a weekly (on given weekdays) or monthly (on the same day of the month, or the same
// n-th weekday) rule, until a date or for a count, minus skipped dates. Dates are Bắc Kạn local dates
// (UTC+7, no daylight saving): every occurrence keeps the first one's local time of day and length.
import { z } from 'zod';
import { DAY, daysInMonth } from './time.ts';

const OFFSET = 7 * 3600_000;
/** At most this many occurrences in one series (two years of weekly meetings). */
export const MAX_OCCURRENCES = 104;

const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'cần ngày dạng 2026-03-10 / a date such as 2026-03-10')
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) && y >= 2000 && y < 2100;
  }, 'ngày không có thật / not a real date');

export const Recurrence = z
  .object({
    /** hằng tuần / hằng tháng */
    freq: z.enum(['weekly', 'monthly']),
    /** every n weeks or months (default 1) */
    interval: z.number().int().min(1).max(12).default(1),
    /** weekly: ISO weekdays 1 (Monday) … 7 (Sunday); default the first meeting's weekday */
    weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7).optional(),
    /**
     * monthly: 'monthday' the same day of the month (the last day in a shorter month), 'weekday' the same
     * n-th weekday (e.g. the second Tuesday; a fifth one is the month's last)
     */
    monthly_by: z.enum(['monthday', 'weekday']).default('monthday'),
    /** the last local date an occurrence may fall on */
    until: LocalDate.optional(),
    /** how many occurrences at most (skipped dates count) */
    count: z.number().int().min(1).max(MAX_OCCURRENCES).optional(),
    /** local dates skipped */
    exceptions: z.array(LocalDate).max(MAX_OCCURRENCES).default([]),
  })
  .strict()
  .refine((r) => r.until !== undefined || r.count !== undefined, {
    message: 'cần until (đến ngày) hoặc count (số lần) / give until or count',
    path: ['until'],
  })
  .refine((r) => r.freq === 'weekly' || r.weekdays === undefined, {
    message: 'weekdays chỉ dùng cho lặp hằng tuần / weekdays is for weekly meetings',
    path: ['weekdays'],
  });
export type Recurrence = z.output<typeof Recurrence>;
export type RecurrenceInput = z.input<typeof Recurrence>;

/** "YYYY-MM-DD" of a local day number (days since 1970-01-01, local). */
function dateOf(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

function dayOf(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY;
}

/** The local date "YYYY-MM-DD" of a time. */
export function localDate(t: number): string {
  return dateOf(Math.floor((t + OFFSET) / DAY));
}

/** ISO weekday 1 (Monday) … 7 (Sunday) of a local day number. */
function weekday(day: number): number {
  return ((new Date(day * DAY).getUTCDay() + 6) % 7) + 1;
}

export interface Occurrence {
  /** local date "YYYY-MM-DD" */
  date: string;
  start: number;
  end: number;
}

/**
 * The dates of the rule, from the first meeting's date on, in order: at most `count`, none after `until`,
 * never more than MAX_OCCURRENCES (skipped dates included), then the exceptions taken out.
 */
export function occurrences(first: { start: number; end: number }, rule: Recurrence): Occurrence[] {
  const firstDay = Math.floor((first.start + OFFSET) / DAY);
  const timeOfDay = first.start - (firstDay * DAY - OFFSET);
  const length = first.end - first.start;
  const limit = Math.min(rule.count ?? MAX_OCCURRENCES, MAX_OCCURRENCES);
  const last = rule.until ? dayOf(rule.until) : Number.POSITIVE_INFINITY;
  const days: number[] = [];
  const push = (d: number) => {
    if (d >= firstDay && d <= last && days.length < limit) days.push(d);
  };
  if (rule.freq === 'weekly') {
    const wanted = new Set(rule.weekdays ?? [weekday(firstDay)]);
    const monday = firstDay - (weekday(firstDay) - 1);
    for (let week = monday; days.length < limit && week <= last; week += 7 * rule.interval)
      for (let i = 0; i < 7; i++) if (wanted.has(i + 1)) push(week + i);
  } else {
    const [y0, m0, d0] = dateOf(firstDay).split('-').map(Number) as [number, number, number];
    const nth = Math.ceil(d0 / 7);
    const wd = weekday(firstDay);
    for (let k = 0; days.length < limit; k += rule.interval) {
      const y = y0 + Math.floor((m0 - 1 + k) / 12);
      const m = ((m0 - 1 + k) % 12) + 1;
      const monthStart = dayOf(`${y}-${String(m).padStart(2, '0')}-01`);
      if (monthStart > last) break;
      const len = daysInMonth(y, m);
      if (rule.monthly_by === 'monthday') push(monthStart + Math.min(d0, len) - 1);
      else {
        const firstWd = monthStart + ((wd - weekday(monthStart) + 7) % 7);
        let d = firstWd + 7 * (nth - 1);
        if (d >= monthStart + len) d -= 7; // no fifth one this month: the last
        push(d);
      }
    }
  }
  const skip = new Set(rule.exceptions);
  return days
    .map(dateOf)
    .filter((date) => !skip.has(date))
    .map((date) => {
      const start = dayOf(date) * DAY - OFFSET + timeOfDay;
      return { date, start, end: start + length };
    });
}
