// The whole serve stack with the MCU a Cisco TelePresence Server on its XML-RPC API and no path
// probe: `diemcau serve`'s collector polls the simulator's XML-RPC API; a loss fault at a site in the
// meeting reaches the live view as that site's MCU quality (source "mcu"), the site's leg is in the
// observed calls, and the API refusing the account is one MCU device event. Loopback 127.93 (its own
// SNMP/RTP ports so that it can run beside cisco-telepresence-sim.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteStatus } from '../../api/contract.ts';
import type { Running } from '../../cli/serve.ts';
import type { DeviceEvent } from '../../core/bus.ts';
import type { Simulator } from '../../simulator/index.ts';
import type { Client } from '../../test/helpers/api.ts';
import {
  CISCO_PASSWORD_ENV,
  CISCO_SECRETS,
  CISCO_USER,
  writeCiscoInventory,
} from '../../test/helpers/cisco-telepresence.ts';
import { freeTcpPort } from '../../test/helpers/pexip.ts';
import { serveSimulated } from '../../test/helpers/serve-sim.ts';

const HOST = '127.93.255.1';
const LOCAL = '127.93.254.3';
const dir = mkdtempSync(join(tmpdir(), 'diemcau-cisco-serve-'));
let running: Running;
let sim: Simulator;
let noc: Client;

beforeAll(async () => {
  const port = await freeTcpPort(HOST);
  const inv = join(dir, 'inventory.yaml');
  writeCiscoInventory(inv, {
    sites: 12,
    base: 93,
    port,
    interval: '1s',
    timeout: '800ms',
    ports: { snmp: 16193, rtp: 5093 },
  });
  ({ running, sim, noc } = await serveSimulated({
    dir,
    inventory: inv,
    host: LOCAL,
    secrets: CISCO_SECRETS,
    seed: 9,
    simulator: {
      cisco: { host: HOST, port, user: CISCO_USER, password: CISCO_SECRETS[CISCO_PASSWORD_ENV] },
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

describe('the MCU on the Cisco TelePresence XML-RPC API, end to end', () => {
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
      (s) => (s.quality.mcu?.loss_pct ?? 0) >= 5,
    );
    expect(hit.metrics.loss_pct).toBeGreaterThanOrEqual(5);
    expect(hit.metrics.loss_pct).toBeLessThan(7);
    expect(hit.sources.loss_pct).toBe('mcu');
    expect(hit.metrics.mcu_port_up).toBe(1);
    expect((await status(clean)).metrics.loss_pct).toBeLessThan(1);
    const out = await status(away);
    expect(out.metrics.mcu_port_up).toBe(0);
    expect(out.sources.loss_pct).toBeUndefined();
    sim.faults.clearAll();
  });

  it('the participants are the observed call’s legs; a site the MCU drops leaves its leg', {
    timeout: 30_000,
  }, async () => {
    type Call = { legs: { site: string; left_at: number | null; source: string }[] };
    const calls = async () => (await (await noc.get('/api/v1/calls?live=true')).json()) as { items: Call[] };
    const sites = running.runtime.inventory.inventory.sites.map((s) => s.id);
    const legs = await until('the meeting’s sites as legs of a live call', calls, (c) =>
      c.items.some((x) => sites.slice(0, 8).every((s) => x.legs.some((l) => l.site === s))),
    );
    const call = legs.items.find((x) => x.legs.some((l) => l.site === sites[0]))!;
    expect(call.legs.every((l) => l.source === 'mcu_port')).toBe(true);
    expect(call.legs.some((l) => l.site === sites[10])).toBe(false);
    const f = sim.faults.inject({ kind: 'mcu_port_fault', site: sites[2]! });
    try {
      await until('the dropped site’s leg closed', calls, (c) =>
        c.items.some((x) => x.legs.some((l) => l.site === sites[2] && l.left_at !== null)),
      );
    } finally {
      sim.faults.clear(f);
    }
  });

  it('the API refusing the account: one bad_response event for the MCU, none for a site', {
    timeout: 30_000,
  }, async () => {
    const site = running.runtime.inventory.inventory.sites[4]!.id;
    const events: DeviceEvent[] = [];
    const off = running.runtime.bus.onEvent((e) => events.push(e));
    try {
      sim.faults.inject({ kind: 'mcu_api', mode: 'unauthorized' });
      await until(
        'the MCU reported refusing',
        async () => events,
        (e) => e.some((x) => x.device === 'mcu-viettel' && x.kind === 'bad_response'),
      );
      await new Promise((r) => setTimeout(r, 2500)); // more polls refused: still one event
      const api = events.filter((e) => e.name.startsWith('api_'));
      expect(api.map((e) => [e.device, e.site, e.name])).toEqual([
        ['mcu-viettel', 'mcu-viettel', 'api_bad_response'],
      ]);
      expect(api[0]!.detail).toMatch(/XML-RPC fault 15 .*check the credentials/);
      expect((await status(site)).metrics.mcu_port_up).toBe(1);
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
