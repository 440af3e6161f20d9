// Shared by both adapters: series identity, bucketing (the one definition of mean/min/max/p95/count),
// the fraction-of-buckets rule, and the store's own health metrics.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Sample } from '../../core/bus.ts';
import type { MetricName } from '../../core/metrics.ts';
import type { AggregateQuery, Bucket, Point, Series, StoreHealth } from '../../core/ports.ts';

export type SeriesId = Omit<Series, 'points'>;
export type AggregatedSeries = SeriesId & { buckets: Bucket[] };

/** The identity of a series: metric, site, device, instance, probe. Tier/district/carrier are attributes. */
export function identityKey(metric: string, site: string, device: string, instance = '', probe = ''): string {
  return `${metric}\u0000${site}\u0000${device}\u0000${instance}\u0000${probe}`;
}

export function seriesId(
  metric: MetricName,
  site: string,
  device: string,
  instance: string | null | undefined,
  probe: string | null | undefined,
): SeriesId {
  const s: SeriesId = { site, device, metric };
  if (instance) s.instance = instance;
  if (probe) s.probe = probe;
  return s;
}

/** Series sorted the same way by both adapters: metric, site, device, instance, probe. */
export function compareSeries(a: SeriesId, b: SeriesId): number {
  return (
    cmp(a.metric, b.metric) ||
    cmp(a.site, b.site) ||
    cmp(a.device, b.device) ||
    cmp(a.instance ?? '', b.instance ?? '') ||
    cmp(a.probe ?? '', b.probe ?? '')
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Start of the bucket containing t; buckets are aligned to the epoch (as InfluxDB's GROUP BY time()). */
export function bucketStart(t: number, bucketMs: number): number {
  return Math.floor(t / bucketMs) * bucketMs;
}

/**
 * 95th percentile by nearest rank, exactly as InfluxDB 1.x `PERCENTILE(value, 95)`:
 * sorted[floor(n * 95 / 100 + 0.5) - 1].
 */
export function p95(sortedAsc: readonly number[]): number {
  const n = sortedAsc.length;
  const i = Math.min(n - 1, Math.max(0, Math.floor((n * 95) / 100 + 0.5) - 1));
  return sortedAsc[i]!;
}

/** Buckets of time-sorted points; empty buckets are left out. */
export function bucketize(points: readonly Point[], bucketMs: number): Bucket[] {
  const out: Bucket[] = [];
  let i = 0;
  while (i < points.length) {
    const start = bucketStart(points[i]!.time, bucketMs);
    const end = start + bucketMs;
    const values: number[] = [];
    let sum = 0;
    while (i < points.length && points[i]!.time < end) {
      const v = points[i]!.value;
      values.push(v);
      sum += v;
      i++;
    }
    values.sort((a, b) => a - b);
    out.push({
      time: start,
      mean: sum / values.length,
      min: values[0]!,
      max: values.at(-1)!,
      p95: p95(values),
      count: values.length,
    });
  }
  return out;
}

/**
 * Fraction (0..1) of the buckets (with data, over every matching series) whose mean is above `above`
 * (strictly) or below `below` (strictly); with both, a bucket counts when it is outside the band.
 * No data gives 0.
 */
export function fractionOf(
  series: readonly AggregatedSeries[],
  q: Pick<AggregateQuery, 'bucketMs'> & { above?: number; below?: number },
): number {
  if (q.above === undefined && q.below === undefined) {
    throw new Error('fractionOfBuckets: give a threshold, `above` or `below`');
  }
  let total = 0;
  let hit = 0;
  for (const s of series) {
    for (const b of s.buckets) {
      total++;
      if ((q.above !== undefined && b.mean > q.above) || (q.below !== undefined && b.mean < q.below)) hit++;
    }
  }
  return total === 0 ? 0 : hit / total;
}

export function validRange(q: { from: number; to: number; bucketMs?: number }): void {
  if (!Number.isFinite(q.from) || !Number.isFinite(q.to))
    throw new Error('range: from/to must be ms numbers');
  if (q.bucketMs !== undefined && !(q.bucketMs >= 1)) throw new Error('aggregate: bucketMs must be ≥ 1 ms');
}

/** Samples a store refuses (value not a finite number, bad time): they cannot be stored anywhere. */
export function storable(s: Sample): boolean {
  return Number.isFinite(s.value) && Number.isSafeInteger(s.time) && s.time >= 0;
}

/** The store's own health as prom-client metrics (registered only when a registry is given). */
export class StoreMetrics {
  readonly writeSeconds?: Histogram;
  readonly written?: Counter;
  readonly rejected?: Counter;
  readonly dropped?: Counter;
  readonly spoolPoints?: Gauge;
  readonly spoolBytes?: Gauge;
  readonly spoolFull?: Gauge;
  readonly up?: Gauge;
  readonly lastErrorTime?: Gauge;

  constructor(registry: Registry | undefined, kind: StoreHealth['kind']) {
    if (!registry) return;
    const labels = { backend: kind };
    const registers = [registry];
    this.writeSeconds = reuse(
      registry,
      'diemcau_storage_write_seconds',
      () =>
        new Histogram({
          name: 'diemcau_storage_write_seconds',
          help: 'Time to write one batch to the metrics database',
          buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
          labelNames: ['backend'],
          registers,
        }),
    );
    this.written = reuse(
      registry,
      'diemcau_storage_points_written_total',
      () =>
        new Counter({
          name: 'diemcau_storage_points_written_total',
          help: 'Points stored in the metrics database (replays of the spool included)',
          labelNames: ['backend'],
          registers,
        }),
    );
    this.rejected = reuse(
      registry,
      'diemcau_storage_points_rejected_total',
      () =>
        new Counter({
          name: 'diemcau_storage_points_rejected_total',
          help: 'Points refused: value not a finite number, or refused by the database as malformed',
          labelNames: ['backend'],
          registers,
        }),
    );
    this.dropped = reuse(
      registry,
      'diemcau_storage_spool_dropped_points_total',
      () =>
        new Counter({
          name: 'diemcau_storage_spool_dropped_points_total',
          help: 'Points lost because the spool was full (oldest dropped first)',
          labelNames: ['backend'],
          registers,
        }),
    );
    this.spoolPoints = reuse(
      registry,
      'diemcau_storage_spool_points',
      () =>
        new Gauge({
          name: 'diemcau_storage_spool_points',
          help: 'Points waiting in the on-disk spool for the database to come back',
          labelNames: ['backend'],
          registers,
        }),
    );
    this.spoolBytes = reuse(
      registry,
      'diemcau_storage_spool_bytes',
      () =>
        new Gauge({
          name: 'diemcau_storage_spool_bytes',
          help: 'Size of the on-disk spool',
          labelNames: ['backend'],
          registers,
        }),
    );
    this.spoolFull = reuse(
      registry,
      'diemcau_storage_spool_full',
      () =>
        new Gauge({
          name: 'diemcau_storage_spool_full',
          help: '1 while the spool is at its size limit and the oldest points are being dropped',
          labelNames: ['backend'],
          registers,
        }),
    );
    this.up = reuse(
      registry,
      'diemcau_storage_up',
      () =>
        new Gauge({
          name: 'diemcau_storage_up',
          help: '1 when the last write to the metrics database succeeded',
          labelNames: ['backend'],
          registers,
        }),
    );
    this.lastErrorTime = reuse(
      registry,
      'diemcau_storage_last_error_timestamp_seconds',
      () =>
        new Gauge({
          name: 'diemcau_storage_last_error_timestamp_seconds',
          help: 'When the metrics store last failed (0: never)',
          labelNames: ['backend'],
          registers,
        }),
    );
    for (const g of [this.spoolPoints, this.spoolBytes, this.spoolFull, this.lastErrorTime]) g.set(labels, 0);
    this.up.set(labels, 1);
    this.labels = labels;
  }

  private labels: { backend: string } = { backend: '' };

  observeWrite(seconds: number, points: number): void {
    this.writeSeconds?.observe(this.labels, seconds);
    this.written?.inc(this.labels, points);
    this.up?.set(this.labels, 1);
  }
  error(): void {
    this.up?.set(this.labels, 0);
    this.lastErrorTime?.set(this.labels, Date.now() / 1000);
  }
  rejectedPoints(n: number): void {
    if (n > 0) this.rejected?.inc(this.labels, n);
  }
  droppedPoints(n: number): void {
    if (n > 0) this.dropped?.inc(this.labels, n);
  }
  spool(points: number, bytes: number, full: boolean): void {
    this.spoolPoints?.set(this.labels, points);
    this.spoolBytes?.set(this.labels, bytes);
    this.spoolFull?.set(this.labels, full ? 1 : 0);
  }
}

/** A second store on the same registry (tests, a restart in-process) shares the metrics. */
function reuse<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
