// The whole serve stack with the codecs on the Cisco xAPI and no path probe: `diemcau serve`'s
// collector polls every codec's xAPI on the simulator; a loss fault at a site in the meeting reaches
// the live view as that site's codec quality, and a codec refusing the account is one device event
// of that codec, nothing for any other site. Loopback base 92: sites at 127.92.100–111, the MCU 127.92.112.1, NOC 127.92.99.250.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteStatus } from '../../api/contract.ts';
import type { Running } from '../../cli/serve.ts';
import type { DeviceEvent } from '../../core/bus.ts';
import type { Simulator } from '../../simulator/index.ts';
import type { Client } from '../../test/helpers/api.ts';
import { freeTcpPort } from '../../test/helpers/pexip.ts';
import { serveSimulated } from '../../test/helpers/serve-sim.ts';
import { writeXapiInventory, XAPI_SECRETS, XAPI_USER } from '../../test/helpers/xapi.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-xapi-serve-'));
const LOCAL = '127.92.99.250';
let running: Running;
let sim: Simulator;
let noc: Client;

beforeAll(async () => {
  const port = await freeTcpPort('127.92.100.1');
  const inv = join(dir, 'inventory.yaml');
  writeXapiInventory(inv, { sites: 12, base: 92, shift: 100, port, interval: '1s', timeout: '800ms' });
  ({ running, sim, noc } = await serveSimulated({
    dir,
    inventory: inv,
    host: LOCAL,
    secrets: XAPI_SECRETS,
    seed: 5,
    simulator: { xapi: { user: XAPI_USER, password: XAPI_SECRETS.DIEMCAU_XAPI_PASSWORD } },
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

describe('codecs on the Cisco xAPI, end to end', () => {
  it('a loss fault at a site in the meeting is that site’s codec quality in the live view', {
    timeout: 60_000,
  }, async () => {
    const sites = running.runtime.inventory.inventory.sites.map((s) => s.id);
    const [lossy, clean, away] = [sites[3]!, sites[4]!, sites[10]!];
    sim.meeting.start(sites.slice(0, 8));
    const before = await until(
      'the clean site in its call, its codec’s figures in',
      () => status(clean),
      (s) => s.metrics.in_call === 1 && s.quality.codec?.loss_pct !== undefined,
    );
    expect(before.quality.codec?.loss_pct).toBeLessThan(1);
    expect(before.quality.path).toBeUndefined();
    sim.faults.inject({ kind: 'link_degraded', site: lossy, loss_pct: 6 });
    const hit = await until(
      'the lossy site’s codec loss',
      () => status(lossy),
      (s) => (s.quality.codec?.loss_pct ?? 0) >= 6,
    );
    expect(hit.metrics.in_call).toBe(1);
    expect((await status(clean)).quality.codec?.loss_pct).toBeLessThan(1);
    const out = await until(
      'the site out of the meeting idle',
      () => status(away),
      (s) => s.metrics.in_call === 0,
    );
    expect(out.quality.codec).toBeUndefined();
  });

  it('a codec refusing the account: one bad_response event of that codec at its site, none elsewhere', {
    timeout: 30_000,
  }, async () => {
    const site = running.runtime.inventory.inventory.sites[5]!.id;
    const events: DeviceEvent[] = [];
    const off = running.runtime.bus.onEvent((e) => events.push(e));
    try {
      sim.faults.inject({ kind: 'codec_api', device: `${site}-codec`, mode: 'unauthorized' });
      await until(
        'the codec refused',
        async () => events,
        (e) => e.some((x) => x.name === 'api_bad_response'),
      );
      await new Promise((r) => setTimeout(r, 2500)); // more polls fail: still one event
      const api = events.filter((e) => e.name.startsWith('api_'));
      expect(api.map((e) => [e.kind, e.site, e.device])).toEqual([['bad_response', site, `${site}-codec`]]);
      expect(api[0]!.detail).toMatch(/HTTP 401/);
      sim.faults.clearAll();
      await until(
        'the codec answering again',
        async () => events,
        (e) => e.some((x) => x.kind === 'reachable' && x.device === `${site}-codec`),
      );
    } finally {
      off();
      sim.faults.clearAll();
    }
  });
});
