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
}

/** A part that runs until stopped: collector, storage writer, alert engine, API server … */
export interface Service {
  name: string;
  stop(): Promise<void>;
}
