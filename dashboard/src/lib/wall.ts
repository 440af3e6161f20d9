// Issue 15, the NOC view: the wall screen's district rotation and the phone's district list. Pure.
import type { Episode, SiteState, SiteStatus } from '../../../api/contract.ts';
import type { MapLayout, Placed } from './layout.ts';
import { needsAttention } from './siteview.ts';
import { severityRank } from './states.ts';

/** `?rotate=30` → 30; absent, not a number, or under 5 s → null (no rotation) */
export function rotateSeconds(v: string | null): number | null {
  if (v === null) return null;
  const n = Number(v);
  return Number.isFinite(n) && n >= 5 ? Math.min(Math.round(n), 3600) : null;
}

/** The stops of a rotation: the whole province ('') then each district. */
export function rotationStops(districts: readonly string[]): string[] {
  return ['', ...districts];
}

/** The stop after `current` (an unknown current starts over). */
export function nextStop(stops: readonly string[], current: string): string {
  const i = stops.indexOf(current);
  return stops[(i + 1) % stops.length] ?? '';
}

/**
 * While a critical episode is open the rotation pauses on it: its district, or the whole province
 * ('') when it spans districts or they are not known. null: no critical episode open.
 */
export function criticalFocus(
  episodes: readonly Pick<Episode, 'severity' | 'state' | 'district' | 'sites'>[],
  districtOf: (site: string) => string | undefined,
): string | null {
  const open = episodes.filter(
    (e) => e.severity === 'critical' && (e.state === 'firing' || e.state === 'acknowledged'),
  );
  if (open.length === 0) return null;
  const ds = new Set<string>();
  for (const e of open) {
    if (e.district) ds.add(e.district);
    else for (const s of e.sites) ds.add(districtOf(s) ?? '');
  }
  return ds.size === 1 ? [...ds][0]! : '';
}

export interface DistrictRow {
  id: string;
  name: string;
  sites: number;
  /** sites that need attention (not ok, not in maintenance, not switched off) */
  attention: number;
  /** the worst state among its sites */
  worst: SiteState;
}

/** The phone's district list: every district with sites, in the inventory's order. */
export function districtRows(
  districts: readonly { id: string; name: string }[],
  sites: Iterable<Pick<SiteStatus, 'district' | 'state'>>,
): DistrictRow[] {
  const rows = new Map<string, DistrictRow>(
    districts.map((d) => [
      d.id,
      { id: d.id, name: d.name, sites: 0, attention: 0, worst: 'ok' as SiteState },
    ]),
  );
  for (const s of sites) {
    const r = rows.get(s.district);
    if (!r) continue;
    r.sites++;
    if (needsAttention(s)) r.attention++;
    if (severityRank(s.state) < severityRank(r.worst)) r.worst = s.state;
  }
  return [...rows.values()].filter((r) => r.sites > 0);
}

/**
 * A district's map on a phone: nodes at least `minPx` across on screen, so a finger hits them (WCAG 2.5.8
 * asks 24 px). The zoomed view is the nodes' box plus 60 units a side, 400 units wide at least, in the
 * layout's aspect (as EndpointMap zooms), drawn `widthPx` wide: radii below what that needs grow to it.
 */
export function touchLayout(
  layout: MapLayout,
  ids: readonly string[],
  widthPx: number,
  minPx = 28,
): MapLayout {
  const ps = ids.map((id) => layout.nodes.get(id)).filter((p): p is Placed => !!p);
  if (ps.length === 0 || widthPx <= 0) return layout;
  const x0 = Math.min(...ps.map((p) => p.x));
  const x1 = Math.max(...ps.map((p) => p.x));
  const y0 = Math.min(...ps.map((p) => p.y));
  const y1 = Math.max(...ps.map((p) => p.y));
  const aspect = layout.width / layout.height;
  let r = Math.max(...ps.map((p) => p.r));
  for (let k = 0; k < 3; k++) {
    const w = Math.max(400, x1 - x0 + 2 * r + 120, (y1 - y0 + 2 * r + 120) * aspect);
    r = Math.max(r, ((minPx / 2) * w) / widthPx);
  }
  const need = r;
  const nodes = new Map(layout.nodes);
  for (const id of ids) {
    const p = nodes.get(id);
    if (p && p.r < need) nodes.set(id, { ...p, r: need });
  }
  return { ...layout, nodes };
}
