// The meeting lifecycle's pure helpers (issue 16 h8): skipped dates typed as dd/mm/yyyy, ISO weekdays,
// what "cancel the rest of the series" covers, and host contacts as lines.
import { describe, expect, it } from 'vitest';
import { formatContacts, parseContacts } from './hosts.ts';
import { fmtDate, isoWeekday, type Meeting, type MeetingSeries, parseDates, remaining } from './meetings.ts';

describe('parseDates', () => {
  it('reads dd/mm/yyyy lists separated by commas or spaces', () => {
    expect(parseDates('17/03/2026, 24/3/2026 1/04/2026')).toEqual(['2026-03-17', '2026-03-24', '2026-04-01']);
    expect(parseDates('  ')).toEqual([]);
  });
  it('refuses what is not a real date', () => {
    expect(parseDates('31/02/2026')).toBeNull();
    expect(parseDates('2026-03-17')).toBeNull();
    expect(parseDates('17/03/2026, hôm qua')).toBeNull();
  });
  it('formats back as dd/mm/yyyy', () => {
    expect(fmtDate('2026-03-07')).toBe('07/03/2026');
  });
});

describe('isoWeekday', () => {
  it('numbers Monday 1 … Sunday 7', () => {
    expect(isoWeekday('2026-03-09')).toBe(1);
    expect(isoWeekday('2026-03-10')).toBe(2);
    expect(isoWeekday('2026-03-15')).toBe(7);
  });
});

describe('remaining', () => {
  const occ = (id: string, start: number, cancelled: number | null) =>
    ({ id, start, end: start + 3_600_000, cancelled_at: cancelled }) as unknown as Meeting;
  it('keeps the occurrences not started and not cancelled', () => {
    const s = {
      id: 's',
      rule: {},
      occurrences: [occ('a', 1_000, null), occ('b', 5_000, 4_000), occ('c', 9_000, null)],
    } as unknown as MeetingSeries;
    expect(remaining(s, 2_000).map((m) => m.id)).toEqual(['c']);
  });
});

describe('host contacts as lines', () => {
  it('reads persons of the inventory, names with e-mail and bare names', () => {
    expect(parseContacts('@nguyen-van-a\nTrần Thị B, b@backan.gov.vn\n\nVăn phòng, trực ban')).toEqual([
      { person: 'nguyen-van-a' },
      { name: 'Trần Thị B', email: 'b@backan.gov.vn' },
      { name: 'Văn phòng, trực ban' },
    ]);
  });
  it('round-trips', () => {
    const c = [{ person: 'x' }, { name: 'Trần Thị B', email: 'b@backan.gov.vn' }];
    expect(parseContacts(formatContacts(c))).toEqual(c);
  });
});
