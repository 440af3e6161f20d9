// Issue 21 as an operator deploys it: `diemcau serve` with bus.nats polls only the MCU
// (collector.shard: district=core) and a district collector runs as its own process (`diemcau collect
// --shard district=…`) publishing to a real `nats-server -js`. The district's devices show in the
// centre's live view (API) from the backbone; the collector stores nothing itself and its /healthz says
// the backbone is connected. Loopback base 91 (agents), nats-server on 127.0.0.1.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { SiteStatus } from '../api/contract.ts';
import { createUser } from '../api/server.ts';
import { type Running, start } from '../cli/serve.ts';
import type { Sample } from '../core/bus.ts';
import {
  type Agent,
  SNMP_ONLY,
  startFleet,
  TEST_SECRETS,
  type TestNetwork,
  testNetwork,
} from './helpers/agents.ts';
import { Client, TEST_PASSWORD } from './helpers/api.ts';
import { freePort } from './helpers/influxd.ts';
import { type NatsServer, startNatsServer } from './helpers/nats-server.ts';

const ENTRY = join(import.meta.dirname, '..', 'bin', 'diemcau.js');
const dir = mkdtempSync(join(tmpdir(), 'diemcau-backbone-cli-'));
let nats: NatsServer;
let net: TestNetwork;
let fleet: Map<string, Agent>;
let running: Running;
let child: ChildProcess | undefined;
let out = '';
const central: Sample[] = [];

function writeConfig(name: string, extra: Record<string, unknown>): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      inventory: net.file,
      data_dir: join(dir, `data-${name}`),
      collector: { interval: '1s', ...SNMP_ONLY },
      bus: { nats: { servers: [nats.url], stream: { name: 'DIEMCAU_CLI' } } },
      ...extra,
    }),
  );
  return file;
}

beforeAll(async () => {
  nats = await startNatsServer();
  net = await testNetwork(6, 91);
  fleet = await startFleet(net);
  const serveCfg = writeConfig('serve', {
    http: { listen: '127.0.0.1:0' },
    collector: { interval: '1s', ...SNMP_ONLY, shard: 'district=core' },
  });
  running = await start({ configPath: serveCfg, env: { ...process.env, ...TEST_SECRETS } });
  running.runtime.bus.onSamples((b) => central.push(...b));
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await running?.stop();
  await Promise.all([...(fleet?.values() ?? [])].map((a) => a.stop()));
  await nats?.stop();
  net?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('diemcau collect → backbone → diemcau serve', () => {
  it("a district collector's devices reach the centre's live view; the centre polls only the MCU", {
    timeout: 60_000,
  }, async () => {
    const inv = net.runtime.inventory;
    const district = [...inv.districts.keys()][0]!;
    const port = await freePort();
    const cfg = writeConfig('collect', {});
    child = spawn(
      process.execPath,
      [ENTRY, 'collect', '-c', cfg, '--shard', `district=${district}`, '--metrics', `127.0.0.1:${port}`],
      {
        env: { ...process.env, ...TEST_SECRETS, DIEMCAU_LOG_LEVEL: 'warn', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr?.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const districtDevices = [...inv.devices.values()]
      .filter((d) => d.site?.district === district)
      .map((d) => d.id);
    const mcu = [...inv.devices.values()].filter((d) => !d.site).map((d) => d.id);
    expect(mcu.length).toBe(1);
    await expect
      .poll(() => new Set(central.map((s) => s.device)), { timeout: 30_000, interval: 250 })
      .toEqual(new Set([...districtDevices, ...mcu]));

    // the live view through the API, as the NOC sees it
    await createUser(running.runtime.state, { name: 'u-noc', role: 'noc', password: TEST_PASSWORD });
    const noc = new Client(running.url);
    expect((await noc.login('u-noc', TEST_PASSWORD)).ok).toBe(true);
    const site = inv.inventory.sites.find((s) => s.district === district && s.tier === 'commune')!;
    await expect
      .poll(
        async () =>
          ((await (await noc.get(`/api/v1/sites/${site.id}`)).json()) as { site: SiteStatus }).site.updated ??
          0,
        { timeout: 10_000, interval: 250 },
      )
      .toBeGreaterThan(0);

    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as {
      devices: number;
      backbone: { connected: boolean; published: number; dropped: { samples: number } };
    };
    expect(health.devices).toBe(districtDevices.length);
    expect(health.backbone.connected).toBe(true);
    expect(health.backbone.published).toBeGreaterThan(0);
    expect(health.backbone.dropped.samples).toBe(0);
    const exited = new Promise<number | null>((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited, out).toBe(0);
    // the centre stores what it receives; the remote collector writes no metrics store of its own
    expect(existsSync(join(dir, 'data-collect', 'metrics.db'))).toBe(false);
  });
});
