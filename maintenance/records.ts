// What the period reports read of maintenance (Điều 11.3, 14.1.c): the log entries and the plans of a
// period, straight from the state database.
import type { StateDb } from '../storage/state-db.ts';
import { listLog, type MaintenanceLogEntry } from './log.ts';
import { listPlans, type MaintenancePlan } from './plans.ts';

export interface MaintenanceRecords {
  /** log entries done in [from, to), oldest first */
  logBetween(from: number, to: number): MaintenanceLogEntry[];
  /** plans with a window in [from, to), cancelled ones too, earliest first */
  plansBetween(from: number, to: number): MaintenancePlan[];
}

export function maintenanceRecords(db: StateDb): MaintenanceRecords {
  return {
    logBetween: (from, to) => listLog(db, { from, to }).reverse(),
    plansBetween: (from, to) =>
      listPlans(db, { from, to, include_cancelled: true }).sort((a, b) => a.starts_at - b.starts_at),
  };
}
