// From the simulator's "participant_drop" fault to the leg's cause in the post-meeting report: the
// simulated MCU (Pexip history API on 127.162.255.2, Cisco TelePresence CDR log on 127.163.255.2)
// records the dropped participant with its disconnect reason, the driver built as `diemcau serve`
// builds it reads it through DriverRunner onto the bus, the observed-calls service merges it with the
// port-state leg, and the meeting's report names the cause in Vietnamese first.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { log } from '../../core/log.ts';
import { generateInventory, syntheticUnits } from '../../inventory/generate.ts';
import { resolveCredentials } from '../../inventory/load.ts';
import { type CallsService, startObservedCalls } from '../../meetings/calls-service.ts';
import { IncidentLog } from '../../meetings/incidents.ts';
import { DbMeetings } from '../../meetings/store.ts';
import { dbEpisodes, meetingReport } from '../../reports/meeting.ts';
import { type Simulator, startSimulator } from '../../simulator/index.ts';
import { withPexipMcu } from '../../simulator/pexip.ts';
import { createMetricsStore } from '../../storage/metrics/index.ts';
import { TEST_SECRETS } from '../../test/helpers/agents.ts';
import { testRuntime } from '../../test/helpers/alerts.ts';
import { storeConfig } from '../../test/helpers/metrics.ts';
import { freeTcpPort } from '../../test/helpers/pexip.ts';
import { DriverRunner, mcuDriver } from './run.ts';

const MIN = 60_000;
const PASSWORD = 'history-test-password-5';
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function scenario(kind: 'pexip' | 'cisco') {
  const base = kind === 'pexip' ? 162 : 163;
  const host = `127.${base}.255.2`;
  const port = await freeTcpPort(host);
  const dir = mkdtempSync(join(tmpdir(), `diemcau-records-${kind}-`));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const env = kind === 'pexip' ? 'DIEMCAU_PEXIP_PASSWORD' : 'DIEMCAU_TPS_PASSWORD';
  const file = join(dir, 'inventory.yaml');
  writeFileSync(
    file,
    withPexipMcu(generateInventory(syntheticUnits(6), { title: 'Thử bản ghi cuộc gọi', base }), {
      url: `http://${host}:${port}`,
      user: 'diemcau',
      protocol: kind === 'pexip' ? 'pexip-mgmt' : 'cisco-tps-xmlrpc',
      passwordEnv: env,
      interval: '10s',
    }),
  );
  const rt = testRuntime('', { inventory: file });
  cleanup.push(() => {
    rt.state.close();
  });
  const api = { host, port, user: 'diemcau', password: PASSWORD, slowMs: 1500 };
  const sim: Simulator = await startSimulator({
    inventory: rt.inventory,
    credentials: resolveCredentials(rt.inventory, TEST_SECRETS),
    seed: 5,
    ...(kind === 'pexip' ? { pexip: api } : { cisco: api }),
  });
  cleanup.push(() => sim.stop());
  // the meeting was registered (as an emergency) ten minutes ago and began a minute ago
  let now = Date.now() - 10 * MIN;
  const meetings = new DbMeetings(rt.state, rt.inventory, () => now);
  const sites = [...rt.inventory.sites.keys()].slice(0, 3);
  const start = Date.now() - MIN;
  const m = meetings.register(
    {
      title: 'Giao ban trực tuyến',
      host_org: 'vp-ubnd-tinh',
      start,
      end: start + 60 * MIN,
      sites,
      emergency: true,
      emergency_reason: 'Phòng chống thiên tai',
    },
    'u-host',
  ).meeting;
  now = Date.now();
  const calls: CallsService = startObservedCalls(rt, { meetings });
  cleanup.push(() => calls.stop());
  const store = await createMetricsStore({ config: storeConfig({ dataDir: dir }), log });
  cleanup.push(() => store.close());
  const driver = mcuDriver(rt.inventory, { [env]: PASSWORD })!;
  const runner = new DriverRunner(rt, driver, 10_000);
  cleanup.push(() => runner.stop());
  const problems: string[] = [];
  let records = 0;
  rt.bus.onEvent((e) => {
    if (e.kind === 'bad_response' || e.kind === 'unreachable') problems.push(e.detail);
    if (e.kind === 'call_record') records++;
  });

  sim.meeting.start(sites);
  await runner.pollNow();
  const legs = () => calls.calls.forMeeting(m.id)?.legs ?? [];
  expect(
    legs()
      .map((l) => l.site)
      .sort(),
  ).toEqual([...sites].sort());

  // the MCU drops the second site: a network failure in its own words
  const dropped = sites[1]!;
  const droppedAt = Date.now();
  sim.faults.inject({ kind: 'participant_drop', site: dropped, cause: 'network' });
  await runner.pollNow();
  expect(problems).toEqual([]);
  const mine = legs().filter((l) => l.site === dropped);
  expect(mine).toHaveLength(1);
  const leg = mine[0]!;
  expect(leg.left_cause).toBe('network');
  expect(leg.left_cause_vendor).toBe(kind === 'pexip' ? 'Media timeout' : 'networkError');
  expect(leg.record_id).toMatch(kind === 'pexip' ? /^pexip:[0-9a-f-]{36}$/ : /^cdr:00000001\/\d+$/);
  // the MCU's leave time, not the poll's: the fault's moment (the CDR log keeps whole seconds)
  expect(Math.abs(leg.left_at! - droppedAt)).toBeLessThan(1_500);
  // the other sites are still in the call, without a record
  expect(
    legs()
      .filter((l) => l.site !== dropped)
      .every((l) => l.left_at === null && l.record_id === null),
  ).toBe(true);

  // a poll later nothing is added twice
  await runner.pollNow();
  expect(legs().filter((l) => l.site === dropped)).toHaveLength(1);
  // a collector restart: the new reader looks back and reads the record again; still one leg
  const restarted = new DriverRunner(rt, mcuDriver(rt.inventory, { [env]: PASSWORD })!, 10_000);
  cleanup.push(() => restarted.stop());
  const before = records;
  await restarted.pollNow();
  expect(records - before).toBe(1);
  expect(legs().filter((l) => l.site === dropped)).toHaveLength(1);
  expect(problems).toEqual([]);

  const r = await meetingReport(
    {
      inventory: rt.inventory,
      store,
      meetings,
      incidents: new IncidentLog(rt.state, rt.inventory, meetings, () => now),
      calls: calls.calls,
      episodes: dbEpisodes(rt.state),
      now: () => Date.now(),
    },
    m.id,
  );
  const s = r.sites.find((x) => x.site === dropped)!;
  expect(s.drops).toHaveLength(1);
  expect(s.drops[0]!.cause).toMatchObject({ kind: 'mcu', mcu_cause: 'network' });
  const words = kind === 'pexip' ? 'Media timeout' : 'networkError';
  expect(s.drops[0]!.cause.vi).toBe(`Lỗi mạng hoặc đường truyền hình/tiếng (MCU ghi: “${words}”)`);
  expect(s.legs.map((l) => [l.cause, l.cause_vi])).toEqual([
    ['network', `Lỗi mạng hoặc đường truyền hình/tiếng (MCU ghi: “${words}”)`],
  ]);
  expect(r.sites.find((x) => x.site === sites[0])!.drops).toEqual([]);
}

describe('participant_drop → MCU call record → observed leg → post-meeting report', () => {
  it('Pexip Infinity history API', async () => {
    await scenario('pexip');
  }, 30_000);

  it('Cisco TelePresence Server CDR log', async () => {
    await scenario('cisco');
  }, 30_000);
});
