// One contract suite, run unchanged against both adapters: embedded SQLite and a real influxd.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/config.ts';
import { log } from '../../core/log.ts';
import type { MetricsStore } from '../../core/ports.ts';
import { type Influxd, startInfluxd } from '../../test/helpers/influxd.ts';
import { sample, storeConfig } from '../../test/helpers/metrics.ts';
import { createMetricsStore } from './index.ts';

interface Adapter {
  name: 'sqlite' | 'influxdb';
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** the same config each time for the same `id`: a fresh store per test, reopenable */
  config(id: string): Config;
}

const root = mkdtempSync(join(tmpdir(), 'diemcau-contract-'));
let influxd: Influxd | null = null;

const adapters: Adapter[] = [
  {
    name: 'sqlite',
    setup: async () => {},
    teardown: async () => {},
    config: (id) => storeConfig({ dataDir: join(root, 'sqlite', id) }),
  },
  {
    name: 'influxdb',
    setup: async () => {
      influxd = await startInfluxd();
    },
    teardown: async () => {
      await influxd?.stop();
    },
    config: (id) =>
      storeConfig({
        dataDir: join(root, 'influx', id),
        influxUrl: influxd!.url,
        database: `contract_${id.replace(/\W/g, '_')}`,
      }),
  },
];

afterAll(() => rmSync(root, { recursive: true, force: true }));

const HOUR = 3600_000;
// whole hours, recent enough for the raw data of both adapters
const T0 = Math.floor((Date.now() - 5 * HOUR) / HOUR) * HOUR;

describe.each(adapters)('MetricsStore contract: $name', (adapter) => {
  const open: MetricsStore[] = [];
  let n = 0;
  let id = '';
  const store = async (reuse = false): Promise<MetricsStore> => {
    if (!reuse) id = `t${++n}`;
    const s = await createMetricsStore({ config: adapter.config(id), log, registry: new Registry() });
    open.push(s);
    return s;
  };

  beforeAll(() => adapter.setup());
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  afterAll(() => adapter.teardown());

  it('returns written points per series, in time order, from inclusive and to exclusive', async () => {
    const s = await store();
    const batch = [];
    for (let i = 0; i < 30; i++) batch.push(sample('rtt_ms', 'xa-a', T0 + i * 10_000, 20 + i));
    batch.reverse(); // arrival order does not matter
    s.write(batch);
    s.write([sample('rtt_ms', 'xa-b', T0, 99), sample('loss_pct', 'xa-a', T0, 1.5)]);
    await s.flush();

    const got = await s.raw({ metric: 'rtt_ms', site: 'xa-a', from: T0 + 10_000, to: T0 + 100_000 });
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ site: 'xa-a', device: 'xa-a:codec', metric: 'rtt_ms' });
    expect(got[0]!.points.map((p) => p.time)).toEqual(
      Array.from({ length: 9 }, (_, i) => T0 + (i + 1) * 10_000),
    );
    expect(got[0]!.points.map((p) => p.value)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29]);

    const all = await s.raw({ metric: 'rtt_ms', from: T0, to: T0 + HOUR });
    expect(all.map((x) => [x.site, x.points.length])).toEqual([
      ['xa-a', 30],
      ['xa-b', 1],
    ]);
    expect(await s.raw({ metric: 'rtt_ms', site: 'xa-a', from: T0 - HOUR, to: T0 })).toEqual([]);
  });

  it('keeps instances and probes apart, and filters by them', async () => {
    const s = await store();
    s.write([
      sample('if_in_bps', 'xa-a', T0, 100, { device: 'xa-a:router', tags: { instance: 'wan0' } }),
      sample('if_in_bps', 'xa-a', T0, 200, { device: 'xa-a:router', tags: { instance: 'lan0' } }),
      sample('rtt_ms', 'xa-a', T0, 30, { device: 'xa-a:icmp', tags: { probe: 'icmp' } }),
      sample('rtt_ms', 'xa-a', T0, 35, { device: 'xa-a:rtp', tags: { probe: 'rtp' } }),
    ]);
    await s.flush();
    const ifs = await s.raw({ metric: 'if_in_bps', site: 'xa-a', from: T0, to: T0 + 1 });
    expect(ifs.map((x) => [x.instance, x.points[0]!.value])).toEqual([
      ['lan0', 200],
      ['wan0', 100],
    ]);
    expect(ifs[0]!.probe).toBeUndefined();
    const wan = await s.raw({ metric: 'if_in_bps', instance: 'wan0', from: T0, to: T0 + 1 });
    expect(wan.map((x) => x.points[0]!.value)).toEqual([100]);
    const rtp = await s.raw({ metric: 'rtt_ms', site: 'xa-a', probe: 'rtp', from: T0, to: T0 + 1 });
    expect(rtp).toEqual([
      { site: 'xa-a', device: 'xa-a:rtp', metric: 'rtt_ms', probe: 'rtp', points: [{ time: T0, value: 35 }] },
    ]);
  });

  it('aggregates into epoch-aligned buckets: mean, min, max, p95 (nearest rank), count', async () => {
    const s = await store();
    const batch = [];
    // bucket 1 (5 min from T0): values 1..20 at 10 s; bucket 2: values 100, 50, 75
    for (let i = 0; i < 20; i++) batch.push(sample('jitter_ms', 'xa-a', T0 + i * 10_000, i + 1));
    batch.push(sample('jitter_ms', 'xa-a', T0 + 300_000, 100));
    batch.push(sample('jitter_ms', 'xa-a', T0 + 310_000, 50));
    batch.push(sample('jitter_ms', 'xa-a', T0 + 320_000, 75));
    s.write(batch);
    await s.flush();
    // from falls inside the first bucket: the bucket keeps its aligned start, only points ≥ from count
    const agg = await s.aggregate({
      metric: 'jitter_ms',
      site: 'xa-a',
      from: T0 + 50_000,
      to: T0 + 600_000,
      bucketMs: 300_000,
    });
    expect(agg).toHaveLength(1);
    const [b1, b2] = agg[0]!.buckets;
    expect(agg[0]!.buckets).toHaveLength(2);
    // points 6..20 (15 values): mean 13, p95 rank floor(15*0.95+0.5)=14 → 19
    expect(b1).toMatchObject({ time: T0, min: 6, max: 20, p95: 19, count: 15 });
    expect(b1!.mean).toBeCloseTo(13, 9);
    expect(b2).toMatchObject({ time: T0 + 300_000, min: 50, max: 100, p95: 100, count: 3 });
    expect(b2!.mean).toBeCloseTo(75, 9);
  });

  it('gives the fraction of buckets above or below a threshold (by bucket mean)', async () => {
    const s = await store();
    const batch = [];
    // four 1-minute buckets with means 1, 3, 5, 7 (two points each)
    for (let b = 0; b < 4; b++) {
      batch.push(sample('loss_pct', 'xa-a', T0 + b * 60_000, 2 * b));
      batch.push(sample('loss_pct', 'xa-a', T0 + b * 60_000 + 30_000, 2 * b + 2));
    }
    s.write(batch);
    await s.flush();
    const q = { metric: 'loss_pct' as const, site: 'xa-a', from: T0, to: T0 + HOUR, bucketMs: 60_000 };
    expect(await s.fractionOfBuckets({ ...q, above: 4 })).toBe(0.5);
    expect(await s.fractionOfBuckets({ ...q, below: 2 })).toBe(0.25);
    expect(await s.fractionOfBuckets({ ...q, above: 6, below: 2 })).toBe(0.5);
    expect(await s.fractionOfBuckets({ ...q, site: 'nowhere', above: 0 })).toBe(0);
    await expect(s.fractionOfBuckets(q)).rejects.toThrow(/threshold/);
  });

  it('returns the latest value of each matching series with its tags', async () => {
    const s = await store();
    s.write([
      sample('ups_charge_pct', 'xa-a', T0, 90, { device: 'xa-a:ups' }),
      sample('ups_charge_pct', 'xa-a', T0 + 20_000, 80, { device: 'xa-a:ups' }),
      sample('ups_charge_pct', 'xa-a', T0 + 10_000, 85, { device: 'xa-a:ups' }),
      sample('ups_charge_pct', 'huyen-b', T0, 70, {
        device: 'huyen-b:ups',
        tags: { tier: 'district', district: 'ba-be', carrier: 'viettel' },
      }),
      sample('rtt_ms', 'xa-a', T0 + 5000, 12),
    ]);
    await s.flush();
    const latest = await s.latest({ metric: 'ups_charge_pct' });
    expect(latest).toEqual([
      {
        time: T0,
        site: 'huyen-b',
        device: 'huyen-b:ups',
        metric: 'ups_charge_pct',
        value: 70,
        tags: { tier: 'district', district: 'ba-be', carrier: 'viettel' },
      },
      {
        time: T0 + 20_000,
        site: 'xa-a',
        device: 'xa-a:ups',
        metric: 'ups_charge_pct',
        value: 80,
        tags: { tier: 'commune', district: 'cho-don', carrier: 'vnpt' },
      },
    ]);
    const site = await s.latest({ site: 'xa-a' });
    expect(site.map((x) => [x.metric, x.value])).toEqual([
      ['rtt_ms', 12],
      ['ups_charge_pct', 80],
    ]);
    expect(await s.latest({ site: 'nowhere' })).toEqual([]);
  });

  it('lists the series of a site and only that site', async () => {
    const s = await store();
    s.write([
      sample('rtt_ms', 'xa-a', T0, 1, { device: 'xa-a:rtp', tags: { probe: 'rtp' } }),
      sample('if_up', 'xa-a', T0, 1, { device: 'xa-a:router', tags: { instance: 'wan0' } }),
      sample('in_call', 'xa-a', T0, 0),
      sample('in_call', 'xa-b', T0, 1),
    ]);
    await s.flush();
    expect(await s.seriesForSite('xa-a')).toEqual([
      { site: 'xa-a', device: 'xa-a:router', metric: 'if_up', instance: 'wan0' },
      { site: 'xa-a', device: 'xa-a:codec', metric: 'in_call' },
      { site: 'xa-a', device: 'xa-a:rtp', metric: 'rtt_ms', probe: 'rtp' },
    ]);
    expect(await s.seriesForSite('nowhere')).toEqual([]);
  });

  it('does not double-count a batch written twice (replays are idempotent)', async () => {
    const s = await store();
    const batch = Array.from({ length: 50 }, (_, i) =>
      sample('mos', 'xa-a', T0 + i * 1000, 4 + (i % 3) / 10),
    );
    s.write(batch);
    s.write(batch);
    await s.flush();
    s.write(batch.slice(10, 20));
    await s.flush();
    const agg = await s.aggregate({ metric: 'mos', site: 'xa-a', from: T0, to: T0 + HOUR, bucketMs: HOUR });
    expect(agg[0]!.buckets.map((b) => b.count)).toEqual([50]);
    const raw = await s.raw({ metric: 'mos', from: T0, to: T0 + HOUR });
    expect(raw[0]!.points).toHaveLength(50);
  });

  it('refuses non-numeric values without throwing, and stores the rest', async () => {
    const s = await store();
    expect(() =>
      s.write([
        sample('rtt_ms', 'xa-a', T0, Number.NaN),
        sample('rtt_ms', 'xa-a', T0 + 1000, Number.POSITIVE_INFINITY),
        sample('rtt_ms', 'xa-a', T0 + 2000, 7),
      ]),
    ).not.toThrow();
    await s.flush();
    const raw = await s.raw({ metric: 'rtt_ms', from: T0, to: T0 + HOUR });
    expect(raw[0]!.points).toEqual([{ time: T0 + 2000, value: 7 }]);
  });

  it('keeps what it stored across a close and reopen, and reports its health', async () => {
    const s = await store();
    s.write([sample('ups_input_v', 'xa-a', T0, 220.5, { device: 'xa-a:ups' })]);
    await s.flush();
    const h = s.health();
    expect(h).toMatchObject({ kind: adapter.name, ok: true, spooled: 0 });
    expect(h.lastWriteMs).toBeGreaterThanOrEqual(0);
    await s.close();
    const again = await store(true);
    expect(await again.raw({ metric: 'ups_input_v', from: T0, to: T0 + 1 })).toEqual([
      {
        site: 'xa-a',
        device: 'xa-a:ups',
        metric: 'ups_input_v',
        points: [{ time: T0, value: 220.5 }],
      },
    ]);
  });
});
