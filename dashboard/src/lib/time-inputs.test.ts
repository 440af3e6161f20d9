// The dashboard's form fields are Bắc Kạn time whatever the browser's zone: a NOC laptop set to UTC
// (or a technician's phone abroad) must register an 08:00 meeting at 08:00 in Bắc Kạn, not 01:00.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromLocalInput, localDayStart, toDateInput, toLocalInput } from './meetings.ts';

const TZ_BEFORE = process.env['TZ'];

describe('form times in Bắc Kạn time, whatever the zone of the machine', () => {
  for (const zone of ['UTC', 'America/New_York', 'Asia/Ho_Chi_Minh']) {
    describe(zone, () => {
      beforeAll(() => {
        process.env['TZ'] = zone;
      });
      afterAll(() => {
        if (TZ_BEFORE === undefined) delete process.env['TZ'];
        else process.env['TZ'] = TZ_BEFORE;
      });

      it('reads an input as Bắc Kạn time and writes it back the same', () => {
        const t = fromLocalInput('2026-03-10T08:00')!;
        expect(t).toBe(Date.UTC(2026, 2, 10, 1, 0));
        expect(toLocalInput(t)).toBe('2026-03-10T08:00');
        expect(fromLocalInput('2026-03-10')).toBe(Date.UTC(2026, 2, 9, 17, 0));
        // 23:30 UTC is already the next day in Bắc Kạn
        expect(toDateInput(Date.UTC(2026, 2, 9, 23, 30))).toBe('2026-03-10');
        expect(localDayStart(Date.UTC(2026, 2, 9, 23, 30), 4)).toBe(Date.UTC(2026, 2, 13, 17, 0));
      });

      it('refuses what is not a date', () => {
        expect(fromLocalInput('')).toBeNull();
        expect(fromLocalInput('10/03/2026 08:00')).toBeNull();
        expect(fromLocalInput('2026-13-01T08:00')).toBeNull();
        expect(toLocalInput(null)).toBe('');
      });
    });
  }
});
