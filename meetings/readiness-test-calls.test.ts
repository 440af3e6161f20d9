// A readiness run whose MCU dials every site (meetings.readiness.test_calls, issue 20): the real
// Readiness with the real metrics store and alert engine, the test calls through the Pexip command API
// of the simulator. All sites answering; a hung codec failing the site with the reason; the MCU API
// refusing (401) or answering garbage: "could not test", the site not blamed; the verdicts stored with
// the run; no call left on the MCU. Loopback 127.160.x.x (the agents on their own ports).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertService, startAlerts } from '../alerts/index.ts';
import { JsonClient } from '../collector/drivers/http.ts';
import { loadConfig } from '../config/config.ts';
import { log } from '../core/log.ts';
import type { MetricsStore } from '../core/ports.ts';
import { generateInventory, RTP_PORT, SNMP_PORT, syntheticUnits } from '../inventory/generate.ts';
import { loadInventory, resolveCredentials } from '../inventory/load.ts';
import type { SourceErrors } from '../inventory/source.ts';
import { type Simulator, startSimulator } from '../simulator/index.ts';
import { withPexipMcu } from '../simulator/pexip.ts';
import { createMetricsStore } from '../storage/metrics/index.ts';
import { TEST_SECRETS } from '../test/helpers/agents.ts';
import { testRuntime } from '../test/helpers/alerts.ts';
import { storeConfig } from '../test/helpers/metrics.ts';
import { freeTcpPort } from '../test/helpers/pexip.ts';
import { Readiness, type SiteReadiness } from './readiness.ts';
import { type TestCallConfig, testCallsFrom, viNumber } from './readiness-test-calls.ts';
import { DbMeetings, type Meeting } from './store.ts';

const HOST = '127.160.254.1';
const USER = 'diemcau';
const ENV = { DIEMCAU_PEXIP_PASSWORD: 'readiness-calls-pw-9' };
const SITES = ['tinh-uy', 'huyen-huyen-1', 'xa-so-1', 'xa-so-2'];

const dir = mkdtempSync(join(tmpdir(), 'diemcau-readiness-calls-'));
let rt: ReturnType<typeof testRuntime>;
let sim: Simulator;
let store: MetricsStore;
let alerts: AlertService;
let meetings: DbMeetings;
let readiness: Readiness;
let calls: TestCallConfig;
let meeting: Meeting;
let url: string;

beforeAll(async () => {
  const port = await freeTcpPort(HOST);
  url = `http://${HOST}:${port}`;
  const inventory = join(dir, 'inventory.yaml');
  // the agents on ports of their own, so that another suite on 127.160 may run alongside
  const text = generateInventory(syntheticUnits(8), { title: 'Thử gọi kiểm tra', base: 160 })
    .replaceAll(`:${SNMP_PORT}"`, `:${SNMP_PORT + 1600}"`)
    .replaceAll(`:${RTP_PORT}"`, `:${RTP_PORT + 1600}"`);
  writeFileSync(inventory, withPexipMcu(text, { url, user: USER, timeout: '2s' }));
  rt = testRuntime(
    [
      'meetings:',
      '  readiness:',
      '    test_calls:',
      '      enabled: true',
      '      conference: "kiem-tra@mcu.bac-kan.example"',
      '      timeout: 5s',
      '      hold: 500ms',
      '      poll: 250ms',
      '      concurrency: 2',
      '',
    ].join('\n'),
    { dir, inventory },
  );
  sim = await startSimulator({
    inventory: rt.inventory,
    credentials: resolveCredentials(rt.inventory, TEST_SECRETS),
    seed: 21,
    pexip: { host: HOST, port, user: USER, password: ENV.DIEMCAU_PEXIP_PASSWORD },
  });
  store = await createMetricsStore({ config: storeConfig({ dataDir: dir }), log });
  meetings = new DbMeetings(rt.state, rt.inventory, Date.now);
  alerts = await startAlerts(rt, { meetings, tickMs: 3_600_000, env: {} });
  calls = testCallsFrom(rt.config.meetings.readiness.test_calls, rt.inventory, ENV, log)!;
  expect(calls.options).toEqual({
    conference: 'kiem-tra@mcu.bac-kan.example',
    timeoutMs: 5000,
    holdMs: 500,
    pollMs: 250,
  });
  readiness = new Readiness(rt.state, rt.inventory, { meetings, store, alerts, testCalls: calls });
  const start = Date.now() + 4 * 86400_000;
  meeting = meetings.register(
    {
      title: 'Giao ban trực tuyến thử',
      host_org: 'vp-ubnd-tinh',
      start,
      end: start + 3600_000,
      sites: SITES,
    },
    'u-host',
  ).meeting;
}, 60_000);

afterAll(async () => {
  calls?.caller.close();
  await alerts?.stop();
  await store?.close();
  await sim?.stop();
  rt?.state.close();
  rmSync(dir, { recursive: true, force: true });
});

const bySite = (rs: SiteReadiness[]) => Object.fromEntries(rs.map((r) => [r.site, r]));

async function participantsOnMcu(): Promise<number> {
  const c = new JsonClient({ url, user: USER, password: ENV.DIEMCAU_PEXIP_PASSWORD, timeoutMs: 2000 });
  try {
    return ((await c.get('/api/admin/status/v1/participant/')) as { objects: unknown[] }).objects.length;
  } finally {
    c.close();
  }
}

describe('readiness runs with the MCU’s test calls', () => {
  it('calls every site: each verdict says how the call went, in Vietnamese first', async () => {
    const hung = 'xa-so-2';
    const f = sim.faults.inject({ kind: 'codec_hung', site: hung });
    let run: Awaited<ReturnType<Readiness['run']>>;
    try {
      run = await readiness.run(meeting.id, 'manual', 'u-noc');
    } finally {
      sim.faults.clear(f);
    }
    const r = bySite(run.results);
    for (const s of SITES.filter((x) => x !== hung)) {
      expect([s, r[s]!.test_call?.outcome]).toEqual([s, 'connected']);
      expect(r[s]!.test_call!.vi).toMatch(
        /^Gọi thử từ MCU: kết nối sau \d+(,\d+)? giây, mất gói \d+(,\d+)? %, biến thiên trễ \d+(,\d+)? ms, tốc độ \d+ kbps$/,
      );
      expect(r[s]!.test_call!.en).toMatch(/^Test call from the MCU: connected after /);
      expect(r[s]!.reasons.map((x) => x.code)).not.toContain('test_call_failed');
      expect(r[s]!.test_call!.hung_up).toBe(true);
    }
    // the hung codec: the call fails and fails the site, with what the MCU saw
    expect(r[hung]!.status).toBe('not_ready');
    expect(r[hung]!.test_call!.outcome).toBe('failed');
    const reason = r[hung]!.reasons.find((x) => x.code === 'test_call_failed')!;
    expect(reason.vi).toMatch(/^Gọi thử từ MCU tới .+: không kết nối được \(cuộc gọi kết thúc sau/);
    // stored with the run and read back
    const stored = readiness.runs(meeting.id).find((x) => x.id === run.id)!;
    expect(bySite(stored.results)[hung]!.test_call).toEqual(r[hung]!.test_call);
    expect(bySite(stored.results)['tinh-uy']!.test_call).toEqual(r['tinh-uy']!.test_call);
    expect(await participantsOnMcu()).toBe(0);
  }, 30_000);

  it('the MCU API refusing or answering garbage: "could not test" (the MCU), no site blamed', async () => {
    for (const mode of ['unauthorized', 'malformed'] as const) {
      const f = sim.faults.inject({ kind: 'mcu_api', mode });
      let run: Awaited<ReturnType<Readiness['run']>>;
      try {
        run = await readiness.run(meeting.id, 'manual', 'u-noc');
      } finally {
        sim.faults.clear(f);
      }
      for (const x of run.results) {
        expect([mode, x.site, x.test_call?.outcome]).toEqual([mode, x.site, 'not_made']);
        expect(x.test_call!.vi).toMatch(
          /^Gọi thử từ MCU: không thực hiện được — lỗi phía MCU\/API quản lý, không phải lỗi của điểm cầu/,
        );
        expect(x.reasons.map((y) => y.code)).not.toContain('test_call_failed');
      }
      expect(run.results[0]!.test_call!.detail).toMatch(
        mode === 'unauthorized' ? /HTTP 401/ : /không phải JSON/,
      );
    }
    expect(await participantsOnMcu()).toBe(0);
  }, 30_000);

  it('two runs at once (a manual one during another): the calls go one run after the other, no site busy', async () => {
    const [a, b] = await Promise.all([
      readiness.run(meeting.id, 'manual', 'u-noc'),
      readiness.run(meeting.id, 'manual', 'u-host'),
    ]);
    for (const run of [a, b])
      for (const x of run.results) expect([x.site, x.test_call?.outcome]).toEqual([x.site, 'connected']);
    expect(await participantsOnMcu()).toBe(0);
  }, 30_000);

  it('configuration: off by default, the conference required when on, bounds checked at their lines', () => {
    const file = (yaml: string) => {
      const f = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(f, yaml);
      return f;
    };
    expect(loadConfig(file('{}\n'), {}).meetings.readiness.test_calls).toEqual({
      enabled: false,
      timeout: '60s',
      hold: '10s',
      poll: '1s',
      concurrency: 4,
    });
    const errors = (yaml: string) => {
      try {
        loadConfig(file(yaml), {});
        return [];
      } catch (err) {
        return (err as SourceErrors).errors.map((e) => `${e.line}: ${e.message}`);
      }
    };
    expect(errors('meetings:\n  readiness:\n    test_calls:\n      enabled: true\n')).toEqual([
      expect.stringMatching(/^4: meetings\.readiness\.test_calls\.conference: is required/),
    ]);
    expect(
      errors(
        'meetings:\n  readiness:\n    test_calls:\n      conference: x\n      poll: 10ms\n      concurrency: 0\n',
      ),
    ).toEqual([
      expect.stringMatching(/^5: .*poll.*must be at least 250ms/),
      expect.stringMatching(/^6: .*concurrency.*must be at least 1/),
    ]);
  });

  it('enabled with an SNMP MCU: no test calls, one warning', () => {
    const warnings: string[] = [];
    const snmp = loadInventory('inventory/bac-kan.yaml');
    const t = { enabled: true, conference: 'x', timeout: '60s', hold: '10s', poll: '1s', concurrency: 4 };
    expect(testCallsFrom(t, snmp, {}, { warn: (_o, msg) => warnings.push(msg) })).toBeNull();
    expect(warnings).toEqual([expect.stringMatching(/test_calls is enabled but the MCU is read over SNMP/)]);
  });

  it('writes numbers the Vietnamese way', () => {
    expect([viNumber(3.2), viNumber(0.1), viNumber(0.05), viNumber(12), viNumber(0)]).toEqual([
      '3,2',
      '0,1',
      '0,05',
      '12',
      '0',
    ]);
  });
});
