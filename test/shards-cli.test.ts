// Issue 21 as an operator runs it: two `diemcau collect --claim …` processes on a real `nats-server -js`,
// each listing its own district first. Each polls its own (its /healthz); one is killed (SIGKILL): the
// other holds and polls both within lease_ttl + renew; it stops cleanly (exit 0). A bad --claim, or
// --claim with --shard, is refused with exit 2. No SNMP agents: the devices' answers are not the point
// (inventory on loopback base 99, nats-server on 127.0.0.1).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { syntheticUnits } from '../inventory/generate.ts';
import { SNMP_ONLY, TEST_SECRETS, type TestNetwork, testNetwork } from './helpers/agents.ts';
import { runCommand } from './helpers/command.ts';
import { freePort } from './helpers/influxd.ts';
import { type NatsServer, startNatsServer } from './helpers/nats-server.ts';

const ENTRY = join(import.meta.dirname, '..', 'bin', 'diemcau.js');
const ENV = { ...process.env, ...TEST_SECRETS, DIEMCAU_LOG_LEVEL: 'warn', NO_COLOR: '1' };
const TTL_MS = 3000;
const RENEW_MS = 1000;
const dir = mkdtempSync(join(tmpdir(), 'diemcau-shards-cli-'));
let nats: NatsServer;
let net: TestNetwork;
let cfg: string;
const children: ChildProcess[] = [];

interface Health {
  devices: number;
  shards: { name: string; shards: { shard: string; holder: string | null; polling: boolean }[] };
}

beforeAll(async () => {
  nats = await startNatsServer();
  const units = syntheticUnits(8);
  units.push({ code: '101', name: 'Huyện 2', type: 'huyện', level: 'district', parentCode: '99' });
  units
    .filter((u) => u.level === 'commune')
    .forEach((u, i) => {
      if (i % 2) u.parentCode = '101';
    });
  net = await testNetwork(8, 99, {}, units);
  cfg = join(dir, 'collect.yaml');
  writeFileSync(
    cfg,
    stringify({
      inventory: net.file,
      data_dir: join(dir, 'data'),
      collector: { interval: '1s', ...SNMP_ONLY },
      bus: {
        nats: {
          servers: [nats.url],
          stream: { name: 'DIEMCAU_SHARDS_CLI' },
          shard_lease: { lease_ttl: `${TTL_MS}ms`, renew: `${RENEW_MS}ms`, bucket: 'diemcau_shards_cli' },
        },
      },
    }),
  );
}, 30_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await nats?.stop();
  net?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function collector(
  name: string,
  claims: string[],
): Promise<{ child: ChildProcess; health: () => Promise<Health> }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [ENTRY, 'collect', '-c', cfg, ...claims.flatMap((c) => ['--claim', c]), '--metrics', `127.0.0.1:${port}`],
    {
      // each its own data directory and name
      env: { ...ENV, DIEMCAU_DATA_DIR: join(dir, `data-${name}`), DIEMCAU__BUS__NATS__NAME: name },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  children.push(child);
  const health = async () => (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Health;
  return { child, health };
}

const polling = (h: Health) => h.shards.shards.filter((s) => s.polling).map((s) => s.shard);

describe('diemcau collect --claim', () => {
  it('two processes take their own shard; one is killed and the other polls both within lease_ttl + renew', {
    timeout: 60_000,
  }, async () => {
    const districts = [...new Set([...net.runtime.inventory.sites.values()].map((s) => s.district))];
    const [s1, s2] = districts.map((d) => `district=${d}`) as [string, string];
    const devicesOf = (d: string) =>
      [...net.runtime.inventory.devices.values()].filter((x) => `district=${x.site?.district}` === d).length;
    const a = await collector('col-a', [s1, s2]);
    const b = await collector('col-b', [s2, s1]);
    const read = (c: typeof a) => c.health().catch(() => null);
    await expect
      .poll(
        async () => [
          (await read(a)) && polling((await read(a))!),
          (await read(b)) && polling((await read(b))!),
        ],
        {
          timeout: 20_000,
          interval: 250,
        },
      )
      .toEqual([[s1], [s2]]);
    expect((await b.health()).devices).toBe(devicesOf(s2));
    // col-b reads col-a's lease at its next claim try
    await expect
      .poll(async () => (await b.health()).shards.shards, { timeout: 3 * RENEW_MS })
      .toEqual([
        { shard: s2, holder: 'col-b', polling: true },
        { shard: s1, holder: 'col-a', polling: false },
      ]);
    const killed = Date.now();
    a.child.kill('SIGKILL');
    await expect
      .poll(async () => polling((await b.health())!), { timeout: TTL_MS + 3 * RENEW_MS, interval: 100 })
      .toEqual([s2, s1]);
    expect(Date.now() - killed).toBeLessThanOrEqual(TTL_MS + RENEW_MS + 500);
    expect((await b.health()).devices).toBe(devicesOf(s1) + devicesOf(s2));
    const exited = new Promise<number | null>((r) => b.child.once('exit', r));
    b.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('a bad --claim, or --claim with --shard, is refused', async () => {
    const bad = await runCommand(process.execPath, [ENTRY, 'collect', '-c', cfg, '--claim', 'cho-don'], {
      env: ENV,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--claim "cho-don" không hợp lệ / invalid');
    const both = await runCommand(
      process.execPath,
      [ENTRY, 'collect', '-c', cfg, '--claim', 'district=core', '--shard', 'district=core'],
      { env: ENV },
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--claim and --shard exclude each other');
  }, 30_000);
});
