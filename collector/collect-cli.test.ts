// `diemcau collect`, the collector alone for scale-out, as an operator runs it against the simulator:
// one shard's samples, a bad shard refused, and a long-running collector that stores what it polls
// and serves its self-metrics.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../core/bus.ts';
import { type Simulator, startSimulator } from '../simulator/index.ts';
import { TEST_SECRETS, type TestNetwork, testNetwork } from '../test/helpers/agents.ts';
import { runCommand } from '../test/helpers/command.ts';
import { freePort } from '../test/helpers/influxd.ts';

const ENTRY = join(import.meta.dirname, '..', 'bin', 'diemcau.js');
const ENV = { ...process.env, ...TEST_SECRETS, DIEMCAU_LOG_LEVEL: 'warn', NO_COLOR: '1' };

const collect = (...args: string[]) =>
  runCommand(process.execPath, [ENTRY, 'collect', ...args], { env: ENV });

describe('diemcau collect', () => {
  let net: TestNetwork;
  let sim: Simulator;
  let config: string;
  let dataDir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    net = await testNetwork(40, 49);
    sim = await startSimulator({ inventory: net.runtime.inventory, credentials: net.credentials });
    dataDir = mkdtempSync(join(tmpdir(), 'diemcau-collect-'));
    config = join(dataDir, 'diemcau.yaml');
    writeFileSync(
      config,
      [
        `inventory: ${JSON.stringify(net.file)}`,
        `data_dir: ${JSON.stringify(join(dataDir, 'data'))}`,
        'collector:',
        '  interval: 2s',
        '  snmp_timeout: 1s',
        '  trap_listen: "off"',
        '  icmp: { enabled: false }',
        '  rtp: { enabled: false }',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await sim?.stop();
    net?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('polls one shard once and prints its samples, and nothing of the other districts', async () => {
    const inv = net.runtime.inventory;
    const district = [...inv.districts.keys()][1]!;
    const r = await collect('-c', config, '--once', '--shard', `district=${district}`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const samples = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Sample);
    const expected = [...inv.devices.values()].filter((d) => d.site?.district === district).map((d) => d.id);
    expect(expected.length).toBeGreaterThan(3);
    expect(new Set(samples.map((s) => s.device))).toEqual(new Set(expected));
    expect(samples.every((s) => s.tags.district === district)).toBe(true);
    expect(samples.filter((s) => s.metric === 'snmp_up').every((s) => s.value === 1)).toBe(true);
  });

  it('refuses an unknown district and names the known ones', async () => {
    const r = await collect('-c', config, '--once', '--shard', 'district=khong-co');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown district: khong-co');
    expect(r.stderr).toContain(`known: ${[...net.runtime.inventory.districts.keys()].join(', ')}, core`);
  });

  it('refuses a metrics address without a usable port, before starting', async () => {
    const r = await collect('-c', config, '--metrics', '127.0.0.1:99999');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'diemcau collect: --metrics "127.0.0.1:99999" không hợp lệ / invalid: use ADDRESS:PORT, e.g. 127.0.0.1:9465\n',
    );
  });

  it('runs until stopped: stores every device it polls and serves /metrics and /healthz', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let out = '';
    child = spawn(process.execPath, [ENTRY, 'collect', '-c', config, '--metrics', `127.0.0.1:${port}`], {
      env: ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr?.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const devices = net.runtime.inventory.devices.size;
    const health = async () => {
      const r = await fetch(`${url}/healthz`).catch(() => null);
      return r?.ok ? ((await r.json()) as { devices: number; reachable: number }) : null;
    };
    await expect
      .poll(health, { timeout: 20_000, interval: 250 })
      .toEqual({ status: 'ok', devices, reachable: devices });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`diemcau_collector_devices\\{state="reachable"\\} ${devices}\\n`));
    expect(metrics).toMatch(
      /diemcau_collector_poll_duration_seconds_count\{kind="codec",outcome="ok"\} [1-9]/,
    );
    expect((await fetch(`${url}/nothing`)).status).toBe(404);
    const exited = new Promise<number | null>((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited, out).toBe(0);
    const db = new Database(join(dataDir, 'data', 'metrics.db'), { readonly: true });
    const stored = db
      .prepare(
        "SELECT COUNT(DISTINCT s.device) FROM series s JOIN points p ON p.series_id = s.id WHERE s.metric = 'snmp_up'",
      )
      .pluck()
      .get();
    db.close();
    expect(stored).toBe(devices);
  }, 40_000);
});
