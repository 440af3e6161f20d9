// The maintenance log (Điều 13.3, 14.1.b): what was done, planned or not, at which site, on which devices.
import { randomBytes } from 'node:crypto';
import type { LoadedInventory } from '../inventory/load.ts';
import type { StateDb } from '../storage/state-db.ts';

export interface MaintenanceLogEntry {
  id: string;
  /** when the work was done, ms */
  at: number;
  plan_id: string | null;
  /** null: the MCU or work not tied to one site */
  site: string | null;
  devices: string[];
  done: string;
  findings: string;
  parts: string;
  /** who did it as written in the log: a person's name and/or free text (a contractor) */
  by: string;
}

export interface NewLogEntry {
  at: number;
  plan_id?: string | null | undefined;
  site?: string | null | undefined;
  devices?: string[] | undefined;
  done: string;
  findings?: string | undefined;
  parts?: string | undefined;
  /** a person id of the inventory */
  by_person?: string | null | undefined;
  by: string;
  created_by: string;
}

export interface LogFilter {
  site?: string | undefined;
  device?: string | undefined;
  plan_id?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  limit?: number | undefined;
}

interface Row {
  id: string;
  at: number;
  plan_id: string | null;
  site: string | null;
  done: string;
  findings: string;
  parts: string;
  by_text: string;
  devices: string | null;
}

const SELECT = `SELECT l.id, l.at, l.plan_id, l.site, l.done, l.findings, l.parts, l.by_text,
  (SELECT group_concat(device, char(10)) FROM (SELECT device FROM maintenance_log_devices d
     WHERE d.entry_id = l.id ORDER BY device)) AS devices
  FROM maintenance_log l`;

function toEntry(r: Row): MaintenanceLogEntry {
  return {
    id: r.id,
    at: r.at,
    plan_id: r.plan_id,
    site: r.site,
    devices: r.devices ? r.devices.split('\n') : [],
    done: r.done,
    findings: r.findings,
    parts: r.parts,
    by: r.by_text,
  };
}

/** Replaces the device → site copy from the inventory (the MCU and site-less devices: null). */
export function syncDeviceSites(
  db: StateDb,
  devices: Iterable<{ device: string; site: string | null }>,
): void {
  const insert = db.prepare('INSERT INTO maintenance_device_sites (device, site) VALUES (?, ?)');
  db.transaction(() => {
    db.prepare('DELETE FROM maintenance_device_sites').run();
    for (const d of devices) insert.run(d.device, d.site);
  })();
}

/** syncDeviceSites from a loaded inventory (every device, the MCU included). */
export function syncInventoryDevices(db: StateDb, inv: Pick<LoadedInventory, 'devices'>): void {
  syncDeviceSites(
    db,
    [...inv.devices.values()].map((d) => ({ device: d.id, site: d.site?.id ?? null })),
  );
}

export function addLogEntry(db: StateDb, e: NewLogEntry, now = Date.now()): MaintenanceLogEntry {
  const id = `ml-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
  const devices = [...new Set(e.devices ?? [])];
  db.transaction(() => {
    db.prepare(
      `INSERT INTO maintenance_log (id, at, plan_id, site, done, findings, parts, by_person, by_text, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      e.at,
      e.plan_id ?? null,
      e.site ?? null,
      e.done,
      e.findings ?? '',
      e.parts ?? '',
      e.by_person ?? null,
      e.by,
      e.created_by,
      now,
    );
    const dev = db.prepare('INSERT INTO maintenance_log_devices (entry_id, device) VALUES (?, ?)');
    for (const d of devices) dev.run(id, d);
  })();
  return getLogEntry(db, id)!;
}

export function getLogEntry(db: StateDb, id: string): MaintenanceLogEntry | undefined {
  const r = db.prepare(`${SELECT} WHERE l.id = ?`).get(id) as Row | undefined;
  return r && toEntry(r);
}

/** Log entries, newest first; `device` as in maintenanceLogForDevice. */
export function listLog(db: StateDb, f: LogFilter = {}): MaintenanceLogEntry[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (f.site !== undefined) {
    where.push('l.site = ?');
    args.push(f.site);
  }
  if (f.device !== undefined) {
    where.push(`(EXISTS (SELECT 1 FROM maintenance_log_devices d WHERE d.entry_id = l.id AND d.device = ?)
      OR (NOT EXISTS (SELECT 1 FROM maintenance_log_devices d WHERE d.entry_id = l.id)
          AND l.site IS NOT NULL
          AND l.site = (SELECT s.site FROM maintenance_device_sites s WHERE s.device = ?)))`);
    args.push(f.device, f.device);
  }
  if (f.plan_id !== undefined) {
    where.push('l.plan_id = ?');
    args.push(f.plan_id);
  }
  if (f.from !== undefined) {
    where.push('l.at >= ?');
    args.push(f.from);
  }
  if (f.to !== undefined) {
    where.push('l.at < ?');
    args.push(f.to);
  }
  const sql = `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY l.at DESC, l.id DESC${
    f.limit ? ` LIMIT ${Math.floor(f.limit)}` : ''
  }`;
  return (db.prepare(sql).all(...args) as Row[]).map(toEntry);
}

/**
 * A device's maintenance history, newest first: the entries that name the device, and those of the
 * device's site that name no device (the site as copied from the inventory by syncDeviceSites).
 */
export function maintenanceLogForDevice(db: StateDb, device: string): MaintenanceLogEntry[] {
  return listLog(db, { device });
}
