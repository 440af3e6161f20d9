// Contract test of the Pexip driver against the simulator's Pexip management status API
// (simulator/pexip.ts): paging by meta.next, participants matched to sites by the codec address,
// link faults in the media streams, an MCU port fault, and the API's own faults. Loopback base 47.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInventory, syntheticUnits } from '../../inventory/generate.ts';
import { type LoadedInventory, loadInventory, resolveCredentials } from '../../inventory/load.ts';
import { checkFault } from '../../simulator/faults.ts';
import { type Simulator, startSimulator } from '../../simulator/index.ts';
import { TEST_SECRETS } from '../../test/helpers/agents.ts';
import { freeTcpPort, PEXIP_SECRETS, PEXIP_USER, writePexipInventory } from '../../test/helpers/pexip.ts';
import { JsonClient } from './http.ts';
import { PexipDriver } from './pexip.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-pexip-sim-'));
let inv: LoadedInventory;
let sim: Simulator;
let driver: PexipDriver;
let sites: string[];

beforeAll(async () => {
  const port = await freeTcpPort();
  const file = join(dir, 'inventory.yaml');
  writePexipInventory(file, { sites: 30, base: 47, port });
  inv = loadInventory(file);
  sim = await startSimulator({
    inventory: inv,
    credentials: resolveCredentials(inv, TEST_SECRETS),
    seed: 3,
    pexip: {
      host: '127.0.0.1',
      port,
      user: PEXIP_USER,
      password: PEXIP_SECRETS.DIEMCAU_PEXIP_PASSWORD,
      slowMs: 1500,
    },
  });
  expect(sim.pexipUrl).toBe(`http://127.0.0.1:${port}`);
  const client = new JsonClient({
    url: inv.mcuApi!.url,
    user: PEXIP_USER,
    password: PEXIP_SECRETS.DIEMCAU_PEXIP_PASSWORD,
    timeoutMs: 600,
  });
  driver = new PexipDriver(inv, client, 7);
  sites = [...inv.sites.keys()].slice(0, 20);
  sim.meeting.start(sites);
}, 30_000);

afterAll(async () => {
  driver?.close();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const values = (r: Awaited<ReturnType<PexipDriver['poll']>>, metric: string) =>
  new Map(r.samples.filter((s) => s.metric === metric).map((s) => [s.site, s.value]));

describe('Pexip driver against the simulator', () => {
  it('reads every page and every participant: the sites in the meeting are up, the others not', async () => {
    const r = await driver.poll();
    expect(r.problem).toBeNull();
    // 20 participants at 7 a page: 3 pages, then one media_stream request per participant
    expect(r.requests).toBe(3 + 20);
    expect(values(r, 'mcu_participants').get('mcu-viettel')).toBe(20);
    const up = values(r, 'mcu_port_up');
    for (const s of inv.sites.keys()) expect([s, up.get(s)]).toEqual([s, sites.includes(s) ? 1 : 0]);
    const rate = values(r, 'call_rate_kbps');
    for (const s of sites)
      expect(rate.get(s)).toBe(
        inv.sites.get(s)!.tier === 'province' ? 4096 : inv.sites.get(s)!.tier === 'district' ? 2048 : 1024,
      );
  });

  it('shows a link fault at one site in that site’s media streams only', async () => {
    const [lossy, jittery] = [sites[5]!, sites[6]!];
    const a = sim.faults.inject({ kind: 'link_degraded', site: lossy, loss_pct: 8 });
    const b = sim.faults.inject({ kind: 'link_degraded', site: jittery, jitter_ms: 40 });
    try {
      const r = await driver.poll();
      const loss = values(r, 'loss_pct');
      const jitter = values(r, 'jitter_ms');
      expect(loss.get(lossy)).toBeGreaterThanOrEqual(8);
      expect(jitter.get(jittery)).toBeGreaterThanOrEqual(40);
      for (const s of sites.filter((x) => x !== lossy)) expect(loss.get(s)).toBeLessThan(1);
      for (const s of sites.filter((x) => x !== jittery)) expect(jitter.get(s)).toBeLessThan(10);
    } finally {
      sim.faults.clear(a);
      sim.faults.clear(b);
    }
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
    ['unauthorized', 'bad_response', /HTTP 401/],
    ['malformed', 'bad_response', /reply is not JSON/],
    ['slow', 'unreachable', /no reply within 600 ms/],
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

  it('refuses an API fault when the MCU has no management API (an SNMP MCU)', () => {
    const file = join(dir, 'snmp.yaml');
    writeFileSync(file, generateInventory(syntheticUnits(6), { title: 'SNMP', base: 47 }));
    expect(() => checkFault({ kind: 'mcu_api', mode: 'slow' }, loadInventory(file))).toThrow(
      /the inventory MCU has no management API/,
    );
    expect(() => checkFault({ kind: 'mcu_api', mode: 'hang' }, inv)).toThrow(/invalid fault \(mode: /);
  });
});
