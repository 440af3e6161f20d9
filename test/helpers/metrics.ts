// Helpers for tests that need a metrics store: a Config for either adapter, and samples.
import { Config } from '../../config/config.ts';
import type { Sample, SampleTags } from '../../core/bus.ts';
import type { MetricName } from '../../core/metrics.ts';

export interface StoreConfigOptions {
  dataDir: string;
  /** InfluxDB URL; without it the embedded SQLite store */
  influxUrl?: string;
  database?: string;
  rawRetention?: string;
  batchSize?: number;
  flushInterval?: string;
  spoolMaxMb?: number;
  sqliteRetention?: string;
}

export function storeConfig(o: StoreConfigOptions): Config {
  const storage: Record<string, unknown> = {
    sqlite: { retention: o.sqliteRetention ?? '30d' },
    spool_max_mb: o.spoolMaxMb ?? 512,
  };
  if (o.influxUrl) {
    storage.influxdb = {
      url: o.influxUrl,
      database: o.database ?? 'diemcau',
      raw_retention: o.rawRetention ?? '7d',
      batch_size: o.batchSize ?? 5000,
      flush_interval: o.flushInterval ?? '200ms',
    };
  }
  const parsed = Config.parse({ data_dir: o.dataDir, storage });
  return { ...parsed, file: null, baseDir: o.dataDir };
}

const DEFAULT_TAGS: SampleTags = { tier: 'commune', district: 'cho-don', carrier: 'vnpt' };

export function sample(
  metric: MetricName,
  site: string,
  time: number,
  value: number,
  more: { device?: string; tags?: Partial<SampleTags> } = {},
): Sample {
  return {
    time,
    site,
    device: more.device ?? `${site}:codec`,
    metric,
    value,
    tags: { ...DEFAULT_TAGS, ...more.tags },
  };
}

/** Sample number i of the kill test: 20 sites, one per 50 ms each, value = i (so each is recognisable). */
export function writerSample(t0: number, i: number): Sample {
  return sample('rtt_ms', `xa-${i % 20}`, t0 + Math.floor(i / 20) * 50, i);
}
