// Silences (one-off, matched by site, district, tier, rule) and recurring maintenance windows
// (Điều 13.3): their storage in the state DB and the question "is this held back now?". Maintenance
// plans (maintenance/plans.ts: one-off or recurring, by site, district, tier or device) hold too.
import type { Silence } from '../api/contract.ts';
import { weeklyOccurrences } from '../core/time.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { Site } from '../inventory/schema.ts';
import { currentPlans, type MaintenancePlan, onPlansChanged, planActiveAt } from '../maintenance/plans.ts';
import type { StateDb } from '../storage/state-db.ts';
import type { MaintenanceRule } from './rules.ts';

export interface MaintenanceWindow extends MaintenanceRule {
  source: 'rules' | 'db';
  created_by?: string;
}

/** What holds a site or device back now: a maintenance window or a maintenance plan. */
export interface ActiveHold {
  id: string;
  comment: string;
  source: 'rules' | 'db' | 'plan';
}

type Scope = { site?: string | undefined; district?: string | undefined; tier?: string | undefined };

/** The site is in a silence's or maintenance window's scope (an empty scope holds every site). */
export function siteInScope(s: Pick<Site, 'id' | 'district' | 'tier'>, m: Scope): boolean {
  return (
    (!m.site || m.site === s.id) &&
    (!m.district || m.district === s.district) &&
    (!m.tier || m.tier === s.tier)
  );
}

export class Holds {
  private silenceList: (Silence & { ended_by?: string | null })[] = [];
  private maintenanceDb: MaintenanceWindow[] = [];
  private plans: MaintenancePlan[] = [];
  private counter = 0;

  constructor(
    private readonly inv: LoadedInventory,
    private readonly db: StateDb,
    private readonly fromRules: MaintenanceRule[],
    private readonly now: () => number,
  ) {
    this.load();
    onPlansChanged(db, () => this.loadPlans());
  }

  /** Any of these sites matches the scope (an empty scope matches everything). */
  matches(sites: string[], m: Scope): boolean {
    if (!m.site && !m.district && !m.tier) return true;
    return sites.some((id) => {
      const s = this.inv.sites.get(id);
      return s !== undefined && siteInScope(s, m);
    });
  }

  silenceFor(rule: string, sites: string[], now: number): Silence | undefined {
    return this.silenceList.find(
      (s) =>
        s.starts_at <= now &&
        now < s.ends_at &&
        (!s.matchers.rule || s.matchers.rule === rule) &&
        this.matches(sites, s.matchers),
    );
  }

  silences(): Silence[] {
    const now = this.now();
    return this.silenceList.filter((s) => s.ends_at > now).map(({ ended_by: _, ...s }) => structuredClone(s));
  }

  addSilence(s: Omit<Silence, 'id'>): Silence {
    if (!(s.ends_at > s.starts_at)) throw new Error('a silence must end after it starts');
    for (const [k, v] of Object.entries(s.matchers)) {
      if (k === 'site' && v && !this.inv.sites.has(v)) throw new Error(`unknown site "${v}"`);
      if (k === 'district' && v && !this.inv.districts.has(v)) throw new Error(`unknown district "${v}"`);
    }
    const id = `s-${this.now().toString(36)}-${(this.counter++).toString(36)}`;
    const silence: Silence = { ...s, id };
    this.db
      .prepare(
        'INSERT INTO silences (id, matchers, starts_at, ends_at, comment, created_by) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, JSON.stringify(s.matchers), s.starts_at, s.ends_at, s.comment, s.created_by);
    this.silenceList.push(silence);
    return structuredClone(silence);
  }

  endSilence(id: string, by: string): void {
    const s = this.silenceList.find((x) => x.id === id);
    if (!s) throw new Error(`silence "${id}" not found`);
    s.ends_at = Math.min(s.ends_at, this.now());
    s.ended_by = by;
    this.db.prepare('UPDATE silences SET ends_at = ?, ended_by = ? WHERE id = ?').run(s.ends_at, by, id);
  }

  maintenanceWindows(): MaintenanceWindow[] {
    return [...this.fromRules.map((m) => ({ ...m, source: 'rules' as const })), ...this.maintenanceDb];
  }

  /**
   * The maintenance window or site/district/tier plan active at `now` that covers any of these sites
   * (Asia/Ho_Chi_Minh, UTC+7). Device plans hold devices only (deviceMaintenance).
   */
  activeMaintenance(sites: string[], now: number): ActiveHold | undefined {
    const w = this.maintenanceWindows().find(
      (m) => this.matches(sites, m.scope) && maintenanceActive(m, now),
    );
    if (w) return w;
    const p = this.plans.find(
      (p) =>
        p.scope.kind !== 'device' &&
        this.matches(sites, { [p.scope.kind]: p.scope.value }) &&
        planActiveAt(p, now),
    );
    return p && { id: p.id, comment: p.work, source: 'plan' };
  }

  /** The device plan active at `now` holding every one of these devices (none when one is unknown). */
  deviceMaintenance(devices: (string | undefined)[], now: number): ActiveHold | undefined {
    if (devices.length === 0) return undefined;
    let first: ActiveHold | undefined;
    for (const d of devices) {
      const p =
        d === undefined
          ? undefined
          : this.plans.find((p) => p.scope.kind === 'device' && p.scope.value === d && planActiveAt(p, now));
      if (!p) return undefined;
      first ??= { id: p.id, comment: p.work, source: 'plan' };
    }
    return first;
  }

  private loadPlans() {
    this.plans = currentPlans(this.db, this.now());
  }

  addMaintenance(m: MaintenanceRule, by: string): MaintenanceWindow {
    const scope = m.scope.site
      ? ['site', m.scope.site]
      : m.scope.district
        ? ['district', m.scope.district]
        : m.scope.tier
          ? ['tier', m.scope.tier]
          : ['all', ''];
    this.db
      .prepare(
        `INSERT INTO maintenance_windows (id, scope_kind, scope_value, weekdays, start_local, duration_min, comment, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        m.id,
        scope[0],
        scope[1],
        m.weekdays.join(','),
        m.start,
        Math.round(m.duration / 60_000),
        m.comment,
        by,
        this.now(),
      );
    const w: MaintenanceWindow = { ...m, source: 'db', created_by: by };
    this.maintenanceDb.push(w);
    return w;
  }

  endMaintenance(id: string): void {
    this.db.prepare('DELETE FROM maintenance_windows WHERE id = ?').run(id);
    this.maintenanceDb = this.maintenanceDb.filter((m) => m.id !== id);
  }

  /** Reads the silences, maintenance windows and plans again from the state database. */
  reload(): void {
    this.load();
  }

  private load() {
    this.loadPlans();
    const sil = this.db.prepare('SELECT * FROM silences WHERE ends_at > ?').all(this.now()) as {
      id: string;
      matchers: string;
      starts_at: number;
      ends_at: number;
      comment: string;
      created_by: string;
    }[];
    this.silenceList = sil.map((s) => ({ ...s, matchers: JSON.parse(s.matchers) }));
    const mw = this.db.prepare('SELECT * FROM maintenance_windows').all() as {
      id: string;
      scope_kind: string;
      scope_value: string;
      weekdays: string;
      start_local: string;
      duration_min: number;
      comment: string;
      created_by: string;
    }[];
    this.maintenanceDb = mw.map((m) => ({
      id: m.id,
      scope: m.scope_kind === 'all' ? {} : { [m.scope_kind]: m.scope_value },
      weekdays: m.weekdays ? m.weekdays.split(',').map(Number) : [],
      start: m.start_local,
      duration: m.duration_min * 60_000,
      comment: m.comment,
      source: 'db' as const,
      created_by: m.created_by,
    }));
  }
}

export function maintenanceActive(m: MaintenanceRule, t: number): boolean {
  return (
    weeklyOccurrences({ weekdays: m.weekdays, start: m.start, durationMs: m.duration }, t, t + 1).length > 0
  );
}
