// SQLite adapter specifics and the storage service: pruning, the index a range query uses,
// samples from the bus landing in the store, health metrics.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { Bus } from '../../core/bus.ts';
import { log } from '../../core/log.ts';
import type { Runtime } from '../../core/runtime.ts';
import { sample, storeConfig } from '../../test/helpers/metrics.ts';
import { createMetricsStore, SqliteMetricsStore, startStorage } from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'diemcau-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('SQLite metrics store', () => {
  it('prunes points older than the retention and keeps the rest', async () => {
    const store = new SqliteMetricsStore({ file: join(root, 'prune.db'), retentionMs: 86400_000, log });
    const now = Date.now();
    store.write([
      sample('rtt_ms', 'xa-a', now - 3 * 86400_000, 1),
      sample('rtt_ms', 'xa-a', now - 2 * 86400_000, 2),
      sample('rtt_ms', 'xa-a', now - 1000, 3),
    ]);
    expect(store.prune(now)).toBe(2);
    const raw = await store.raw({ metric: 'rtt_ms', from: 0, to: now + 1 });
    expect(raw[0]!.points.map((p) => p.value)).toEqual([3]);
    await store.close();
  });

  it('writes the batches of one turn of the event loop in one transaction, and what is pending on close', async () => {
    const registry = new Registry();
    const file = join(root, 'burst.db');
    const store = new SqliteMetricsStore({ file, retentionMs: 86400_000, log, registry });
    const t = Date.now();
    for (let i = 0; i < 5; i++) store.write([sample('rtt_ms', `xa-${i}`, t, i)]);
    await new Promise((r) => setImmediate(r));
    const text = await registry.metrics();
    expect(text).toMatch(/diemcau_storage_write_seconds_count\{backend="sqlite"\} 1\n/);
    expect(text).toMatch(/diemcau_storage_points_written_total\{backend="sqlite"\} 5\n/);
    store.write([sample('rtt_ms', 'xa-0', t + 10_000, 7)]);
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT value FROM points ORDER BY time DESC LIMIT 1').pluck().get()).toBe(7);
    db.close();
  });

  describe('when SQLite refuses writes (database full)', () => {
    /**
     * Makes the database full the way a full disk does for SQLite (SQLITE_FULL, "database or disk is
     * full"), through its own page limit; returns a function that gives the room back.
     */
    const fill = (store: SqliteMetricsStore) => {
      const db = (store as unknown as { db: Database.Database }).db;
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
      return () => db.pragma('max_page_count = 1073741823');
    };
    const batch = (t: number, n: number) =>
      Array.from({ length: n }, (_, i) => sample('rtt_ms', `xa-${i}`, t, i));

    it('keeps the points in memory while SQLite refuses them and writes them all when space returns', async () => {
      const registry = new Registry();
      const store = new SqliteMetricsStore({
        file: join(root, 'full.db'),
        retentionMs: 86400_000 * 30,
        log,
        registry,
        retryMs: 50,
      });
      const free = fill(store);
      const t = Date.now() - 600_000;
      for (let k = 0; k < 20; k++) store.write(batch(t + k * 10_000, 100));
      await new Promise((r) => setImmediate(r));
      expect(store.health()).toMatchObject({ ok: false, spooled: 2000 });
      expect(store.health().lastError).toMatch(/full/i);
      store.write(batch(t + 200_000, 100));
      free();
      await expect.poll(() => store.health().ok, { timeout: 5000, interval: 20 }).toBe(true);
      expect(store.health().spooled).toBe(0);
      const series = await store.raw({ metric: 'rtt_ms', from: 0, to: Date.now() });
      expect(series).toHaveLength(100);
      expect(series.every((s) => s.points.length === 21)).toBe(true);
      expect(await registry.metrics()).toMatch(
        /diemcau_storage_points_written_total\{backend="sqlite"\} 2100\n/,
      );
      await store.close();
    });

    it('keeps at most maxPendingPoints, dropping the oldest, and says so', async () => {
      const registry = new Registry();
      const store = new SqliteMetricsStore({
        file: join(root, 'bounded.db'),
        retentionMs: 86400_000 * 30,
        log,
        registry,
        retryMs: 50,
        maxPendingPoints: 250,
      });
      const free = fill(store);
      const t = Date.now() - 600_000;
      for (let k = 0; k < 5; k++) store.write(batch(t + k * 10_000, 100));
      await new Promise((r) => setImmediate(r));
      expect(store.health()).toMatchObject({ ok: false, spooled: 200 });
      const text = await registry.metrics();
      expect(text).toMatch(/diemcau_storage_spool_dropped_points_total\{backend="sqlite"\} 300\n/);
      expect(text).toMatch(/diemcau_storage_spool_points\{backend="sqlite"\} 200\n/);
      expect(text).toMatch(/diemcau_storage_spool_full\{backend="sqlite"\} 1\n/);
      free();
      await expect.poll(() => store.health().ok, { timeout: 5000, interval: 20 }).toBe(true);
      expect(await registry.metrics()).toMatch(/diemcau_storage_spool_full\{backend="sqlite"\} 0\n/);
      const series = await store.raw({ metric: 'rtt_ms', from: 0, to: Date.now() });
      // the newest two rounds survive
      expect(series[0]!.points.map((p) => p.time)).toEqual([t + 30_000, t + 40_000]);
      await store.close();
    });
  });

  it('answers a one-site range query from the (series, time) primary key, not a scan', async () => {
    const file = join(root, 'plan.db');
    const store = new SqliteMetricsStore({ file, retentionMs: 86400_000 * 30, log });
    store.write([sample('rtt_ms', 'xa-a', Date.now(), 1)]);
    await store.close();
    const db = new Database(file, { readonly: true });
    const plan = db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT time, value FROM points WHERE series_id = ? AND time >= ? AND time < ? ORDER BY time',
      )
      .all(1, 0, 1) as { detail: string }[];
    const series = db
      .prepare('EXPLAIN QUERY PLAN SELECT * FROM series WHERE site = ? AND metric = ?')
      .all('xa-a', 'rtt_ms') as { detail: string }[];
    db.close();
    expect(plan.map((p) => p.detail).join('; ')).toMatch(
      /SEARCH points USING PRIMARY KEY \(series_id=\? AND time>\? AND time<\?\)/,
    );
    expect(series.map((p) => p.detail).join('; ')).toMatch(/USING INDEX/);
  });

  it('is the default: data_dir/metrics.db, exposing its health as prom-client metrics', async () => {
    const dataDir = join(root, 'default');
    const registry = new Registry();
    const store = await createMetricsStore({ config: storeConfig({ dataDir }), log, registry });
    store.write([sample('rtt_ms', 'xa-a', Date.now(), 5), sample('rtt_ms', 'xa-a', Date.now(), Number.NaN)]);
    await store.flush();
    expect(store.health()).toMatchObject({ kind: 'sqlite', ok: true, spooled: 0, lastError: null });
    const text = await registry.metrics();
    expect(text).toMatch(/diemcau_storage_points_written_total\{backend="sqlite"\} 1\b/);
    expect(text).toMatch(/diemcau_storage_points_rejected_total\{backend="sqlite"\} 1\b/);
    expect(text).toMatch(/diemcau_storage_write_seconds_count\{backend="sqlite"\} 1\b/);
    await store.close();
    const db = new Database(join(dataDir, 'metrics.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM points').get()).toEqual({ n: 1 });
    db.close();
  });
});

describe('health metrics', () => {
  it('lets a second store register on the same registry (shared metrics, no throw)', async () => {
    const registry = new Registry();
    const a = new SqliteMetricsStore({ file: join(root, 'reg-a.db'), retentionMs: 86400_000, log, registry });
    const b = new SqliteMetricsStore({ file: join(root, 'reg-b.db'), retentionMs: 86400_000, log, registry });
    a.write([sample('rtt_ms', 'xa-a', Date.now(), 1)]);
    b.write([sample('rtt_ms', 'xa-a', Date.now(), 1)]);
    await Promise.all([a.flush(), b.flush()]);
    expect(await registry.metrics()).toMatch(/diemcau_storage_points_written_total\{backend="sqlite"\} 2\b/);
    await a.close();
    await b.close();
  });
});

describe('startStorage', () => {
  it('stores every batch published on the bus, and stops listening when stopped', async () => {
    const dataDir = join(root, 'service');
    const bus = new Bus();
    const rt = { config: storeConfig({ dataDir }), bus, log, registry: new Registry() } as unknown as Runtime;
    const svc = await startStorage(rt);
    expect(svc.name).toBe('storage');
    const t = Date.now() - 60_000;
    bus.publish([sample('in_call', 'xa-a', t, 1), sample('in_call', 'xa-b', t, 0)]);
    bus.publish([sample('in_call', 'xa-a', t + 10_000, 0)]);
    await svc.store.flush();
    const latest = await svc.store.latest({ metric: 'in_call' });
    expect(latest.map((s) => [s.site, s.value])).toEqual([
      ['xa-a', 0],
      ['xa-b', 0],
    ]);
    await svc.stop();
    bus.publish([sample('in_call', 'xa-a', t + 20_000, 1)]); // no subscriber any more: must not throw

    const reopened = await createMetricsStore({ config: rt.config, log });
    const raw = await reopened.raw({ metric: 'in_call', site: 'xa-a', from: t, to: t + 60_000 });
    expect(raw[0]!.points.map((p) => p.value)).toEqual([1, 0]);
    await reopened.close();
  });
});
