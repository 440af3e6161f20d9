// Issue 15, the NOC view: the wall screen's district rotation and the phone's district list. Pure.
import type { Episode, SiteState, SiteStatus } from '../../../api/contract.ts';
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
