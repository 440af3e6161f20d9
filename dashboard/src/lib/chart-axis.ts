// The time axis of the site page's charts (issue 15): ticks on Bắc Kạn's clock (core/time.ts TZ, not
// the browser's), as many as the width holds without labels touching, labelled "HH:mm" within a day
// and "dd/mm" on a multi-day window (one tick per day or per few days). Pure, unit-tested.
import { localParts, TZ } from '../../../core/time.ts';

export { TZ };

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** tick steps on the clock, finest first */
const TIME_STEPS = [5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR];
const DAY_STEPS = [DAY, 2 * DAY, 3 * DAY, 7 * DAY];

/** a window longer than this is labelled by day ("dd/mm"), else by clock ("HH:mm") */
export const DAY_LABELS_ABOVE = 36 * HOUR;

/** the room a label needs: 5 characters of the axis font (13 px) and a gap between labels */
export const LABEL_PX = 64;

export type AxisFormat = 'time' | 'day';

export interface TimeAxis {
  format: AxisFormat;
  step: number;
  /** tick times (ms), inside [from, to] */
  ticks: number[];
}

/** ms to add to a UTC time to read the zone's wall clock then (Asia/Ho_Chi_Minh: +7 h, no DST). */
export function zoneOffset(t: number): number {
  const p = localParts(t);
  const wall = Date.UTC(+p.y, +p.mo - 1, +p.d, +p.h, +p.mi, +p.s);
  return wall - Math.floor(t / 1000) * 1000;
}

/** Ticks for the window [from, to] drawn `widthPx` wide: the finest step whose labels do not touch. */
export function timeAxis(from: number, to: number, widthPx: number): TimeAxis {
  const span = Math.max(1, to - from);
  const format: AxisFormat = span > DAY_LABELS_ABOVE ? 'day' : 'time';
  const steps = format === 'day' ? DAY_STEPS : TIME_STEPS;
  const fits = (step: number) => (step / span) * widthPx >= LABEL_PX;
  const step = steps.find(fits) ?? steps.at(-1)!;
  const ticks: number[] = [];
  // aligned to the zone's midnight (a day step) or its hours: wall-clock time floored to the step
  const off = zoneOffset(from);
  let t = Math.ceil((from + off) / step) * step - off;
  for (; t <= to; t += step) ticks.push(t);
  return { format, step, ticks };
}

/** "14:05" or "09/03", in the zone. */
export function tickLabel(t: number, format: AxisFormat): string {
  const p = localParts(t);
  return format === 'day' ? `${p.d}/${p.mo}` : `${p.h}:${p.mi}`;
}
