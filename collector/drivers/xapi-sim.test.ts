// Contract test of the Cisco xAPI driver against the simulator's codecs (simulator/xapi.ts): in a call
// or not from the meeting, link faults in the media channels of that codec only, and the API's own
// faults (401, slow, malformed, unreachable) as one device event of that codec. Loopback base 92.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInventory, syntheticUnits } from '../../inventory/generate.ts';
import { type LoadedInventory, loadInventory, resolveCredentials } from '../../inventory/load.ts';
import { checkFault } from '../../simulator/faults.ts';
import { type Simulator, startSimulator } from '../../simulator/index.ts';
import { TEST_SECRETS } from '../../test/helpers/agents.ts';
import { freeTcpPort } from '../../test/helpers/pexip.ts';
import { writeXapiInventory, XAPI_SECRETS, XAPI_USER } from '../../test/helpers/xapi.ts';
import { deviceDrivers } from './codecs.ts';
import type { Driver, DriverPoll } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-xapi-sim-'));
let inv: LoadedInventory;
let sim: Simulator;
let drivers: Map<string, Driver>;
let meeting: string[];
let others: string[];

beforeAll(async () => {
  const port = await freeTcpPort('127.92.0.1');
  const file = join(dir, 'inventory.yaml');
  writeXapiInventory(file, { sites: 12, base: 92, port, timeout: '700ms' });
  inv = loadInventory(file);
  sim = await startSimulator({
    inventory: inv,
    credentials: resolveCredentials(inv, TEST_SECRETS),
    seed: 5,
    xapi: { user: XAPI_USER, password: XAPI_SECRETS.DIEMCAU_XAPI_PASSWORD, slowMs: 1500 },
  });
  drivers = new Map(
    deviceDrivers(inv, inv.devices.values(), XAPI_SECRETS).map(({ driver }) => [driver.device, driver]),
  );
  const sites = [...inv.sites.keys()];
  meeting = sites.slice(0, 8);
  others = sites.slice(8);
  sim.meeting.start(meeting);
}, 30_000);

afterAll(async () => {
  for (const d of drivers?.values() ?? []) d.close();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const codec = (site: string) => drivers.get(`${site}-codec`)!;
const value = (r: DriverPoll, metric: string, instance?: string) =>
  r.samples.find((s) => s.metric === metric && s.tags.instance === instance)?.value;
const pollAll = async () =>
  new Map(await Promise.all([...inv.sites.keys()].map(async (s) => [s, await codec(s).poll()] as const)));

describe('Cisco xAPI driver against the simulator', () => {
  it('serves every codec at its own url; the sites in the meeting are in a call, the others not', async () => {
    expect(sim.xapiUrls.size).toBe(inv.sites.size);
    expect(drivers.size).toBe(inv.sites.size);
    const all = await pollAll();
    for (const [site, r] of all) {
      expect([site, r.problem, r.requests]).toEqual([site, null, 1]);
      const tier = inv.sites.get(site)!.tier;
      const rate = tier === 'province' ? 4096 : tier === 'district' ? 2048 : 1024;
      expect(value(r, 'codec_registered')).toBe(1);
      if (meeting.includes(site)) {
        expect([site, value(r, 'in_call'), value(r, 'call_rate_kbps'), value(r, 'call_protocol')]).toEqual([
          site,
          1,
          rate,
          1,
        ]);
        expect(value(r, 'loss_pct')).toBeLessThan(1);
        expect(value(r, 'media_rate_kbps', 'rx-audio')).toBe(64);
        const video = value(r, 'media_rate_kbps', 'rx-video')!;
        expect(video).toBeGreaterThan((rate - 64) * 0.85);
        expect(video).toBeLessThanOrEqual(rate - 64);
      } else {
        expect([site, value(r, 'in_call'), value(r, 'loss_pct')]).toEqual([site, 0, undefined]);
      }
    }
  });

  it('shows a link fault at one site in that codec’s channels only (received at full, sent at half)', async () => {
    const [lossy, jittery] = [meeting[5]!, meeting[6]!];
    const a = sim.faults.inject({ kind: 'link_degraded', site: lossy, loss_pct: 8 });
    const b = sim.faults.inject({ kind: 'link_degraded', site: jittery, jitter_ms: 40 });
    try {
      const all = await pollAll();
      const l = all.get(lossy)!;
      expect(value(l, 'loss_pct')).toBeGreaterThanOrEqual(7.5);
      expect(value(l, 'media_loss_pct', 'rx-video')).toBeGreaterThanOrEqual(7.5);
      expect(value(l, 'media_loss_pct', 'rx-video')).toBeLessThan(9);
      expect(value(l, 'media_loss_pct', 'tx-video')).toBeGreaterThanOrEqual(3.5);
      expect(value(l, 'media_loss_pct', 'tx-video')).toBeLessThan(5);
      expect(value(all.get(jittery)!, 'jitter_ms')).toBeGreaterThanOrEqual(40);
      for (const s of meeting.filter((x) => x !== lossy))
        expect([s, value(all.get(s)!, 'loss_pct')! < 1]).toEqual([s, true]);
      for (const s of meeting.filter((x) => x !== jittery))
        expect([s, value(all.get(s)!, 'jitter_ms')! < 20]).toEqual([s, true]);
    } finally {
      sim.faults.clear(a);
      sim.faults.clear(b);
    }
  });

  const faults = [
    ['unauthorized', 'bad_response', /HTTP 401/],
    ['malformed', 'bad_response', /reply is not XML/],
    ['slow', 'unreachable', /no reply within 700 ms/],
    ['unreachable', 'unreachable', /cannot connect: ECONNRESET/],
  ] as const;
  for (const [mode, kind, reason] of faults) {
    it(`the codec API fault "${mode}" is one ${kind} event of that codec; the others answer; cleared, it is back`, async () => {
      const site = meeting[1]!;
      const f = sim.faults.inject({ kind: 'codec_api', device: `${site}-codec`, mode });
      try {
        const [r, other] = await Promise.all([codec(site).poll(), codec(meeting[2]!).poll()]);
        expect(r.samples).toEqual([]);
        expect(r.events.map((e) => [e.kind, e.site, e.device])).toEqual([[kind, site, `${site}-codec`]]);
        expect(r.events[0]!.detail).toMatch(reason);
        expect([other.problem, value(other, 'in_call')]).toEqual([null, 1]);
      } finally {
        sim.faults.clear(f);
      }
      const back = await codec(site).poll();
      expect(back.events.map((e) => e.kind)).toEqual(['reachable']);
      expect(value(back, 'in_call')).toBe(1);
    });
  }

  it('a link down or a hung codec does not answer: unreachable after the timeout, that codec only', async () => {
    const [down, hung] = [others[0]!, meeting[3]!];
    const a = sim.faults.inject({ kind: 'link_down', site: down });
    const b = sim.faults.inject({ kind: 'codec_hung', site: hung });
    try {
      const [d, h, ok] = await Promise.all([
        codec(down).poll(),
        codec(hung).poll(),
        codec(meeting[4]!).poll(),
      ]);
      for (const r of [d, h]) {
        expect(r.events.map((e) => e.kind)).toEqual(['unreachable']);
        expect(r.events[0]!.detail).toMatch(/no reply within 700 ms: GET \/status\.xml/);
      }
      expect(ok.problem).toBeNull();
    } finally {
      sim.faults.clear(a);
      sim.faults.clear(b);
    }
    expect((await codec(down).poll()).events.map((e) => e.kind)).toEqual(['reachable']);
  });

  it('refuses a codec API fault for a device without the xAPI, and an unknown mode', () => {
    const file = join(dir, 'snmp.yaml');
    writeFileSync(file, generateInventory(syntheticUnits(6), { title: 'SNMP', base: 92 }));
    expect(() =>
      checkFault({ kind: 'codec_api', device: 'tinh-uy-codec', mode: 'slow' }, loadInventory(file)),
    ).toThrow(/device "tinh-uy-codec" has no management API/);
    expect(() => checkFault({ kind: 'codec_api', device: 'tinh-uy-codec', mode: 'hang' }, inv)).toThrow(
      /invalid fault \(mode: /,
    );
  });
});
