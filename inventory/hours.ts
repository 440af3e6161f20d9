// Operating hours (Điều 5.6, 8.4): when a site is expected to have its equipment on. The default
// is config `operations.hours`, a site may set its own (inventory `hours`); public holidays come
// from config/holidays-vn.yaml plus config `operations.holidays`. All in Bắc Kạn time.
import { statSync } from 'node:fs';
import { z } from 'zod';
import { fromRoot } from '../core/root.ts';
import { localParts } from '../core/time.ts';
import type { LoadedInventory } from './load.ts';
import type { OperatingHours } from './schema.ts';
import { YamlSource } from './source.ts';

export const DEFAULT_HOLIDAYS_FILE = fromRoot('config', 'holidays-vn.yaml');

const DATE_HINT = 'must be a date "YYYY-MM-DD", e.g. 2026-09-02';

/** A calendar day "YYYY-MM-DD" that exists (2026-02-30 does not). */
const isoDate = z
  .string({ error: DATE_HINT })
  .regex(/^\d{4}-\d{2}-\d{2}$/, DATE_HINT)
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
  }, 'is not a day of the calendar (check the month and the day)');

/** One holiday (a day or a range of days off) or a weekend day worked in exchange. */
export const HolidayEntry = z
  .object({
    date: isoDate.optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    /** off: no work that day; work: a Saturday or Sunday worked in exchange (làm bù) */
    kind: z
      .enum(['off', 'work'], { error: 'must be "off" (a day off) or "work" (a day worked in exchange)' })
      .default('off'),
    name: z
      .string({ error: 'must be the name of the day, in Vietnamese' })
      .trim()
      .min(1, 'must not be empty'),
    name_en: z.string().trim().min(1).optional(),
    /** the law or decision that fixed it */
    basis: z.string().trim().min(1).optional(),
    /** computed from the law before (or without) the year's decision */
    provisional: z.boolean().default(false),
  })
  .strict()
  .superRefine((h, ctx) => {
    if (h.date !== undefined && (h.from !== undefined || h.to !== undefined))
      ctx.addIssue({ code: 'custom', message: 'give either date or from/to, not both' });
    else if (h.date === undefined && (h.from === undefined || h.to === undefined))
      ctx.addIssue({ code: 'custom', message: 'needs date, or both from and to (the first and last day)' });
    else if (h.from !== undefined && h.to !== undefined) {
      if (h.to < h.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
      else if (days(h.from, h.to).length > 31)
        ctx.addIssue({ code: 'custom', path: ['to'], message: 'a range of days off is at most 31 days' });
    }
  });
export type HolidayEntry = z.infer<typeof HolidayEntry>;

const HolidayFile = z
  .object({ version: z.literal(1, 'must be 1'), holidays: z.array(HolidayEntry).max(1000) })
  .strict();

/** Every day from `from` to `to` (inclusive), "YYYY-MM-DD". */
function days(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && out.length <= 366; t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

const cache = new Map<string, { mtime: number; entries: HolidayEntry[] }>();

/** The holidays of a data file, checked (SourceErrors with FILE:LINE); read again when it changes. */
export function readHolidays(file: string = DEFAULT_HOLIDAYS_FILE): HolidayEntry[] {
  let mtime = -1;
  try {
    mtime = statSync(file).mtimeMs;
  } catch {
    // YamlSource.read reports the missing file
  }
  const hit = cache.get(file);
  if (hit && hit.mtime === mtime) return hit.entries;
  const entries = YamlSource.read(file).parse(HolidayFile).holidays;
  cache.set(file, { mtime, entries });
  return entries;
}

export interface DayInfo {
  date: string;
  kind: 'off' | 'work';
  name: string;
  name_en: string;
  provisional: boolean;
}

/** The public-holiday calendar: days off and weekend days worked in exchange, by date. */
export class HolidayCalendar {
  private readonly byDate = new Map<string, DayInfo>();

  constructor(entries: readonly HolidayEntry[]) {
    // later entries (config after the data file) win for the same day
    for (const h of entries)
      for (const date of h.date ? [h.date] : days(h.from!, h.to!))
        this.byDate.set(date, {
          date,
          kind: h.kind,
          name: h.name,
          name_en: h.name_en ?? h.name,
          provisional: h.provisional,
        });
  }

  day(date: string): DayInfo | undefined {
    return this.byDate.get(date);
  }

  /** Days off from..to (inclusive, "YYYY-MM-DD"), in order. */
  between(from: string, to: string): DayInfo[] {
    return [...this.byDate.values()]
      .filter((d) => d.date >= from && d.date <= to)
      .sort((a, b) => a.date.localeCompare(b.date));
  }
}

const WEEKDAYS_VI = ['', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy', 'Chủ nhật'];
const WEEKDAYS_EN = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** ISO weekday (1 Monday … 7 Sunday) of a calendar day. */
function isoWeekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
}

/** A site's operating hours as words: "Thứ Hai–Thứ Sáu 07:00–17:00, nghỉ ngày lễ". */
export function describeHours(h: OperatingHours): { vi: string; en: string } {
  const sorted = [...new Set(h.days)].sort((a, b) => a - b);
  const run = sorted.length > 2 && sorted.every((d, i) => i === 0 || d === sorted[i - 1]! + 1);
  const dayWords = (names: string[], none: string) =>
    sorted.length === 0
      ? none
      : run
        ? `${names[sorted[0]!]}–${names[sorted.at(-1)!]}`
        : sorted.map((d) => names[d]).join(', ');
  const periods = h.periods.map((p) => p.replace('-', '–')).join(', ');
  const vi = `${dayWords(WEEKDAYS_VI, 'không ngày nào')} ${periods}${h.holidays ? ', nghỉ ngày lễ, Tết' : ', cả ngày lễ'}`;
  const en = `${dayWords(WEEKDAYS_EN, 'no day')} ${periods}${h.holidays ? ', closed on public holidays' : ', public holidays included'}`;
  return { vi, en };
}

/** Whether a site is within its operating hours at a moment, Bắc Kạn time. */
export class SiteHours {
  constructor(
    readonly defaults: OperatingHours,
    readonly calendar: HolidayCalendar,
    private readonly siteHours: (site: string) => OperatingHours | undefined,
  ) {}

  /** The hours that apply to a site (its own, else the default). */
  of(site: string): OperatingHours {
    return this.siteHours(site) ?? this.defaults;
  }

  /** Is the site's day a working day for these hours (weekday, holidays, days worked in exchange)? */
  workingDay(h: OperatingHours, date: string): boolean {
    const special = h.holidays ? this.calendar.day(date) : undefined;
    if (special) return special.kind === 'work';
    return h.days.includes(isoWeekday(date));
  }

  inHours(site: string, t: number): boolean {
    const h = this.of(site);
    const p = localParts(t);
    if (!this.workingDay(h, `${p.y}-${p.mo}-${p.d}`)) return false;
    const hm = `${p.h}:${p.mi}`;
    return h.periods.some((x) => hm >= x.slice(0, 5) && hm < x.slice(6));
  }
}

/** What config `operations` holds (config/config.ts). */
export interface OperationsConfig {
  hours: OperatingHours;
  holidays: HolidayEntry[];
  holidays_file?: string | undefined;
}

/** A site's hours from config (defaults, holidays) and the inventory (per-site hours). */
export function siteHours(ops: OperationsConfig, inventory: Pick<LoadedInventory, 'sites'>): SiteHours {
  const entries = [...readHolidays(ops.holidays_file ?? DEFAULT_HOLIDAYS_FILE), ...ops.holidays];
  return new SiteHours(ops.hours, new HolidayCalendar(entries), (id) => inventory.sites.get(id)?.hours);
}
