// The metrics store: InfluxDB when `storage.influxdb` is configured, else embedded SQLite
// (data_dir/metrics.db). `startStorage` subscribes it to the bus.
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { type Config, parseDuration } from '../../config/config.ts';
import type { Logger } from '../../core/log.ts';
import type { MetricsStore } from '../../core/ports.ts';
import type { Runtime, Service } from '../../core/runtime.ts';
import { readSecret } from '../../inventory/load.ts';
import { SqliteMetricsStore } from './sqlite.ts';

export type { AggregatedSeries, SeriesId } from './common.ts';
export { bucketize, fractionOf, p95 } from './common.ts';
export { SqliteMetricsStore } from './sqlite.ts';

export interface CreateStoreOptions {
  config: Config;
  log: Logger;
  registry?: Registry;
}

export async function createMetricsStore(opts: CreateStoreOptions): Promise<MetricsStore> {
  const { config, log, registry } = opts;
  const storage = config.storage;
  const influx = storage.influxdb;
  if (influx) {
    const password = influx.password ? readSecret(influx.password, config.baseDir) : undefined;
    if (influx.password && password === undefined) {
      throw new Error(
        'storage.influxdb.password: the secret does not resolve (environment variable unset or file missing/empty)',
      );
    }
    // loaded only when configured: the `influx` client costs ~4 MB to every process that imports it
    const { InfluxMetricsStore } = await import('./influx.ts');
    const store = new InfluxMetricsStore({
      url: influx.url,
      database: influx.database,
      username: influx.username,
      password,
      rawRetention: influx.raw_retention,
      rollupRetention: influx.rollup_retention,
      batchSize: influx.batch_size,
      flushIntervalMs: parseDuration(influx.flush_interval),
      spoolDir: join(config.data_dir, 'spool', 'influxdb'),
      spoolMaxBytes: storage.spool_max_mb * 1024 * 1024,
      log,
      registry,
    });
    await store.start();
    log.info({ url: influx.url, database: influx.database }, 'metrics store: InfluxDB');
    return store;
  }
  const file = join(config.data_dir, 'metrics.db');
  const store = new SqliteMetricsStore({
    file,
    retentionMs: parseDuration(storage.sqlite.retention),
    log,
    registry,
  });
  log.info({ file }, 'metrics store: embedded SQLite');
  return store;
}

/** The storage writer: every batch of samples on the bus goes to the store. */
export async function startStorage(rt: Runtime): Promise<Service & { store: MetricsStore }> {
  const store = await createMetricsStore({ config: rt.config, log: rt.log, registry: rt.registry });
  const off = rt.bus.onSamples((batch) => store.write(batch));
  return {
    name: 'storage',
    store,
    async stop() {
      off();
      await store.close();
    },
  };
}
