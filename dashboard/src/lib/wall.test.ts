// Issue 15: the wall screen's rotation (pauses on a critical episode) and the phone's district list.
import { describe, expect, it } from 'vitest';
import type { Episode } from '../../../api/contract.ts';
import type { MapLayout } from './layout.ts';
import { criticalFocus, districtRows, nextStop, rotateSeconds, rotationStops, touchLayout } from './wall.ts';

type Ep = Pick<Episode, 'severity' | 'state' | 'district' | 'sites'>;
const ep = (o: Partial<Ep>): Ep => ({
  severity: 'critical',
  state: 'firing',
  district: null,
  sites: ['a1'],
  ...o,
});
const districtOf = (s: string) => ({ a1: 'a', a2: 'a', b1: 'b' })[s];

describe('rotation', () => {
  it('reads ?rotate= as seconds, 5 s at least', () => {
    expect(rotateSeconds('30')).toBe(30);
    expect(rotateSeconds(null)).toBeNull();
    expect(rotateSeconds('')).toBeNull();
    expect(rotateSeconds('x')).toBeNull();
    expect(rotateSeconds('2')).toBeNull();
  });
  it('goes province → each district → province', () => {
    const stops = rotationStops(['a', 'b']);
    expect(stops).toEqual(['', 'a', 'b']);
    expect(nextStop(stops, '')).toBe('a');
    expect(nextStop(stops, 'a')).toBe('b');
    expect(nextStop(stops, 'b')).toBe('');
    expect(nextStop(stops, 'gone')).toBe('');
  });
  it('pauses on an open critical episode: its district, or the province when it spans districts', () => {
    expect(criticalFocus([], districtOf)).toBeNull();
    expect(criticalFocus([ep({ severity: 'major' })], districtOf)).toBeNull();
    expect(criticalFocus([ep({ state: 'resolved' }), ep({ state: 'suppressed' })], districtOf)).toBeNull();
    expect(criticalFocus([ep({ sites: ['a1', 'a2'] })], districtOf)).toBe('a');
    expect(criticalFocus([ep({ state: 'acknowledged', district: 'b', sites: ['b1'] })], districtOf)).toBe(
      'b',
    );
    expect(criticalFocus([ep({ sites: ['a1'] }), ep({ sites: ['b1'] })], districtOf)).toBe('');
  });
});

describe('districtRows', () => {
  it('counts sites and those needing attention, with the worst state, in the inventory order', () => {
    const rows = districtRows(
      [
        { id: 'a', name: 'Huyện A' },
        { id: 'b', name: 'Huyện B' },
        { id: 'empty', name: 'Huyện trống' },
      ],
      [
        { district: 'b', state: 'ok' },
        { district: 'a', state: 'degraded' },
        { district: 'a', state: 'on_battery' },
        { district: 'a', state: 'off' },
        { district: 'a', state: 'maintenance' },
        { district: 'elsewhere', state: 'down' },
      ],
    );
    expect(rows).toEqual([
      { id: 'a', name: 'Huyện A', sites: 4, attention: 2, worst: 'on_battery' },
      { id: 'b', name: 'Huyện B', sites: 1, attention: 0, worst: 'ok' },
    ]);
  });
});

describe('touchLayout', () => {
  const layout = (): MapLayout => ({
    width: 1600,
    height: 1000,
    viewBox: '0 0 1600 1000',
    mcu: { x: 800, y: 500, r: 34 },
    nodes: new Map([
      ['a', { x: 100, y: 100, r: 8 }],
      ['b', { x: 150, y: 120, r: 8 }],
      ['far', { x: 1500, y: 900, r: 8 }],
    ]),
    districts: [],
    links: new Map(),
    unplaced: [],
  });
  it('grows the shown nodes so that, zoomed to them on a 378-px map, each is 28 px across', () => {
    const l = touchLayout(layout(), ['a', 'b'], 378);
    const r = l.nodes.get('a')!.r;
    // the view is 400 units at least (the nodes span 50): 28 px = 2r · 378 / 400
    expect(r).toBeCloseTo((14 * 400) / 378, 5);
    expect(l.nodes.get('b')!.r).toBe(r);
    // the others are left alone, and the input is not changed
    expect(l.nodes.get('far')!.r).toBe(8);
    expect(layout().nodes.get('a')!.r).toBe(8);
  });
  it('a wider spread needs a larger radius; nodes already large enough stay', () => {
    const wide = touchLayout(layout(), ['a', 'far'], 378).nodes.get('a')!.r;
    expect(wide).toBeGreaterThan((14 * 400) / 378);
    expect(touchLayout(layout(), ['a'], 5000).nodes.get('a')!.r).toBe(8);
  });
});
