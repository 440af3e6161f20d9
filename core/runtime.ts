// What every long-running part of diemcau is handed at start: one object, built once in `serve`.
import type { Registry } from 'prom-client';
import type { Config } from '../config/config.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { StateDb } from '../storage/state-db.ts';
import type { Bus } from './bus.ts';
import type { Logger } from './log.ts';

export interface Runtime {
  config: Config;
  inventory: LoadedInventory;
  bus: Bus;
  state: StateDb;
  log: Logger;
  /** prom-client registry served at /metrics */
  registry: Registry;
  /**
   * Two servers (bus/standby.ts sets it): true while this one is the active server. Only the active
   * one runs what writes the shared records on its own — scheduled readiness runs and escalations,
   * reports, the weekly digest, observed calls, the equipment register — the standby receives them
   * (storage/replication.ts). Absent: one server, always active.
   */
  active?: () => boolean;
}

/** This server writes the shared records on its own (the active one of two, or the only one). */
export const isActive = (rt: Pick<Runtime, 'active'>): boolean => rt.active?.() ?? true;

/** A part that runs until stopped: collector, storage writer, alert engine, API server … */
export interface Service {
  name: string;
  stop(): Promise<void>;
}
