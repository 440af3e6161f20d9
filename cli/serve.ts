// diemcau serve: loads the configuration and inventory, opens the state database and runs every part.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadConfig } from '../config/config.ts';
import { Bus } from '../core/bus.ts';
import { log } from '../core/log.ts';
import type { Runtime, Service } from '../core/runtime.ts';
import { loadInventory, resolveCredentials, summarize } from '../inventory/load.ts';
import { openStateDb } from '../storage/state-db.ts';

export interface Running {
  runtime: Runtime;
  services: Service[];
  stop(): Promise<void>;
}

/** Builds the runtime and starts every service; used by serve, demo and end-to-end tests. */
export async function start(configPath?: string, env: NodeJS.ProcessEnv = process.env): Promise<Running> {
  const config = loadConfig(configPath, env);
  const inventory = loadInventory(config.inventory);
  resolveCredentials(inventory, env);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const state = openStateDb(join(config.data_dir, 'state.db'));
  const runtime: Runtime = { config, inventory, bus: new Bus(), state, log, registry };
  runtime.bus.onError = (err) => log.error({ err }, 'bus subscriber failed');
  const services: Service[] = [];
  log.info({ inventory: config.inventory, summary: summarize(inventory) }, 'inventory loaded');
  return {
    runtime,
    services,
    async stop() {
      for (const s of services.reverse()) await s.stop();
      state.close();
    },
  };
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } });
  const running = await start(values.config);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.stop();
  return 0;
}
