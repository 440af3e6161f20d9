// The post-meeting report of a meeting that really ran on the simulated network: `diemcau serve`'s
// whole stack (collector polling the simulator's SNMP agents and RTP reflectors, metrics store, alert
// engine, observed calls) on loopback. One site never joins, one loses its MCU port for 2 minutes
// while its codec stays in the call, one runs at 3 % loss; the report names all three.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, start } from '../cli/serve.ts';
import { generateInventory, syntheticUnits } from '../inventory/generate.ts';
import { IncidentLog } from '../meetings/incidents.ts';
import { CallLog } from '../meetings/observed.ts';
import { type Simulator, startSimulator } from '../simulator/index.ts';
import { freeUdpPort, TEST_SECRETS } from '../test/helpers/agents.ts';
import { reportMessage } from './after-meeting.ts';
import { dbEpisodes, meetingReport } from './meeting.ts';

const MIN = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'diemcau-report-sim-'));
let running: Running;
let sim: Simulator;

beforeAll(async () => {
  const inv = join(dir, 'inventory.yaml');
  writeFileSync(inv, generateInventory(syntheticUnits(12), { title: 'Thử báo cáo', base: 62 }));
  const trap = await freeUdpPort('127.0.0.1');
  const cfg = join(dir, 'diemcau.yaml');
  writeFileSync(
    cfg,
    `inventory: ${JSON.stringify(inv)}
data_dir: ${JSON.stringify(join(dir, 'data'))}
http: { listen: 127.0.0.1:0 }
collector:
  interval: 2s
  snmp_timeout: 1s
  snmp_retries: 0
  trap_listen: 127.0.0.1:${trap}
  icmp: { enabled: false }
  rtp: { enabled: true, packets: 50, interval: 10ms }
`,
  );
  running = await start({
    configPath: cfg,
    env: { ...TEST_SECRETS },
    async before(rt, { credentials }) {
      sim = await startSimulator({
        inventory: rt.inventory,
        credentials,
        trapTarget: { host: '127.0.0.1', port: trap },
        seed: 7,
      });
      return { name: 'simulator', stop: () => sim.stop() };
    },
  });
}, 60_000);

afterAll(async () => {
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a meeting on the simulated network', () => {
  it('is reported as it happened', { timeout: 300_000 }, async () => {
    const rt = running.runtime;
    const inv = rt.inventory;
    // codecs that report their call state (an MCU port fault needs the codec to say it is in a call)
    const sites = inv.inventory.sites
      .filter(
        (s) => s.mcu_port !== undefined && inv.devices.get(`${s.id}-codec`)?.profile === 'polycom-group',
      )
      .map((s) => s.id);
    expect(sites.length).toBeGreaterThanOrEqual(4);
    const [clean, absent, mcu, lossy] = sites as [string, string, string, string];
    await wait(4000); // a few healthy rounds first
    const now = Date.now();
    const m = running.meetings.register(
      {
        title: 'Họp thử báo cáo',
        host_org: inv.inventory.organisations.find((o) => o.kind === 'host')!.id,
        start: now,
        end: now + 4 * MIN,
        sites: [clean, absent, mcu, lossy],
        emergency: true,
        emergency_reason: 'Thử nghiệm',
      },
      'u-test',
    ).meeting;
    // the MCU calls every site but one
    sim.meeting.start([clean, mcu, lossy]);
    sim.faults.inject({ kind: 'link_degraded', site: lossy, loss_pct: 3 });
    await wait(40_000);
    const fault = sim.faults.inject({ kind: 'mcu_port_fault', site: mcu });
    await wait(2 * MIN);
    sim.faults.clear(fault);
    await wait(m.end - Date.now() + 5000);
    await running.store.flush();

    const state = rt.state;
    const r = await meetingReport(
      {
        inventory: inv,
        store: running.store,
        meetings: running.meetings,
        incidents: new IncidentLog(state, inv, running.meetings),
        calls: new CallLog(state, inv, running.meetings),
        episodes: dbEpisodes(state),
      },
      m.id,
    );
    const site = (id: string) => r.sites.find((s) => s.site === id)!;
    expect(r.held).toBe(true);
    expect(site(absent).attendance).toBe('absent');
    expect(site(absent).minutes.connected).toBe(0);
    const d = site(mcu).drops;
    expect(d).toHaveLength(1);
    expect((d[0]!.back_at! - d[0]!.at) / 1000).toBeGreaterThan(110);
    expect((d[0]!.back_at! - d[0]!.at) / 1000).toBeLessThan(135);
    expect([d[0]!.cause.kind, d[0]!.cause.cause]).toEqual(['episode', 'mcu']);
    expect(site(mcu).minutes.disconnected).toBeGreaterThanOrEqual(1);
    expect(site(mcu).minutes.disconnected).toBeLessThanOrEqual(3);
    expect(r.episodes.some((e) => e.id === d[0]!.cause.episode_id)).toBe(true);
    expect(site(lossy).loss_pct!.mean).toBeGreaterThan(1.5);
    expect(site(lossy).loss_pct!.mean).toBeLessThan(5);
    expect(site(clean).drops).toEqual([]);
    expect(site(clean).loss_pct!.mean).toBeLessThan(0.5);
    expect(site(clean).minutes.connected).toBeGreaterThanOrEqual(3);
    expect(r.summary.clean).toBe(false);
    const msg = reportMessage(r).text;
    for (const id of [absent, mcu]) expect(msg).toContain(inv.sites.get(id)!.name);
  });
});
