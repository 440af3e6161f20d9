// Operating hours: weekdays, lunch, holidays and days worked in exchange, a site's own hours, the
// hour boundary in Bắc Kạn time (not UTC), and the holiday data checked with FILE:LINE.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { DEFAULT_HOLIDAYS_FILE, describeHours, readHolidays, siteHours } from './hours.ts';
import { loadInventory } from './load.ts';
import { OperatingHours, type Site } from './schema.ts';
import { SourceErrors } from './source.ts';

/** ms of a Bắc Kạn wall-clock time */
const bk = (s: string) => Date.parse(`${s}+07:00`);

const office = OperatingHours.parse({ periods: ['07:00-11:30', '13:30-17:00'] });
const always = OperatingHours.parse({
  days: [1, 2, 3, 4, 5, 6, 7],
  periods: ['00:00-24:00'],
  holidays: false,
});
const sites = new Map<string, Pick<Site, 'hours'>>([
  ['xa-a', {}],
  ['tinh-uy', { hours: always }],
]);
const hours = siteHours({ hours: office, holidays: [] }, { sites: sites as Map<string, Site> });

function expectErrors(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(SourceErrors);
    return (err as SourceErrors).message;
  }
  throw new Error('no error');
}

describe('inHours', () => {
  it('a working day: in the morning and afternoon, not at lunch', () => {
    expect(hours.inHours('xa-a', bk('2026-11-30T09:00:00'))).toBe(true); // Monday
    expect(hours.inHours('xa-a', bk('2026-11-30T11:29:59'))).toBe(true);
    expect(hours.inHours('xa-a', bk('2026-11-30T11:30:00'))).toBe(false);
    expect(hours.inHours('xa-a', bk('2026-11-30T12:15:00'))).toBe(false);
    expect(hours.inHours('xa-a', bk('2026-11-30T13:30:00'))).toBe(true);
    expect(hours.inHours('xa-a', bk('2026-11-30T20:00:00'))).toBe(false);
  });

  it('the hour boundary is Bắc Kạn time, not UTC', () => {
    // 07:00 in Bắc Kạn is 00:00 UTC; the millisecond before is Sunday night in UTC and in Bắc Kạn
    expect(hours.inHours('xa-a', Date.UTC(2026, 10, 30, 0, 0, 0))).toBe(true);
    expect(hours.inHours('xa-a', Date.UTC(2026, 10, 30, 0, 0, 0) - 1)).toBe(false);
    // 17:00 in Bắc Kạn is 10:00 UTC
    expect(hours.inHours('xa-a', Date.UTC(2026, 10, 30, 9, 59, 59))).toBe(true);
    expect(hours.inHours('xa-a', Date.UTC(2026, 10, 30, 10, 0, 0))).toBe(false);
    // 09:00 UTC on Friday 04/12 is 16:00 in Bắc Kạn; 09:00 UTC Saturday is 16:00 on a weekend
    expect(hours.inHours('xa-a', Date.UTC(2026, 11, 4, 9, 0, 0))).toBe(true);
    expect(hours.inHours('xa-a', Date.UTC(2026, 11, 5, 9, 0, 0))).toBe(false);
  });

  it('weekends and public holidays are days off; a Saturday worked in exchange is a working day', () => {
    expect(hours.inHours('xa-a', bk('2026-12-05T09:00:00'))).toBe(false); // Saturday
    expect(hours.inHours('xa-a', bk('2026-12-06T09:00:00'))).toBe(false); // Sunday
    expect(hours.inHours('xa-a', bk('2026-09-02T09:00:00'))).toBe(false); // Quốc khánh, a Wednesday
    expect(hours.inHours('xa-a', bk('2026-02-18T09:00:00'))).toBe(false); // Tết Bính Ngọ
    expect(hours.inHours('xa-a', bk('2026-04-27T09:00:00'))).toBe(false); // Giỗ Tổ, compensated
    expect(hours.inHours('xa-a', bk('2026-04-28T09:00:00'))).toBe(true);
    expect(hours.inHours('xa-a', bk('2025-04-26T09:00:00'))).toBe(true); // Saturday worked for 02/05
    expect(hours.inHours('xa-a', bk('2025-05-02T09:00:00'))).toBe(false);
    expect(hours.calendar.day('2026-09-02')?.name).toBe('Quốc khánh 2/9');
  });

  it("a site's own hours override the default (all day, holidays included)", () => {
    expect(hours.inHours('tinh-uy', bk('2026-12-06T03:00:00'))).toBe(true);
    expect(hours.inHours('tinh-uy', bk('2026-09-02T12:00:00'))).toBe(true);
    expect(hours.inHours('tinh-uy', bk('2026-09-02T23:59:59'))).toBe(true);
    expect(hours.of('xa-a')).toBe(office);
    expect(describeHours(office).vi).toBe('Thứ Hai–Thứ Sáu 07:00–11:30, 13:30–17:00, nghỉ ngày lễ, Tết');
    expect(describeHours(always).en).toBe('Mon–Sun 00:00–24:00, public holidays included');
  });

  it('config adds days: a provincial day off', () => {
    const h = siteHours(
      {
        hours: office,
        holidays: [{ date: '2026-12-01', kind: 'off', name: 'Nghỉ theo UBND tỉnh', provisional: false }],
      },
      { sites: sites as Map<string, Site> },
    );
    expect(h.inHours('xa-a', bk('2026-12-01T09:00:00'))).toBe(false);
    expect(hours.inHours('xa-a', bk('2026-12-01T09:00:00'))).toBe(true);
  });
});

describe('holiday data', () => {
  it('the shipped file covers 2025–2027 and every entry is a real day', () => {
    const list = readHolidays(DEFAULT_HOLIDAYS_FILE);
    for (const y of ['2025', '2026', '2027'])
      for (const md of ['01-01', '04-30', '09-02'])
        expect(
          list.some((h) => h.date === `${y}-${md}` || (h.from! <= `${y}-${md}` && h.to! >= `${y}-${md}`)),
        ).toBe(true);
  });

  it('a bad date is refused with file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-hours-'));
    const file = join(dir, 'holidays.yaml');
    writeFileSync(
      file,
      'version: 1\nholidays:\n  - date: 2026-01-01\n    name: Tết Dương lịch\n  - date: 2026-02-30\n    name: Sai\n  - from: 2026-05-02\n    to: 2026-05-01\n    name: Ngược\n',
    );
    const msg = expectErrors(() => readHolidays(file));
    expect(msg).toContain(`${file}:5: holidays[1].date: is not a day of the calendar`);
    expect(msg).toContain(`${file}:8: holidays[2].to: must not be before from`);
    // through the configuration: its own holidays, and a holidays file it names
    const cfg = join(dir, 'diemcau.yaml');
    writeFileSync(cfg, 'operations:\n  holidays:\n    - date: "2026-13-01"\n      name: Sai\n');
    expect(expectErrors(() => loadConfig(cfg, {}))).toContain(
      `${cfg}:3: operations.holidays[0].date: is not a day`,
    );
    writeFileSync(cfg, 'operations:\n  holidays_file: holidays.yaml\n');
    expect(expectErrors(() => loadConfig(cfg, {}))).toContain(`${file}:5:`);
    writeFileSync(cfg, 'operations:\n  hours:\n    periods: ["17:00-07:00"]\n');
    expect(expectErrors(() => loadConfig(cfg, {}))).toContain(
      `${cfg}:3: operations.hours.periods[0]: must end after it starts`,
    );
  });

  it("a site's own hours in the inventory: read, and a bad period refused with file and line", () => {
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-hours-inv-'));
    const file = join(dir, 'bac-kan.yaml');
    const text = readFileSync(new URL('./bac-kan.yaml', import.meta.url), 'utf8');
    const at = '    technician: kt-xa-bang-thanh\n';
    expect(text).toContain(at);
    const line = text.slice(0, text.indexOf(at)).split('\n').length + 1;
    writeFileSync(
      file,
      text.replace(at, `${at}    hours: { days: [1, 2, 3, 4, 5, 6], periods: ["06:30-18:00"] }\n`),
    );
    const inv = loadInventory(file);
    const h = siteHours({ hours: office, holidays: [] }, inv);
    expect(h.inHours('xa-bang-thanh', bk('2026-12-05T06:45:00'))).toBe(true); // its Saturday morning
    expect(h.inHours('xa-banh-trach', bk('2026-12-05T06:45:00'))).toBe(false);
    writeFileSync(file, text.replace(at, `${at}    hours: { periods: ["07:00-25:00"] }\n`));
    expect(expectErrors(() => loadInventory(file))).toContain(`${file}:${line}: sites[`);
    expect(expectErrors(() => loadInventory(file))).toContain(
      '.hours.periods[0]: must be a period such as "07:00-11:30"',
    );
  });
});
