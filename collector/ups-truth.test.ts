// Every UPS quantity a NOC reads, from agents the project did not write: Debian snmpsim serving an
// RFC 1628 UPS-MIB recording and an APC PowerNet-MIB recording with unusual values (tenths of a
// volt, tenths of a hertz, TimeTicks runtimes, on battery, battery low, two alarms in the alarm table,
// an OBJECT IDENTIFIER naming each alarm). Each quantity is checked with its unit and its names
// (core/metrics.ts), as a person reads them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../core/bus.ts';
import { describeValue, METRICS, type MetricName, statesOf } from '../core/metrics.ts';
import {
  type Agent,
  freeUdpPort,
  SNMP_ONLY,
  startSnmpsim,
  TEST_SECRETS,
  type TestNetwork,
  testNetwork,
} from '../test/helpers/agents.ts';
import { type Collector, startCollector } from './index.ts';

// RFC 1628: on battery for 20 min 34 s, battery low, 219.6 V (UNITS "0.1 Volt DC"), 38 °C, two input
// lines at 49.9 and 50.1 Hz (UNITS "0.1 Hertz"), two alarms (rows 7 and 9: onBattery, lowBattery)
const RFC1628 = `
1.3.6.1.2.1.1.3.0|67|8640000
1.3.6.1.2.1.33.1.2.1.0|2|3
1.3.6.1.2.1.33.1.2.2.0|2|1234
1.3.6.1.2.1.33.1.2.3.0|2|7
1.3.6.1.2.1.33.1.2.4.0|2|23
1.3.6.1.2.1.33.1.2.5.0|2|2196
1.3.6.1.2.1.33.1.2.7.0|2|38
1.3.6.1.2.1.33.1.3.1.0|65|12
1.3.6.1.2.1.33.1.3.3.1.2.1|2|499
1.3.6.1.2.1.33.1.3.3.1.2.2|2|501
1.3.6.1.2.1.33.1.3.3.1.3.1|2|0
1.3.6.1.2.1.33.1.3.3.1.3.2|2|0
1.3.6.1.2.1.33.1.4.1.0|2|5
1.3.6.1.2.1.33.1.4.4.1.2.1|2|229
1.3.6.1.2.1.33.1.4.4.1.5.1|2|61
1.3.6.1.2.1.33.1.6.1.0|66|2
1.3.6.1.2.1.33.1.6.2.1.2.7|6|1.3.6.1.2.1.33.1.6.3.2
1.3.6.1.2.1.33.1.6.2.1.2.9|6|1.3.6.1.2.1.33.1.6.3.3
1.3.6.1.2.1.33.1.6.2.1.3.7|67|8520000
1.3.6.1.2.1.33.1.6.2.1.3.9|67|8630000`;

// APC: on battery (TimeTicks 74250 = 742.5 s), runtime TimeTicks 45000 (7.5 min), battery low and
// due for replacement, 27 V battery bus, 31 °C, no input (0 V, 0 Hz), last transfer: blackout
const APC = `
1.3.6.1.2.1.1.3.0|67|4321000
1.3.6.1.4.1.318.1.1.1.2.1.1.0|2|3
1.3.6.1.4.1.318.1.1.1.2.1.2.0|67|74250
1.3.6.1.4.1.318.1.1.1.2.2.1.0|66|41
1.3.6.1.4.1.318.1.1.1.2.2.2.0|66|31
1.3.6.1.4.1.318.1.1.1.2.2.3.0|67|45000
1.3.6.1.4.1.318.1.1.1.2.2.4.0|2|2
1.3.6.1.4.1.318.1.1.1.2.2.8.0|2|27
1.3.6.1.4.1.318.1.1.1.3.2.1.0|66|0
1.3.6.1.4.1.318.1.1.1.3.2.4.0|66|0
1.3.6.1.4.1.318.1.1.1.3.2.5.0|2|4
1.3.6.1.4.1.318.1.1.1.4.1.1.0|2|3
1.3.6.1.4.1.318.1.1.1.4.2.1.0|66|230
1.3.6.1.4.1.318.1.1.1.4.2.3.0|66|64`;

let net: TestNetwork;
const agents: Agent[] = [];
let collector: Collector;
const samples: Sample[] = [];
let rfcUps: string;
let apcUps: string;

beforeAll(async () => {
  net = await testNetwork(9, 41, { interval: '1h', ...SNMP_ONLY });
  const inv = net.runtime.inventory;
  const ups = [...inv.devices.values()].filter((d) => d.kind === 'ups');
  rfcUps = ups.find((d) => d.profile === 'ups-mib')!.id;
  apcUps = ups.find((d) => d.profile === 'apc-powernet')!.id;
  const community = TEST_SECRETS.DIEMCAU_SNMP_COMMUNITY;
  const hosts = ['127.41.200.1', '127.41.200.2'];
  const ports = [await freeUdpPort(hosts[0]), await freeUdpPort(hosts[1])];
  agents.push(
    ...(await Promise.all([
      startSnmpsim({ host: hosts[0]!, port: ports[0]!, data: { [community]: RFC1628 } }),
      startSnmpsim({ host: hosts[1]!, port: ports[1]!, data: { [community]: APC } }),
    ])),
  );
  // snmpsim answers SNMPv2c: both UPSes use the sites' v2c credentials
  Object.assign(inv.devices.get(rfcUps)!, {
    address: { host: hosts[0]!, port: ports[0]! },
    snmp: 'site-v2c',
  });
  Object.assign(inv.devices.get(apcUps)!, {
    address: { host: hosts[1]!, port: ports[1]! },
    snmp: 'site-v2c',
  });
  for (const id of [...inv.devices.keys()]) if (id !== rfcUps && id !== apcUps) inv.devices.delete(id);
  net.runtime.bus.onSamples((b) => samples.push(...b));
  collector = await startCollector(net.runtime, { credentials: net.credentials });
  await collector.pollNow(rfcUps);
  await collector.pollNow(apcUps);
});
afterAll(async () => {
  await collector?.stop();
  await Promise.all(agents.map((a) => a.stop()));
  net?.cleanup();
});

/** the samples of the device's newest poll (the collector's first round may have polled it too) */
const of = (device: string, metric: MetricName) => {
  const last = Math.max(...samples.filter((s) => s.device === device).map((s) => s.time));
  return samples.filter((s) => s.device === device && s.metric === metric && s.time === last);
};
const one = (device: string, metric: MetricName) => {
  const got = of(device, metric);
  expect(got, `${device} ${metric}`).toHaveLength(1);
  return got[0]!.value;
};

/** what a person reads, Vietnamese first */
const read = (metric: MetricName, value: number) =>
  `${describeValue(metric, value, 'vi')} / ${describeValue(metric, value, 'en')}`;

describe('RFC 1628 UPS-MIB (snmpsim recording)', () => {
  it('battery: status low, 219.6 V from tenths, 38 °C, 7 min left, 23 %, on battery for 1234 s', () => {
    expect(one(rfcUps, 'ups_battery_status')).toBe(3);
    expect(read('ups_battery_status', 3)).toBe('3 (Pin yếu) / 3 (low)');
    expect(one(rfcUps, 'ups_battery_v')).toBe(219.6);
    expect(read('ups_battery_v', 219.6)).toBe('219,6 V / 219.6 V');
    expect(METRICS.ups_battery_v).toMatchObject({ vi: 'Điện áp ắc quy', en: 'UPS battery voltage' });
    expect(one(rfcUps, 'ups_battery_temp_c')).toBe(38);
    expect(METRICS.ups_battery_temp_c).toMatchObject({ unit: '°C', vi: 'Nhiệt độ ắc quy' });
    expect(one(rfcUps, 'ups_runtime_min')).toBe(7);
    expect(one(rfcUps, 'ups_charge_pct')).toBe(23);
    expect(one(rfcUps, 'ups_on_battery_s')).toBe(1234);
    expect(METRICS.ups_on_battery_s).toMatchObject({ unit: 's', vi: 'Thời gian đã chạy pin' });
    expect(one(rfcUps, 'ups_on_battery')).toBe(1);
    expect(one(rfcUps, 'device_health')).toBe(0.5);
  });

  it('input: frequency per line from tenths of a hertz (49.9, 50.1 Hz), 0 V', () => {
    const hz = of(rfcUps, 'ups_input_hz').map((s) => [s.tags.instance, s.value]);
    expect(hz).toEqual([
      ['1', 49.9],
      ['2', 50.1],
    ]);
    expect(METRICS.ups_input_hz).toMatchObject({
      unit: 'Hz',
      vi: 'Tần số điện vào',
      en: 'UPS input frequency',
    });
    expect(of(rfcUps, 'ups_input_v').map((s) => s.value)).toEqual([0, 0]);
    expect(one(rfcUps, 'ups_load_pct')).toBe(61);
  });

  it('alarms: two present, each named by the well-known alarm its upsAlarmDescr points to', () => {
    expect(one(rfcUps, 'ups_alarms')).toBe(2);
    const alarms = of(rfcUps, 'ups_alarm').map((s) => [s.tags.instance, s.value]);
    expect(alarms).toEqual([
      ['7', 2],
      ['9', 3],
    ]);
    expect(read('ups_alarm', 2)).toBe('2 (Đang chạy pin) / 2 (on battery)');
    expect(read('ups_alarm', 3)).toBe('3 (Pin yếu) / 3 (low battery)');
    expect(Object.keys(statesOf('ups_alarm')!)).toHaveLength(24);
    // no upsAlarmBatteryBad row: the batteries need no replacement
    expect(one(rfcUps, 'ups_replace_battery')).toBe(0);
    // RFC 1628 has no transfer cause
    expect(of(rfcUps, 'ups_transfer_cause')).toEqual([]);
  });

  it('every sample of the UPS is a quantity of the vocabulary, none dropped with a problem', () => {
    const st = collector.status().devices.find((d) => d.id === rfcUps)!;
    expect(st.lastError).toBeNull();
    for (const s of of(rfcUps, 'ups_alarm')) expect(s.tags.tier).toBeDefined();
  });
});

describe('APC PowerNet-MIB (snmpsim recording)', () => {
  it('battery: low, due for replacement, 27 V, 31 °C, 7.5 min from TimeTicks, 41 %', () => {
    expect(one(apcUps, 'ups_battery_status')).toBe(3);
    expect(one(apcUps, 'ups_replace_battery')).toBe(1);
    expect(read('ups_replace_battery', 1)).toBe('1 (Cần thay ắc quy) / 1 (replace battery)');
    expect(one(apcUps, 'ups_battery_v')).toBe(27);
    expect(one(apcUps, 'ups_battery_temp_c')).toBe(31);
    expect(one(apcUps, 'ups_runtime_min')).toBe(7.5);
    expect(one(apcUps, 'ups_charge_pct')).toBe(41);
    expect(one(apcUps, 'device_health')).toBe(0.5);
  });

  it('on battery for 742.5 s (TimeTicks), no input (0 V, 0 Hz), last transfer: blackout', () => {
    expect(one(apcUps, 'ups_on_battery')).toBe(1);
    expect(one(apcUps, 'ups_on_battery_s')).toBe(742.5);
    expect(one(apcUps, 'ups_input_v')).toBe(0);
    expect(one(apcUps, 'ups_input_hz')).toBe(0);
    expect(one(apcUps, 'ups_load_pct')).toBe(64);
    expect(one(apcUps, 'ups_transfer_cause')).toBe(4);
    expect(read('ups_transfer_cause', 4)).toBe('4 (Mất điện lưới) / 4 (blackout)');
  });

  it('alarms: its states as the RFC 1628 well-known alarms (on battery, low battery, battery bad)', () => {
    const alarms = of(apcUps, 'ups_alarm')
      .map((s) => [s.tags.instance, s.value])
      .sort();
    expect(alarms).toEqual([
      ['low_battery', 3],
      ['on_battery', 2],
      ['replace_battery', 1],
    ]);
    expect(one(apcUps, 'ups_alarms')).toBe(3);
    expect(read('ups_alarm', 1)).toBe('1 (Ắc quy hỏng, cần thay) / 1 (battery bad (replace))');
    expect(collector.status().devices.find((d) => d.id === apcUps)!.lastError).toBeNull();
  });
});

describe('what the alert engine makes of them', () => {
  it('on battery and battery low at both UPSes: a power episode per site, battery low its child, the technician paged', async () => {
    const { StaticMeetings, startAlerts } = await import('../alerts/index.ts');
    const { openStateDb } = await import('../storage/state-db.ts');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    // the collector's runtime with a state database of its own for the engine
    const rt = {
      ...net.runtime,
      state: openStateDb(join(mkdtempSync(join(tmpdir(), 'diemcau-ups-')), 'state.db')),
    };
    const t0 = Math.max(...samples.map((s) => s.time));
    let now = t0;
    const engine = await startAlerts(rt, {
      meetings: new StaticMeetings(),
      now: () => now,
      tickMs: 3_600_000,
      env: {},
    });
    try {
      rt.bus.publish(samples.filter((s) => s.time === t0 || s.device === rfcUps || s.device === apcUps));
      now += 2000;
      engine.tickNow(); // the episodes open
      now += 2000;
      engine.tickNow(); // the group wait is over: paged
      for (const ups of [rfcUps, apcUps]) {
        const site = rt.inventory.devices.get(ups)!.site!;
        const eps = engine.episodes({ site: site.id });
        expect(
          eps.map((e) => e.rule),
          ups,
        ).toEqual(['ups-on-battery']);
        const ep = eps[0]!;
        expect(ep.cause).toBe('power');
        expect(ep.owner_org).toBe(site.power);
        expect(ep.members.map((m) => [m.rule, m.role])).toContainEqual(['ups-battery-low', 'child']);
        expect(ep.notifications[0]!.to).toContain(site.technician);
      }
    } finally {
      await engine.stop();
      rt.state.close();
    }
  });
});
