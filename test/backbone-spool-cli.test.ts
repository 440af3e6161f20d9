// The remote collector's spool survives a crash (issue 21): `diemcau collect --shard …` as a process with
// the centre unreachable spools its poll batches on disk (data_dir/spool/backbone.db); it is killed with
// SIGKILL and started again, and when the NATS server comes back every sample spooled before the kill
// reaches the centre's bus once. Then a message that reached the stream but whose acknowledgement was
// held (a TCP relay) when the collector was killed is published again by the next run under the same
// Nats-Msg-Id: the stream answers "duplicate" and the centre counts every sample once. A damaged spool
// file is moved aside with an error line naming it, and over its bound (4 KB here) the spool drops the
// oldest, counted in /healthz, /metrics and the log. Loopback 127.164.x.x
// (snmpd agents, nats-server, the relay, the collector's /healthz).
import { type ChildProcess, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type BackboneConsumer, startConsumer } from '../bus/consumer.ts';
import { Config } from '../config/config.ts';
import { Bus, type Sample } from '../core/bus.ts';
import type { Runtime } from '../core/runtime.ts';
import {
  type Agent,
  SNMP_ONLY,
  startFleet,
  TEST_SECRETS,
  type TestNetwork,
  testNetwork,
} from './helpers/agents.ts';
import { freePort } from './helpers/influxd.ts';
import { type NatsServer, startNatsServer } from './helpers/nats-server.ts';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.ts';

const HOST = '127.164.255.250';
const ENTRY = join(import.meta.dirname, '..', 'bin', 'diemcau.js');
const ENV = { ...process.env, ...TEST_SECRETS, DIEMCAU_LOG_LEVEL: 'info', NO_COLOR: '1' };
const STREAM = 'DIEMCAU_SPOOL_CLI';
const dir = mkdtempSync(join(tmpdir(), 'diemcau-spool-cli-'));
let nats: NatsServer;
let net: TestNetwork;
let fleet: Map<string, Agent>;
let district: string;
let devices: string[];
const children: ChildProcess[] = [];
let proxy: TcpProxy | undefined;

interface Health {
  devices: number;
  backbone: {
    connected: boolean;
    published: number;
    duplicates: number;
    spooledBytes: number;
    dropped: { samples: number; events: number };
  };
}

/** one key per sample as polled: a sample counted twice at the centre is a duplicate */
const key = (s: Sample) => `${s.device}|${s.metric}|${s.tags.instance ?? ''}|${s.time}`;

function writeConfig(name: string, server: string, nats: Record<string, unknown> = {}): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      inventory: net.file,
      collector: { interval: '1s', ...SNMP_ONLY },
      bus: { nats: { servers: [server], publish_timeout: '1s', stream: { name: STREAM }, ...nats } },
    }),
  );
  return file;
}

interface Collect {
  child: ChildProcess;
  health: () => Promise<Health | null>;
  metrics: () => Promise<string>;
  out: () => string;
  exited: Promise<number | null>;
}

async function collect(cfg: string, dataDir: string): Promise<Collect> {
  const port = await freePort(HOST);
  let out = '';
  const child = spawn(
    process.execPath,
    [ENTRY, 'collect', '-c', cfg, '--shard', `district=${district}`, '--metrics', `${HOST}:${port}`],
    { env: { ...ENV, DIEMCAU_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const get = (path: string) => fetch(`http://${HOST}:${port}${path}`, { signal: AbortSignal.timeout(2000) });
  return {
    child,
    health: async () => {
      try {
        return (await (await get('/healthz')).json()) as Health;
      } catch {
        return null;
      }
    },
    metrics: async () => {
      try {
        return await (await get('/metrics')).text();
      } catch {
        return '';
      }
    },
    out: () => out,
    exited,
  };
}

async function kill9(c: Collect): Promise<void> {
  c.child.kill('SIGKILL');
  await c.exited;
}

/** The sample keys in a spool file as the killed process left it (read from a copy: the test changes nothing). */
function spooledKeys(dataDir: string): string[] {
  const file = join(dataDir, 'spool', 'backbone.db');
  if (!existsSync(file)) return [];
  const copy = mkdtempSync(join(tmpdir(), 'diemcau-spool-copy-'));
  try {
    for (const ext of ['', '-wal'])
      if (existsSync(file + ext)) copyFileSync(file + ext, join(copy, `b.db${ext}`));
    const db = new Database(join(copy, 'b.db'));
    const rows = db.prepare("SELECT json FROM entries WHERE kind = 'samples' ORDER BY seq").all() as {
      json: string;
    }[];
    db.close();
    return rows.flatMap((r) => (JSON.parse(r.json) as Sample[]).map(key));
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** The centre: the durable consumer `serve` runs, onto a bus of its own, counting every sample it carries. */
async function centre(consumerName: string): Promise<{
  consumer: BackboneConsumer;
  count: Map<string, number>;
  samples: Sample[];
}> {
  const { bus } = Config.parse({
    bus: { nats: { servers: [nats.url], consumer: consumerName, stream: { name: STREAM } } },
  });
  const rt: Runtime = {
    ...net.runtime,
    config: { ...net.runtime.config, bus },
    bus: new Bus(),
    registry: new Registry(),
  };
  const count = new Map<string, number>();
  const samples: Sample[] = [];
  rt.bus.onSamples((b) => {
    for (const s of b) {
      samples.push(s);
      count.set(key(s), (count.get(key(s)) ?? 0) + 1);
    }
  });
  return { consumer: await startConsumer(rt), count, samples };
}

beforeAll(async () => {
  nats = await startNatsServer(undefined, HOST);
  net = await testNetwork(4, 164);
  fleet = await startFleet(net);
  district = [...net.runtime.inventory.districts.keys()][0]!;
  devices = [...net.runtime.inventory.devices.values()]
    .filter((d) => d.site?.district === district)
    .map((d) => d.id);
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await proxy?.stop();
  await Promise.all([...(fleet?.values() ?? [])].map((a) => a.stop()));
  await nats?.stop();
  net?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('diemcau collect: the spool survives SIGKILL', () => {
  it('the centre unreachable, the collector killed and restarted: every sample spooled before the kill arrives once', {
    timeout: 90_000,
  }, async () => {
    expect(devices.length).toBeGreaterThan(3);
    await nats.kill();
    const dataDir = join(dir, 'data-kill');
    const cfg = writeConfig('kill', nats.url);
    const first = await collect(cfg, dataDir);
    await expect
      .poll(async () => (await first.health())?.backbone.spooledBytes ?? 0, {
        timeout: 20_000,
        interval: 250,
      })
      .toBeGreaterThan(0);
    // about five intervals of polls wait in the spool
    await new Promise((r) => setTimeout(r, 5000));
    const before = await first.health();
    expect(before?.backbone).toMatchObject({ connected: false, published: 0 });
    const killedAt = Date.now();
    await kill9(first);
    const spooled = spooledKeys(dataDir);

    const second = await collect(cfg, dataDir);
    await expect
      .poll(async () => (await second.health())?.backbone.spooledBytes ?? 0, {
        timeout: 20_000,
        interval: 250,
      })
      .toBeGreaterThan(0);
    const restartedAt = Date.now();
    await nats.start();
    const c = await centre('spool-cli-kill');
    try {
      // the second run's own polls after the server came back, and then everything before them
      await expect
        .poll(() => new Set(c.samples.filter((s) => s.time > restartedAt).map((s) => s.device)), {
          timeout: 30_000,
          interval: 250,
        })
        .toEqual(new Set(devices));
      second.child.kill('SIGTERM');
      expect(await second.exited, second.out()).toBe(0);
      // what the centre has before the kill: every device was polled every second for 5 s and more (at
      // least two polls each even on a loaded machine; 0 with a spool in memory)
      const beforeKill = c.samples.filter((s) => s.time < killedAt);
      for (const d of devices) {
        const times = new Set(beforeKill.filter((s) => s.device === d).map((s) => s.time));
        expect(times.size, `${d}: polls before the kill that reached the centre`).toBeGreaterThanOrEqual(2);
      }
      // every sample the killed process had spooled, exactly once
      expect(new Set(spooled.map((k) => k.split('|')[0]))).toEqual(new Set(devices));
      const missing = spooled.filter((k) => !c.count.has(k));
      expect(missing, 'spooled before the kill, never at the centre').toEqual([]);
      const twice = [...c.count].filter(([, n]) => n > 1).map(([k]) => k);
      expect(twice, 'samples the centre carried twice').toEqual([]);
      expect(c.consumer.status()).toMatchObject({ duplicates: 0, missing: 0, bad: 0 });
      expect(second.out()).toMatch(/backbone spool: \d+ entr(y|ies) of an earlier run/);
    } finally {
      await c.consumer.stop();
    }
  });

  it('a message on the stream whose acknowledgement was held at the kill goes again under its Nats-Msg-Id', {
    timeout: 90_000,
  }, async () => {
    const port = Number(new URL(nats.url.replace('nats:', 'http:')).port);
    proxy = await startTcpProxy({ host: HOST, port }, HOST);
    const dataDir = join(dir, 'data-held');
    const c = await centre('spool-cli-held');
    try {
      const first = await collect(writeConfig('held-1', `nats://${HOST}:${proxy.port}`), dataDir);
      await expect
        .poll(async () => (await first.health())?.backbone.published ?? 0, { timeout: 20_000, interval: 250 })
        .toBeGreaterThan(2);
      // the next message reaches the stream; its acknowledgement does not: retried under its id, then killed
      proxy.hold();
      await expect
        .poll(
          async () =>
            /^diemcau_backbone_publish_failures_total (\d+)/m.exec(await first.metrics())?.[1] ?? '0',
          { timeout: 10_000, interval: 250 },
        )
        .not.toBe('0');
      await kill9(first);
      await proxy.stop();
      proxy = undefined;
      const heldUntil = Date.now();
      const spooled = spooledKeys(dataDir);

      const second = await collect(writeConfig('held-2', nats.url), dataDir);
      await expect
        .poll(async () => (await second.health())?.backbone.duplicates ?? 0, {
          timeout: 20_000,
          interval: 250,
        })
        .toBeGreaterThanOrEqual(1);
      await expect
        .poll(() => new Set(c.samples.filter((s) => s.time > heldUntil).map((s) => s.device)), {
          timeout: 20_000,
          interval: 250,
        })
        .toEqual(new Set(devices));
      second.child.kill('SIGTERM');
      expect(await second.exited, second.out()).toBe(0);
      await new Promise((r) => setTimeout(r, 1000));
      const twice = [...c.count].filter(([, n]) => n > 1).map(([k]) => k);
      expect(twice, 'samples the centre carried twice').toEqual([]);
      // everything the killed run held (the message in flight among it) reached the centre, once
      expect(spooled.length).toBeGreaterThan(0);
      expect(spooled.filter((k) => c.count.get(k) !== 1)).toEqual([]);
      expect(c.consumer.status()).toMatchObject({ missing: 0, bad: 0 });
    } finally {
      await c.consumer.stop();
    }
  });

  it('a damaged spool file is moved aside with an error naming it; over its bound the spool drops the oldest, counted', {
    timeout: 60_000,
  }, async () => {
    await nats.kill();
    const dataDir = join(dir, 'data-bad');
    const file = join(dataDir, 'spool', 'backbone.db');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'not a database: the disk gave back something else\n'.repeat(100));
    // 4 KB: a second of this shard's polls is more
    const c = await collect(writeConfig('bad', nats.url, { spool_max_mb: 4 / 1024 }), dataDir);
    try {
      await expect
        .poll(async () => (await c.health())?.backbone.dropped.samples ?? 0, {
          timeout: 20_000,
          interval: 250,
        })
        .toBeGreaterThan(0);
      const health = (await c.health())!;
      expect(health.backbone.spooledBytes).toBeGreaterThan(0);
      expect(health.backbone.spooledBytes).toBeLessThanOrEqual(4096);
      const metrics = await c.metrics();
      expect(metrics).toMatch(/^diemcau_backbone_spool_dropped_total\{kind="samples"\} [1-9]\d*$/m);
      // the log: the damaged file named, where it went, and the drops
      const out = c.out();
      const bad = out.split('\n').find((l) => l.includes('unreadable'));
      expect(bad, out).toBeDefined();
      expect(bad).toContain(file);
      expect(bad).toMatch(/"level":50/);
      const aside = readdirSync(dirname(file)).filter((f) => f.startsWith('backbone.db.bad-'));
      expect(aside).toHaveLength(1);
      expect(bad).toContain(join(dirname(file), aside[0]!));
      expect(readFileSync(join(dirname(file), aside[0]!), 'utf8')).toContain('the disk gave back');
      expect(out).toMatch(/backbone spool full: oldest samples dropped/);
      expect(c.child.exitCode).toBeNull();
    } finally {
      c.child.kill('SIGTERM');
      expect(await c.exited, c.out()).toBe(0);
      await nats.start();
    }
  });
});
