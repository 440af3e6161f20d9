// The collector reads each device's identity from agents the project did not write (Debian snmpsim
// serving ENTITY-MIB and SNMPv2-MIB recordings on loopback) and the register keeps it in a real state
// database: model/serial/firmware from the chassis row, then a firmware upgrade served by the agent
// is one change with before and after; an agent answering garbage identity marks its device.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../collector/index.ts';
import type { DeviceEvent } from '../core/bus.ts';
import { openStateDb, type StateDb } from '../storage/state-db.ts';
import {
  type Agent,
  freeUdpPort,
  SNMP_ONLY,
  startSnmpsim,
  TEST_SECRETS,
  type TestNetwork,
  testNetwork,
} from '../test/helpers/agents.ts';
import { type AssetsService, startAssets } from './service.ts';

const E = '1.3.6.1.2.1.47.1.1.1.1';
/** an SX80-like codec: row 1 a slot (container), row 2 the chassis; sysUpTime 1 day unless given */
const codec = (firmware: string, serial = 'FTT2024A1B2', uptime = 8640000) => `
1.3.6.1.2.1.1.1.0|4|Cisco Codec Release ce ${firmware}
1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.5596.150.6.4.1
1.3.6.1.2.1.1.3.0|67|${uptime}
${E}.2.1|4|Slot 1
${E}.5.1|2|5
${E}.11.1|4|SLOT-SERIAL
${E}.13.1|4|Slot
${E}.2.2|4|Cisco TelePresence SX80
${E}.5.2|2|3
${E}.8.2|4|1.2
${E}.9.2|4|${firmware}
${E}.11.2|4|${serial}
${E}.12.2|4|Cisco Systems, Inc.
${E}.13.2|4|TTC6-07`;

/** garbage: a serial number as an INTEGER, a model name of binary bytes; the firmware is fine */
const GARBAGE = `
1.3.6.1.2.1.1.1.0|4|Router
1.3.6.1.2.1.1.3.0|67|100
${E}.5.1|2|3
${E}.9.1|4|15.2(4)M
${E}.11.1|2|12345
${E}.13.1|4x|00ff01fe07`;

let net: TestNetwork;
let dir: string;
let db: StateDb;
let assets: AssetsService;
let collector: Collector;
const agents: Agent[] = [];
const events: DeviceEvent[] = [];
let good: string;
let bad: string;
const hosts = ['127.47.200.1', '127.47.200.2'];
const ports: number[] = [];
const community = TEST_SECRETS.DIEMCAU_SNMP_COMMUNITY;

beforeAll(async () => {
  net = await testNetwork(3, 47, { interval: '1h', ...SNMP_ONLY });
  dir = mkdtempSync(join(tmpdir(), 'diemcau-assets-'));
  db = openStateDb(join(dir, 'state.db'));
  const inv = net.runtime.inventory;
  const devs = [...inv.devices.values()];
  good = devs.find((d) => d.kind === 'codec')!.id;
  bad = devs.find((d) => d.kind === 'router')!.id;
  ports.push(await freeUdpPort(hosts[0]), await freeUdpPort(hosts[1]));
  agents.push(
    await startSnmpsim({ host: hosts[0]!, port: ports[0]!, data: { [community]: codec('9.15.3.17') } }),
    await startSnmpsim({ host: hosts[1]!, port: ports[1]!, data: { [community]: GARBAGE } }),
  );
  // generic profiles: what these devices answer beyond identity does not matter here
  Object.assign(inv.devices.get(good)!, {
    address: { host: hosts[0]!, port: ports[0]! },
    snmp: 'site-v2c',
    profile: 'generic-codec',
  });
  Object.assign(inv.devices.get(bad)!, { address: { host: hosts[1]!, port: ports[1]! }, snmp: 'site-v2c' });
  for (const id of [...inv.devices.keys()]) if (id !== good && id !== bad) inv.devices.delete(id);
  // snmpsim answers SNMPv2c (the province sites of a small network use SNMPv3 otherwise)
  net.credentials.set('site-v2c', { version: '2c', community });
  const rt = { ...net.runtime, state: db };
  rt.bus.onEvent((e) => events.push(e));
  assets = startAssets(rt);
  collector = await startCollector(rt, { credentials: net.credentials, autostart: false });
  await collector.pollNow(good);
  await collector.pollNow(bad);
}, 30_000);

afterAll(async () => {
  await collector?.stop();
  await assets?.stop();
  await Promise.all(agents.map((a) => a.stop()));
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  net?.cleanup();
});

describe('identity from ENTITY-MIB and sysDescr (snmpsim)', () => {
  it('the first poll reads it: the chassis row (class 3), not the first row', () => {
    const id = assets.store.identity(good)!;
    expect(id).toMatchObject({
      manufacturer: 'Cisco Systems, Inc.',
      model: 'TTC6-07',
      serial: 'FTT2024A1B2',
      firmware: '9.15.3.17',
      hardware_rev: '1.2',
      description: 'Cisco Codec Release ce 9.15.3.17',
      object_id: '1.3.6.1.4.1.5596.150.6.4.1',
      problem: null,
    });
    const ev = events.filter((e) => e.kind === 'identity' && e.device === good);
    expect(ev).toHaveLength(1);
    expect(ev[0]!.detail).toContain('S/N FTT2024A1B2');
  });

  it('a later poll within the identity interval does not read it again', async () => {
    await collector.pollNow(good);
    expect(events.filter((e) => e.kind === 'identity' && e.device === good)).toHaveLength(1);
  });

  it('the agent serves a new firmware: the next identity read stores one upgrade with before and after', async () => {
    const seen: unknown[] = [];
    const off = assets.onChange((c) => seen.push(...c));
    await agents[0]!.stop();
    agents[0] = await startSnmpsim({
      host: hosts[0]!,
      port: ports[0]!,
      data: { [community]: codec('11.5.1.9') },
    });
    await collector.identityNow(good);
    off();
    const changes = assets.store.changes(good);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      device: good,
      field: 'firmware',
      kind: 'upgrade',
      before: '9.15.3.17',
      after: '11.5.1.9',
    });
    expect(seen).toEqual(changes);
    expect(assets.store.identity(good)).toMatchObject({ firmware: '11.5.1.9', serial: 'FTT2024A1B2' });
    expect(assets.store.identity(good)!.last_seen).toBeGreaterThan(assets.store.identity(good)!.first_seen);
  });

  it('a reboot (sysUpTime went back) reads it at once: a swapped unit is a "replaced" change', async () => {
    await agents[0]!.stop();
    // the codec was replaced: another serial, and the new unit has been up for a minute only
    agents[0] = await startSnmpsim({
      host: hosts[0]!,
      port: ports[0]!,
      data: { [community]: codec('11.5.1.9', 'FTT2031Z9Y8', 6000) },
    });
    const before = events.filter((e) => e.kind === 'identity' && e.device === good).length;
    await collector.pollNow(good); // a plain poll, within the identity interval
    expect(events.some((e) => e.kind === 'reboot' && e.device === good)).toBe(true);
    expect(events.filter((e) => e.kind === 'identity' && e.device === good)).toHaveLength(before + 1);
    expect(assets.store.changes(good)[0]).toMatchObject({
      field: 'serial',
      kind: 'replaced',
      before: 'FTT2024A1B2',
      after: 'FTT2031Z9Y8',
    });
  });

  it('garbage identity marks the device (bad_response, status, register) and keeps what is readable', () => {
    const marks = events.filter((e) => e.device === bad && e.kind === 'bad_response');
    expect(marks).toHaveLength(1);
    expect(marks[0]!.name).toBe('identity_garbage');
    expect(marks[0]!.detail).toMatch(/entPhysicalSerialNum: expected text .*Integer/);
    expect(marks[0]!.detail).toMatch(/entPhysicalModelName: not printable text \(00ff01fe07/);
    const status = collector.status().devices.find((d) => d.id === bad)!;
    expect(status.reachable).toBe(true);
    expect(status.lastError).toMatch(/garbage identity/);
    const id = assets.store.identity(bad)!;
    expect(id.firmware).toBe('15.2(4)M');
    expect(id.serial).toBeUndefined();
    expect(id.model).toBeUndefined();
    expect(id.problem).toMatch(/entPhysicalSerialNum/);
  });

  it('the same garbage again is not a new mark; the poller keeps running', async () => {
    await collector.identityNow(bad);
    expect(events.filter((e) => e.device === bad && e.kind === 'bad_response')).toHaveLength(1);
    expect(assets.store.identity(bad)!.problem).toMatch(/entPhysicalSerialNum/);
    await collector.pollNow(good);
    expect(collector.status().devices.find((d) => d.id === good)!.lastError).toBeNull();
  });
});
