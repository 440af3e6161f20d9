// The trap receiver with Net-SNMP's `snmptrap` as the sender: v2c and v3 (authPriv), known and
// unknown notifications, senders outside the inventory; and the profile files themselves.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceEvent, Sample } from '../core/bus.ts';
import { freeUdpPort, TEST_SECRETS, type TestNetwork, testNetwork } from '../test/helpers/agents.ts';
import { type Collector, startCollector } from './index.ts';
import { loadProfiles } from './profile.ts';

const run = promisify(execFile);

describe('trap receiver', () => {
  let net: TestNetwork;
  let collector: Collector;
  let port: number;
  const samples: Sample[] = [];
  const events: DeviceEvent[] = [];

  beforeAll(async () => {
    port = await freeUdpPort('127.0.0.1');
    net = await testNetwork(9, 44, {
      interval: '1h',
      snmp_timeout: '200ms',
      snmp_retries: 0,
      trap_listen: `127.0.0.1:${port}`,
      icmp: { enabled: false, count: 1 },
      rtp: { enabled: false, packets: 1, interval: '20ms' },
    });
    net.runtime.bus.onSamples((b) => samples.push(...b));
    net.runtime.bus.onEvent((e) => events.push(e));
    collector = await startCollector(net.runtime, { credentials: net.credentials });
  });
  afterAll(async () => {
    await collector?.stop();
    net?.cleanup();
  });

  const env = { ...process.env, MIBS: '', MIBDIRS: '/nonexistent' };
  const waitFor = async <T>(f: () => T | undefined): Promise<T | undefined> => {
    for (let i = 0; i < 100; i++) {
      const v = f();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 20));
    }
    return undefined;
  };

  it('turns an SNMPv2c upsTrapOnBattery into an event and an on-battery sample', async () => {
    // communes use SNMPv2c in the generated inventory (province and district sites SNMPv3)
    const dev = net.runtime.inventory.devices.get('xa-so-1-ups')!;
    expect(dev.profile).toBe('ups-mib');
    await run(
      'snmptrap',
      [
        '-v2c',
        '-c',
        TEST_SECRETS.DIEMCAU_SNMP_COMMUNITY,
        `--clientaddr=${dev.address.host}`,
        `127.0.0.1:${port}`,
        '',
        '1.3.6.1.2.1.33.2.1',
        '1.3.6.1.2.1.33.1.2.3.0',
        'i',
        '42',
      ],
      { env },
    );
    const ev = await waitFor(() => events.find((e) => e.kind === 'trap' && e.device === dev.id));
    expect(ev).toMatchObject({ name: 'upsTrapOnBattery', site: dev.site!.id });
    expect(ev!.data?.['1.3.6.1.2.1.33.1.2.3.0']).toBe(42);
    const s = samples.find((x) => x.device === dev.id && x.metric === 'ups_on_battery');
    expect(s).toMatchObject({ value: 1, tags: { tier: dev.site!.tier, district: dev.site!.district } });
  });

  it('accepts SNMPv3 authPriv (SHA/AES) notifications: APC powerRestored', async () => {
    const apc = [...net.runtime.inventory.devices.values()].find((d) => d.profile === 'apc-powernet')!;
    expect(net.credentials.get(apc.snmp)!.version).toBe('3');
    await run(
      'snmptrap',
      [
        '-v3',
        '-e',
        '0x80001f8880aabbccdd',
        '-u',
        'diemcau',
        '-l',
        'authPriv',
        '-a',
        'SHA',
        '-A',
        TEST_SECRETS.DIEMCAU_SNMP_AUTH_KEY,
        '-x',
        'AES',
        '-X',
        TEST_SECRETS.DIEMCAU_SNMP_PRIV_KEY,
        `--clientaddr=${apc.address.host}`,
        `127.0.0.1:${port}`,
        '',
        '1.3.6.1.4.1.318.0.9',
      ],
      { env },
    );
    const ev = await waitFor(() => events.find((e) => e.kind === 'trap' && e.device === apc.id));
    expect(ev?.name).toBe('powerRestored');
    expect(samples.find((x) => x.device === apc.id && x.metric === 'ups_on_battery')?.value).toBe(0);
  });

  it('maps an SNMPv1 Trap-PDU (enterprise + specific) to its notification: APC upsOnBattery', async () => {
    const apc = [...net.runtime.inventory.devices.values()].find((d) => d.profile === 'apc-powernet')!;
    const before = events.length;
    await run(
      'snmptrap',
      [
        '-v1',
        '-c',
        TEST_SECRETS.DIEMCAU_SNMP_COMMUNITY,
        `--clientaddr=${apc.address.host}`,
        `127.0.0.1:${port}`,
        '1.3.6.1.4.1.318',
        apc.address.host,
        '6',
        '5',
        '',
      ],
      { env },
    );
    const ev = await waitFor(() =>
      events.slice(before).find((e) => e.kind === 'trap' && e.device === apc.id),
    );
    expect(ev?.name).toBe('upsOnBattery');
  });

  it('reports unknown notifications as such and ignores senders outside the inventory', async () => {
    const router = net.runtime.inventory.devices.get('xa-so-1-router')!;
    const before = events.length;
    const send = (from: string, oid: string) =>
      run(
        'snmptrap',
        [
          '-v2c',
          '-c',
          TEST_SECRETS.DIEMCAU_SNMP_COMMUNITY,
          `--clientaddr=${from}`,
          `127.0.0.1:${port}`,
          '',
          oid,
        ],
        { env },
      );
    await send(router.address.host, '1.3.6.1.4.1.99999.0.1');
    await send('127.44.250.250', '1.3.6.1.2.1.33.2.1');
    const ev = await waitFor(() => events.slice(before).find((e) => e.device === router.id));
    expect(ev).toMatchObject({ kind: 'trap', name: 'unknown_trap' });
    await new Promise((r) => setTimeout(r, 100));
    expect(events.slice(before).filter((e) => e.kind === 'trap' && e.device !== router.id)).toEqual([]);
    const m = await net.runtime.registry.getSingleMetricAsString('diemcau_collector_traps_total');
    expect(m).toMatch(/name="unknown"} 2/);
  });

  it('refuses a trap port already in use with a message that names the setting', async () => {
    const { Registry } = await import('prom-client');
    const cfg = {
      ...net.runtime.config,
      collector: { ...net.runtime.config.collector, trap_listen: `127.0.0.1:${port}` },
    };
    await expect(
      startCollector(
        { ...net.runtime, config: cfg, registry: new Registry() },
        { credentials: net.credentials },
      ),
    ).rejects.toThrow(/collector.trap_listen/);
  });
});

describe('shards', () => {
  it('polls only the devices of the districts asked for; "core" is the MCU', async () => {
    const net = await testNetwork(40, 44, { trap_listen: 'off', icmp: { enabled: false, count: 1 } });
    try {
      const districts = [...net.runtime.inventory.districts.keys()];
      expect(districts.length).toBeGreaterThan(1);
      const { Registry } = await import('prom-client');
      const one = await startCollector(
        { ...net.runtime, registry: new Registry() },
        { credentials: net.credentials, shard: { district: districts[1]! }, autostart: false },
      );
      const ids = one.status().devices.map((d) => d.id);
      await one.stop();
      const expected = [...net.runtime.inventory.devices.values()]
        .filter((d) => d.site?.district === districts[1])
        .map((d) => d.id);
      expect(ids.sort()).toEqual(expected.sort());
      const core = await startCollector(
        { ...net.runtime, registry: new Registry() },
        { credentials: net.credentials, shard: { district: 'core' }, autostart: false },
      );
      expect(core.status().devices.map((d) => d.id)).toEqual(['mcu-viettel']);
      await core.stop();
    } finally {
      net.cleanup();
    }
  });
});

describe('profiles', () => {
  it('loads every profile file and each inventory profile has one', async () => {
    const profiles = loadProfiles();
    for (const name of [
      'polycom-group',
      'polycom-hdx',
      'cisco-cts',
      'generic-codec',
      'ups-mib',
      'apc-powernet',
      'if-mib-router',
      'polycom-mcu',
    ]) {
      expect(profiles.get(name), name).toBeDefined();
      expect(profiles.get(name)!.uptime).toBe('sysUpTime');
    }
    expect(profiles.get('polycom-mcu')!.portsFallback).toBe('codec_in_call');
  });

  it('rejects a bad profile with the file, the line and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-profiles-'));
    try {
      writeFileSync(
        join(dir, 'bad-ups.yaml'),
        'name: bad-ups\nkind: ups\nscalars:\n  x: .1.3.6.1.2\nmetrics:\n  - { metric: ups_on_battery, var: x }\n',
      );
      expect(() => loadProfiles(dir)).toThrow(/bad-ups\.yaml:4.*numeric OID/);
      writeFileSync(
        join(dir, 'bad-ups.yaml'),
        'name: bad-ups\nkind: ups\nscalars:\n  x: 1.3.6.1.2.0\nmetrics:\n  - { metric: ups_on_battery, var: y }\n  - { metric: volts, var: x }\n',
      );
      expect(() => loadProfiles(dir)).toThrow(/metric name from core\/metrics\.ts/);
      writeFileSync(
        join(dir, 'bad-ups.yaml'),
        'name: bad-ups\nkind: ups\nscalars:\n  x: 1.3.6.1.2.0\nmetrics:\n  - { metric: ups_on_battery, var: y }\n',
      );
      expect(() => loadProfiles(dir)).toThrow(/unknown scalar "y"/);
      writeFileSync(
        join(dir, 'bad-ups.yaml'),
        'name: bad-ups\nkind: ups\ntables:\n  t: { rows: 1, columns: { c: 1.3.6.1.2.1 } }\nmetrics:\n  - { metric: ups_load_pct, table: t, var: c, agg: max, parent: { table: calls, where: { var: s, eq: 1 } } }\n',
      );
      expect(() => loadProfiles(dir)).toThrow(/parent: unknown table "calls"/);
      // an enum must land on a named state of the metric
      writeFileSync(
        join(dir, 'bad-ups.yaml'),
        'name: bad-ups\nkind: ups\nscalars:\n  x: 1.3.6.1.2.0\nmetrics:\n  - { metric: device_health, var: x, map: { "1": 1, "2": 2 } }\n',
      );
      expect(() => loadProfiles(dir)).toThrow(
        /2 is not a state of device_health \(0 = Hỏng \/ failed, 0\.5 = Suy giảm \/ degraded, 1 = Tốt \/ ok\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
