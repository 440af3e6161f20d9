// The equipment register as people read it: every device of the inventory with its identity (read by
// the collector), the fields entered by hand, its age, its warranty as of today and its faults over the
// last 12 months; a device's history (identity changes, fault episodes, maintenance log entries).
import type { Episode } from '../api/contract.ts';
import { IDENTITY_FIELDS, type Identity, type WarrantyState } from '../core/identity.ts';
import type { AlertEngine } from '../core/ports.ts';
import { fromLocalInput, toDateInput } from '../core/time.ts';
import type { DeviceRef, LoadedInventory } from '../inventory/load.ts';
import { type MaintenanceLogEntry, maintenanceLogForDevice } from '../maintenance/log.ts';
import type { StateDb } from '../storage/state-db.ts';
import { type AssetDetails, AssetStore, type IdentityChange, type StoredIdentity } from './store.ts';

const DAY = 86_400_000;
/** faults counted over this window, warranty "expiring" within it */
export const YEAR_DAYS = 365;

export interface AssetRow {
  device: string;
  kind: DeviceRef['kind'];
  profile: string;
  site: string | null;
  site_name: string | null;
  district: string | null;
  district_name: string | null;
  identity: Identity;
  first_seen: number | null;
  last_seen: number | null;
  /** the identity objects answered garbage at their last read */
  identity_problem: string | null;
  install_date: string | null;
  warranty_end: string | null;
  supplier: string | null;
  purchase_price: number | null;
  notes: string | null;
  updated_at: number | null;
  updated_by: string | null;
  /** whole years and a tenth since installation, null without an install date */
  age_years: number | null;
  warranty: WarrantyState;
  /** days from today to the warranty's end (negative: ended) */
  warranty_days_left: number | null;
  faults_12m: number;
}

export type HistoryItem =
  | { kind: 'identity'; at: number; change: IdentityChange }
  | {
      kind: 'episode';
      at: number;
      episode: Pick<
        Episode,
        | 'id'
        | 'title'
        | 'title_en'
        | 'cause'
        | 'severity'
        | 'state'
        | 'started_at'
        | 'cleared_at'
        | 'resolved_at'
        | 'sites'
      >;
    }
  | { kind: 'maintenance'; at: number; entry: MaintenanceLogEntry };

/** "YYYY-MM-DD" → its Bắc Kạn midnight (ms) */
const dayStart = (day: string): number => fromLocalInput(day)!;

/** "YYYY-MM-DD" → "dd/mm/yyyy" */
export function viDay(day: string | null): string {
  if (!day) return '';
  const [y, m, d] = day.split('-');
  return `${d}/${m}/${y}`;
}

/**
 * A date as people type it, dd/mm/yyyy (d/m/yyyy too) or ISO yyyy-mm-dd → "YYYY-MM-DD"; null when it
 * is not a real calendar day.
 */
export function parseDay(text: string): string | null {
  const t = text.trim();
  let y: number;
  let m: number;
  let d: number;
  let x = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (x) [d, m, y] = [Number(x[1]), Number(x[2]), Number(x[3])];
  else {
    x = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
    if (!x) return null;
    [y, m, d] = [Number(x[1]), Number(x[2]), Number(x[3])];
  }
  if (y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1) return null;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > days) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function warrantyOf(end: string | null, now: number): { state: WarrantyState; days: number | null } {
  if (!end) return { state: 'unknown', days: null };
  const days = Math.round((dayStart(end) - dayStart(toDateInput(now))) / DAY);
  return { state: days < 0 ? 'expired' : days <= YEAR_DAYS ? 'expiring' : 'valid', days };
}

export function ageYears(install: string | null, now: number): number | null {
  if (!install) return null;
  const years = (dayStart(toDateInput(now)) - dayStart(install)) / (365.25 * DAY);
  return Math.max(0, Math.floor(years * 10) / 10);
}

type EpisodeSource = Pick<AlertEngine, 'episodes'> | null;

/**
 * The fault episodes that concern each device: those with a condition on the device itself (its
 * members name the device whose readings held them), for a device at a site also those of the site
 * whose cause is equipment or power, and for the MCU those of cause mcu. Built once per request.
 */
class EpisodeIndex {
  private readonly bySite = new Map<string, Episode[]>();
  private readonly byDevice = new Map<string, Episode[]>();
  private readonly mcu: Episode[] = [];

  constructor(episodes: Episode[]) {
    const add = (m: Map<string, Episode[]>, k: string, e: Episode) => {
      const l = m.get(k);
      if (l) l.push(e);
      else m.set(k, [e]);
    };
    for (const e of episodes) {
      if (e.cause === 'mcu') this.mcu.push(e);
      if (e.cause === 'equipment' || e.cause === 'power') for (const s of e.sites) add(this.bySite, s, e);
      for (const d of new Set(e.members.map((m) => m.device).filter((d) => d != null)))
        add(this.byDevice, d, e);
    }
  }

  of(dev: Pick<DeviceRef, 'id' | 'site' | 'kind'>): Episode[] {
    const set = new Set<Episode>(this.byDevice.get(dev.id) ?? []);
    for (const e of dev.site ? (this.bySite.get(dev.site.id) ?? []) : dev.kind === 'mcu' ? this.mcu : [])
      set.add(e);
    return [...set].sort((a, b) => b.started_at - a.started_at);
  }
}

export class AssetRegister {
  readonly store: AssetStore;

  constructor(
    private readonly db: StateDb,
    private readonly inventory: Pick<LoadedInventory, 'devices' | 'districts'>,
    private readonly alerts: EpisodeSource,
    private readonly now: () => number = Date.now,
  ) {
    this.store = new AssetStore(db);
  }

  device(id: string): DeviceRef | undefined {
    return this.inventory.devices.get(id);
  }

  private episodes(): EpisodeIndex {
    return new EpisodeIndex(this.alerts?.episodes({ all: true }) ?? []);
  }

  private row(
    dev: DeviceRef,
    id: StoredIdentity | undefined,
    det: AssetDetails | undefined,
    episodes: EpisodeIndex,
    now: number,
  ): AssetRow {
    const identity: Identity = {};
    for (const f of IDENTITY_FIELDS) if (id?.[f] !== undefined) identity[f] = id[f];
    const w = warrantyOf(det?.warranty_end ?? null, now);
    const since = now - YEAR_DAYS * DAY;
    const district = dev.site ? this.inventory.districts.get(dev.site.district) : undefined;
    return {
      device: dev.id,
      kind: dev.kind,
      profile: dev.profile,
      site: dev.site?.id ?? null,
      site_name: dev.site?.name ?? null,
      district: dev.site?.district ?? null,
      district_name: district?.name ?? null,
      identity,
      first_seen: id?.first_seen ?? null,
      last_seen: id?.last_seen ?? null,
      identity_problem: id?.problem ?? null,
      install_date: det?.install_date ?? null,
      warranty_end: det?.warranty_end ?? null,
      supplier: det?.supplier ?? null,
      purchase_price: det?.purchase_price ?? null,
      notes: det?.notes ?? null,
      updated_at: det?.updated_at ?? null,
      updated_by: det?.updated_by ?? null,
      age_years: ageYears(det?.install_date ?? null, now),
      warranty: w.state,
      warranty_days_left: w.days,
      faults_12m: episodes.of(dev).filter((e) => e.started_at >= since).length,
    };
  }

  /** every device of the inventory (the MCU first, then in inventory order), optionally filtered */
  list(keep: (dev: DeviceRef) => boolean = () => true): AssetRow[] {
    const now = this.now();
    const ids = this.store.identities();
    const details = this.store.allDetails();
    const episodes = this.episodes();
    return [...this.inventory.devices.values()]
      .filter(keep)
      .map((d) => this.row(d, ids.get(d.id), details.get(d.id), episodes, now));
  }

  get(device: string): AssetRow | null {
    const dev = this.inventory.devices.get(device);
    if (!dev) return null;
    return this.row(
      dev,
      this.store.identity(device) ?? undefined,
      this.store.details(device) ?? undefined,
      this.episodes(),
      this.now(),
    );
  }

  /** identity changes, the fault episodes that concerned it, its maintenance log; newest first */
  history(device: string): HistoryItem[] {
    const dev = this.inventory.devices.get(device);
    if (!dev) return [];
    const items: HistoryItem[] = [
      ...this.store.changes(device).map((c) => ({ kind: 'identity' as const, at: c.at, change: c })),
      ...this.episodes()
        .of(dev)
        .map((e) => ({
          kind: 'episode' as const,
          at: e.started_at,
          episode: {
            id: e.id,
            title: e.title,
            title_en: e.title_en,
            cause: e.cause,
            severity: e.severity,
            state: e.state,
            started_at: e.started_at,
            cleared_at: e.cleared_at,
            resolved_at: e.resolved_at,
            sites: e.sites,
          },
        })),
      ...maintenanceLogForDevice(this.db, device).map((m) => ({
        kind: 'maintenance' as const,
        at: m.at,
        entry: m,
      })),
    ];
    return items.sort((a, b) => b.at - a.at);
  }
}
