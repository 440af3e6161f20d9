// Where each endpoint sits on the map: pure functions, computed once per inventory (not per update),
// so 1,000+ endpoints cost nothing while the live stream changes their colour. placeLabels alone runs
// as the set of endpoints needing attention changes (a few dozen at most).

export interface LayoutSite {
  id: string;
  tier: 'province' | 'district' | 'commune';
  district: string;
  lat: number | null;
  lon: number | null;
}

export interface LayoutDistrict {
  id: string;
  name: string;
  lat?: number | null | undefined;
  lon?: number | null | undefined;
}

export interface Point {
  x: number;
  y: number;
}

export interface Placed extends Point {
  r: number;
}

export interface MapLayout {
  width: number;
  height: number;
  /** the SVG view box of the whole map (labels may reach past width) */
  viewBox: string;
  mcu: Placed;
  nodes: Map<string, Placed>;
  /** where each district's name goes (its size is fixed on screen: districtLabels sizes and places it) */
  districts: DistrictAnchor[];
  /** thin line from each endpoint to what it hangs off (MCU or its district hall), as SVG path data */
  links: Map<string, string>;
  /** geo view only: sites that have no coordinates, drawn in a strip */
  unplaced: string[];
}

/**
 * The point a district's name touches, outside its cluster: `side` says where the text goes from it
 * (above: the text's bottom at y; below: its top at y; beside: centred on y). In the grid of a large
 * network each cell keeps a band above its cluster for the name: `room` and `band` (map units) bound it.
 */
export interface DistrictAnchor {
  id: string;
  name: string;
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
  side: 'above' | 'below' | 'beside';
  room?: number;
  band?: number;
}

export const WIDTH = 1600;
/** the share of a grid cell, at its top, that holds the district's name */
const GRID_BAND = 0.22;
export const HEIGHT = 1000;
const GOLDEN = Math.PI * (3 - Math.sqrt(5));

const r1 = (v: number) => Math.round(v * 10) / 10;

function districtHall(sites: LayoutSite[], district: string): LayoutSite | undefined {
  return sites.find((s) => s.tier === 'district' && s.district === district);
}

/** The three-tier map: MCU in the centre, province sites around it, districts on a ring, communes around their district. */
export function tierLayout(sites: LayoutSite[], districts: LayoutDistrict[]): MapLayout {
  const cx = WIDTH / 2;
  const cy = HEIGHT / 2;
  const nodes = new Map<string, Placed>();
  const mcu: Placed = { x: cx, y: cy, r: 34 };
  const links = new Map<string, string>();
  const seg = (id: string, a: Point, b: Point) => {
    links.set(id, `M${r1(a.x)} ${r1(a.y)}L${r1(b.x)} ${r1(b.y)}`);
  };

  const province = sites.filter((s) => s.tier === 'province');
  const pr = 115;
  province.forEach((s, i) => {
    const a = -Math.PI / 2 + (i / Math.max(province.length, 1)) * 2 * Math.PI + Math.PI / 4;
    const p = { x: cx + pr * Math.cos(a), y: cy + pr * Math.sin(a), r: 22 };
    nodes.set(s.id, p);
    seg(s.id, mcu, p);
  });

  // districts known from the list, plus any district a site names that the list lacks
  const order = [...districts.map((d) => d.id)];
  for (const s of sites) if (!order.includes(s.district)) order.push(s.district);
  const names = new Map(districts.map((d) => [d.id, d.name]));
  const used = order.filter((d) => sites.some((s) => s.district === d && s.tier !== 'province'));
  const n = Math.max(used.length, 1);
  const rx = WIDTH * 0.32;
  const ry = HEIGHT * 0.3;
  const maxCount = Math.max(
    1,
    ...used.map((d) => sites.filter((s) => s.tier === 'commune' && s.district === d).length),
  );
  // up to 12 districts sit on one ellipse around the MCU; more (the 1,000-site benchmark) fill a grid of
  // cells around a free centre where the MCU and the province sites are
  const grid = n > 12;
  const hubs: { x: number; y: number; a: number }[] = [];
  let clusterR: number;
  let cellW = 0;
  let cellH = 0;
  if (!grid) {
    const perimeter = Math.PI * (3 * (rx + ry) - Math.sqrt((3 * rx + ry) * (rx + 3 * ry)));
    // room for each cluster: a bit under half the distance between neighbouring hubs
    clusterR = Math.min(175, (0.46 * perimeter) / n);
    for (let i = 0; i < n; i++) {
      const a = -Math.PI / 2 + (i / n) * 2 * Math.PI;
      hubs.push({ x: cx + rx * Math.cos(a), y: cy + ry * Math.sin(a), a });
    }
  } else {
    const free = (x: number, y: number, w: number, h: number) =>
      Math.abs(x - cx) > 150 + w / 2 || Math.abs(y - cy) > 150 + h / 2;
    let cells = n;
    for (;;) {
      const cols = Math.ceil(Math.sqrt((cells * WIDTH) / HEIGHT));
      const rows = Math.ceil(cells / cols);
      const w = WIDTH / cols;
      const h = HEIGHT / rows;
      hubs.length = 0;
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) {
          const x = w * (c + 0.5);
          // the cluster sits under the band that holds its district's name
          const y = h * (r + GRID_BAND + (1 - GRID_BAND) / 2);
          if (free(x, h * (r + 0.5), w * 0.9, h * 0.9)) hubs.push({ x, y, a: -Math.PI / 2 });
        }
      if (hubs.length >= n) {
        clusterR = 0.46 * Math.min(w, h * (1 - GRID_BAND));
        cellW = w;
        cellH = h;
        break;
      }
      cells++;
    }
    // nearest to the MCU first, so the order of districts reads outward
    hubs.sort((p, q) => Math.hypot(p.x - cx, p.y - cy) - Math.hypot(q.x - cx, q.y - cy));
  }
  const spacing = clusterR / Math.sqrt(maxCount + 1.5);
  const communeR = Math.max(2.5, Math.min(15, spacing * 0.42));
  const hallR = Math.max(4, Math.min(20, clusterR * 0.14));
  const outDistricts: MapLayout['districts'] = [];

  used.forEach((d, i) => {
    const hub = hubs[i]!;
    const a = hub.a;
    const hall = districtHall(sites, d);
    const hallP = { x: hub.x, y: hub.y, r: hallR };
    if (hall) {
      nodes.set(hall.id, hallP);
      seg(hall.id, mcu, hallP);
    }
    const communes = sites.filter((s) => s.tier === 'commune' && s.district === d);
    // no hall (a two-level administration, as after the 2025 merger): the cluster's communes join the
    // MCU through one trunk from their hub, drawn with each of them so that a filter keeps it
    const trunk = hall ? '' : `M${r1(mcu.x)} ${r1(mcu.y)}L${r1(hub.x)} ${r1(hub.y)}`;
    communes.forEach((s, k) => {
      // sunflower packing around the hall, leaving room for the hall itself
      const rad = spacing * Math.sqrt(k + 1.5);
      const ang = k * GOLDEN + a;
      const p = { x: hub.x + rad * Math.cos(ang), y: hub.y + rad * Math.sin(ang) * 0.92, r: communeR };
      nodes.set(s.id, p);
      seg(s.id, hallP, p);
      if (trunk) links.set(s.id, trunk + links.get(s.id)!);
    });
    const extent = spacing * Math.sqrt(communes.length + 1.5) + communeR + 4;
    const name = names.get(d) ?? d;
    if (grid) {
      // the band at the top of the cell
      const top = hub.y - cellH * (GRID_BAND + (1 - GRID_BAND) / 2);
      const band = cellH * GRID_BAND;
      outDistricts.push({
        id: d,
        name,
        x: r1(hub.x),
        y: r1(top + band),
        anchor: 'middle',
        side: 'above',
        room: r1(cellW * 0.94),
        band: r1(band),
      });
      return;
    }
    // the name sits outside the cluster, on the side facing away from the MCU
    const cosA = Math.cos(a);
    const sinA = Math.sin(a);
    let at: Omit<DistrictAnchor, 'id' | 'name'>;
    if (Math.abs(cosA) < 0.3) {
      at = {
        x: hub.x,
        y: sinA < 0 ? hub.y - extent : hub.y + extent,
        anchor: 'middle',
        side: sinA < 0 ? 'above' : 'below',
      };
    } else if (Math.abs(sinA) < 0.3) {
      at = {
        x: hub.x + Math.sign(cosA) * (extent + 4),
        y: hub.y,
        anchor: cosA > 0 ? 'start' : 'end',
        side: 'beside',
      };
    } else {
      at = {
        x: hub.x + cosA * extent,
        y: hub.y + sinA * extent,
        anchor: cosA > 0 ? 'start' : 'end',
        side: sinA > 0 ? 'below' : 'above',
      };
    }
    outDistricts.push({ id: d, name, ...at, x: r1(at.x), y: r1(at.y) });
  });
  return {
    width: WIDTH,
    height: HEIGHT,
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    mcu,
    nodes,
    districts: outDistricts,
    links,
    unplaced: [],
  };
}

/** The geographic map: equirectangular projection of the inventory's coordinates, overlaps fanned out. */
export function geoLayout(sites: LayoutSite[], districts: LayoutDistrict[]): MapLayout {
  const withXY = sites.filter((s) => s.lat !== null && s.lon !== null) as (LayoutSite & {
    lat: number;
    lon: number;
  })[];
  const unplaced = sites.filter((s) => s.lat === null || s.lon === null).map((s) => s.id);
  const nodes = new Map<string, Placed>();
  const pad = 70;
  const lats = withXY.map((s) => s.lat);
  const lons = withXY.map((s) => s.lon);
  const minLat = Math.min(...lats, 90);
  const maxLat = Math.max(...lats, -90);
  const minLon = Math.min(...lons, 180);
  const maxLon = Math.max(...lons, -180);
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLon - minLon) * k, 1e-6);
  const spanY = Math.max(maxLat - minLat, 1e-6);
  const scale = Math.min((WIDTH - 2 * pad) / spanX, (HEIGHT - 2 * pad - 60) / spanY);
  const ox = (WIDTH - spanX * scale) / 2;
  const oy = (HEIGHT - 60 - spanY * scale) / 2;
  const proj = (lat: number, lon: number): Point => ({
    x: ox + (lon - minLon) * k * scale,
    y: oy + (maxLat - lat) * scale,
  });
  const baseR = Math.max(3.5, Math.min(11, 240 / Math.sqrt(Math.max(sites.length, 1))));

  // sites sharing a coordinate (province offices, a district hall and its town) fan out on a small ring
  const groups = new Map<string, typeof withXY>();
  for (const s of withXY) {
    const key = `${s.lat.toFixed(3)},${s.lon.toFixed(3)}`;
    const g = groups.get(key);
    if (g) g.push(s);
    else groups.set(key, [s]);
  }
  const tierR = (t: LayoutSite['tier']) =>
    t === 'province' ? baseR * 1.5 : t === 'district' ? baseR * 1.4 : baseR;
  for (const g of groups.values()) {
    const c = proj(g[0]!.lat, g[0]!.lon);
    if (g.length === 1) {
      nodes.set(g[0]!.id, { ...c, r: tierR(g[0]!.tier) });
      continue;
    }
    g.forEach((s, i) => {
      const rad = baseR * 2.6 * Math.sqrt(i + 0.5);
      const ang = i * GOLDEN;
      nodes.set(s.id, { x: c.x + rad * Math.cos(ang), y: c.y + rad * Math.sin(ang), r: tierR(s.tier) });
    });
  }
  // no coordinates: a row under the south-west corner of the province
  const placed = [...nodes.values()];
  const west = Math.min(...placed.map((p) => p.x), WIDTH / 2);
  const south = Math.max(...placed.map((p) => p.y), HEIGHT / 2);
  unplaced.forEach((id, i) => {
    nodes.set(id, { x: west + i * baseR * 3, y: south + baseR * 5, r: baseR });
  });
  const capital = districts[0];
  const mcuAt =
    capital?.lat != null && capital.lon != null
      ? proj(capital.lat, capital.lon)
      : { x: WIDTH / 2, y: HEIGHT / 2 };
  const mcu = { x: mcuAt.x + 90, y: mcuAt.y + 50, r: 22 };
  const outDistricts: MapLayout['districts'] = districts
    .filter((d) => d.lat != null && d.lon != null)
    .map((d) => {
      const p = proj(d.lat!, d.lon!);
      return {
        id: d.id,
        name: d.name,
        x: r1(p.x),
        y: r1(p.y - baseR * 4),
        anchor: 'middle' as const,
        side: 'above' as const,
      };
    });
  // fit the view to the province's shape (it is taller than wide), not to the canvas
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of nodes.values()) {
    x0 = Math.min(x0, p.x - p.r);
    y0 = Math.min(y0, p.y - p.r);
    x1 = Math.max(x1, p.x + p.r);
    y1 = Math.max(y1, p.y + p.r);
  }
  for (const d of outDistricts) {
    x0 = Math.min(x0, d.x - d.name.length * 8);
    x1 = Math.max(x1, d.x + d.name.length * 8);
    y0 = Math.min(y0, d.y - 24);
  }
  const viewBox = Number.isFinite(x0)
    ? `${Math.floor(x0 - 40)} ${Math.floor(y0 - 30)} ${Math.ceil(x1 - x0 + 80)} ${Math.ceil(y1 - y0 + 60)}`
    : `0 0 ${WIDTH} ${HEIGHT}`;
  return {
    width: WIDTH,
    height: HEIGHT,
    viewBox,
    mcu,
    nodes,
    districts: outDistricts,
    links: new Map(),
    unplaced,
  };
}

// ── Names on the map ─────────────────────────────────────────────────────────────────────────────
// Names keep their size on screen whatever the zoom and the screen, so the room a name takes on the
// map (in map units) is its size in screen pixels times `scale`, the map units per screen pixel.

/** A rectangle in map units. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A text's width, and its font's ascent and descent below and above the baseline, in screen pixels. */
export interface TextSize {
  w: number;
  ascent: number;
  descent: number;
}
export type Measure = (text: string, px: number, weight: 600 | 700) => TextSize;

/** Without a browser to measure in: a generous estimate (about 0.62 em a character). */
export const estimateText: Measure = (text, px, weight) => ({
  w: text.length * px * (weight === 700 ? 0.64 : 0.6),
  ascent: px * 0.95,
  descent: px * 0.25,
});

/** Where a text's box lies, from its anchor point and baseline. */
export function textBox(
  x: number,
  baseline: number,
  anchor: 'start' | 'middle' | 'end',
  m: TextSize,
  scale: number,
): Box {
  const w = m.w * scale;
  const x0 = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
  return { x0, x1: x0 + w, y0: baseline - m.ascent * scale, y1: baseline + m.descent * scale };
}

export const overlap = (a: Box, b: Box): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** A box against a circle (a node), the circle grown by `pad`. */
export function hitsCircle(b: Box, c: Placed, pad: number): boolean {
  const dx = c.x - Math.max(b.x0, Math.min(c.x, b.x1));
  const dy = c.y - Math.max(b.y0, Math.min(c.y, b.y1));
  return dx * dx + dy * dy < (c.r + pad) ** 2;
}

export function union(a: Box, b: Box): Box {
  return {
    x0: Math.min(a.x0, b.x0),
    y0: Math.min(a.y0, b.y0),
    x1: Math.max(a.x1, b.x1),
    y1: Math.max(a.y1, b.y1),
  };
}

export interface DistrictLabel {
  id: string;
  text: string;
  x: number;
  /** the baseline */
  y: number;
  anchor: 'start' | 'middle' | 'end';
  box: Box;
}

/** The smallest district name drawn in a grid cell (screen pixels): smaller is not read on a wall. */
export const MIN_DISTRICT_PX = 9;

/**
 * Each district's name as drawn at this scale: `fontPx` on screen, beside its anchor, 3 px clear of its
 * cluster. In a grid (a large network) every name takes one size, the largest that fits every cell's
 * band (not under MIN_DISTRICT_PX); that size is returned with the labels.
 */
export function districtLabels(
  anchors: readonly DistrictAnchor[],
  scale: number,
  fontPx: number,
  measure: Measure = estimateText,
): { px: number; labels: DistrictLabel[] } {
  let px = fontPx;
  for (const d of anchors) {
    if (d.room === undefined) continue;
    const m = measure(d.name, 100, 700);
    px = Math.min(px, (100 * d.room) / scale / m.w);
    if (d.band !== undefined)
      px = Math.min(px, (100 * (d.band - 2 * scale)) / scale / (m.ascent + m.descent));
  }
  px = Math.max(MIN_DISTRICT_PX, Math.floor(px * 2) / 2);
  const gap = 3 * scale;
  const labels = anchors.map((d) => {
    const m = measure(d.name, d.room === undefined ? fontPx : px, 700);
    const baseline =
      d.side === 'above'
        ? d.y - gap - m.descent * scale
        : d.side === 'below'
          ? d.y + gap + m.ascent * scale
          : d.y + ((m.ascent - m.descent) * scale) / 2;
    const x = d.side === 'beside' ? d.x + (d.anchor === 'end' ? -gap : gap) : d.x;
    return {
      id: d.id,
      text: d.name,
      x: r1(x),
      y: r1(baseline),
      anchor: d.anchor,
      box: textBox(x, baseline, d.anchor, m, scale),
    };
  });
  return { px, labels };
}

export interface PlacedLabel {
  id: string;
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
  text: string;
  box: Box;
  /** a name set away from its node (no room beside it, e.g. inside a cluster): the line back to it */
  lead?: { x1: number; y1: number; x2: number; y2: number };
}

/**
 * Nodes bucketed by position, so a name's candidate spot is checked against the nodes near it only
 * (a 1,000-site map tries up to 48 names × 8 spots, and names set away many more: against every node
 * that was a long task of 100 ms during a district outage).
 */
class CircleGrid {
  private readonly cells = new Map<string, Placed[]>();
  private readonly size: number;
  private readonly maxR: number;
  constructor(circles: Iterable<Placed>) {
    const list = [...circles];
    this.maxR = list.reduce((m, c) => Math.max(m, c.r), 0);
    this.size = Math.max(this.maxR * 4, 1);
    for (const c of list) {
      const k = this.key(Math.floor(c.x / this.size), Math.floor(c.y / this.size));
      const cell = this.cells.get(k);
      if (cell) cell.push(c);
      else this.cells.set(k, [c]);
    }
  }
  private key(i: number, j: number): string {
    return `${i},${j}`;
  }
  /** whether `hit` holds for a node whose disc (grown by `margin`) may reach the box */
  some(b: Box, margin: number, hit: (c: Placed) => boolean): boolean {
    const m = this.maxR + margin;
    const i0 = Math.floor((b.x0 - m) / this.size);
    const i1 = Math.floor((b.x1 + m) / this.size);
    const j0 = Math.floor((b.y0 - m) / this.size);
    const j1 = Math.floor((b.y1 + m) / this.size);
    for (let i = i0; i <= i1; i++)
      for (let j = j0; j <= j1; j++) {
        const cell = this.cells.get(this.key(i, j));
        if (cell?.some(hit)) return true;
      }
    return false;
  }
}

/** names set away from their node, at most this many (each tries many spots among every node) */
export const MAX_LEADERS = 12;

export interface LabelOptions {
  /** the names' size on screen (px) */
  fontPx?: number;
  /** what a name must not cover: other text (district names, the MCU's) and nodes */
  boxes?: readonly Box[];
  circles?: Iterable<Placed>;
  /** the part of the map on screen: a name must stay inside it */
  bounds?: Box;
  measure?: Measure;
}

/**
 * Names beside endpoints (worst first: the first items win) without overlapping one another, the
 * district names, the MCU or any node: each goes right of its node, else left, above, below or on a
 * diagonal; one that fits nowhere is left out (the quality table and the card still name it).
 * `scale` is map units per screen pixel: everything is measured as it will be on screen.
 */
export function placeLabels(
  items: readonly { id: string; text: string; p: Placed }[],
  scale: number,
  opts: LabelOptions = {},
): PlacedLabel[] {
  const { fontPx = 16, boxes: avoid = [], bounds, measure = estimateText } = opts;
  const circles = new CircleGrid(opts.circles ?? []);
  const taken: Box[] = [...avoid];
  const out: PlacedLabel[] = [];
  let leaders = 0;
  // a name keeps 5 px from its own node, and 2 px from any other node's edge (its rings) and text
  const gap = 5 * scale;
  const pad = 2 * scale;
  const grow = (b: Box): Box => ({ x0: b.x0 - pad, y0: b.y0 - pad, x1: b.x1 + pad, y1: b.y1 + pad });
  for (const { id, text, p } of items) {
    const m = measure(text, fontPx, 600);
    const asc = m.ascent * scale;
    const desc = m.descent * scale;
    const mid = p.y + (asc - desc) / 2;
    const d = (p.r + gap) * Math.SQRT1_2;
    const spots: [number, number, PlacedLabel['anchor']][] = [
      [p.x + p.r + gap, mid, 'start'],
      [p.x - p.r - gap, mid, 'end'],
      [p.x, p.y - p.r - gap - desc, 'middle'],
      [p.x, p.y + p.r + gap + asc, 'middle'],
      [p.x + d, p.y - d - desc, 'start'],
      [p.x + d, p.y + d + asc, 'start'],
      [p.x - d, p.y - d - desc, 'end'],
      [p.x - d, p.y + d + asc, 'end'],
    ];
    const fits = (x: number, y: number, anchor: PlacedLabel['anchor']): Box | null => {
      const box = textBox(x, y, anchor, m, scale);
      if (bounds && (box.x0 < bounds.x0 || box.x1 > bounds.x1 || box.y0 < bounds.y0 || box.y1 > bounds.y1))
        return null;
      const grown = grow(box);
      if (taken.some((b) => overlap(b, grown))) return null;
      if (circles.some(box, gap, (c) => hitsCircle(box, c, c === p ? gap * 0.9 : pad))) return null;
      return box;
    };
    let placed = false;
    for (const [x, y, anchor] of spots) {
      const box = fits(x, y, anchor);
      if (!box) continue;
      taken.push(box);
      out.push({ id, x: r1(x), y: r1(y), anchor, text, box });
      placed = true;
      break;
    }
    if (placed || leaders >= MAX_LEADERS) continue;
    // no room beside the node (a fault inside a cluster of healthy nodes): the nearest free spot
    // further out, with a line back to the node, so a fault is never left unnamed while there is room
    const far = leaderSpot(p, m, scale, gap, fits);
    if (!far) continue;
    leaders++;
    taken.push(far.box);
    out.push({ id, x: r1(far.x), y: r1(far.y), anchor: far.anchor, text, box: far.box, lead: far.lead });
  }
  return out;
}

/** 16 directions, the nearest distance first (in steps of the node's size plus its gap) */
function leaderSpot(
  p: Placed,
  m: TextSize,
  scale: number,
  gap: number,
  fits: (x: number, y: number, anchor: PlacedLabel['anchor']) => Box | null,
):
  | (Required<Pick<PlacedLabel, 'lead'>> & { x: number; y: number; anchor: PlacedLabel['anchor']; box: Box })
  | null {
  const step = p.r + gap + 6 * scale;
  const asc = m.ascent * scale;
  const desc = m.descent * scale;
  for (let k = 2; k <= 10; k++) {
    for (let i = 0; i < 16; i++) {
      const a = (i * Math.PI) / 8;
      const cos = Math.cos(a);
      const sin = Math.sin(a);
      const ex = p.x + cos * k * step;
      const ey = p.y + sin * k * step;
      const anchor: PlacedLabel['anchor'] = cos > 0.3 ? 'start' : cos < -0.3 ? 'end' : 'middle';
      // the text's near edge at the spot: above it going up, below it going down, centred beside it
      const y = anchor !== 'middle' ? ey + (asc - desc) / 2 : sin < 0 ? ey - desc : ey + asc;
      const box = fits(ex, y, anchor);
      if (!box) continue;
      const lead = {
        x1: r1(p.x + cos * (p.r + gap / 2)),
        y1: r1(p.y + sin * (p.r + gap / 2)),
        x2: r1(ex - cos * gap * 0.5),
        y2: r1(ey - sin * gap * 0.5),
      };
      return { x: ex, y, anchor, box, lead };
    }
  }
  return null;
}
