// InfluxDB adapter specifics, against a real influxd: database, retention policies and continuous
// query; the spool through an outage; the bounded spool's alarm; and the kill test (influxd stopped
// mid-stream, the writer process killed and restarted, influxd restarted: every sample exactly once).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { InfluxDB } from 'influx';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { log } from '../../core/log.ts';
import type { MetricsStore } from '../../core/ports.ts';
import { freePort, type Influxd, startInfluxd } from '../../test/helpers/influxd.ts';
import { sample, storeConfig, writerSample } from '../../test/helpers/metrics.ts';
import { createMetricsStore } from './index.ts';
import { InfluxMetricsStore } from './influx.ts';

const root = mkdtempSync(join(tmpdir(), 'diemcau-influx-'));
let influxd: Influxd;
const stores: MetricsStore[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of stores) await s.close().catch(() => {});
  await influxd?.stop();
  rmSync(root, { recursive: true, force: true });
});

const open = async (name: string, more: Partial<Parameters<typeof storeConfig>[0]> = {}) => {
  const registry = new Registry();
  const config = storeConfig({ dataDir: join(root, name), influxUrl: influxd.url, database: name, ...more });
  const store = await createMetricsStore({ config, log, registry });
  stores.push(store);
  return { store, registry, config };
};

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const v = await f().catch((err) => {
      last = err;
      return undefined;
    });
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last error: ${last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('InfluxDB metrics store', () => {
  it('creates its database, the raw (default) and 1-minute rollup policies, and the rollup query', async () => {
    await open('setup', { rawRetention: '2h' });
    const admin = new InfluxDB({ host: '127.0.0.1', port: Number(new URL(influxd.url).port) });
    expect(await admin.getDatabaseNames()).toContain('setup');
    const rps = await admin.showRetentionPolicies('setup');
    expect(rps.find((r) => r.name === 'raw')).toMatchObject({ duration: '2h0m0s', default: true });
    expect(rps.find((r) => r.name === 'rollup_1m')).toMatchObject({ duration: '9600h0m0s', default: false });
    const cqs = await admin.showContinousQueries('setup');
    expect(cqs.map((c) => c.name)).toEqual(['rollup_1m_setup']);
    expect(cqs[0]!.query).toMatch(/RESAMPLE EVERY 1m FOR 10m/);
    // a second start with another retention alters the policy instead of failing
    await open('setup', { rawRetention: '3h' });
    const again = await admin.showRetentionPolicies('setup');
    expect(again.find((r) => r.name === 'raw')).toMatchObject({ duration: '3h0m0s', default: true });
  });

  it('fills the rollups (continuous query and backfill) and answers from them past the raw retention', async () => {
    const { store } = await open('rollup', { rawRetention: '1h' });
    const influx = store as InfluxMetricsStore;
    const now = Date.now();
    const t0 = Math.floor((now - 40 * 60_000) / 600_000) * 600_000; // whole 10 minutes, ≤ 50 min ago
    const batch = [];
    for (let i = 0; i < 120; i++) batch.push(sample('rtt_ms', 'xa-a', t0 + i * 5000, (i % 12) + 1));
    store.write(batch);
    await store.flush();
    await influx.rollup(t0, t0 + 600_000);
    // from two hours ago: past the 1 h raw retention, so answered from the rollup policy
    const agg = await store.aggregate({
      metric: 'rtt_ms',
      site: 'xa-a',
      from: now - 2 * 3600_000,
      to: now,
      bucketMs: 600_000,
    });
    expect(agg).toHaveLength(1);
    expect(agg[0]!.buckets).toHaveLength(1);
    expect(agg[0]!.buckets[0]).toMatchObject({ time: t0, min: 1, max: 12, count: 120 });
    expect(agg[0]!.buckets[0]!.mean).toBeCloseTo(6.5, 9);
    const raw = await store.raw({ metric: 'rtt_ms', site: 'xa-a', from: now - 2 * 3600_000, to: now });
    expect(raw[0]!.points).toHaveLength(10); // one mean per minute
    expect(raw[0]!.points[0]).toEqual({ time: t0, value: 6.5 });

    // the continuous query itself: points from the last minutes appear in the rollup on their own
    const t1 = Math.floor((Date.now() - 3 * 60_000) / 60_000) * 60_000;
    store.write([sample('jitter_ms', 'xa-a', t1, 4), sample('jitter_ms', 'xa-a', t1 + 1000, 6)]);
    await store.flush();
    const rolled = await until(
      'the continuous query to fill the rollup',
      async () => {
        const a = await store.aggregate({
          metric: 'jitter_ms',
          from: now - 2 * 3600_000,
          to: Date.now(),
          bucketMs: 60_000,
        });
        return a[0]?.buckets.find((b) => b.time === t1);
      },
      100_000,
    );
    expect(rolled).toMatchObject({ mean: 5, min: 4, max: 6, count: 2 });
  }, 120_000);

  it('spools while InfluxDB is down and replays in order when it returns, each point once', async () => {
    const { store, registry } = await open('outage', { batchSize: 100, flushInterval: '100ms' });
    const t0 = Date.now() - 3600_000;
    const s = (i: number) => sample('loss_pct', 'xa-a', t0 + i * 1000, i);
    store.write(Array.from({ length: 100 }, (_, i) => s(i)));
    await store.flush();
    expect(store.health()).toMatchObject({ ok: true, spooled: 0 });

    await influxd.kill();
    for (let k = 1; k <= 5; k++) {
      store.write(Array.from({ length: 100 }, (_, i) => s(k * 100 + i)));
      await store.flush();
    }
    const h = store.health();
    expect(h.ok).toBe(false);
    expect(h.spooled).toBeGreaterThanOrEqual(500);
    expect(h.lastError).toBeTruthy();
    expect(await registry.metrics()).toMatch(/diemcau_storage_spool_points\{backend="influxdb"\} [1-9]\d{2}/);
    expect(await registry.metrics()).toMatch(/diemcau_storage_up\{backend="influxdb"\} 0/);

    await influxd.start();
    store.write(Array.from({ length: 100 }, (_, i) => s(600 + i)));
    await until('the spool to drain', async () => store.health().spooled === 0 && store.health().ok);
    await store.flush();
    const raw = await store.raw({ metric: 'loss_pct', from: t0, to: t0 + 3600_000 });
    expect(raw[0]!.points.map((p) => p.value)).toEqual(Array.from({ length: 700 }, (_, i) => i));
    expect(await registry.metrics()).toMatch(/diemcau_storage_spool_points\{backend="influxdb"\} 0/);
  });

  it('treats a frozen (slow) InfluxDB like a down one: spools after the write timeout, replays after', async () => {
    const store = new InfluxMetricsStore({
      url: influxd.url,
      database: 'slow',
      rawRetention: '7d',
      rollupRetention: '400d',
      batchSize: 100,
      flushIntervalMs: 100,
      spoolDir: join(root, 'slow', 'spool'),
      spoolMaxBytes: 10 * 1024 * 1024,
      log,
      writeTimeoutMs: 300,
      retryMs: 200,
    });
    stores.push(store);
    await store.start();
    const t0 = Date.now() - 3600_000;
    const s = (i: number) => sample('jitter_ms', 'xa-a', t0 + i * 1000, i);
    store.write(Array.from({ length: 100 }, (_, i) => s(i)));
    await store.flush();
    process.kill(influxd.pid()!, 'SIGSTOP');
    try {
      store.write(Array.from({ length: 100 }, (_, i) => s(100 + i)));
      await store.flush();
      expect(store.health()).toMatchObject({ ok: false, spooled: 100 });
      expect(store.health().lastError).toMatch(/timeout|abort/i);
    } finally {
      process.kill(influxd.pid()!, 'SIGCONT');
    }
    await until('the spool to drain', async () => store.health().spooled === 0 && store.health().ok);
    const raw = await store.raw({ metric: 'jitter_ms', from: t0, to: t0 + 3600_000 });
    expect(raw[0]!.points.map((p) => p.value)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('sets the database up again when it is dropped under a running store, losing nothing new', async () => {
    const { store } = await open('dropped', { batchSize: 100, flushInterval: '100ms' });
    const admin = new InfluxDB({ host: '127.0.0.1', port: Number(new URL(influxd.url).port) });
    await admin.dropDatabase('dropped');
    const t0 = Date.now() - 3600_000;
    store.write(Array.from({ length: 50 }, (_, i) => sample('mos', 'xa-a', t0 + i * 1000, i)));
    await store.flush();
    await until('the spool to drain', async () => store.health().spooled === 0 && store.health().ok);
    expect(await admin.getDatabaseNames()).toContain('dropped');
    const raw = await store.raw({ metric: 'mos', from: t0, to: t0 + 3600_000 });
    expect(raw[0]!.points).toHaveLength(50);
  });

  it('bounds the spool: past its size it drops the oldest points and raises the alarm', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    const registry = new Registry();
    const lines: string[] = [];
    const { default: pino } = await import('pino');
    const alarmLog = pino({ level: 'error' }, { write: (l: string) => lines.push(l) });
    const config = storeConfig({
      dataDir: join(root, 'full'),
      influxUrl: dead,
      spoolMaxMb: 0.05,
      batchSize: 100,
    });
    const store = await createMetricsStore({ config, log: alarmLog, registry });
    stores.push(store);
    const t0 = Date.now() - 3600_000;
    for (let k = 0; k < 20; k++) {
      store.write(
        Array.from({ length: 100 }, (_, i) => sample('rtt_ms', 'xa-a', t0 + (k * 100 + i) * 1000, i)),
      );
      await store.flush();
    }
    const h = store.health();
    expect(h.spoolFull).toBe(true);
    expect(h.ok).toBe(false);
    expect(h.droppedPoints).toBeGreaterThan(0);
    expect(h.spooled + h.droppedPoints!).toBe(2000);
    expect(h.lastError).toMatch(/spool full/);
    const dirBytes = readdirSync(join(root, 'full', 'spool', 'influxdb')).length;
    expect(dirBytes).toBeGreaterThan(0);
    const text = await registry.metrics();
    expect(text).toMatch(/diemcau_storage_spool_full\{backend="influxdb"\} 1/);
    expect(text).toMatch(/diemcau_storage_spool_dropped_points_total\{backend="influxdb"\} [1-9]/);
    const bytes = Number(/diemcau_storage_spool_bytes\{backend="influxdb"\} (\d+)/.exec(text)![1]);
    expect(bytes).toBeLessThanOrEqual(0.05 * 1024 * 1024);
    expect(lines.some((l) => /ALARM metrics spool full/.test(l))).toBe(true);
  });

  it('writes anyway, without rollups, to an InfluxDB that answers but refuses the setup (2.x, no admin)', async () => {
    const { createServer } = await import('node:http');
    const writes: string[] = [];
    const srv = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        if (req.url?.startsWith('/ping')) res.writeHead(204).end();
        else if (req.url?.startsWith('/write')) {
          writes.push(`${req.url}\n${body}`);
          res.writeHead(204).end();
        } else res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"forbidden"}');
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const port = (srv.address() as { port: number }).port;
      const config = storeConfig({
        dataDir: join(root, 'v2'),
        influxUrl: `http://127.0.0.1:${port}`,
        database: 'v2',
      });
      const store = await createMetricsStore({ config, log });
      stores.push(store);
      store.write([sample('rtt_ms', 'xa-a', 1_700_000_000_000, 12.5)]);
      await store.flush();
      expect(store.health()).toMatchObject({ ok: true, spooled: 0 });
      expect(writes).toEqual([
        '/write?db=v2&rp=raw&precision=ms\nrtt_ms,carrier=vnpt,device=xa-a:codec,district=cho-don,site=xa-a,tier=commune value=12.5 1700000000000',
      ]);
      await store.close();
    } finally {
      srv.close();
    }
  });

  it('kill test: influxd stopped mid-stream, writer killed and restarted, influxd back: every sample exactly once', async () => {
    const script = fileURLToPath(new URL('../../test/helpers/metrics-writer.ts', import.meta.url));
    const dataDir = join(root, 'kill');
    const t0 = Date.now() - 2 * 3600_000;
    const base = { url: influxd.url, database: 'kill', dataDir, batch: 250, pauseMs: 5, t0 };

    const run = (from: number, count: number) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        env: { ...process.env, WRITER: JSON.stringify({ ...base, from, count }) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      const msgs: Record<string, unknown>[] = [];
      const waiters: (() => void)[] = [];
      createInterface({ input: child.stdout! }).on('line', (l) => {
        msgs.push(JSON.parse(l));
        for (const w of waiters.splice(0)) w();
      });
      const wait = (pred: (m: Record<string, unknown>) => boolean) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const check = () => {
            const m = msgs.find(pred);
            if (m) return resolve(m);
            if (child.exitCode !== null) return reject(new Error(`writer exited ${child.exitCode}`));
            waiters.push(check);
          };
          child.once('exit', () => check());
          check();
        });
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      return { child, wait, exited };
    };

    // writer A: influxd goes away after 3000 acknowledged samples; A keeps writing (to its spool)
    const a = run(0, 12_000);
    await a.wait((m) => Number(m.acked) >= 3000);
    await influxd.kill();
    const doneA = await a.wait((m) => m.done === true);
    expect(doneA.spooled).toBeGreaterThan(0);
    a.child.kill('SIGKILL'); // a crash, not a clean stop: only what flush() acknowledged counts
    await a.exited;

    // writer B starts while influxd is still down: finds A's spool, adds behind it
    const b = run(12_000, 3000);
    await b.wait((m) => m.done === true);
    await influxd.start();
    await b.wait((m) => m.spooled === 0 && m.ok === true);
    b.child.kill('SIGTERM');
    await b.exited;
    expect(b.child.exitCode).toBe(0);

    const admin = new InfluxDB({
      host: '127.0.0.1',
      port: Number(new URL(influxd.url).port),
      database: 'kill',
    });
    const counted = await admin.queryRaw('SELECT count(value) FROM raw.rtt_ms');
    expect(counted.results[0].series[0].values[0][1]).toBe(15_000);
    const reader = (await open('kill-reader', { database: 'kill' })).store;
    const raw = await reader.raw({ metric: 'rtt_ms', from: t0, to: t0 + 3600_000 });
    const seen = new Map<number, number>();
    for (const s of raw) {
      for (const p of s.points) {
        const want = writerSample(t0, p.value);
        expect([s.site, p.time]).toEqual([want.site, want.time]);
        seen.set(p.value, (seen.get(p.value) ?? 0) + 1);
      }
    }
    expect(seen.size).toBe(15_000);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(readdirSync(join(dataDir, 'spool', 'influxdb'))).toEqual([]);
  }, 180_000);
});
