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
  /** label anchors for districts */
  districts: { id: string; name: string; x: number; y: number; anchor: 'start' | 'middle' | 'end' }[];
  /** thin line from each endpoint to what it hangs off (MCU or its district hall), as SVG path data */
  links: Map<string, string>;
  /** geo view only: sites that have no coordinates, drawn in a strip */
  unplaced: string[];
}

export const WIDTH = 1600;
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
          const y = h * (r + 0.5);
          if (free(x, y, w * 0.9, h * 0.9)) hubs.push({ x, y, a: -Math.PI / 2 });
        }
      if (hubs.length >= n) {
        clusterR = 0.46 * Math.min(w, h);
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
  let minX = 0;
  let maxX = WIDTH;

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
    const extent = spacing * Math.sqrt(communes.length + 1.5) + communeR + 10;
    // labels only while they can be read (a grid of small clusters gets none; the tooltip names each site)
    if (grid) return;
    const cosA = Math.cos(a);
    const sinA = Math.sin(a);
    // the label sits outside the cluster, on the side facing away from the MCU
    let lx = hub.x;
    let ly = hub.y;
    let anchor: 'start' | 'middle' | 'end' = 'middle';
    const name = names.get(d) ?? d;
    const textW = name.length * 19;
    if (Math.abs(cosA) < 0.3) {
      ly = sinA < 0 ? hub.y - extent - 4 : hub.y + extent + 28;
    } else if (Math.abs(sinA) < 0.3) {
      lx = hub.x + Math.sign(cosA) * (extent + 8);
      ly = hub.y + 10;
      anchor = cosA > 0 ? 'start' : 'end';
      // a long name may reach past the canvas: the view box widens to hold it
      minX = Math.min(minX, lx - textW - 8);
      maxX = Math.max(maxX, lx + textW + 8);
    } else {
      const dd = extent + 2;
      lx = hub.x + cosA * dd;
      ly = hub.y + sinA * dd + (sinA > 0 ? 24 : 0);
      anchor = cosA > 0 ? 'start' : 'end';
    }
    outDistricts.push({
      id: d,
      name,
      x: r1(lx),
      y: r1(Math.max(28, Math.min(HEIGHT - 6, ly))),
      anchor,
    });
  });
  return {
    width: WIDTH,
    height: HEIGHT,
    viewBox: `${Math.floor(minX)} 0 ${Math.ceil(maxX - minX)} ${HEIGHT}`,
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
      return { id: d.id, name: d.name, x: r1(p.x), y: r1(p.y - baseR * 6), anchor: 'middle' as const };
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

export interface PlacedLabel {
  id: string;
  x: number;
  y: number;
  anchor: 'start' | 'end';
  text: string;
}

/**
 * Names beside endpoints without overlapping one another: each goes right of its node, else left;
 * one that fits neither is left out (the quality table and the tooltip still name it). `scale` is map
 * units per screen pixel: the text keeps `fontPx` on screen.
 */
export function placeLabels(
  items: { id: string; text: string; p: Placed }[],
  scale: number,
  fontPx = 16,
): PlacedLabel[] {
  const boxes: { x0: number; y0: number; x1: number; y1: number }[] = [];
  const out: PlacedLabel[] = [];
  const h = fontPx * 1.25 * scale;
  for (const { id, text, p } of items) {
    // semi-bold text: about 0.6 em a character
    const w = text.length * fontPx * 0.6 * scale;
    const gap = 4 * scale;
    const y = p.y + 5 * scale;
    for (const anchor of ['start', 'end'] as const) {
      const x = anchor === 'start' ? p.x + p.r + gap : p.x - p.r - gap;
      const box = {
        x0: anchor === 'start' ? x : x - w,
        x1: anchor === 'start' ? x + w : x,
        y0: y - h * 0.8,
        y1: y + h * 0.2,
      };
      if (boxes.some((b) => b.x0 < box.x1 && box.x0 < b.x1 && b.y0 < box.y1 && box.y0 < b.y1)) continue;
      boxes.push(box);
      out.push({ id, x: r1(x), y: r1(y), anchor, text });
      break;
    }
  }
  return out;
}
