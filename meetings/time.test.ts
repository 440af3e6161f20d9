// Issue 18: dates as people type them are taken strictly: no roll-over, a sane range.
import { describe, expect, it } from 'vitest';
import { addLocalMonths, isoLocal, parseLocalTime, TimeInput } from './time.ts';

describe('parseLocalTime', () => {
  it('refuses days a month does not have instead of rolling into the next month', () => {
    expect(parseLocalTime('2026-02-30')).toBeNull(); // Date.parse gives 2 March
    expect(parseLocalTime('2026-02-29')).toBeNull();
    expect(parseLocalTime('2026-04-31T08:00')).toBeNull();
    expect(parseLocalTime('2026-13-01')).toBeNull();
    expect(parseLocalTime('2026-00-10')).toBeNull();
    expect(parseLocalTime('2026-03-10T24:00')).toBeNull();
    expect(parseLocalTime('2026-03-10T08:60')).toBeNull();
    expect(parseLocalTime('2026-03-10T08:00+25:00')).toBeNull();
    expect(isoLocal(parseLocalTime('2028-02-29')!)).toBe('2028-02-29 00:00');
    expect(isoLocal(parseLocalTime('2026-03-10T08:00')!)).toBe('2026-03-10 08:00');
  });

  it('refuses years outside 2000-2099', () => {
    expect(parseLocalTime('1970-01-01')).toBeNull();
    expect(parseLocalTime('1999-12-31T23:59')).toBeNull();
    expect(parseLocalTime('2100-01-01T08:00')).toBeNull();
    expect(parseLocalTime('2000-01-01T08:00')).not.toBeNull();
  });

  it('a time given in ms must be in the same range', () => {
    expect(TimeInput.safeParse(0).success).toBe(false);
    expect(TimeInput.safeParse(1e308).success).toBe(false);
    expect(TimeInput.safeParse(Date.UTC(2026, 2, 10)).success).toBe(true);
    const bad = TimeInput.safeParse('2026-02-30T08:00');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/năm 2000 đến 2099.*between 2000 and 2099/);
  });
});

describe('addLocalMonths', () => {
  it('keeps the day, or the last day of a shorter month', () => {
    expect(isoLocal(addLocalMonths(parseLocalTime('2026-01-01')!, 6))).toBe('2026-07-01 00:00');
    expect(isoLocal(addLocalMonths(parseLocalTime('2026-01-31')!, 1))).toBe('2026-02-28 00:00');
    expect(isoLocal(addLocalMonths(parseLocalTime('2026-07-01')!, 12))).toBe('2027-07-01 00:00');
  });
});
