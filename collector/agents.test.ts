// The collector against third-party agents: Net-SNMP snmpd (SNMPv2-MIB, IF-MIB, v3 users, every
// profile's data by `override`) and Debian snmpsim (recorded UPS-MIB, 64-bit and wrapping counters,
// wrong types, missing objects, end of MIB view).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceEvent, Sample } from '../core/bus.ts';
import {
  type Agent,
  SNMP_ONLY,
  startFleet,
  startSnmpsim,
  TEST_SECRETS,
  type TestNetwork,
  testNetwork,
} from '../test/helpers/agents.ts';
import { type Collector, startCollector } from './index.ts';

function recorder(net: TestNetwork) {
  const samples: Sample[] = [];
  const events: DeviceEvent[] = [];
  net.runtime.bus.onSamples((b) => samples.push(...b));
  net.runtime.bus.onEvent((e) => events.push(e));
  const latest = (device: string, metric: string, instance?: string) =>
    samples.findLast(
      (s) =>
        s.device === device &&
        s.metric === metric &&
        (instance === undefined || s.tags.instance === instance),
    );
  return { samples, events, latest };
}

describe('against Net-SNMP snmpd', () => {
  let net: TestNetwork;
  let fleet: Map<string, Agent>;
  let collector: Collector;
  let rec: ReturnType<typeof recorder>;

  beforeAll(async () => {
    net = await testNetwork(9, 40, { interval: '1h', ...SNMP_ONLY });
    fleet = await startFleet(net);
    rec = recorder(net);
    collector = await startCollector(net.runtime, { credentials: net.credentials });
  });
  afterAll(async () => {
    await collector?.stop();
    await Promise.all([...(fleet?.values() ?? [])].map((a) => a.stop()));
    net?.cleanup();
  });

  const pollAll = () =>
    Promise.all([...net.runtime.inventory.devices.keys()].map((id) => collector.pollNow(id)));

  it('reads every profile, over SNMPv3 (authPriv SHA/AES) and v2c, with the right values and tags', async () => {
    await pollAll();
    expect(collector.status().devices.filter((d) => !d.reachable)).toEqual([]);
    const { latest } = rec;
    // Polycom Group (SNMPv3, province tier)
    expect(latest('tinh-uy-codec', 'in_call')?.value).toBe(1);
    expect(latest('tinh-uy-codec', 'call_rate_kbps')?.value).toBe(1920);
    expect(latest('tinh-uy-codec', 'loss_pct')).toMatchObject({ value: 1, tags: { probe: 'codec' } });
    expect(latest('tinh-uy-codec', 'jitter_ms')?.value).toBe(12);
    expect(latest('tinh-uy-codec', 'codec_registered')?.value).toBe(1);
    expect(latest('tinh-uy-codec', 'device_health')?.value).toBe(1);
    expect(latest('tinh-uy-codec', 'if_up', '4')?.value).toBe(0);
    expect(latest('tinh-uy-codec', 'if_up', '1')?.value).toBe(1);
    expect(latest('tinh-uy-codec', 'uptime_s')!.value).toBeGreaterThan(0);
    expect(latest('tinh-uy-codec', 'in_call')!.tags).toEqual({
      tier: 'province',
      district: 'huyen-1',
      carrier: 'vnpt',
    });
    // Cisco CTS: only the call row with ctpcCallTermReason = incall(12) is active
    expect(latest('so-tttt-codec', 'in_call')?.value).toBe(1);
    expect(latest('so-tttt-codec', 'call_rate_kbps')?.value).toBe(4000);
    expect(latest('so-tttt-codec', 'codec_registered')?.value).toBe(1);
    // its streams: the worst of the call in progress; the ended call's stale 5 % and 90 ms ignored
    expect(latest('so-tttt-codec', 'loss_pct')).toMatchObject({ value: 0.25, tags: { probe: 'codec' } });
    expect(latest('so-tttt-codec', 'jitter_ms')?.value).toBe(12);
    // Polycom HDX: DisplayString statistics parsed as numbers
    expect(latest('xa-so-2-codec', 'loss_pct')?.value).toBe(2);
    expect(latest('xa-so-2-codec', 'jitter_ms')?.value).toBe(15);
    expect(latest('xa-so-2-codec', 'in_call')?.value).toBe(1);
    // generic codec: interfaces only
    expect(latest('xa-so-3-codec', 'in_call')).toBeUndefined();
    expect(latest('xa-so-3-codec', 'if_up', '2')?.value).toBe(1);
    // RFC 1628 UPS (v2c, commune)
    expect(latest('xa-so-1-ups', 'ups_on_battery')?.value).toBe(0);
    expect(latest('xa-so-1-ups', 'ups_runtime_min')?.value).toBe(45);
    expect(latest('xa-so-1-ups', 'ups_input_v', '1')?.value).toBe(221);
    expect(latest('xa-so-1-ups', 'ups_load_pct')?.value).toBe(35);
    // APC PowerNet (district hall, SNMPv3): runtime TimeTicks 270000 → 45 min
    expect(latest('huyen-huyen-1-ups', 'ups_runtime_min')?.value).toBe(45);
    expect(latest('huyen-huyen-1-ups', 'ups_input_v')?.value).toBe(223);
    expect(latest('huyen-huyen-1-ups', 'ups_on_battery')?.value).toBe(0);
    // router: interfaces named by ifName
    expect(latest('xa-so-1-router', 'if_up', 'wan0')?.value).toBe(1);
    expect(latest('xa-so-1-router', 'if_up', 'lan3')?.value).toBe(1);
    // MCU (SNMPv3) aggregates
    expect(latest('mcu-viettel', 'mcu_participants')?.value).toBe(3);
    expect(latest('mcu-viettel', 'mcu_ports_used_pct')?.value).toBe(2);
    expect(latest('mcu-viettel', 'device_health')!.tags.tier).toBe('core');
    // self-metrics on the runtime's registry
    const text = await net.runtime.registry.metrics();
    expect(text).toMatch(/diemcau_collector_poll_duration_seconds_count\{kind="ups",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/diemcau_collector_poll_lag_seconds_count [1-9]/);
    expect(text).toMatch(/diemcau_collector_devices\{state="reachable"\} 28/);
    // one request per device: scalars and every table in a single GETBULK
    const req = await net.runtime.registry.getSingleMetric('diemcau_collector_snmp_requests_total')!.get();
    const polls = await net.runtime.registry
      .getSingleMetric('diemcau_collector_poll_duration_seconds')!
      .get();
    const pollCount = polls.values
      .filter(
        (v) => (v as { metricName?: string }).metricName === 'diemcau_collector_poll_duration_seconds_count',
      )
      .reduce((a, v) => a + v.value, 0);
    expect(pollCount).toBeGreaterThanOrEqual(net.runtime.inventory.devices.size);
    expect(req.values[0]!.value).toBe(pollCount);
  });

  it('derives MCU port state from the codecs when the MCU has no port table', async () => {
    await pollAll();
    await collector.pollNow('mcu-viettel');
    const port = (site: string) =>
      rec.samples.findLast(
        (s) => s.device === 'mcu-viettel' && s.metric === 'mcu_port_up' && s.site === site,
      );
    expect(port('tinh-uy')).toMatchObject({ value: 1, tags: { probe: 'derived', instance: '1' } });
    // a codec without call state (generic) gives no port state rather than a guess
    expect(port('xa-so-3')).toBeUndefined();
  });

  it('computes interface rates from counters (zero when they stand still)', async () => {
    await collector.pollNow('xa-so-1-router');
    await new Promise((r) => setTimeout(r, 200));
    await collector.pollNow('xa-so-1-router');
    expect(rec.latest('xa-so-1-router', 'if_in_bps', 'wan0')?.value).toBe(0);
  });

  it('marks a silent device unreachable at once, keeps polling the others, and sees it come back', async () => {
    const agent = fleet.get('generic-codec')!;
    await agent.kill();
    try {
      await pollAll();
      const st = new Map(collector.status().devices.map((d) => [d.id, d]));
      expect(st.get('xa-so-3-codec')).toMatchObject({ reachable: false, lastError: 'no answer (timeout)' });
      expect(rec.events.some((e) => e.kind === 'unreachable' && e.device === 'xa-so-3-codec')).toBe(true);
      expect(rec.latest('xa-so-3-codec', 'snmp_up')?.value).toBe(0);
      expect([...st.values()].filter((d) => !d.reachable).map((d) => d.id)).toEqual(['xa-so-3-codec']);
      const metrics = await net.runtime.registry.getSingleMetricAsString('diemcau_collector_timeouts_total');
      expect(metrics).toMatch(/device="xa-so-3-codec"/);
    } finally {
      await agent.restart();
    }
    await collector.pollNow('xa-so-3-codec');
    expect(collector.status().devices.find((d) => d.id === 'xa-so-3-codec')!.reachable).toBe(true);
    expect(rec.events.some((e) => e.kind === 'reachable' && e.device === 'xa-so-3-codec')).toBe(true);
  });

  it('detects a reboot from sysUpTime going backwards', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    await collector.pollNow('xa-so-1-router');
    await fleet.get('if-mib-router')!.restart();
    await collector.pollNow('xa-so-1-router');
    expect(rec.events.some((e) => e.kind === 'reboot' && e.device === 'xa-so-1-router')).toBe(true);
  });

  it('follows an SNMPv3 agent through a restart (new engine boots, engine time from zero)', async () => {
    const id = 'tinh-uy-codec';
    await new Promise((r) => setTimeout(r, 1100));
    await collector.pollNow(id);
    expect(collector.status().devices.find((d) => d.id === id)!.reachable).toBe(true);
    const before = rec.samples.length;
    await fleet.get('polycom-group')!.restart();
    await collector.pollNow(id);
    const st = collector.status().devices.find((d) => d.id === id)!;
    expect(st).toMatchObject({ reachable: true, lastError: null });
    expect(rec.samples.slice(before).some((s) => s.device === id && s.metric === 'in_call')).toBe(true);
    expect(rec.events.some((e) => e.kind === 'reboot' && e.device === id)).toBe(true);
    expect(rec.events.some((e) => e.kind === 'unreachable' && e.device === id)).toBe(false);
  });

  it('reports a wrong SNMPv3 key as an auth error, not a crash', async () => {
    const wrong = new Map(net.credentials);
    const v3 = wrong.get('core-v3')!;
    wrong.set('core-v3', { ...v3, auth: { protocol: 'sha', key: 'not-the-key-123' } });
    const { Registry } = await import('prom-client');
    const other = await startCollector({ ...net.runtime, registry: new Registry() }, { credentials: wrong });
    try {
      await other.pollNow('tinh-uy-codec');
      const st = other.status().devices.find((d) => d.id === 'tinh-uy-codec')!;
      expect(st.reachable).toBe(false);
      expect(st.lastError).toMatch(/SNMPv3|Wrong Digest|timeout/);
    } finally {
      await other.stop();
    }
  });
});

describe('scheduling', () => {
  it('spreads the polls of one interval over the interval instead of firing them at once', async () => {
    const net = await testNetwork(9, 45, { interval: '2s', ...SNMP_ONLY });
    const fleet = await startFleet(net);
    const rec = recorder(net);
    const t0 = Date.now();
    const collector = await startCollector(net.runtime, { credentials: net.credentials });
    try {
      await new Promise((r) => setTimeout(r, 4500));
    } finally {
      await collector.stop();
      await Promise.all([...fleet.values()].map((a) => a.stop()));
      net.cleanup();
    }
    const polls = rec.samples.filter((s) => s.metric === 'snmp_up' && s.value === 1);
    const first = new Map<string, number>();
    for (const s of polls) if (!first.has(s.device)) first.set(s.device, s.time - t0);
    expect(first.size).toBe(net.runtime.inventory.devices.size);
    const times = [...first.values()].sort((a, b) => a - b);
    // 28 devices over 2 s: the first polls span most of the interval, never one burst
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(1000);
    // and each device comes back once per interval
    const perDevice = polls.filter((s) => s.device === 'xa-so-1-ups').length;
    expect(perDevice).toBeGreaterThanOrEqual(2);
    expect(perDevice).toBeLessThanOrEqual(3);
  });
});

describe('against snmpsim recordings', () => {
  let net: TestNetwork;
  const agents: Agent[] = [];
  let collector: Collector;
  let rec: ReturnType<typeof recorder>;
  const community = TEST_SECRETS.DIEMCAU_SNMP_COMMUNITY;

  beforeAll(async () => {
    net = await testNetwork(9, 42, { interval: '1h', ...SNMP_ONLY });
    // on battery; runtime recorded with the wrong type; temperature/voltage absent; 3 input lines
    // (more rows than the profile expects); the output table is the last data: endOfMibView
    const ups = `
1.3.6.1.2.1.1.3.0|67|123456
1.3.6.1.2.1.33.1.2.1.0|2|2
1.3.6.1.2.1.33.1.2.2.0|2|300
1.3.6.1.2.1.33.1.2.3.0|4|abc
1.3.6.1.2.1.33.1.2.4.0|2|87
1.3.6.1.2.1.33.1.4.1.0|2|5
1.3.6.1.2.1.33.1.3.3.1.3.1|2|0
1.3.6.1.2.1.33.1.3.3.1.3.2|2|0
1.3.6.1.2.1.33.1.3.3.1.3.3|2|0
1.3.6.1.2.1.33.1.4.4.1.5.1|2|40
1.3.6.1.2.1.33.1.4.4.1.5.2|2|55
1.3.6.1.2.1.33.1.4.4.1.5.3|2|20`;
    // wan0: 64-bit counters near 2^64 growing at 1 Gbit/s; lan1: 32-bit only, wrapping every 1.23 s
    const router = `
1.3.6.1.2.1.1.3.0|67|5000
1.3.6.1.2.1.2.2.1.8.1|2|1
1.3.6.1.2.1.2.2.1.8.2|2|1
1.3.6.1.2.1.2.2.1.10.1|65|100
1.3.6.1.2.1.2.2.1.10.2|65:numeric|rate=3500000000,initial=4294000000,wrap=1
1.3.6.1.2.1.2.2.1.16.1|65|100
1.3.6.1.2.1.2.2.1.16.2|65|7
1.3.6.1.2.1.31.1.1.1.1.1|4|wan0
1.3.6.1.2.1.31.1.1.1.1.2|4|lan1
1.3.6.1.2.1.31.1.1.1.6.1|70:numeric|rate=125000000,initial=18446744000000000000
1.3.6.1.2.1.31.1.1.1.10.1|70|18446744073709551000`;
    const hosts = ['127.42.200.1', '127.42.200.2'];
    const { freeUdpPort } = await import('../test/helpers/agents.ts');
    const ports = [await freeUdpPort(hosts[0]), await freeUdpPort(hosts[1])];
    agents.push(
      ...(await Promise.all([
        startSnmpsim({ host: hosts[0]!, port: ports[0]!, data: { [community]: ups } }),
        startSnmpsim({ host: hosts[1]!, port: ports[1]!, data: { [community]: router } }),
      ])),
    );
    const inv = net.runtime.inventory;
    inv.devices.get('xa-so-1-ups')!.address = { host: hosts[0]!, port: ports[0]! };
    inv.devices.get('xa-so-1-router')!.address = { host: hosts[1]!, port: ports[1]! };
    for (const id of [...inv.devices.keys()])
      if (!['xa-so-1-ups', 'xa-so-1-router'].includes(id)) inv.devices.delete(id);
    rec = recorder(net);
    collector = await startCollector(net.runtime, { credentials: net.credentials });
  });
  afterAll(async () => {
    await collector?.stop();
    await Promise.all(agents.map((a) => a.stop()));
    net?.cleanup();
  });

  it('reads a recorded UPS-MIB on battery despite a wrong type, missing objects and endOfMibView', async () => {
    await collector.pollNow('xa-so-1-ups');
    const { latest } = rec;
    const st = collector.status().devices.find((d) => d.id === 'xa-so-1-ups')!;
    expect(st.reachable).toBe(true);
    expect(latest('xa-so-1-ups', 'ups_on_battery')?.value).toBe(1);
    expect(latest('xa-so-1-ups', 'ups_charge_pct')?.value).toBe(87);
    expect(latest('xa-so-1-ups', 'ups_load_pct')?.value).toBe(55);
    expect(['1', '2', '3'].map((i) => latest('xa-so-1-ups', 'ups_input_v', i)?.value)).toEqual([0, 0, 0]);
    expect(latest('xa-so-1-ups', 'ups_runtime_min')).toBeUndefined();
    expect(st.lastError).toMatch(/minutesRemaining: expected a number, got OctetString "abc"/);
    expect(rec.events.some((e) => e.kind === 'bad_response' && e.device === 'xa-so-1-ups')).toBe(true);
  });

  it('turns 64-bit counters near 2^64 and wrapping 32-bit counters into correct rates', async () => {
    const rates: { wan0: number[]; lan1: number[] } = { wan0: [], lan1: [] };
    for (let i = 0; i < 6; i++) {
      const from = rec.samples.length;
      await collector.pollNow('xa-so-1-router');
      const fresh = rec.samples.slice(from).filter((s) => s.metric === 'if_in_bps');
      for (const s of fresh) rates[s.tags.instance as 'wan0' | 'lan1'].push(s.value);
      await new Promise((r) => setTimeout(r, 1000));
    }
    // every interval gives a rate, wrapped or not: 1 Gbit/s, and 3.5e9 octets/s × 8 on a counter
    // that wraps every 1.23 s (so that most of the 5 intervals of ~1 s contain a wrap)
    expect(rates.wan0).toHaveLength(5);
    for (const v of rates.wan0) expect(Math.abs(v / 1e9 - 1)).toBeLessThan(0.05);
    expect(rates.lan1).toHaveLength(5);
    for (const v of rates.lan1) expect(Math.abs(v / 28e9 - 1)).toBeLessThan(0.05);
    // a static Counter64 above 2^53 reads exactly: no change, zero rate
    expect(rec.latest('xa-so-1-router', 'if_out_bps', 'wan0')?.value).toBe(0);
  });
});
