// End to end through every part: the simulator serves a small network on loopback (base 53), the
// collector polls it onto the bus, the real alert engine decides, the API streams. A fault injected
// in the simulator reaches an SSE client as the site's status change; a second client that resumes
// with Last-Event-ID receives exactly the events the first one saw after that id.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type AlertService, StaticMeetings, startAlerts } from '../alerts/index.ts';
import { type Collector, startCollector } from '../collector/index.ts';
import { loadConfig } from '../config/config.ts';
import { Bus } from '../core/bus.ts';
import { log } from '../core/log.ts';
import type { MetricsStore } from '../core/ports.ts';
import type { Runtime } from '../core/runtime.ts';
import { generateInventory, syntheticUnits } from '../inventory/generate.ts';
import { loadInventory, resolveCredentials } from '../inventory/load.ts';
import { type Simulator, startSimulator } from '../simulator/index.ts';
import { createMetricsStore } from '../storage/metrics/index.ts';
import { openStateDb } from '../storage/state-db.ts';
import { freeUdpPort, TEST_SECRETS } from '../test/helpers/agents.ts';
import { Client, readEvents, type SseEvent, TEST_PASSWORD } from '../test/helpers/api.ts';
import { createUser } from './accounts.ts';
import type { LiveEvents, SiteStatus } from './contract.ts';
import { type ApiService, startApi } from './server.ts';

const BASE = 53;
let dir: string;
let rt: Runtime;
let store: MetricsStore;
let alerts: AlertService;
let api: ApiService;
let sim: Simulator;
let collector: Collector;
let noc: Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'diemcau-api-e2e-'));
  const invFile = join(dir, 'inventory.yaml');
  writeFileSync(invFile, generateInventory(syntheticUnits(6), { title: 'Thử nghiệm', base: BASE }));
  const trapPort = await freeUdpPort('127.0.0.1');
  const cfgFile = join(dir, 'diemcau.yaml');
  writeFileSync(
    cfgFile,
    stringify({
      inventory: invFile,
      data_dir: join(dir, 'data'),
      http: { listen: '127.0.0.1:0' },
      collector: {
        interval: '2s',
        snmp_timeout: '500ms',
        snmp_retries: 0,
        trap_listen: `127.0.0.1:${trapPort}`,
        icmp: { enabled: false, count: 3 },
        rtp: { enabled: true, packets: 5, interval: '20ms' },
      },
    }),
  );
  const config = loadConfig(cfgFile, {});
  const inventory = loadInventory(config.inventory);
  const credentials = resolveCredentials(inventory, TEST_SECRETS);
  const state = openStateDb(join(config.data_dir, 'state.db'));
  rt = { config, inventory, bus: new Bus(), state, log, registry: new Registry() };
  store = await createMetricsStore({ config, log });
  rt.bus.onSamples((b) => store.write(b));
  const meetings = new StaticMeetings();
  alerts = await startAlerts(rt, { meetings, env: {} });
  api = await startApi(rt, { store, alerts, meetings, dashboardDir: join(dir, 'dist') });
  sim = await startSimulator({
    inventory,
    credentials,
    trapTarget: { host: '127.0.0.1', port: trapPort },
    reflectorBaseDelay: false,
    batteryTimeScale: 30,
  });
  collector = await startCollector(rt, { credentials });
  await createUser(state, { name: 'noc', role: 'noc', password: TEST_PASSWORD });
  noc = new Client(api.url);
  await noc.login('noc', TEST_PASSWORD);
});

afterAll(async () => {
  await collector?.stop();
  await sim?.stop();
  await api?.stop();
  await alerts?.stop();
  await store?.close();
  rt?.state.close();
  rmSync(dir, { recursive: true, force: true });
});

const siteEvents = (evs: SseEvent[], id: string) =>
  evs
    .filter((e) => e.event === 'site')
    .map((e) => JSON.parse(e.data) as SiteStatus)
    .filter((s) => s.id === id);

describe('live stream end to end', () => {
  it('a power cut injected in the simulator reaches the SSE client; a resuming client gets exactly what it missed', async () => {
    const site = [...rt.inventory.sites.values()].find((s) => s.tier === 'commune')!.id;
    const first = await fetch(`${api.url}/api/v1/live`, { headers: { cookie: noc.cookie! } });
    let injected = false;
    let resumeFrom: number | null = null;
    const evs = await readEvents(
      first,
      (list) => {
        // once the site's UPS has been read (on mains), remember where we are and cut its power
        const measured = list.some(
          (e) =>
            e.event === 'metrics' &&
            (JSON.parse(e.data) as LiveEvents['metrics']).updates.some(
              (u) => u.site === site && u.values.ups_on_battery === 0,
            ),
        );
        if (!injected && measured) {
          injected = true;
          resumeFrom = list.filter((e) => e.id !== null).at(-1)!.id;
          sim.faults.inject({ kind: 'power_cut', site });
        }
        return (
          siteEvents(list, site).some((s) => s.state === 'on_battery') &&
          list.some((e) => e.event === 'alert' && JSON.parse(e.data).site === site)
        );
      },
      50_000,
    );
    const change = siteEvents(evs, site).find((s) => s.state === 'on_battery');
    expect(
      change,
      `site events: ${JSON.stringify(siteEvents(evs, site).map((s) => [s.state, s.summary]))} alerts: ${JSON.stringify(alerts.list().map((a) => [a.rule, a.site, a.state]))}`,
    ).toBeDefined();
    expect(change!.cause).toBe('power');
    expect(change!.summary).toMatch(/UPS/);
    expect(evs.some((e) => e.event === 'alert' && JSON.parse(e.data).site === site)).toBe(true);

    // the events the first client saw after resumeFrom, up to the status change
    const lastId = evs.filter((e) => e.id !== null).at(-1)!.id!;
    const missed = evs.filter((e) => e.event !== 'heartbeat' && e.id! > resumeFrom! && e.id! <= lastId);
    const second = await fetch(`${api.url}/api/v1/live`, {
      headers: { cookie: noc.cookie!, 'last-event-id': String(resumeFrom) },
    });
    const replay = await readEvents(second, (list) => list.some((e) => e.id !== null && e.id >= lastId));
    const got = replay.filter((e) => e.event !== 'heartbeat' && e.id! <= lastId);
    expect(replay.some((e) => e.event === 'snapshot')).toBe(false);
    expect(got.map((e) => e.id)).toEqual(missed.map((e) => e.id));
    expect(got.map((e) => e.data)).toEqual(missed.map((e) => e.data));
  });
});
