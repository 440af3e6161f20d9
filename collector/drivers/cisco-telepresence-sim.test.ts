// Contract test of the Cisco TelePresence XML-RPC driver against the simulator's XML-RPC API
// (simulator/cisco-telepresence.ts): paging by enumerateID, participants matched to sites by their
// address, a link fault in the packet counters, an MCU port fault, and the API's own faults
// (unauthorized → fault 15, slow, malformed, unreachable). Loopback base 93.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadedInventory, loadInventory, resolveCredentials } from '../../inventory/load.ts';
import { type Simulator, startSimulator } from '../../simulator/index.ts';
import { TEST_SECRETS } from '../../test/helpers/agents.ts';
import {
  CISCO_PASSWORD_ENV,
  CISCO_SECRETS,
  CISCO_USER,
  writeCiscoInventory,
} from '../../test/helpers/cisco-telepresence.ts';
import { freeTcpPort } from '../../test/helpers/pexip.ts';
import { CiscoTelePresenceDriver } from './cisco-telepresence.ts';
import { mcuDriver } from './run.ts';
import { XmlRpcClient } from './xmlrpc.ts';

const HOST = '127.93.255.1';
const dir = mkdtempSync(join(tmpdir(), 'diemcau-cisco-sim-'));
let inv: LoadedInventory;
let sim: Simulator;
let driver: CiscoTelePresenceDriver;
let sites: string[];

beforeAll(async () => {
  const port = await freeTcpPort(HOST);
  const file = join(dir, 'inventory.yaml');
  writeCiscoInventory(file, { sites: 30, base: 93, port });
  inv = loadInventory(file);
  sim = await startSimulator({
    inventory: inv,
    credentials: resolveCredentials(inv, TEST_SECRETS),
    seed: 5,
    cisco: {
      host: HOST,
      port,
      user: CISCO_USER,
      password: CISCO_SECRETS[CISCO_PASSWORD_ENV],
      slowMs: 1500,
      pageSize: 7,
    },
  });
  expect(sim.ciscoUrl).toBe(`http://${HOST}:${port}`);
  driver = new CiscoTelePresenceDriver(
    inv,
    new XmlRpcClient({
      url: inv.mcuApi!.url,
      user: CISCO_USER,
      password: CISCO_SECRETS[CISCO_PASSWORD_ENV],
      timeoutMs: 600,
    }),
  );
  sites = [...inv.sites.keys()].slice(0, 20);
  sim.meeting.start(sites);
}, 30_000);

afterAll(async () => {
  driver?.close();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const values = (r: Awaited<ReturnType<CiscoTelePresenceDriver['poll']>>, metric: string) =>
  new Map(r.samples.filter((s) => s.metric === metric).map((s) => [s.site, s.value]));

describe('Cisco TelePresence driver against the simulator', () => {
  it('the collector picks this driver for protocol cisco-tps-xmlrpc', () => {
    const d = mcuDriver(inv, CISCO_SECRETS);
    expect(d).toBeInstanceOf(CiscoTelePresenceDriver);
    d?.close();
  });

  it('follows every enumerateID: the sites in the meeting are up with their call rate, the others not', async () => {
    const r = await driver.poll();
    expect(r.problem).toBeNull();
    // 20 participants at 7 a reply: 3 enumerate calls, then one diagnostics call per participant
    expect(r.requests).toBe(3 + 20);
    expect(values(r, 'mcu_participants').get('mcu-viettel')).toBe(20);
    const up = values(r, 'mcu_port_up');
    for (const s of inv.sites.keys()) expect([s, up.get(s)]).toEqual([s, sites.includes(s) ? 1 : 0]);
    const rate = values(r, 'call_rate_kbps');
    for (const s of sites) {
      const tier = inv.sites.get(s)!.tier;
      expect([s, rate.get(s)]).toEqual([s, tier === 'province' ? 4096 : tier === 'district' ? 2048 : 1024]);
    }
  });

  it('shows a link fault at one site in that site’s loss only, from the counters since the last poll', async () => {
    const lossy = sites[5]!;
    await driver.poll();
    const f = sim.faults.inject({ kind: 'link_degraded', site: lossy, loss_pct: 8 });
    try {
      await sleep(1500);
      const r = await driver.poll();
      const loss = values(r, 'loss_pct');
      expect(loss.get(lossy)).toBeGreaterThan(7);
      expect(loss.get(lossy)).toBeLessThan(9);
      for (const s of sites.filter((x) => x !== lossy)) expect([s, loss.get(s)! < 1]).toEqual([s, true]);
      // per channel: what the MCU receives carries the site's uplink loss, what it sends half of it
      const channels = new Map(
        r.samples
          .filter((s) => s.site === lossy && s.metric === 'media_loss_pct')
          .map((s) => [s.tags.instance, s.value]),
      );
      // (whole packets over ~1.5 s: audio at 50 packets/s is within about one packet, 1.3 %)
      const near = (c: string, want: number) =>
        expect([c, Math.abs(channels.get(c)! - want) < 1.5]).toEqual([c, true]);
      near('rx-audio', 8);
      near('rx-video', 8);
      near('tx-audio', 4);
      near('tx-video', 4);
    } finally {
      sim.faults.clear(f);
    }
    // cleared: the next interval's counters show it gone
    await sleep(1500);
    const after = await driver.poll();
    expect(values(after, 'loss_pct').get(lossy)).toBeLessThan(1);
  });

  it('an MCU port fault takes that site off the participant list', async () => {
    const f = sim.faults.inject({ kind: 'mcu_port_fault', site: sites[2]! });
    try {
      const r = await driver.poll();
      expect(values(r, 'mcu_port_up').get(sites[2]!)).toBe(0);
      expect(values(r, 'mcu_participants').get('mcu-viettel')).toBe(19);
    } finally {
      sim.faults.clear(f);
    }
  });

  const faults = [
    ['unauthorized', 'bad_response', /XML-RPC fault 15 "insufficient privileges": .*check the credentials/],
    ['malformed', 'bad_response', /reply is not XML-RPC/],
    ['slow', 'unreachable', /no reply within 600 ms: participant.enumerate/],
    ['unreachable', 'unreachable', /cannot connect: ECONNRESET/],
  ] as const;
  for (const [mode, kind, reason] of faults) {
    it(`the API fault "${mode}" is one ${kind} event, no site figure; cleared, the figures are back`, async () => {
      const f = sim.faults.inject({ kind: 'mcu_api', mode });
      const r = await driver.poll();
      sim.faults.clear(f);
      expect(r.samples).toEqual([]);
      expect(r.events.map((e) => [e.kind, e.device])).toEqual([[kind, 'mcu-viettel']]);
      expect(r.events[0]!.detail).toMatch(reason);
      const back = await driver.poll();
      expect(back.events.map((e) => e.kind)).toEqual(['reachable']);
      expect(values(back, 'mcu_port_up').get(sites[0]!)).toBe(1);
    });
  }

  it('a wrong password is the documented fault 15, not a crash', async () => {
    const d = new CiscoTelePresenceDriver(
      inv,
      new XmlRpcClient({ url: inv.mcuApi!.url, user: CISCO_USER, password: 'guess', timeoutMs: 600 }),
    );
    try {
      const r = await d.poll();
      expect(r.samples).toEqual([]);
      expect(r.problem).toMatch(/XML-RPC fault 15/);
    } finally {
      d.close();
    }
  });
});
