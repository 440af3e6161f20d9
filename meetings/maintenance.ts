// A meeting inside a planned maintenance window of one of its sites (Điều 13.3): each occurrence of a
// recurring window (alerts/silences.ts, local Bắc Kạn time) that overlaps the meeting, with the sites it
// holds, for the registration's warnings; likewise each window of a maintenance plan
// (maintenance/plans.ts). Registration still succeeds: the NOC decides.
import { siteInScope } from '../alerts/silences.ts';
import type { MaintenanceWindow } from '../core/ports.ts';
import { weeklyOccurrences } from '../core/time.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { type MaintenancePlan, planOccurrences, planSites } from '../maintenance/plans.ts';
import type { Meeting } from './store.ts';
import { viDateTime } from './time.ts';

export interface MaintenanceClash {
  window: string;
  /** the meeting's sites the window holds */
  sites: string[];
  from: number;
  to: number;
  reason: string;
}

/** Occurrences of a recurring window that overlap [start, end). */
export function occurrences(
  w: MaintenanceWindow,
  start: number,
  end: number,
): { from: number; to: number }[] {
  return weeklyOccurrences({ weekdays: w.weekdays, start: w.start, durationMs: w.duration }, start, end);
}

export function maintenanceClashes(
  inv: LoadedInventory,
  windows: MaintenanceWindow[],
  m: Pick<Meeting, 'start' | 'end' | 'sites'>,
): MaintenanceClash[] {
  const out: MaintenanceClash[] = [];
  for (const w of windows) {
    const sites = m.sites.filter((id) => {
      const s = inv.sites.get(id);
      return s !== undefined && siteInScope(s, w.scope);
    });
    if (sites.length === 0) continue;
    for (const o of occurrences(w, m.start, m.end))
      out.push({ window: w.id, sites, from: o.from, to: o.to, reason: w.comment });
  }
  return out.sort((a, b) => a.from - b.from);
}

/** The windows of maintenance plans that overlap the meeting at its sites, the plan named with what it does. */
export function planClashes(
  inv: LoadedInventory,
  plans: MaintenancePlan[],
  m: Pick<Meeting, 'start' | 'end' | 'sites'>,
): MaintenanceClash[] {
  const out: MaintenanceClash[] = [];
  for (const p of plans) {
    const covered = new Set(planSites(inv, p));
    const sites = m.sites.filter((s) => covered.has(s));
    if (sites.length === 0) continue;
    for (const o of planOccurrences(p, m.start, m.end))
      out.push({ window: p.id, sites, from: o.from, to: o.to, reason: p.work });
  }
  return out.sort((a, b) => a.from - b.from);
}

/** "Trùng lịch bảo trì …" naming the window, its sites, its times and its reason. */
export function clashWarning(inv: LoadedInventory, c: MaintenanceClash): string {
  const names = c.sites.slice(0, 5).map((s) => inv.sites.get(s)?.name ?? s);
  const more = c.sites.length > 5 ? ` và ${c.sites.length - 5} điểm cầu khác` : '';
  const reason = c.reason ? ` (${c.reason})` : '';
  return (
    `Trùng lịch bảo trì "${c.window}"${reason} từ ${viDateTime(c.from)} đến ${viDateTime(c.to)} tại ${names.join(', ')}${more}` +
    ` / Inside planned maintenance "${c.window}"${reason}, ${viDateTime(c.from)} to ${viDateTime(c.to)}, ${c.sites.length} site(s)`
  );
}
