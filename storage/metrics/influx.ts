// InfluxDB 1.x adapter (HTTP API: InfluxDB 1.x, 2.x's v1 compatibility endpoints and 3.x accept it).
//
// Data design (see docs/storage.md): one measurement per metric name (bounded by core/metrics.ts);
// tags site, device, tier, district, carrier and, when the sample has them, instance and probe —
// all bounded by the inventory; one field `value` (float); timestamps in ms.
// Retention policies: "raw" (DEFAULT, storage.influxdb.raw_retention) and "rollup_1m"
// (rollup_retention) with fields mean, min, max, p95, count, sum, filled by a continuous query.
//
// Writes: line protocol built here and POSTed to /write in batches (batch_size or flush_interval);
// when InfluxDB is down or slow the batch goes to the on-disk spool, and while the spool holds
// anything every new batch goes behind it, so points reach InfluxDB in the order they came.
// Management and queries go through the `influx` package.
import { InfluxDB, escape as influxEscape } from 'influx';
import type { Registry } from 'prom-client';
import { parseDuration } from '../../config/config.ts';
import type { Sample, SampleTags } from '../../core/bus.ts';
import type { Logger } from '../../core/log.ts';
import { isMetricName, type MetricName } from '../../core/metrics.ts';
import type {
  AggregateQuery,
  Bucket,
  MetricsStore,
  Point,
  RangeQuery,
  Series,
  SeriesSelector,
  StoreHealth,
} from '../../core/ports.ts';
import {
  type AggregatedSeries,
  compareSeries,
  errorText,
  fractionOf,
  type SeriesId,
  StoreMetrics,
  seriesId,
  storable,
  validRange,
} from './common.ts';
import { Spool } from './spool.ts';

export const RAW_RP = 'raw';
export const ROLLUP_RP = 'rollup_1m';
/**
 * The continuous query's name carries the database: InfluxDB 1.x keeps a CQ's last-run time by
 * name, and of two same-named CQs in different databases only one runs (seen with 1.6).
 */
export function rollupCqName(database: string): string {
  return `rollup_1m_${database.replace(/\W/g, '_')}`;
}
const ROLLUP_MS = 60_000;

export interface InfluxStoreOptions {
  url: string;
  database: string;
  username?: string | undefined;
  password?: string | undefined;
  /** InfluxDB durations, e.g. "7d" */
  rawRetention: string;
  rollupRetention: string;
  batchSize: number;
  flushIntervalMs: number;
  spoolDir: string;
  spoolMaxBytes: number;
  log: Logger;
  registry?: Registry | undefined;
  /** a write taking longer than this counts as failed and goes to the spool; default 10 s */
  writeTimeoutMs?: number;
  /** first retry delay after a failure (doubles up to 30 s); default 1 s */
  retryMs?: number;
  /** in-memory points beyond which batches go straight to the spool while a write is slow */
  maxBuffered?: number;
}

type Task<T> = () => Promise<T>;

export class InfluxMetricsStore implements MetricsStore {
  readonly influx: InfluxDB;
  private readonly spool: Spool;
  private readonly metrics: StoreMetrics;
  private readonly writeUrl: string;
  private readonly authHeader: string | undefined;
  private readonly rawRetentionMs: number;
  private buffer: string[] = [];
  private prefixes = new Map<string, string>();
  private chain: Promise<unknown> = Promise.resolve();
  private sendQueued = false;
  private drainQueued = false;
  private ready = false;
  private rollups = true;
  private failing = false;
  private retryAt = 0;
  private retryDelay: number;
  private lastError: string | null = null;
  private lastWriteMs: number | null = null;
  private spoolFull = false;
  private droppedPoints = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly opts: InfluxStoreOptions) {
    const url = new URL(opts.url);
    this.influx = new InfluxDB({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      path: url.pathname.replace(/\/$/, ''),
      database: opts.database,
      username: opts.username,
      password: opts.password,
      pool: {
        maxRetries: 0,
        requestTimeout: 60_000,
        // the pool takes a host out after an error; bring it back quickly (our writer has its own backoff)
        backoff: {
          getDelay: () => 200,
          next() {
            return this;
          },
          reset() {
            return this;
          },
        },
      },
    });
    const w = new URL(`${url.pathname.replace(/\/$/, '')}/write`, url);
    w.searchParams.set('db', opts.database);
    w.searchParams.set('rp', RAW_RP);
    w.searchParams.set('precision', 'ms');
    this.writeUrl = w.toString();
    if (opts.username !== undefined) {
      this.authHeader = `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}`;
    }
    this.rawRetentionMs = parseDuration(opts.rawRetention);
    this.retryDelay = opts.retryMs ?? 1000;
    this.spool = new Spool(opts.spoolDir, opts.spoolMaxBytes);
    this.metrics = new StoreMetrics(opts.registry, 'influxdb');
    this.updateSpoolGauges();
    if (!this.spool.empty) {
      opts.log.warn(
        { ...this.spool.stats() },
        'metrics store: spooled points from an earlier run will be replayed',
      );
    }
  }

  /** Starts the writer; sets up the database when InfluxDB answers (retried in the background if not). */
  async start(): Promise<void> {
    const setup = this.serial(() =>
      this.trySetup('InfluxDB not reachable at start; writing to the spool until it is'),
    );
    this.timer = setInterval(() => this.tick(), Math.max(50, Math.min(this.opts.flushIntervalMs, 1000)));
    this.timer.unref();
    if (!this.spool.empty) this.queueDrain();
    // wait for the setup, but not for an InfluxDB that does not answer at all (writes queue meanwhile)
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([setup, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
  }

  // ---- setup ---------------------------------------------------------------------------------

  /**
   * Sets up database, policies and rollup query. When InfluxDB answers /ping but refuses the setup
   * (InfluxDB 2.x/3.x through the v1 API, or a user without admin rights) it writes anyway, to the
   * "raw" policy (a DBRP mapping on 2.x), without rollups: loud in the log, but nothing held back.
   */
  private async trySetup(what: string): Promise<boolean> {
    try {
      await this.setup();
      return true;
    } catch (err) {
      const pong = await fetch(new URL('ping', this.opts.url.replace(/\/?$/, '/')), {
        signal: AbortSignal.timeout(2000),
      }).catch(() => null);
      if (pong && pong.status >= 200 && pong.status < 300) {
        this.ready = true;
        this.rollups = false;
        this.opts.log.error(
          { err: errorText(err) },
          'metrics store: InfluxDB answers but refused to create the database, retention policies or rollup query; ' +
            'writing to retention policy "raw" without rollups (see docs/storage.md)',
        );
        return true;
      }
      this.fail(err, what);
      return false;
    }
  }

  private async setup(): Promise<void> {
    const db = this.opts.database;
    await this.influx.createDatabase(db);
    const rps = await this.influx.showRetentionPolicies(db);
    for (const [name, duration, isDefault] of [
      [RAW_RP, this.opts.rawRetention, true],
      [ROLLUP_RP, this.opts.rollupRetention, false],
    ] as const) {
      const opts = { database: db, duration, replication: 1, isDefault };
      if (rps.some((r) => r.name === name)) await this.influx.alterRetentionPolicy(name, opts);
      else await this.influx.createRetentionPolicy(name, opts);
    }
    const cqs = await this.influx.showContinousQueries(db);
    const body = this.rollupSelect(`"${escapeId(db)}"."${RAW_RP}"./.*/`, null);
    const name = rollupCqName(db);
    const existing = cqs.find((c) => c.name === name);
    const current = existing?.query.includes('RESAMPLE EVERY 1m FOR 10m');
    if (existing && !current) await this.influx.dropContinuousQuery(name, db);
    if (!current) await this.influx.createContinuousQuery(name, body, db, 'RESAMPLE EVERY 1m FOR 10m');
    this.ready = true;
  }

  /** SELECT … INTO the rollup; `where` null for the continuous query (InfluxDB adds the time range). */
  private rollupSelect(from: string, where: string | null): string {
    const db = escapeId(this.opts.database);
    return (
      'SELECT mean(value) AS mean, min(value) AS min, max(value) AS max, percentile(value, 95) AS p95, ' +
      `count(value) AS count, sum(value) AS sum INTO "${db}"."${ROLLUP_RP}".:MEASUREMENT FROM ${from}` +
      `${where ? ` WHERE ${where}` : ''} GROUP BY time(1m), *`
    );
  }

  /**
   * Recomputes the 1-minute rollups for a time range from the raw data. The continuous query only
   * covers the last 10 minutes; replayed (late) points need this.
   */
  async rollup(from: number, to: number): Promise<void> {
    const a = Math.floor(from / ROLLUP_MS) * ROLLUP_MS;
    const b = Math.ceil((to + 1) / ROLLUP_MS) * ROLLUP_MS;
    const q = this.rollupSelect(
      `"${escapeId(this.opts.database)}"."${RAW_RP}"./.*/`,
      `time >= ${a}ms AND time < ${b}ms`,
    );
    const res = await this.influx.queryRaw(q, { method: 'POST', database: this.opts.database });
    checkErrors(res);
  }

  // ---- writing -------------------------------------------------------------------------------

  write(samples: readonly Sample[]): void {
    if (samples.length === 0) return;
    if (this.closed) {
      this.opts.log.error({ points: samples.length }, 'metrics store: write after close, points not stored');
      return;
    }
    let rejected = 0;
    for (const s of samples) {
      if (!storable(s)) {
        rejected++;
        continue;
      }
      this.buffer.push(`${this.prefix(s)} value=${s.value} ${s.time}`);
    }
    this.metrics.rejectedPoints(rejected);
    if (this.buffer.length >= this.opts.batchSize) this.queueSend();
  }

  /** measurement and tag set, escaped, tags sorted by key (as InfluxDB stores them). */
  private prefix(s: Sample): string {
    const t = s.tags;
    const key = `${s.metric}\u0000${s.site}\u0000${s.device}\u0000${t.instance ?? ''}\u0000${t.probe ?? ''}\u0000${t.tier}\u0000${t.district}\u0000${t.carrier}`;
    let p = this.prefixes.get(key);
    if (p === undefined) {
      const tags: [string, string | undefined][] = [
        ['carrier', t.carrier],
        ['device', s.device],
        ['district', t.district],
        ['instance', t.instance],
        ['probe', t.probe],
        ['site', s.site],
        ['tier', t.tier],
      ];
      p = escMeasurement(s.metric);
      for (const [k, v] of tags) if (v) p += `,${k}=${escTag(v)}`;
      if (this.prefixes.size > 100_000) this.prefixes.clear();
      this.prefixes.set(key, p);
    }
    return p;
  }

  async flush(): Promise<void> {
    await this.serial(() => this.sendBuffered(true));
  }

  private tick(): void {
    if (this.buffer.length > 0) this.queueSend();
    if (!this.spool.empty || !this.ready) this.queueDrain();
  }

  private queueSend(): void {
    if (this.sendQueued) return;
    this.sendQueued = true;
    void this.serial(async () => {
      this.sendQueued = false;
      await this.sendBuffered(false);
    });
  }

  private queueDrain(): void {
    if (this.drainQueued) return;
    this.drainQueued = true;
    void this.serial(async () => {
      this.drainQueued = false;
      await this.drain();
    });
  }

  /** Runs tasks one after another: one write in flight, so order is kept. */
  private serial<T>(task: Task<T>): Promise<T> {
    const p = this.chain.then(task, task);
    this.chain = p.catch((err) => this.opts.log.error({ err }, 'metrics store: internal error'));
    return p;
  }

  private async sendBuffered(all: boolean): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.opts.batchSize);
      if (!this.ready || !this.spool.empty || Date.now() < this.retryAt) {
        this.toSpool(batch);
        continue;
      }
      try {
        await this.post(batch);
      } catch (err) {
        this.fail(err, 'InfluxDB write failed; points go to the spool');
        this.toSpool(batch);
      }
      // while a slow write was in flight, too much piled up: spool the excess (kept in order)
      const max = this.opts.maxBuffered ?? Math.max(50_000, this.opts.batchSize * 10);
      if (this.buffer.length > max && !all) {
        const excess = this.buffer.splice(0, this.buffer.length - this.opts.batchSize);
        this.toSpool(excess);
      }
    }
    if (!this.spool.empty) this.queueDrain();
  }

  private toSpool(lines: string[]): void {
    let dropped: number;
    try {
      dropped = this.spool.append(lines);
    } catch (err) {
      // the disk refuses too (full, read-only): these points are lost; say so as loudly as a full spool
      this.lastError = `spool write failed: ${errorText(err)}`;
      this.droppedPoints += lines.length;
      this.metrics.droppedPoints(lines.length);
      this.metrics.error();
      this.opts.log.error(
        { err: errorText(err), points: lines.length, dir: this.opts.spoolDir },
        'ALARM metrics spool write failed: points lost (Không ghi được bộ đệm số liệu: mất điểm đo)',
      );
      return;
    }
    if (dropped > 0) {
      this.droppedPoints += dropped;
      this.metrics.droppedPoints(dropped);
      if (!this.spoolFull) {
        this.lastError = `spool full (${this.opts.spoolMaxBytes} bytes): oldest points dropped`;
        this.opts.log.error(
          { dropped, maxBytes: this.opts.spoolMaxBytes, dir: this.opts.spoolDir },
          'ALARM metrics spool full: InfluxDB has been unreachable too long, the oldest spooled points are being dropped (Bộ đệm số liệu đã đầy: đang bỏ các điểm cũ nhất)',
        );
      }
      this.spoolFull = true;
    } else if (this.spool.stats().bytes < this.opts.spoolMaxBytes * 0.9) {
      this.spoolFull = false;
    }
    this.updateSpoolGauges();
  }

  /** Replays the spool, oldest segment first; each segment is deleted once InfluxDB has all of it. */
  private async drain(): Promise<void> {
    if (this.closed || Date.now() < this.retryAt) return;
    if (!this.ready && !(await this.trySetup('InfluxDB still not reachable'))) return;
    let minT = Number.POSITIVE_INFINITY;
    let maxT = Number.NEGATIVE_INFINITY;
    let replayed = 0;
    // a bounded amount per turn, so flush() and new batches are not held up for long
    const deadline = Date.now() + 2000;
    while (!this.spool.empty && Date.now() < deadline && !this.closed) {
      const seg = this.spool.oldest()!;
      try {
        for (let i = 0; i < seg.lines.length; i += this.opts.batchSize) {
          await this.post(seg.lines.slice(i, i + this.opts.batchSize));
        }
      } catch (err) {
        this.fail(err, 'InfluxDB replay of the spool failed; will retry');
        break;
      }
      for (const line of seg.lines) {
        const t = Number(line.slice(line.lastIndexOf(' ') + 1));
        if (t < minT) minT = t;
        if (t > maxT) maxT = t;
      }
      replayed += seg.lines.length;
      this.spool.remove(seg.seq);
      if (this.spool.stats().bytes < this.opts.spoolMaxBytes * 0.9) this.spoolFull = false;
      this.updateSpoolGauges();
    }
    if (replayed > 0) {
      this.opts.log.info({ replayed, left: this.spool.stats().points }, 'metrics store: spool replayed');
      if (this.rollups)
        try {
          await this.rollup(minT, maxT);
        } catch (err) {
          this.opts.log.warn({ err }, 'metrics store: recomputing rollups for replayed points failed');
        }
    }
    if (!this.spool.empty && Date.now() >= this.retryAt) this.queueDrain();
  }

  private async post(lines: string[]): Promise<void> {
    const t0 = performance.now();
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
    if (this.authHeader) headers.authorization = this.authHeader;
    const res = await fetch(this.writeUrl, {
      method: 'POST',
      headers,
      body: lines.join('\n'),
      signal: AbortSignal.timeout(this.opts.writeTimeoutMs ?? 10_000),
    });
    const text = res.status === 204 ? '' : await res.text();
    if (res.status === 400) {
      // malformed or refused points (e.g. older than the retention): retrying cannot help
      this.metrics.rejectedPoints(lines.length);
      this.lastError = `InfluxDB refused points: ${text.slice(0, 300)}`;
      this.opts.log.error(
        { status: res.status, body: text.slice(0, 500) },
        'metrics store: InfluxDB refused points',
      );
    } else if (res.status === 404) {
      this.ready = false; // database dropped under us: set it up again before the next write
      throw new Error(`InfluxDB /write answered 404: ${text.slice(0, 300)}`);
    } else if (res.status < 200 || res.status >= 300) {
      throw new Error(`InfluxDB /write answered ${res.status}: ${text.slice(0, 300)}`);
    }
    const ms = performance.now() - t0;
    this.lastWriteMs = ms;
    this.metrics.observeWrite(ms / 1000, lines.length);
    if (this.failing) this.opts.log.info('metrics store: InfluxDB writes work again');
    this.failing = false;
    this.retryDelay = this.opts.retryMs ?? 1000;
    this.retryAt = 0;
  }

  private fail(err: unknown, what: string): void {
    this.lastError = errorText(err);
    this.metrics.error();
    if (!this.failing) this.opts.log.error({ err: this.lastError }, `metrics store: ${what}`);
    this.failing = true;
    this.retryAt = Date.now() + this.retryDelay;
    this.retryDelay = Math.min(30_000, this.retryDelay * 2);
  }

  private updateSpoolGauges(): void {
    const s = this.spool.stats();
    this.metrics.spool(s.points, s.bytes, this.spoolFull);
  }

  // ---- queries -------------------------------------------------------------------------------

  /** Rollups when the range reaches past the raw retention, or for long aggregates in whole minutes. */
  private useRollup(q: RangeQuery & { bucketMs?: number }): boolean {
    if (!this.rollups) return false;
    if (q.from < Date.now() - this.rawRetentionMs + ROLLUP_MS) return true;
    return q.bucketMs !== undefined && q.bucketMs % ROLLUP_MS === 0 && q.to - q.from > 3 * 86400_000;
  }

  private where(q: Partial<SeriesSelector> & { from?: number; to?: number }): string {
    const parts: string[] = [];
    if (q.from !== undefined) parts.push(`time >= ${Math.floor(q.from)}ms`);
    if (q.to !== undefined) parts.push(`time < ${Math.ceil(q.to)}ms`);
    for (const k of ['site', 'device', 'instance', 'probe'] as const) {
      const v = q[k];
      if (v !== undefined) parts.push(`"${k}" = ${influxEscape.stringLit(v)}`);
    }
    return parts.length ? ` WHERE ${parts.join(' AND ')}` : '';
  }

  private from(rp: string, metric: MetricName | undefined): string {
    const m = metric === undefined ? '/.*/' : `"${escapeId(metric)}"`;
    return `"${escapeId(this.opts.database)}"."${rp}".${m}`;
  }

  private async select(q: string): Promise<InfluxSeries[]> {
    const res = (await this.influx.queryRaw(q, {
      precision: 'ms',
      database: this.opts.database,
    })) as RawResponse;
    checkErrors(res);
    return res.results?.flatMap((r) => r.series ?? []) ?? [];
  }

  async raw(q: RangeQuery): Promise<Series[]> {
    validRange(q);
    const rollup = this.useRollup(q);
    const field = rollup ? '"mean" AS value' : 'value';
    const rows = await this.select(
      `SELECT ${field} FROM ${this.from(rollup ? ROLLUP_RP : RAW_RP, q.metric)}${this.where(q)} GROUP BY ${ID_TAGS}`,
    );
    const bySeries = new Map<string, Series>();
    for (const s of rows) {
      const id = idOf(s);
      if (!id) continue;
      const key = JSON.stringify(id);
      let out = bySeries.get(key);
      if (!out) {
        out = { ...id, points: [] };
        bySeries.set(key, out);
      }
      for (const [time, value] of s.values as [number, number | null][]) {
        if (value !== null) out.points.push({ time, value } as Point);
      }
    }
    return [...bySeries.values()].filter((s) => s.points.length > 0).sort(compareSeries);
  }

  async aggregate(q: AggregateQuery): Promise<AggregatedSeries[]> {
    validRange(q);
    const bucket = Math.round(q.bucketMs);
    const rollup = this.useRollup(q);
    const fields = rollup
      ? 'sum("sum") / sum("count") AS mean, min("min") AS min, max("max") AS max, percentile("p95", 95) AS p95, sum("count") AS count'
      : 'mean(value) AS mean, min(value) AS min, max(value) AS max, percentile(value, 95) AS p95, count(value) AS count';
    const rows = await this.select(
      `SELECT ${fields} FROM ${this.from(rollup ? ROLLUP_RP : RAW_RP, q.metric)}${this.where(q)} ` +
        `GROUP BY time(${bucket}ms), ${ID_TAGS} fill(none)`,
    );
    const out: AggregatedSeries[] = [];
    for (const s of rows) {
      const id = idOf(s);
      if (!id) continue;
      const col = (n: string) => s.columns.indexOf(n);
      const [ti, mi, lo, hi, pi, ci] = ['time', 'mean', 'min', 'max', 'p95', 'count'].map(col) as number[];
      const buckets: Bucket[] = [];
      for (const v of s.values) {
        const count = Number(v[ci!] ?? 0);
        if (count === 0) continue;
        buckets.push({
          time: v[ti!] as number,
          mean: v[mi!] as number,
          min: v[lo!] as number,
          max: v[hi!] as number,
          p95: v[pi!] as number,
          count,
        });
      }
      if (buckets.length) out.push({ ...id, buckets });
    }
    return out.sort(compareSeries);
  }

  async fractionOfBuckets(q: AggregateQuery & { above?: number; below?: number }): Promise<number> {
    return fractionOf(await this.aggregate(q), q);
  }

  async latest(selector: Partial<SeriesSelector>): Promise<Sample[]> {
    const rows = await this.select(
      `SELECT last(value) AS value, tier, district, carrier FROM ${this.from(RAW_RP, selector.metric)}` +
        `${this.where(selector)} GROUP BY ${ID_TAGS}`,
    );
    const out: Sample[] = [];
    for (const s of rows) {
      const id = idOf(s);
      const v = s.values[0];
      if (!id || !v) continue;
      const c = (n: string) => v[s.columns.indexOf(n)];
      const tags: SampleTags = {
        tier: (c('tier') ?? '') as SampleTags['tier'],
        district: (c('district') ?? '') as string,
        carrier: (c('carrier') ?? '') as SampleTags['carrier'],
      };
      if (id.instance) tags.instance = id.instance;
      if (id.probe) tags.probe = id.probe;
      out.push({
        time: c('time') as number,
        site: id.site,
        device: id.device,
        metric: id.metric,
        value: c('value') as number,
        tags,
      });
    }
    return out.sort(compareSeries);
  }

  async seriesForSite(site: string): Promise<SeriesId[]> {
    // from the series index (no data read); a series whose points have all expired may still be listed
    const rows = await this.select(`SHOW SERIES WHERE "site" = ${influxEscape.stringLit(site)}`);
    const seen = new Map<string, SeriesId>();
    for (const s of rows) {
      for (const [key] of s.values as [string][]) {
        const id = parseSeriesKey(key);
        if (id && id.site === site) seen.set(JSON.stringify(id), id);
      }
    }
    return [...seen.values()].sort(compareSeries);
  }

  health(): StoreHealth {
    return {
      kind: 'influxdb',
      ok: !this.failing && !this.spoolFull,
      spooled: this.spool.stats().points,
      lastError: this.lastError,
      lastWriteMs: this.lastWriteMs,
      spoolFull: this.spoolFull,
      droppedPoints: this.droppedPoints,
    };
  }

  /** Sends what is buffered (or spools it) and stops; the spool is replayed by the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    await this.flush();
    this.closed = true;
    await this.serial(async () => {});
    this.spool.close();
  }
}

const ID_TAGS = '"site", "device", "instance", "probe"';

interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}
interface RawResponse {
  results?: { statement_id?: number; error?: string; series?: InfluxSeries[] }[];
  error?: string;
}

function checkErrors(res: RawResponse): void {
  if (res.error) throw new Error(`InfluxDB: ${res.error}`);
  for (const r of res.results ?? []) if (r.error) throw new Error(`InfluxDB: ${r.error}`);
}

function idOf(s: InfluxSeries): SeriesId | null {
  if (!isMetricName(s.name)) return null;
  const t = s.tags ?? {};
  if (!t.site || !t.device) return null;
  return seriesId(s.name, t.site, t.device, t.instance, t.probe);
}

/** `rtt_ms,carrier=vnpt,device=xa-a:codec,site=xa-a,tier=commune` → the series identity */
export function parseSeriesKey(key: string): SeriesId | null {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    if (c === '\\' && i + 1 < key.length) {
      cur += key[++i];
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  const [metric, ...pairs] = parts;
  const tags: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq > 0) tags[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return idOf({ name: metric!, tags, columns: [], values: [] });
}

function escMeasurement(s: string): string {
  return s.replace(/[, ]/g, '\\$&');
}
function escTag(s: string): string {
  return s.replace(/[,= ]/g, '\\$&');
}
function escapeId(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
}
