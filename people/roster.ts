// Who a carrier or power organisation has on duty and at a site (Điều 14.1.e, 14.2.b): read by the pager
// at the moment it pages. Dates are Bắc Kạn calendar days (yyyy-mm-dd).

import type { Statement } from 'better-sqlite3';
import { toDateInput } from '../core/time.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { Organisation, Site } from '../inventory/schema.ts';
import type { StateDb } from '../storage/state-db.ts';

/** Organisation kinds that name per-site technicians and keep a duty roster. */
export const ROSTER_KINDS: readonly Organisation['kind'][] = ['carrier', 'power', 'power_branch'];

/** Whether `org` serves `site`: its carrier's link, its power branch, or the branch's parent company. */
export function serves(inv: LoadedInventory, org: Organisation, site: Site): boolean {
  if (org.kind === 'carrier') return org.carrier === site.link.carrier;
  if (org.kind === 'power_branch' || org.kind === 'power') {
    if (site.power === org.id) return true;
    return inv.organisations.get(site.power)?.parent === org.id;
  }
  return false;
}

// the pager asks on every evaluation of a paged episode: each database's statements prepared once
const prepared = new WeakMap<StateDb, { duty: Statement; named: Statement }>();
function statements(db: StateDb) {
  let s = prepared.get(db);
  if (!s) {
    s = {
      duty: db.prepare('SELECT person, sites FROM duty_roster WHERE org = ? AND date = ? ORDER BY id'),
      named: db.prepare('SELECT person FROM org_site_technicians WHERE org = ? AND site = ?'),
    };
    prepared.set(db, s);
  }
  return s;
}

/** The people on `org`'s roster for the Bắc Kạn day of `now`, those covering one of `sites` (or all). */
export function onDuty(db: StateDb, org: string, sites: readonly string[], now: number): string[] {
  const rows = statements(db).duty.all(org, toDateInput(now)) as { person: string; sites: string | null }[];
  return rows
    .filter((r) => r.sites === null || (JSON.parse(r.sites) as string[]).some((s) => sites.includes(s)))
    .map((r) => r.person);
}

/** The technicians `org` names for `sites`, in the order of the sites. */
export function orgTechnicians(db: StateDb, org: string, sites: readonly string[]): string[] {
  const q = statements(db).named;
  const out: string[] = [];
  for (const s of sites) {
    const r = q.get(org, s) as { person: string } | undefined;
    if (r) out.push(r.person);
  }
  return out;
}
