// Readiness test calls (collector/drivers/test-calls.ts) against the simulator's Pexip command/status
// API and Cisco TelePresence XML-RPC API: sites that can answer connect and their media is read; a site
// that is down, without power or with a hung codec fails with the reason; an MCU API that refuses or
// answers garbage gives "could not test", never a site fault; every call is hung up (the MCU has no
// leftover participant). Loopback 127.160.x.x (Pexip) and 127.161.x.x (Cisco).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInventory, syntheticUnits } from '../../inventory/generate.ts';
import { type LoadedInventory, loadInventory, resolveCredentials } from '../../inventory/load.ts';
import { type Simulator, startSimulator } from '../../simulator/index.ts';
import { withPexipMcu } from '../../simulator/pexip.ts';
import { TEST_SECRETS } from '../../test/helpers/agents.ts';
import { freeTcpPort } from '../../test/helpers/pexip.ts';
import { JsonClient } from './http.ts';
import { mcuDriver } from './run.ts';
import { mcuTestCaller, type TestCaller, type TestCallOptions } from './test-calls.ts';
import { XmlRpcClient } from './xmlrpc.ts';

const USER = 'diemcau';
const PASSWORD = 'test-call-password-5';
const ENV = { DIEMCAU_MCU_PASSWORD: PASSWORD };
const OPTS: TestCallOptions = {
  conference: 'kiem-tra@mcu.bac-kan.example',
  timeoutMs: 5000,
  holdMs: 300,
  pollMs: 250,
};

interface Vendor {
  name: 'pexip-mgmt' | 'cisco-mcu-xmlrpc';
  base: number;
}

/** What the MCU lists as participants now (meeting and test calls alike), through its own API. */
async function listed(v: Vendor, url: string): Promise<number> {
  if (v.name === 'pexip-mgmt') {
    const c = new JsonClient({ url, user: USER, password: PASSWORD, timeoutMs: 2000 });
    try {
      const body = (await c.get('/api/admin/status/v1/participant/?limit=500&offset=0')) as {
        objects: unknown[];
      };
      return body.objects.length;
    } finally {
      c.close();
    }
  }
  const c = new XmlRpcClient({ url, user: USER, password: PASSWORD, timeoutMs: 2000 });
  try {
    const body = (await c.call('participant.enumerate', { operationScope: ['currentState'] })) as {
      participants: unknown[];
    };
    return body.participants.length;
  } finally {
    c.close();
  }
}

describe.each<Vendor>([
  { name: 'pexip-mgmt', base: 160 },
  { name: 'cisco-mcu-xmlrpc', base: 161 },
])('test calls through $name', (v) => {
  const dir = mkdtempSync(join(tmpdir(), `diemcau-test-calls-${v.base}-`));
  const host = `127.${v.base}.255.1`;
  let inv: LoadedInventory;
  let sim: Simulator;
  let caller: TestCaller;
  let url: string;
  let sites: string[];

  beforeAll(async () => {
    const port = await freeTcpPort(host);
    const file = join(dir, 'inventory.yaml');
    writeFileSync(
      file,
      withPexipMcu(generateInventory(syntheticUnits(8), { title: 'Thử gọi', base: v.base }), {
        url: `http://${host}:${port}`,
        user: USER,
        protocol: v.name,
        passwordEnv: 'DIEMCAU_MCU_PASSWORD',
        timeout: '2s',
      }),
    );
    inv = loadInventory(file);
    const api = { host, port, user: USER, password: PASSWORD, slowMs: 4000 };
    sim = await startSimulator({
      inventory: inv,
      credentials: resolveCredentials(inv, TEST_SECRETS),
      seed: 11,
      batteryTimeScale: 600,
      ...(v.name === 'pexip-mgmt' ? { pexip: api } : { cisco: api }),
    });
    url = `http://${host}:${port}`;
    caller = mcuTestCaller(inv, ENV)!;
    expect(caller.protocol).toBe(v.name);
    sites = [...inv.sites.keys()];
  }, 30_000);

  afterAll(async () => {
    caller?.close();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('calls every site that can answer: connected, media read, hung up, nothing left on the MCU', async () => {
    const rs = await Promise.all(sites.slice(0, 4).map((s) => caller.testCall(inv.sites.get(s)!, OPTS)));
    for (const r of rs) {
      expect([r.site, r.outcome, r.error, r.hangup]).toEqual([r.site, 'connected', null, 'done']);
      expect(r.connectMs).toBeGreaterThanOrEqual(300);
      expect(r.connectMs).toBeLessThan(OPTS.timeoutMs);
      expect(r.media?.lossPct).toBeTypeOf('number');
      expect(r.media?.rateKbps).toBeGreaterThan(0);
      if (v.name === 'pexip-mgmt') expect(r.media?.jitterMs).toBeGreaterThan(0);
    }
    expect(await listed(v, url)).toBe(0);
  });

  it('the MCU status poll does not take a test call for the site joining a meeting', async () => {
    const site = sites[0]!;
    const driver = mcuDriver(inv, ENV)!;
    try {
      const call = caller.testCall(inv.sites.get(site)!, { ...OPTS, holdMs: 1500 });
      await new Promise((r) => setTimeout(r, 1000)); // connected and held
      expect(await listed(v, url)).toBe(1);
      const poll = await driver.poll();
      expect(poll.problem).toBeNull();
      const up = poll.samples.find((x) => x.metric === 'mcu_port_up' && x.site === site);
      expect(up?.value).toBe(0);
      expect((await call).outcome).toBe('connected');
    } finally {
      driver.close();
    }
  });

  it('shows a degraded link as the loss the MCU measured on the test call', async () => {
    const site = sites[1]!;
    const f = sim.faults.inject({ kind: 'link_degraded', site, loss_pct: 6 });
    try {
      const r = await caller.testCall(inv.sites.get(site)!, { ...OPTS, holdMs: 1200 });
      expect(r.outcome).toBe('connected');
      expect(r.media!.lossPct!).toBeGreaterThan(4);
    } finally {
      sim.faults.clear(f);
    }
  });

  it('fails a site that is down, without power or with a hung codec, with the reason; hung up', async () => {
    const [down, dark, hung] = [sites[2]!, sites[3]!, sites[4]!];
    const ids = [
      sim.faults.inject({ kind: 'link_down', site: down }),
      sim.faults.inject({ kind: 'power_cut', site: dark, runtime_min: 0 }),
      sim.faults.inject({ kind: 'codec_hung', site: hung }),
    ];
    try {
      await new Promise((r) => setTimeout(r, 500)); // the battery of the dark site runs out
      expect(sim.status().find((s) => s.site === dark)!.powered).toBe(false);
      const rs = await Promise.all([down, dark, hung].map((s) => caller.testCall(inv.sites.get(s)!, OPTS)));
      for (const r of rs) {
        expect([r.site, r.outcome, r.error]).toEqual([r.site, 'failed', null]);
        expect(r.cause).toMatch(
          v.name === 'pexip-mgmt' ? /kết thúc .* mà không kết nối/ : /^destinationUnreachable$/,
        );
        expect(r.connectMs).toBeNull();
        expect(['done', 'not_needed']).toContain(r.hangup);
      }
      expect(await listed(v, url)).toBe(0);
    } finally {
      for (const id of ids) sim.faults.clear(id);
    }
  });

  it('a second call to a site already in a test call is rejected as busy', async () => {
    const site = inv.sites.get(sites[1]!)!;
    const first = caller.testCall(site, { ...OPTS, holdMs: 1500 });
    await new Promise((r) => setTimeout(r, 100));
    const second = await caller.testCall(site, OPTS);
    expect(second.outcome).toBe('failed');
    if (v.name === 'cisco-mcu-xmlrpc') expect(second.cause).toBe('busy');
    expect((await first).outcome).toBe('connected');
    expect(await listed(v, url)).toBe(0);
  });

  it('hangs up a call still ringing at the deadline', async () => {
    const site = sites[5]!;
    const f = sim.faults.inject({ kind: 'link_down', site });
    try {
      const r = await caller.testCall(inv.sites.get(site)!, { ...OPTS, timeoutMs: 600 });
      expect(r.outcome).toBe('failed');
      expect(r.cause).toMatch(/không kết nối trong 0.6 giây/);
      expect(r.hangup).toBe('done');
      expect(await listed(v, url)).toBe(0);
    } finally {
      sim.faults.clear(f);
    }
  });

  it('an MCU API that refuses or answers garbage: not made (the MCU), never a site fault', async () => {
    const site = inv.sites.get(sites[6]!)!;
    for (const mode of ['unauthorized', 'malformed', 'unreachable'] as const) {
      const f = sim.faults.inject({ kind: 'mcu_api', mode });
      try {
        const r = await caller.testCall(site, OPTS);
        expect([mode, r.outcome, r.cause, r.connectMs]).toEqual([mode, 'not_made', null, null]);
        expect(r.error).toMatch(
          mode === 'unauthorized'
            ? /HTTP 401|fault 15/
            : mode === 'malformed'
              ? /không phải (JSON|XML-RPC)/
              : /không kết nối được|cannot connect|socket hang up|ECONNRESET/,
        );
      } finally {
        sim.faults.clear(f);
      }
    }
    expect(await listed(v, url)).toBe(0);
  });

  it('a reply slower than the request deadline: not made, and no call left behind', async () => {
    const f = sim.faults.inject({ kind: 'mcu_api', mode: 'slow' });
    let r: Awaited<ReturnType<TestCaller['testCall']>>;
    try {
      r = await caller.testCall(inv.sites.get(sites[7]!)!, OPTS);
    } finally {
      sim.faults.clear(f);
    }
    expect(r.outcome).toBe('not_made');
    expect(r.error).toMatch(/không trả lời trong 2 giây/);
    // the slow dial is still carried out by the MCU later: the sweep finds it by its name and hangs it up
    await new Promise((res) => setTimeout(res, 4500));
    expect(await listed(v, url)).toBe(1);
    expect(await caller.sweep()).toBe(1);
    expect(await listed(v, url)).toBe(0);
    expect(await caller.sweep()).toBe(0);
  }, 15_000);
});
