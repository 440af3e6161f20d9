// The charts' time axis: ticks on Bắc Kạn's clock whatever the machine's zone, never closer than a
// label's width, "HH:mm" within a day and "dd/mm" across days.
import { describe, expect, it } from 'vitest';
import { LABEL_PX, tickLabel, timeAxis, zoneOffset } from './chart-axis.ts';

const H = 3_600_000;
const D = 24 * H;
// 10/03/2026 00:00 in Bắc Kạn = 09/03/2026 17:00 UTC
const MIDNIGHT = Date.UTC(2026, 2, 9, 17, 0);

describe('timeAxis', () => {
  it('reads the zone, not the machine: +7 h', () => {
    expect(zoneOffset(MIDNIGHT)).toBe(7 * H);
  });

  it.each([
    ['1 h', H, 1000],
    ['1 h', H, 290],
    ['24 h', D, 1000],
    ['24 h', D, 290],
    ['7 d', 7 * D, 1000],
    ['7 d', 7 * D, 290],
  ])('%s at %i px: ticks at least a label apart, inside the window', (_name, span, width) => {
    const to = MIDNIGHT + 5 * D + 13 * H + 7 * 60_000;
    const from = to - span;
    const a = timeAxis(from, to, width);
    expect(a.ticks.length).toBeGreaterThanOrEqual(2);
    for (const t of a.ticks) expect(t >= from && t <= to).toBe(true);
    for (let i = 1; i < a.ticks.length; i++)
      expect(((a.ticks[i]! - a.ticks[i - 1]!) / span) * width).toBeGreaterThanOrEqual(LABEL_PX);
  });

  it('7 days: day labels at Bắc Kạn midnight, every day when wide, every few days on a phone', () => {
    const to = MIDNIGHT + 7 * D + 10 * H;
    const wide = timeAxis(to - 7 * D, to, 1000);
    expect(wide.format).toBe('day');
    expect(wide.step).toBe(D);
    expect(wide.ticks.map((t) => tickLabel(t, 'day'))).toEqual([
      '11/03',
      '12/03',
      '13/03',
      '14/03',
      '15/03',
      '16/03',
      '17/03',
    ]);
    expect(wide.ticks.every((t) => (t - MIDNIGHT) % D === 0)).toBe(true);
    const phone = timeAxis(to - 7 * D, to, 290);
    expect(phone.step).toBe(2 * D);
    expect(phone.ticks.length).toBeLessThanOrEqual(4);
  });

  it('24 hours: "HH:mm" on whole hours of the zone', () => {
    const to = MIDNIGHT + 14 * H + 20 * 60_000; // 14:20 in Bắc Kạn
    const a = timeAxis(to - D, to, 1000);
    expect(a.format).toBe('time');
    expect(a.step).toBe(2 * H);
    expect(tickLabel(a.ticks[0]!, 'time')).toBe('16:00');
    expect(a.ticks.map((t) => tickLabel(t, 'time'))).toContain('00:00');
    expect(timeAxis(to - D, to, 290).step).toBe(6 * H);
  });

  it('1 hour: minutes', () => {
    const to = MIDNIGHT + 8 * H + 3 * 60_000; // 08:03
    const a = timeAxis(to - H, to, 1000);
    expect(a.step).toBe(5 * 60_000);
    expect(tickLabel(a.ticks[0]!, 'time')).toBe('07:05');
    expect(timeAxis(to - H, to, 290).step).toBe(15 * 60_000);
  });
});
