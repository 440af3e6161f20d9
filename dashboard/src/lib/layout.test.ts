import { describe, expect, it } from 'vitest';
import { geoLayout, HEIGHT, type LayoutSite, placeLabels, tierLayout, WIDTH } from './layout.ts';
import { parseByMetric, parseSeries } from './series.ts';

function network(districts: number, communesPer: number): LayoutSite[] {
  const sites: LayoutSite[] = [];
  for (let p = 0; p < 4; p++)
    sites.push({ id: `p${p}`, tier: 'province', district: 'd0', lat: 22.1, lon: 105.8 });
  for (let d = 0; d < districts; d++) {
    sites.push({
      id: `h${d}`,
      tier: 'district',
      district: `d${d}`,
      lat: 22 + d * 0.01,
      lon: 105.5 + d * 0.01,
    });
    for (let c = 0; c < communesPer; c++)
      sites.push({
        id: `c${d}-${c}`,
        tier: 'commune',
        district: `d${d}`,
        lat: c === 0 && d === 0 ? null : 22 + d * 0.01 + c * 0.003,
        lon: 105.5 + c * 0.004,
      });
  }
  return sites;
}

function overlaps(nodes: Map<string, { x: number; y: number; r: number }>): number {
  const list = [...nodes.values()];
  let n = 0;
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i]!;
      const b = list[j]!;
      if (Math.hypot(a.x - b.x, a.y - b.y) < a.r + b.r - 0.5) n++;
    }
  return n;
}

describe('tier layout', () => {
  it('places every site once, inside the canvas, without overlaps (Bắc Kạn size)', () => {
    const sites = network(8, 14);
    const l = tierLayout(
      sites,
      Array.from({ length: 8 }, (_, d) => ({ id: `d${d}`, name: `Huyện ${d}` })),
    );
    expect(l.nodes.size).toBe(sites.length);
    for (const p of l.nodes.values()) {
      expect(p.x - p.r).toBeGreaterThanOrEqual(0);
      expect(p.x + p.r).toBeLessThanOrEqual(WIDTH);
      expect(p.y - p.r).toBeGreaterThanOrEqual(0);
      expect(p.y + p.r).toBeLessThanOrEqual(HEIGHT);
    }
    expect(overlaps(l.nodes)).toBe(0);
    expect(l.districts.map((d) => d.name)).toContain('Huyện 3');
    // every commune hangs off its district hall
    expect(l.links.get('c2-5')).toMatch(/^M[\d.]+ [\d.]+L[\d.]+ [\d.]+$/);
  });

  it('draws a two-level network (no district halls) with each commune cluster joined to the MCU', () => {
    const sites = network(8, 14).filter((s) => s.tier !== 'district');
    const l = tierLayout(sites, []);
    expect(l.nodes.size).toBe(sites.length);
    expect(overlaps(l.nodes)).toBe(0);
    // MCU → the cluster's hub, then hub → commune
    const mcu = `M${l.mcu.x} ${l.mcu.y}L`;
    const path = l.links.get('c2-5')!;
    expect(path).toMatch(/^M[\d.]+ [\d.]+L[\d.]+ [\d.]+M[\d.]+ [\d.]+L[\d.]+ [\d.]+$/);
    expect(path.startsWith(mcu)).toBe(true);
    // with halls, a commune's line ends at its hall, not at the MCU
    expect(tierLayout(network(8, 14), []).links.get('c2-5')!.startsWith(mcu)).toBe(false);
  });

  it('keeps 1,000+ endpoints apart on concentric rings', () => {
    const sites = network(64, 15);
    expect(sites.length).toBeGreaterThan(1000);
    const l = tierLayout(sites, []);
    expect(l.nodes.size).toBe(sites.length);
    expect(overlaps(l.nodes)).toBe(0);
  });
});

describe('geo layout', () => {
  it('projects coordinates and lines up sites without any', () => {
    const sites = network(3, 5);
    const l = geoLayout(sites, []);
    expect(l.nodes.size).toBe(sites.length);
    expect(l.unplaced).toEqual(['c0-0']);
    // north is up: a higher latitude is drawn higher
    expect(l.nodes.get('c2-4')!.y).toBeLessThan(l.nodes.get('c0-1')!.y);
  });
});

describe('metric series', () => {
  it('merges the buckets of several devices per metric', () => {
    const body = {
      series: [
        {
          metric: 'rtt_ms',
          buckets: [
            { time: 2, mean: 20 },
            { time: 1, mean: 10 },
          ],
        },
        { metric: 'rtt_ms', buckets: [{ time: 1, mean: 12 }] },
        { metric: 'mos', buckets: [{ time: 1, mean: 4.2 }] },
      ],
    };
    const m = parseByMetric(body);
    expect(m['rtt_ms']).toEqual({ times: [1, 2], values: [12, 20] });
    expect(m['mos']).toEqual({ times: [1], values: [4.2] });
    expect(parseSeries([{ time: 5, value: 1 }])).toEqual({ times: [5], values: [1] });
  });
});

describe('endpoint labels', () => {
  it('puts names right, else left, of their node and leaves out one that fits neither side', () => {
    const at = (x: number, y: number) => ({ x, y, r: 8 });
    const items = [
      { id: 'a', text: 'xã Địa Linh', p: at(100, 100) },
      // just left of a on the same line: its right side would cover a's name
      { id: 'b', text: 'xã Hà Hiệu', p: at(60, 102) },
      // between them: a's name on the right, b's on the left
      { id: 'c', text: 'xã Quảng Khê', p: at(105, 98) },
      { id: 'd', text: 'xã Đồng Phúc', p: at(100, 300) },
    ];
    const out = placeLabels(items, 1);
    expect(out.map((l) => [l.id, l.anchor])).toEqual([
      ['a', 'start'],
      ['b', 'end'],
      ['d', 'start'],
    ]);
  });

  it('scales the room a label takes with the map units per screen pixel', () => {
    const items = [
      { id: 'a', text: 'xã Địa Linh', p: { x: 0, y: 0, r: 5 } },
      { id: 'b', text: 'xã Hà Hiệu', p: { x: 0, y: 30, r: 5 } },
    ];
    // 30 units apart: clear at 1 unit per pixel, on top of each other at 3
    expect(placeLabels(items, 1)).toHaveLength(2);
    expect(placeLabels(items, 3).map((l) => l.anchor)).toEqual(['start', 'end']);
  });
});
