import { describe, expect, it } from 'vitest';
import {
  districtLabels,
  geoLayout,
  HEIGHT,
  hitsCircle,
  type LayoutSite,
  MAX_LEADERS,
  MIN_DISTRICT_PX,
  overlap,
  placeLabels,
  tierLayout,
  WIDTH,
} from './layout.ts';
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
  const at = (x: number, y: number) => ({ x, y, r: 8 });
  it('puts a name right of its node, else left, above, below or on a diagonal; leaves out one with no room', () => {
    const items = [
      { id: 'a', text: 'xã Địa Linh', p: at(100, 100) },
      // just left of a on the same line: its right side would cover a's name
      { id: 'b', text: 'xã Hà Hiệu', p: at(60, 102) },
      { id: 'd', text: 'xã Đồng Phúc', p: at(100, 300) },
    ];
    const out = placeLabels(items, 1);
    expect(out.map((l) => [l.id, l.anchor])).toEqual([
      ['a', 'start'],
      ['b', 'end'],
      ['d', 'start'],
    ]);
    // a node boxed in on every side by others (a fault inside a cluster): its name is set further out,
    // clear of every node, with a line back to it; a fault is never left unnamed while there is room
    const ring = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((k) => ({
      ...at(200 + 22 * Math.cos((k * Math.PI) / 6), 200 + 22 * Math.sin((k * Math.PI) / 6)),
    }));
    const inner = { id: 'inner', text: 'xã Bằng Thành', p: at(200, 200) };
    const [far, ...more] = placeLabels([inner], 1, { circles: [...ring, inner.p] });
    expect(more).toEqual([]);
    expect(far!.lead).toBeDefined();
    expect([...ring, inner.p].some((c) => hitsCircle(far!.box, c, 0))).toBe(false);
    expect(Math.hypot(far!.lead!.x1 - 200, far!.lead!.y1 - 200)).toBeLessThan(20);
    // at most MAX_LEADERS names are set away; the others are left to the list and the card
    const boxedIn = Array.from({ length: MAX_LEADERS + 3 }, (_, i) => ({ ...inner, id: `in${i}` }));
    const many = placeLabels(boxedIn, 1, { circles: [...ring, inner.p] });
    expect(many.filter((l) => l.lead).length).toBeLessThanOrEqual(MAX_LEADERS);
    // alone, it is named to the right
    expect(placeLabels([inner], 1, { circles: [inner.p] }).map((l) => l.anchor)).toEqual(['start']);
  });

  it('scales the room a label takes with the map units per screen pixel', () => {
    const items = [
      { id: 'a', text: 'xã Địa Linh', p: { x: 0, y: 0, r: 5 } },
      { id: 'b', text: 'xã Hà Hiệu', p: { x: 0, y: 30, r: 5 } },
    ];
    // 30 units apart: clear at 1 unit per pixel, on top of each other at 3
    expect(placeLabels(items, 1).map((l) => l.anchor)).toEqual(['start', 'start']);
    expect(placeLabels(items, 3).map((l) => l.anchor)).toEqual(['start', 'end']);
  });

  it('keeps clear of district names and inside the part of the map on screen', () => {
    const items = [{ id: 'a', text: 'xã Na', p: at(100, 100) }];
    // a district name right of the node, on its line: the label goes left
    const district = { x0: 110, y0: 92, x1: 300, y1: 108 };
    expect(placeLabels(items, 1, { boxes: [district] }).map((l) => l.anchor)).toEqual(['end']);
    // and with the screen's edge just left of the node, above it
    const bounds = { x0: 70, y0: 0, x1: 1000, y1: 1000 };
    expect(placeLabels(items, 1, { boxes: [district], bounds }).map((l) => l.anchor)).toEqual(['middle']);
  });
});

// a district outage on the Bắc Kạn-sized network, at the scales of a 1920 × 1080 wall, a 1366 × 768
// laptop and a 390 × 844 phone (map units per screen pixel of the map's panel)
const SCREENS = { wall: 1.26, laptop: 2.05, phone: 4.25 } as const;

function drawn(l: ReturnType<typeof tierLayout>, scale: number, faulty: string[], fontPx = 16) {
  const districts = districtLabels(l.districts, scale, 24).labels;
  const circles = [...l.nodes.values(), l.mcu];
  const items = faulty.map((id) => ({ id, text: `xã Thử nghiệm ${id}`, p: l.nodes.get(id)! }));
  const labels = placeLabels(items, scale, {
    fontPx,
    boxes: districts.map((d) => d.box),
    circles,
  });
  return { districts, labels, circles };
}

describe('names on a district outage', () => {
  const sites = network(8, 14);
  const l = tierLayout(
    sites,
    Array.from({ length: 8 }, (_, d) => ({ id: `d${d}`, name: `Huyện Thử ${d}` })),
  );
  const faulty = sites.filter((s) => s.district === 'd3' && s.tier !== 'province').map((s) => s.id);
  for (const [screen, scale] of Object.entries(SCREENS)) {
    it(`overlap nothing at ${screen} scale`, () => {
      const { districts, labels, circles } = drawn(l, scale, faulty);
      // the dense cluster still gets some names: the ones on its edge
      expect(labels.length).toBeGreaterThan(screen === 'phone' ? 0 : 3);
      for (const [i, a] of labels.entries()) {
        for (const b of labels.slice(i + 1)) expect(overlap(a.box, b.box), `${a.id} / ${b.id}`).toBe(false);
        for (const d of districts) expect(overlap(a.box, d.box), `${a.id} / ${d.text}`).toBe(false);
        for (const c of circles) expect(hitsCircle(a.box, c, 0), `${a.id} on a node`).toBe(false);
      }
    });
  }
  it('every district name sits off the nodes at every scale', () => {
    for (const scale of Object.values(SCREENS)) {
      const { districts, circles } = drawn(l, scale, []);
      expect(districts).toHaveLength(8);
      for (const d of districts)
        for (const c of circles) expect(hitsCircle(d.box, c, 0), `${d.text} at ${scale}`).toBe(false);
    }
  });
});

describe('district names on a 1,000-site network', () => {
  const sites = network(62, 15);
  const l = tierLayout(
    sites,
    Array.from({ length: 62 }, (_, d) => ({ id: `d${d}`, name: `Huyện ${d + 1}` })),
  );
  for (const [screen, scale] of Object.entries({ wall: SCREENS.wall, laptop: SCREENS.laptop })) {
    it(`names every district, clear of the nodes and of one another (${screen})`, () => {
      const { px, labels } = districtLabels(l.districts, scale, 24);
      expect(labels.map((d) => d.text).sort()).toEqual(
        Array.from({ length: 62 }, (_, d) => `Huyện ${d + 1}`).sort(),
      );
      expect(px).toBeGreaterThanOrEqual(MIN_DISTRICT_PX);
      const circles = [...l.nodes.values(), l.mcu];
      for (const [i, a] of labels.entries()) {
        for (const b of labels.slice(i + 1))
          expect(overlap(a.box, b.box), `${a.text} / ${b.text}`).toBe(false);
        for (const c of circles) expect(hitsCircle(a.box, c, 0), `${a.text} on a node`).toBe(false);
      }
    });
  }
  it('problem labels in one dark district keep off the grid names', () => {
    const faulty = sites.filter((s) => s.district === 'd5').map((s) => s.id);
    const { districts, labels } = drawn(l, SCREENS.laptop, faulty);
    for (const a of labels) for (const d of districts) expect(overlap(a.box, d.box)).toBe(false);
  });
});
