// The simulator polled with Net-SNMP's own tools (snmpget, snmpbulkwalk, snmptrapd): a third-party
// client and receiver, over real UDP on loopback (addresses 127.30.x.y, this suite's base).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateInventory, syntheticUnits } from '../inventory/generate.ts';
import {
  type DeviceRef,
  type LoadedInventory,
  loadInventory,
  resolveCredentials,
} from '../inventory/load.ts';
import { netsnmpCredentials } from '../test/helpers/snmp-secrets.ts';
import { type Simulator, startSimulator } from './index.ts';

const ENV = {
  DIEMCAU_SNMP_COMMUNITY: 'cong-dong-thu',
  DIEMCAU_SNMP_AUTH_KEY: 'khoa-xac-thuc-1',
  DIEMCAU_SNMP_PRIV_KEY: 'khoa-ma-hoa-22',
};
const { V2, V3 } = netsnmpCredentials(ENV);

interface Vb {
  oid: string;
  type: string;
  value: string;
}

/** Runs a Net-SNMP tool; numeric OIDs, no MIB files. */
function netsnmp(tool: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      tool,
      ['-m', '', '-On', '-t', '1', '-r', '2', ...args],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr });
      },
    );
  });
}

function parse(out: string): Vb[] {
  const vbs: Vb[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\.[\d.]+) = (?:([\w-]+): )?(.*)$/.exec(line.trim());
    if (!m) continue;
    const type = m[2] ?? '';
    const value = type === 'Timeticks' ? (/\((\d+)\)/.exec(m[3]!)?.[1] ?? '') : m[3]!.replace(/^"|"$/g, '');
    vbs.push({ oid: m[1]!.slice(1), type, value });
  }
  return vbs;
}

const addr = (d: DeviceRef) => `${d.address.host}:${d.address.port}`;

async function get(d: DeviceRef, oids: string[], v = V2): Promise<Vb[]> {
  const r = await netsnmp('snmpget', [...v, addr(d), ...oids]);
  if (r.code !== 0) throw new Error(`snmpget ${addr(d)} failed: ${r.err}`);
  return parse(r.out);
}

async function walk(d: DeviceRef, oid: string, v = V2): Promise<Vb[]> {
  const r = await netsnmp('snmpbulkwalk', [...v, addr(d), oid]);
  if (r.code !== 0) throw new Error(`snmpbulkwalk ${addr(d)} ${oid} failed: ${r.err}`);
  // an empty subtree prints the root as "No Such Object"
  return parse(r.out).filter((v) => v.oid.startsWith(`${oid}.`));
}

async function answers(d: DeviceRef, v = V2): Promise<boolean> {
  const r = await netsnmp('snmpget', [...v, '-t', '0.5', '-r', '0', addr(d), '1.3.6.1.2.1.1.3.0']);
  return r.code === 0 && parse(r.out).length === 1;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls a condition until it holds (bounded); the assertion is on the final state, not on time. */
async function eventually(check: () => Promise<boolean>, what: string, tries = 120, every = 250) {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await sleep(every);
  }
  throw new Error(`never happened: ${what}`);
}

/** Sends `n` probes to a reflector; returns round-trip times (ms) of the echoes that came back intact. */
async function probe(host: string, port: number, n: number, gapMs = 10): Promise<number[]> {
  const sock = dgram.createSocket('udp4');
  const sent = new Map<number, number>();
  const rtts: number[] = [];
  sock.on('message', (msg) => {
    const seq = msg.readUInt32BE(0);
    const t = sent.get(seq);
    if (t !== undefined && msg.subarray(4).toString() === `probe-${seq}`) rtts.push(performance.now() - t);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  for (let i = 0; i < n; i++) {
    const b = Buffer.concat([Buffer.alloc(4), Buffer.from(`probe-${i}`)]);
    b.writeUInt32BE(i, 0);
    sent.set(i, performance.now());
    sock.send(b, port, host);
    await sleep(gapMs);
  }
  await sleep(1500);
  sock.close();
  return rtts;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let inv: LoadedInventory;
let sim: Simulator;
let trapd: ChildProcess;
let trapLog: string;
const dev = (id: string) => {
  const d = inv.devices.get(id);
  if (!d) throw new Error(`no device ${id}`);
  return d;
};
const siteOf = (pred: (id: string, profile: string) => boolean, kind = 'codec') => {
  for (const d of inv.devices.values())
    if (d.kind === kind && d.site && pred(d.site.id, d.profile)) return d.site.id;
  throw new Error('no such site');
};

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-sim-test-'));
  const file = join(dir, 'inventory.yaml');
  writeFileSync(file, generateInventory(syntheticUnits(30), { title: 'Mạng thử nghiệm', base: 30 }));
  inv = loadInventory(file);
  trapLog = join(dir, 'traps.log');
  writeFileSync(join(dir, 'snmptrapd.conf'), `authCommunity log ${ENV.DIEMCAU_SNMP_COMMUNITY}\n`);
  const trapPort = await freeUdpPort();
  trapd = spawn(
    'snmptrapd',
    [
      '-f',
      '-C',
      '-c',
      join(dir, 'snmptrapd.conf'),
      '-m',
      '',
      '-On',
      '-Lf',
      trapLog,
      `udp:127.0.0.1:${trapPort}`,
    ],
    { stdio: 'ignore' },
  );
  await eventually(
    async () => {
      try {
        return readFileSync(trapLog, 'utf8').includes('NET-SNMP version');
      } catch {
        return false;
      }
    },
    'snmptrapd started',
    40,
  );
  sim = await startSimulator({
    inventory: inv,
    credentials: resolveCredentials(inv, ENV),
    trapTarget: { host: '127.0.0.1', port: trapPort },
    seed: 42,
    control: { host: '127.0.0.1', port: 0 },
    batteryTimeScale: 60,
  });
});

afterAll(async () => {
  await sim?.stop();
  trapd?.kill();
});

afterEach(() => {
  sim.faults.clearAll();
  sim.meeting.end();
});

describe('SNMP agents (Net-SNMP snmpget/snmpbulkwalk)', () => {
  it('serves every device and reflector of the inventory', () => {
    expect(sim.counts.agents).toBe(inv.devices.size);
    expect(sim.counts.reflectors).toBe(inv.sites.size);
  });

  it('answers the system group over v2c with a moving sysUpTime', async () => {
    const codec = dev(`${siteOf((_s, p) => p === 'polycom-group')}-codec`);
    const communeCodec = [...inv.devices.values()].find((d) => d.kind === 'codec' && d.snmp === 'site-v2c')!;
    const a = await get(communeCodec, ['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.3.0', '1.3.6.1.2.1.1.5.0']);
    expect(a.map((v) => v.type)).toEqual(['STRING', 'Timeticks', 'STRING']);
    expect(a[2]!.value).toBe(communeCodec.id);
    await sleep(300);
    const b = await get(communeCodec, ['1.3.6.1.2.1.1.3.0']);
    expect(Number(b[0]!.value)).toBeGreaterThan(Number(a[1]!.value));
    expect(codec.snmp).toBe('core-v3');
  });

  it('refuses a wrong community (no answer, like a real agent)', async () => {
    const d = [...inv.devices.values()].find((x) => x.snmp === 'site-v2c')!;
    const r = await netsnmp('snmpget', [
      '-v2c',
      '-c',
      'sai-cong-dong',
      '-r',
      '0',
      addr(d),
      '1.3.6.1.2.1.1.3.0',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/Timeout/);
  });

  it('answers SNMPv3 authPriv (SHA/AES) and rejects a wrong key', async () => {
    const mcu = dev(inv.inventory.mcu.id);
    const vbs = await get(mcu, ['1.3.6.1.2.1.1.5.0', '1.3.6.1.4.1.13885.110.1.2.17.3.0'], V3);
    expect(vbs[0]!.value).toBe(inv.inventory.mcu.id);
    expect(vbs[1]!.type).toBe('Gauge32');
    const bad = V3.map((x) => (x === ENV.DIEMCAU_SNMP_AUTH_KEY ? 'khoa-sai-12345' : x));
    const r = await netsnmp('snmpget', [...bad, '-r', '0', addr(mcu), '1.3.6.1.2.1.1.5.0']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/Authentication failure|incorrect password/i);
  });

  it('walks IF-MIB with HC counters that grow and Counter32 columns that are them modulo 2^32', async () => {
    const router = [...inv.devices.values()].find((d) => d.kind === 'router' && d.snmp === 'site-v2c')!;
    const a = await walk(router, '1.3.6.1.2.1.31.1.1.1.6');
    expect(a.length).toBe(3);
    expect(a[0]!.type).toBe('Counter64');
    await sleep(1100);
    const [lo] = await get(router, ['1.3.6.1.2.1.2.2.1.10.1']);
    const [hc] = await get(router, ['1.3.6.1.2.1.31.1.1.1.6.1']);
    expect(BigInt(hc!.value)).toBeGreaterThan(BigInt(a[0]!.value));
    // the 32-bit counter is the low half of the 64-bit one (read a moment apart, so allow a second of traffic)
    const low = BigInt(hc!.value) % 2n ** 32n;
    const diff = (low - BigInt(lo!.value) + 2n ** 32n) % 2n ** 32n;
    expect(diff).toBeLessThan(10_000_000n);
    expect(BigInt(hc!.value)).toBeGreaterThan(2n ** 32n); // it has wrapped at least once already
    const names = await walk(router, '1.3.6.1.2.1.31.1.1.1.1');
    expect(names.map((v) => v.value)).toEqual(['Gi0/0/0', 'Gi0/0/1', 'Gi0/0/2']);
  });

  it('serves RFC 1628 UPS-MIB and APC PowerNet scalars', async () => {
    const ups = [...inv.devices.values()].find((d) => d.profile === 'ups-mib' && d.snmp === 'site-v2c')!;
    const apc = [...inv.devices.values()].find((d) => d.profile === 'apc-powernet')!;
    const u = await get(ups, [
      '1.3.6.1.2.1.33.1.4.1.0',
      '1.3.6.1.2.1.33.1.2.4.0',
      '1.3.6.1.2.1.33.1.3.3.1.3.1',
    ]);
    expect(u[0]!.value).toBe('3'); // normal
    expect(Number(u[1]!.value)).toBe(100);
    expect(Number(u[2]!.value)).toBeGreaterThan(200);
    const v = apc.snmp === 'core-v3' ? V3 : V2;
    const p = await get(apc, ['1.3.6.1.4.1.318.1.1.1.4.1.1.0', '1.3.6.1.4.1.318.1.1.1.2.2.3.0'], v);
    expect(p[0]!.value).toBe('2'); // onLine
    expect(p[1]!.type).toBe('Timeticks');
    expect(Number(p[1]!.value)).toBeGreaterThan(6000 * 10);
  });
});

describe('meetings on the MCU', () => {
  it('puts codecs in a call and the MCU port table follows', async () => {
    const group = siteOf((s, p) => p === 'polycom-group' && inv.sites.get(s)!.tier === 'commune');
    const hdx = siteOf((_s, p) => p === 'polycom-hdx');
    const cts = siteOf((_s, p) => p === 'cisco-cts');
    const idle = siteOf((s, p) => p === 'generic-codec' && s !== group);
    const mcu = dev(inv.inventory.mcu.id);
    const codec = dev(`${group}-codec`);
    expect(await walk(codec, '1.3.6.1.4.1.13885.101.1.4.1.1')).toHaveLength(0);

    sim.meeting.start([group, hdx, cts]);
    expect(sim.meeting.active().sort()).toEqual([group, hdx, cts].sort());
    const row = await walk(codec, '1.3.6.1.4.1.13885.101.1.4.1.1');
    const col = (c: number) => row.find((v) => v.oid.startsWith(`1.3.6.1.4.1.13885.101.1.4.1.1.${c}.`))!;
    expect(col(58).value).toBe(inv.inventory.mcu.name);
    expect(col(16).type).toBe('Gauge32');
    expect(Number(col(54).value)).toBeGreaterThan(500);
    const [active] = await get(codec, ['1.3.6.1.4.1.13885.101.1.5.1.0']);
    expect(active!.value).toBe('1');

    const hd = await get(dev(`${hdx}-codec`), ['1.3.6.1.4.1.2684.1.1.2.0', '1.3.6.1.4.1.2684.1.1.23.0']);
    expect(hd[0]!.value).not.toBe('');
    expect(Number(hd[1]!.value)).toBeGreaterThan(0);
    const ctsRows = await walk(dev(`${cts}-codec`), '1.3.6.1.4.1.9.9.644.1.4.8.1.17', V3);
    expect(ctsRows.at(-1)!.value).toBe('12'); // incall

    const port = (id: string) => inv.sites.get(id)!.mcu_port!;
    const table = await walk(mcu, '1.3.6.1.4.1.32473.1.1.1', V3);
    const cell = (c: number, id: string) =>
      table.find((v) => v.oid === `1.3.6.1.4.1.32473.1.1.1.${c}.${port(id)}`)!;
    expect(table.filter((v) => v.oid.startsWith('1.3.6.1.4.1.32473.1.1.1.1.'))).toHaveLength(
      inv.mcuPorts.size,
    );
    expect(cell(2, group).value).toBe(inv.sites.get(group)!.gso);
    expect(cell(3, group).value).toBe('1');
    expect(cell(3, idle).value).toBe('3');
    expect(Number(cell(6, group).value)).toBeGreaterThan(0);
    expect(Number(cell(7, group).value)).toBeGreaterThan(500);
    const [used] = await get(mcu, ['1.3.6.1.4.1.13885.110.1.2.17.10.0'], V3);
    expect(used!.value).toBe('3');

    const trapSeen = (oid: string) => async () => readFileSync(trapLog, 'utf8').includes(oid);
    await eventually(trapSeen('.1.3.6.1.4.1.2684.1.1.0.4'), 'HDX callUp trap');
    await eventually(trapSeen('.1.3.6.1.4.1.13885.101.0.78'), 'Group Series callConnected trap');

    sim.meeting.end();
    expect(await walk(codec, '1.3.6.1.4.1.13885.101.1.4.1.1')).toHaveLength(0);
    await eventually(trapSeen('.1.3.6.1.4.1.2684.1.1.0.5'), 'HDX callDown trap');
    const after = await get(mcu, [`1.3.6.1.4.1.32473.1.1.1.3.${port(group)}`], V3);
    expect(after[0]!.value).toBe('3');
  });

  it('a degraded link shows in the codec call statistics and on the MCU port', async () => {
    const site = siteOf((s, p) => p === 'polycom-group' && inv.sites.get(s)!.tier === 'commune');
    const port = inv.sites.get(site)!.mcu_port!;
    const mcu = dev(inv.inventory.mcu.id);
    sim.meeting.start([site]);
    const before = await get(
      mcu,
      [`1.3.6.1.4.1.32473.1.1.1.4.${port}`, `1.3.6.1.4.1.32473.1.1.1.6.${port}`],
      V3,
    );
    sim.faults.inject({ kind: 'link_degraded', site, loss_pct: 12, delay_ms: 150 });
    const after = await get(
      mcu,
      [`1.3.6.1.4.1.32473.1.1.1.4.${port}`, `1.3.6.1.4.1.32473.1.1.1.6.${port}`],
      V3,
    );
    expect(Number(after[0]!.value) - Number(before[0]!.value)).toBeGreaterThan(1000); // loss % × 100
    expect(Number(after[1]!.value) - Number(before[1]!.value)).toBeGreaterThan(120); // RTT ms
    // the site's SNMP answers lose 12 % too: retry more
    const row = await walk(dev(`${site}-codec`), '1.3.6.1.4.1.13885.101.1.4.1.1.16', [...V2, '-r', '6']);
    expect(Number(row[0]!.value)).toBeGreaterThanOrEqual(8); // PctPacketLostRX, percent
  });

  it('an mcu_port_down fault disconnects that port only', async () => {
    const a = siteOf((s, p) => p === 'polycom-group' && inv.sites.get(s)!.tier === 'commune');
    const b = siteOf((s, p) => p === 'generic-codec' && s !== a);
    sim.meeting.start([a, b]);
    sim.faults.inject({ kind: 'mcu_port_down', site: a });
    const mcu = dev(inv.inventory.mcu.id);
    const [pa, pb] = [inv.sites.get(a)!.mcu_port!, inv.sites.get(b)!.mcu_port!];
    const vbs = await get(mcu, [`1.3.6.1.4.1.32473.1.1.1.3.${pa}`, `1.3.6.1.4.1.32473.1.1.1.3.${pb}`], V3);
    expect(vbs.map((v) => v.value)).toEqual(['2', '1']);
    expect(await walk(dev(`${a}-codec`), '1.3.6.1.4.1.13885.101.1.4.1.1')).toHaveLength(0);
  });
});

describe('faults', () => {
  it('power cut: on battery with falling runtime, a trap to snmptrapd, dark at zero, back after clear', async () => {
    const site = siteOf((s, p) => p === 'ups-mib' && inv.sites.get(s)!.tier === 'commune', 'ups');
    const ups = dev(`${site}-ups`);
    const codec = dev(`${site}-codec`);
    const [before] = await get(ups, ['1.3.6.1.2.1.1.3.0']);
    // 10 min of battery at 60× speed: about 10 s of real time; low battery below 5 min (after ~5 s)
    const id = sim.faults.inject({ kind: 'power_cut', site, runtime_min: 10 });
    expect(sim.faults.list()).toEqual([expect.objectContaining({ id, kind: 'power_cut', site })]);
    const a = await get(ups, ['1.3.6.1.2.1.33.1.4.1.0', '1.3.6.1.2.1.33.1.2.2.0', '1.3.6.1.2.1.33.1.2.3.0']);
    expect(a[0]!.value).toBe('5'); // battery
    const alarms = await walk(ups, '1.3.6.1.2.1.33.1.6.2.1.2');
    expect(alarms.map((v) => v.value)).toEqual(
      expect.arrayContaining(['.1.3.6.1.2.1.33.1.6.3.2', '.1.3.6.1.2.1.33.1.6.3.6']),
    );
    await sleep(1200);
    const b = await get(ups, ['1.3.6.1.2.1.33.1.2.2.0', '1.3.6.1.2.1.33.1.2.3.0']);
    expect(Number(b[0]!.value)).toBeGreaterThan(Number(a[1]!.value)); // seconds on battery
    expect(Number(b[1]!.value)).toBeLessThan(Number(a[2]!.value)); // minutes remaining
    await eventually(
      async () => (await get(ups, ['1.3.6.1.2.1.33.1.2.1.0']))[0]!.value === '3',
      'upsBatteryStatus batteryLow',
    );

    await eventually(
      async () => readFileSync(trapLog, 'utf8').includes('.1.3.6.1.2.1.33.2.1'),
      'upsTrapOnBattery received by snmptrapd',
    );
    const traps = readFileSync(trapLog, 'utf8');
    expect(traps).toContain(ups.address.host);
    expect(traps).toContain('.1.3.6.1.2.1.33.2.3'); // alarm entry added (input bad, low battery)

    await eventually(async () => !(await answers(codec)), 'site dark when the battery is empty', 200);
    expect(await answers(ups)).toBe(false);

    sim.faults.clear(id);
    expect(await answers(codec)).toBe(true);
    const [up] = await get(ups, ['1.3.6.1.2.1.1.3.0']);
    expect(Number(up!.value)).toBeLessThan(Number(before!.value)); // rebooted
    const [src] = await get(ups, ['1.3.6.1.2.1.33.1.4.1.0']);
    expect(src!.value).toBe('3');
    await eventually(async () => readFileSync(trapLog, 'utf8').includes('.1.3.6.1.6.3.1.1.5.1'), 'coldStart');
  });

  it('power cut cleared before the battery is empty: alarms removed, traps say so', async () => {
    const site = siteOf(
      (s, p) => p === 'ups-mib' && inv.sites.get(s)!.tier === 'commune' && s.endsWith('2'),
      'ups',
    );
    const ups = dev(`${site}-ups`);
    const id = sim.faults.inject({ kind: 'power_cut', site });
    const [m1] = await get(ups, ['1.3.6.1.2.1.33.1.2.3.0']);
    await sleep(2500);
    const [m2] = await get(ups, ['1.3.6.1.2.1.33.1.2.3.0']);
    expect(Number(m2!.value)).toBeLessThan(Number(m1!.value)); // runtime drains (60× speed)
    sim.faults.clear(id);
    const [present] = await get(ups, ['1.3.6.1.2.1.33.1.6.1.0']);
    expect(present!.value).toBe('0');
    await eventually(
      async () => readFileSync(trapLog, 'utf8').includes('.1.3.6.1.2.1.33.2.4'),
      'upsTrapAlarmEntryRemoved (input restored)',
    );
  });

  it('power cut at an APC UPS: PowerNet status and APC traps', async () => {
    const site = siteOf((s, p) => p === 'apc-powernet' && inv.sites.get(s)!.tier === 'commune', 'ups');
    const ups = dev(`${site}-ups`);
    const id = sim.faults.inject({ kind: 'power_cut', site });
    const st = await get(ups, ['1.3.6.1.4.1.318.1.1.1.4.1.1.0', '1.3.6.1.4.1.318.1.1.1.3.2.1.0']);
    expect(st.map((v) => v.value)).toEqual(['3', '0']); // onBattery, no input voltage
    await eventually(
      async () => readFileSync(trapLog, 'utf8').includes('.1.3.6.1.4.1.318.0.5'),
      'APC upsOnBattery trap',
    );
    sim.faults.clear(id);
    const [back] = await get(ups, ['1.3.6.1.4.1.318.1.1.1.4.1.1.0']);
    expect(back!.value).toBe('2');
    await eventually(
      async () => readFileSync(trapLog, 'utf8').includes('.1.3.6.1.4.1.318.0.9'),
      'APC powerRestored trap',
    );
  });

  it('link degraded adds measurable delay and loss on the reflector, which echoes payloads unchanged', async () => {
    const site = [...inv.sites.values()].find((s) => s.tier === 'commune')!;
    const [host, port] = site.probes.rtp!.split(':');
    const base = await probe(host!, Number(port), 40);
    expect(base.length).toBeGreaterThanOrEqual(38);
    sim.faults.inject({ kind: 'link_degraded', site: site.id, delay_ms: 200, loss_pct: 40 });
    const bad = await probe(host!, Number(port), 60);
    expect(bad.length).toBeLessThan(55);
    expect(bad.length).toBeGreaterThan(10);
    expect(Math.min(...bad)).toBeGreaterThan(150);
    expect(median(bad) - median(base)).toBeGreaterThan(150);
  });

  it('link down silences a site (agents and reflector); codec hung silences only the codec', async () => {
    const site = [...inv.sites.values()].find((s) => s.tier === 'commune' && s.id.endsWith('5'))!;
    const other = [...inv.sites.values()].find((s) => s.tier === 'commune' && s.id.endsWith('6'))!;
    const [host, port] = site.probes.rtp!.split(':');
    const id = sim.faults.inject({ kind: 'link_down', site: site.id });
    expect(await answers(dev(`${site.id}-router`))).toBe(false);
    expect(await answers(dev(`${site.id}-ups`))).toBe(false);
    expect(await probe(host!, Number(port), 5)).toHaveLength(0);
    expect(await answers(dev(`${other.id}-router`))).toBe(true);
    sim.faults.clear(id);

    sim.faults.inject({ kind: 'codec_hung', site: site.id });
    expect(await answers(dev(`${site.id}-codec`))).toBe(false);
    expect(await answers(dev(`${site.id}-ups`))).toBe(true);
    expect(await probe(host!, Number(port), 5)).toHaveLength(5);
  });

  it('district outage darkens every site of that district and no other', async () => {
    const districts = [...inv.districts.keys()];
    expect(districts.length).toBeGreaterThan(1);
    sim.faults.inject({ kind: 'district_outage', district: districts[0]! });
    for (const s of inv.sites.values()) {
      const d = dev(`${s.id}-router`);
      const v = d.snmp === 'core-v3' ? V3 : V2;
      expect(await answers(d, v), s.id).toBe(s.district !== districts[0]);
    }
  });

  it('garbage modes: wrong types, noSuchObject, truncated packets', async () => {
    const d = [...inv.devices.values()].find((x) => x.kind === 'ups' && x.snmp === 'site-v2c')!;
    sim.faults.inject({ kind: 'garbage', device: d.id, mode: 'wrong_type' });
    const [w] = await get(d, ['1.3.6.1.2.1.1.3.0']);
    expect(w!.type).toBe('STRING');
    sim.faults.clearAll();
    sim.faults.inject({ kind: 'garbage', device: d.id, mode: 'no_such_object' });
    const n = await netsnmp('snmpget', [...V2, addr(d), '1.3.6.1.2.1.1.3.0']);
    expect(n.out).toMatch(/No Such Object/);
    sim.faults.clearAll();
    sim.faults.inject({ kind: 'garbage', device: d.id, mode: 'truncated' });
    expect(await answers(d)).toBe(false);
    sim.faults.clearAll();
    expect(await answers(d)).toBe(true);
  });

  it('refuses faults that name nothing in the inventory', () => {
    expect(() => sim.faults.inject({ kind: 'power_cut', site: 'xa-khong-co' })).toThrow(
      /unknown site "xa-khong-co"/,
    );
    expect(() => sim.faults.inject({ kind: 'district_outage', district: 'khong-co' })).toThrow(
      /unknown district/,
    );
    expect(() => sim.faults.clear('f999')).toThrow(/no fault "f999"/);
    // a degraded link that degrades nothing would look injected and change nothing
    expect(() => sim.faults.inject({ kind: 'link_degraded', site: [...inv.sites.keys()][0]! })).toThrow(
      /loss_pct, delay_ms or jitter_ms/,
    );
  });
});

describe('HTTP control API', () => {
  it('adds, lists and clears faults, drives meetings, and explains bad input with 4xx', async () => {
    const base = sim.controlUrl!;
    const site = [...inv.sites.values()].find((s) => s.tier === 'commune')!.id;
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });

    const r1 = await post('/faults', { kind: 'link_degraded', site, loss_pct: 5 });
    expect(r1.status).toBe(201);
    const { id } = (await r1.json()) as { id: string };
    const list = (await (await fetch(`${base}/faults`)).json()) as { faults: { id: string; kind: string }[] };
    expect(list.faults).toEqual([expect.objectContaining({ id, kind: 'link_degraded', site, loss_pct: 5 })]);

    const bad = await post('/faults', { kind: 'power_cut', site: 'khong-co' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/unknown site/);
    const badKind = await post('/faults', { kind: 'flood' });
    expect(badKind.status).toBe(400);
    const notJson = await fetch(`${base}/faults`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect((await fetch(`${base}/faults/f999`, { method: 'DELETE' })).status).toBe(404);

    expect((await fetch(`${base}/faults/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect(sim.faults.list()).toHaveLength(0);
    sim.faults.inject({ kind: 'codec_hung', site });
    expect((await fetch(`${base}/faults`, { method: 'DELETE' })).status).toBe(200);
    expect(sim.faults.list()).toHaveLength(0);

    expect((await post('/meeting/start', { sites: [site] })).status).toBe(200);
    expect(await (await fetch(`${base}/meeting`)).json()).toEqual({ sites: [site] });
    expect((await post('/meeting/start', { sites: [] })).status).toBe(400);
    expect((await post('/meeting/start', { sites: ['khong-co'] })).status).toBe(400);
    expect((await post('/meeting/end', {})).status).toBe(200);
    expect(sim.meeting.active()).toEqual([]);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);

    sim.faults.inject({ kind: 'link_down', site });
    const st = (await (await fetch(`${base}/status`)).json()) as {
      sites: { site: string; reachable: boolean }[];
    };
    expect(st.sites).toHaveLength(inv.sites.size);
    expect(st.sites.find((x) => x.site === site)).toEqual(
      expect.objectContaining({ reachable: false, powered: true }),
    );
  });
});
