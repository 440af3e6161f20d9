// Metrics storage benchmark: for each adapter (embedded SQLite, a real influxd)
//  1. sustained write throughput while loading a week of 120-site data through the store's
//     ordinary write path (points/s),
//  2. the CPU cost of the network's real load (120 sites × 20 metrics every 10 s) as a share of
//     one core — diemcau's process, and influxd's own beside it,
//  3. 24-hour-range query times for one site with that week stored (medians).
// Sizes from the environment: BENCH_DAYS (7), BENCH_STEP_S (60), BENCH_METRICS (3), BENCH_ROUNDS (60).
//
//   node --import tsx bench/storage.ts       # prints a markdown table
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { Sample } from '../core/bus.ts';
import { METRIC_NAMES, type MetricName } from '../core/metrics.ts';
import type { MetricsStore } from '../core/ports.ts';
import { createMetricsStore } from '../storage/metrics/index.ts';
import { type Influxd, startInfluxd } from '../test/helpers/influxd.ts';
import { storeConfig } from '../test/helpers/metrics.ts';
import type { BenchOutput, Target } from './results.ts';

const SITES = 120;
const REAL_METRICS = 20;
const REAL_INTERVAL_S = 10;
const BATCH = 5000;

interface Result {
  adapter: string;
  points: number;
  series: number;
  writeS: number;
  cpuShare: number;
  dbCpuShare: number | null;
  rawMs: number;
  aggMs: number;
  siteMs: number;
  latestMs: number;
  /** disk bytes per stored point (SQLite only) */
  bytesPerPoint: number | null;
}

const env = (name: string, dflt: number) => Number(process.env[name] ?? dflt);

function siteName(i: number): string {
  return `xa-${String(i).padStart(3, '0')}`;
}

function* weekBatches(start: number, end: number, stepMs: number, metrics: readonly MetricName[]) {
  let batch: Sample[] = [];
  for (let t = start; t < end; t += stepMs) {
    for (let s = 0; s < SITES; s++) {
      const site = siteName(s);
      const tags = {
        tier: 'commune' as const,
        district: `d${s % 8}`,
        carrier: s % 2 ? ('vnpt' as const) : ('viettel' as const),
      };
      for (let m = 0; m < metrics.length; m++) {
        const metric = metrics[m]!;
        batch.push({
          time: t,
          site,
          device: `${site}:codec`,
          metric,
          value: ((t / stepMs + s + m) % 97) + 0.5,
          tags,
        });
        if (batch.length === BATCH) {
          yield batch;
          batch = [];
        }
      }
    }
  }
  if (batch.length) yield batch;
}

function realRound(t: number): Sample[] {
  const out: Sample[] = [];
  const metrics = METRIC_NAMES.slice(0, REAL_METRICS);
  for (let s = 0; s < SITES; s++) {
    const site = siteName(s);
    const tags = { tier: 'commune' as const, district: `d${s % 8}`, carrier: 'vnpt' as const };
    for (const metric of metrics)
      out.push({ time: t, site, device: `${site}:codec`, metric, value: (t + s) % 50, tags });
  }
  return out;
}

/** Bytes of every file under a folder. */
function folderBytes(path: string): number {
  let n = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    n += e.isDirectory() ? folderBytes(p) : statSync(p).size;
  }
  return n;
}

/** CPU seconds (user+system) of another process, from /proc. */
function procCpuS(pid: number | null): number {
  if (pid === null) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

async function median(n: number, f: () => Promise<unknown>): Promise<number> {
  await f(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(n / 2)]!;
}

async function benchOne(kind: 'sqlite' | 'influxdb', dir: string, influxd: Influxd | null): Promise<Result> {
  const days = env('BENCH_DAYS', 7);
  const stepMs = env('BENCH_STEP_S', 60) * 1000;
  const metrics = METRIC_NAMES.slice(0, env('BENCH_METRICS', 3));
  const rounds = env('BENCH_ROUNDS', 60);
  const log = pino({ level: 'warn' });
  const config = storeConfig({
    dataDir: join(dir, kind),
    influxUrl: influxd?.url,
    database: 'bench',
    rawRetention: `${days + 2}d`,
    sqliteRetention: `${days + 2}d`,
    batchSize: BATCH,
    flushInterval: '1s',
  });
  const store: MetricsStore = await createMetricsStore({ config, log });
  const end = Math.floor((Date.now() - rounds * REAL_INTERVAL_S * 1000) / stepMs) * stepMs;
  const start = end - days * 86400_000;

  // 1. a week through the ordinary write path; flush every batch: one write in flight, no unbounded buffer
  let points = 0;
  const t0 = performance.now();
  for (const batch of weekBatches(start, end, stepMs, metrics)) {
    store.write(batch);
    await store.flush();
    points += batch.length;
  }
  const writeS = (performance.now() - t0) / 1000;
  if (store.health().spooled > 0) throw new Error(`${kind}: points went to the spool during the bench`);

  // 2. the real load: one poll round of the whole network, written and flushed, back to back
  const cpu0 = process.cpuUsage();
  const db0 = procCpuS(influxd?.pid() ?? null);
  for (let r = 0; r < rounds; r++) {
    store.write(realRound(end + r * REAL_INTERVAL_S * 1000));
    await store.flush();
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuPerRound = (cpu.user + cpu.system) / 1e6 / rounds;
  const dbPerRound = influxd ? (procCpuS(influxd.pid()) - db0) / rounds : null;

  // 3. 24-hour queries for one site, with the week stored
  const to = end;
  const from = to - 86400_000;
  const site = siteName(57);
  const rawMs = await median(15, () => store.raw({ metric: metrics[0]!, site, from, to }));
  const aggMs = await median(15, () =>
    store.aggregate({ metric: metrics[0]!, site, from, to, bucketMs: 300_000 }),
  );
  const siteMs = await median(15, async () => {
    for (const s of await store.seriesForSite(site)) {
      await store.aggregate({ metric: s.metric, site, device: s.device, from, to, bucketMs: 300_000 });
    }
  });
  const latestMs = await median(15, () => store.latest({ site }));
  const check = await store.raw({ metric: metrics[0]!, site, from, to });
  if (check[0]?.points.length !== 86400_000 / stepMs) {
    throw new Error(
      `${kind}: 24-hour query returned ${check[0]?.points.length} points, expected ${86400_000 / stepMs}`,
    );
  }
  await store.close();
  const stored = points + rounds * SITES * REAL_METRICS;
  return {
    adapter: kind,
    // SQLite's file after close (the WAL checkpointed into it); InfluxDB's own files are its business
    bytesPerPoint: kind === 'sqlite' ? folderBytes(join(dir, kind)) / stored : null,
    points,
    series: SITES * metrics.length,
    writeS,
    cpuShare: cpuPerRound / REAL_INTERVAL_S,
    dbCpuShare: dbPerRound === null ? null : dbPerRound / REAL_INTERVAL_S,
    rawMs,
    aggMs,
    siteMs,
    latestMs,
  };
}

export async function benchStorage(): Promise<BenchOutput> {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-bench-storage-'));
  let influxd: Influxd | null = null;
  const results: Result[] = [];
  try {
    results.push(await benchOne('sqlite', dir, null));
    influxd = await startInfluxd();
    results.push(await benchOne('influxdb', dir, influxd));
  } finally {
    await influxd?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const days = env('BENCH_DAYS', 7);
  const step = env('BENCH_STEP_S', 60);
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const rows = results.map((r) =>
    [
      r.adapter,
      `${Math.round(r.points / r.writeS).toLocaleString('en-US')}`,
      pct(r.cpuShare) + (r.dbCpuShare === null ? '' : ` (+ influxd ${pct(r.dbCpuShare)})`),
      ms(r.rawMs),
      ms(r.aggMs),
      ms(r.siteMs),
      ms(r.latestMs),
      r.bytesPerPoint === null ? '—' : r.bytesPerPoint.toFixed(1),
    ].join(' | '),
  );
  const first = results[0]!;
  const targets: Target[] = results.flatMap((r) => [
    {
      target: `${r.adapter}: ≥ 50,000 points/s sustained write`,
      measured: `${Math.round(r.points / r.writeS).toLocaleString('en-US')} points/s`,
      met: r.points / r.writeS >= 50_000,
    },
    {
      target: `${r.adapter}: the real load (${SITES} sites × ${REAL_METRICS} metrics every ${REAL_INTERVAL_S} s) < 5 % of one core`,
      measured: pct(r.cpuShare + (r.dbCpuShare ?? 0)) + (r.dbCpuShare === null ? '' : ' with influxd'),
      met: r.cpuShare + (r.dbCpuShare ?? 0) < 0.05,
    },
  ]);
  const markdown = [
    `Metrics storage: ${first.points.toLocaleString('en-US')} points loaded (${days} days × ${SITES} sites × ${
      first.series / SITES
    } metrics every ${step} s, ${first.series} series), then the real load (${SITES} sites × ${REAL_METRICS} metrics every ${REAL_INTERVAL_S} s).`,
    '',
    '| adapter | sustained write (points/s) | CPU of the real load (one core) | 24 h raw, 1 series | 24 h 5-min aggregate, 1 series | 24 h site view (all series, 5-min) | latest, 1 site | disk bytes per point |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
  return { markdown, targets, complete: true };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  benchStorage().then(
    (out) => {
      process.stdout.write(`${out.markdown}\n(${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
