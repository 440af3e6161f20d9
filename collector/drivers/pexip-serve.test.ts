// The whole serve stack with the MCU on the Pexip management API and no path probe: `diemcau
// serve`'s collector polls the simulator's Pexip API; a loss fault at a site in the meeting reaches
// the live view as that site's MCU quality (its headline figure, source "mcu"). Loopback base 48.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteStatus } from '../../api/contract.ts';
import type { Running } from '../../cli/serve.ts';
import type { DeviceEvent } from '../../core/bus.ts';
import type { Simulator } from '../../simulator/index.ts';
import type { Client } from '../../test/helpers/api.ts';
import { freeTcpPort, PEXIP_SECRETS, PEXIP_USER, writePexipInventory } from '../../test/helpers/pexip.ts';
import { serveSimulated } from '../../test/helpers/serve-sim.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-pexip-serve-'));
let running: Running;
let sim: Simulator;
let noc: Client;

beforeAll(async () => {
  const port = await freeTcpPort();
  const inv = join(dir, 'inventory.yaml');
  writePexipInventory(inv, { sites: 12, base: 48, port, interval: '1s', timeout: '800ms' });
  ({ running, sim, noc } = await serveSimulated({
    dir,
    inventory: inv,
    host: '127.0.0.1',
    secrets: PEXIP_SECRETS,
    seed: 5,
    simulator: {
      pexip: { host: '127.0.0.1', port, user: PEXIP_USER, password: PEXIP_SECRETS.DIEMCAU_PEXIP_PASSWORD },
    },
  }));
}, 60_000);

afterAll(async () => {
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const status = async (id: string) =>
  ((await (await noc.get(`/api/v1/sites/${id}`)).json()) as { site: SiteStatus }).site;

async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  let v = await read();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms; last ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 250));
    v = await read();
  }
  return v;
}

describe('the MCU on the Pexip management API, end to end', () => {
  it('a loss fault at a site in the meeting is that site’s MCU quality in the live view', {
    timeout: 60_000,
  }, async () => {
    const sites = running.runtime.inventory.inventory.sites.map((s) => s.id);
    const [lossy, clean, away] = [sites[3]!, sites[4]!, sites[10]!];
    sim.meeting.start(sites.slice(0, 8));
    const before = await until(
      'the clean site in the call, its quality from the MCU',
      () => status(clean),
      (s) => s.metrics.mcu_port_up === 1 && s.sources.loss_pct === 'mcu',
    );
    expect(before.quality.mcu?.loss_pct).toBeLessThan(1);
    expect(before.quality.path).toBeUndefined();
    sim.faults.inject({ kind: 'link_degraded', site: lossy, loss_pct: 6 });
    const hit = await until(
      'the lossy site’s MCU loss',
      () => status(lossy),
      (s) => (s.quality.mcu?.loss_pct ?? 0) >= 6,
    );
    expect(hit.metrics.loss_pct).toBeGreaterThanOrEqual(6);
    expect(hit.sources.loss_pct).toBe('mcu');
    expect(hit.metrics.mcu_port_up).toBe(1);
    expect((await status(clean)).metrics.loss_pct).toBeLessThan(1);
    const out = await status(away);
    expect(out.metrics.mcu_port_up).toBe(0);
    expect(out.sources.loss_pct).toBeUndefined();
  });

  it('the API unreachable: one device event for the MCU, none for a site; the sites keep their state', {
    timeout: 30_000,
  }, async () => {
    const site = running.runtime.inventory.inventory.sites[4]!.id;
    const events: DeviceEvent[] = [];
    const off = running.runtime.bus.onEvent((e) => events.push(e));
    try {
      sim.faults.inject({ kind: 'mcu_api', mode: 'unreachable' });
      await until(
        'the MCU reported unreachable',
        async () => events,
        (e) => e.some((x) => x.kind === 'unreachable'),
      );
      await new Promise((r) => setTimeout(r, 2500)); // more polls fail: still one event
      // (a site's own SNMP agents may time out on a loaded machine: that is not the API's doing)
      const down = events.filter(
        (e) =>
          (e.kind === 'unreachable' || e.kind === 'bad_response') &&
          (e.device === 'mcu-viettel' || e.name.startsWith('api_')),
      );
      expect(down.map((e) => [e.device, e.site, e.name])).toEqual([
        ['mcu-viettel', 'mcu-viettel', 'api_unreachable'],
      ]);
      expect(down[0]!.detail).toMatch(/cannot connect: ECONNRESET/);
      const s = await status(site);
      expect(s.metrics.mcu_port_up).toBe(1);
      sim.faults.clearAll();
      await until(
        'the MCU answering again',
        async () => events,
        (e) => e.some((x) => x.kind === 'reachable' && x.device === 'mcu-viettel'),
      );
    } finally {
      off();
      sim.faults.clearAll();
    }
  });
});
