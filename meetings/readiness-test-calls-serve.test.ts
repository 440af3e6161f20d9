// `diemcau serve` with meetings.readiness.test_calls on and the MCU on the Pexip management API: a
// meeting registered through the API, "Kiểm tra ngay" (POST /meetings/{id}/readiness) makes the MCU
// call every site; the run's answer and its stored copy carry each site's test call; a hung codec's
// site is not ready with the MCU's words; nothing is left on the MCU. Loopback 127.160.x.x (the
// agents on ports of their own).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Running } from '../cli/serve.ts';
import { JsonClient } from '../collector/drivers/http.ts';
import { generateInventory, RTP_PORT, SNMP_PORT, syntheticUnits } from '../inventory/generate.ts';
import type { Simulator } from '../simulator/index.ts';
import { withPexipMcu } from '../simulator/pexip.ts';
import type { Client } from '../test/helpers/api.ts';
import { freeTcpPort } from '../test/helpers/pexip.ts';
import { serveSimulated } from '../test/helpers/serve-sim.ts';
import type { ReadinessRun } from './readiness.ts';

const HOST = '127.160.253.1';
const USER = 'diemcau';
const SECRETS = { DIEMCAU_PEXIP_PASSWORD: 'serve-calls-pw-4' };
const SITES = ['tinh-uy', 'huyen-huyen-1', 'xa-so-1'];

const dir = mkdtempSync(join(tmpdir(), 'diemcau-readiness-calls-serve-'));
let running: Running;
let sim: Simulator;
let noc: Client;

beforeAll(async () => {
  const port = await freeTcpPort(HOST);
  const inv = join(dir, 'inventory.yaml');
  const text = generateInventory(syntheticUnits(6), { title: 'Thử gọi qua serve', base: 160 })
    .replaceAll(`:${SNMP_PORT}"`, `:${SNMP_PORT + 3200}"`)
    .replaceAll(`:${RTP_PORT}"`, `:${RTP_PORT + 3200}"`);
  writeFileSync(inv, withPexipMcu(text, { url: `http://${HOST}:${port}`, user: USER, timeout: '2s' }));
  ({ running, sim, noc } = await serveSimulated({
    dir,
    inventory: inv,
    host: HOST,
    interval: '5s',
    config: `meetings:
  readiness:
    test_calls: { enabled: true, conference: "kiem-tra@mcu.bac-kan.example", timeout: 5s, hold: 500ms, poll: 250ms }
`,
    secrets: SECRETS,
    seed: 8,
    simulator: { pexip: { host: HOST, port, user: USER, password: SECRETS.DIEMCAU_PEXIP_PASSWORD } },
  }));
}, 60_000);

afterAll(async () => {
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('diemcau serve: readiness runs with the MCU’s test calls', () => {
  it('"Kiểm tra ngay" calls every site of the meeting; the run says how each call went', async () => {
    const day = new Date(Date.now() + 5 * 86400_000).toISOString().slice(0, 10);
    const reg = await noc.request('POST', '/api/v1/meetings', {
      title: 'Giao ban thử gọi',
      host_org: 'vp-ubnd-tinh',
      start: `${day}T08:00`,
      end: `${day}T09:00`,
      sites: SITES,
    });
    expect(reg.status, await reg.clone().text()).toBe(201);
    const { meeting } = (await reg.json()) as { meeting: { id: string } };
    const hung = sim.faults.inject({ kind: 'codec_hung', site: 'xa-so-1' });
    let run: ReadinessRun;
    try {
      const res = await noc.request('POST', `/api/v1/meetings/${meeting.id}/readiness`);
      expect(res.status, await res.clone().text()).toBeLessThan(300);
      run = (await res.json()) as ReadinessRun;
    } finally {
      sim.faults.clear(hung);
    }
    const by = Object.fromEntries(run.results.map((r) => [r.site, r]));
    for (const s of ['tinh-uy', 'huyen-huyen-1']) {
      expect([s, by[s]!.test_call?.outcome]).toEqual([s, 'connected']);
      expect(by[s]!.test_call!.vi).toMatch(/^Gọi thử từ MCU: kết nối sau /);
    }
    expect(by['xa-so-1']!.status).toBe('not_ready');
    expect(by['xa-so-1']!.reasons.map((r) => r.code)).toContain('test_call_failed');
    // the stored run, as the meeting page reads it
    const list = await noc.get(`/api/v1/meetings/${meeting.id}/readiness`);
    expect(list.status).toBe(200);
    const { items } = (await list.json()) as { items: ReadinessRun[] };
    const stored = items.find((r) => r.id === run.id)!;
    expect(stored.results.find((r) => r.site === 'tinh-uy')!.test_call).toEqual(by['tinh-uy']!.test_call);
    const mcu = new JsonClient({
      url: sim.pexipUrl!,
      user: USER,
      password: SECRETS.DIEMCAU_PEXIP_PASSWORD,
      timeoutMs: 2000,
    });
    try {
      const left = (await mcu.get('/api/admin/status/v1/participant/')) as { objects: unknown[] };
      expect(left.objects).toEqual([]);
    } finally {
      mcu.close();
    }
  }, 30_000);
});
