// Contract test of the Pexip driver against responses recorded from the Pexip documentation
// (collector/drivers/fixtures/README.md), served over real HTTP on loopback, and its failures:
// 401, malformed JSON, a reply not as documented, a slow reply, nothing listening.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInventory, syntheticUnits } from '../../inventory/generate.ts';
import { type LoadedInventory, loadInventory } from '../../inventory/load.ts';
import { JsonClient } from './http.ts';
import { PexipDriver } from './pexip.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const PARTICIPANTS = fixture('pexip-status-participant.json');
const STREAMS = fixture('pexip-status-media-stream.json');
const ID = '00000000-0000-0000-0000-000000000002';

type Mode = 'ok' | 'unauthorized' | 'malformed' | 'undocumented' | 'slow' | 'gone';
let mode: Mode = 'ok';
const seen: { path: string; auth: string | undefined }[] = [];
const server = http.createServer((req, res) => {
  seen.push({ path: req.url ?? '', auth: req.headers.authorization });
  const send = (status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  };
  if (
    req.headers.authorization !== `Basic ${Buffer.from('diemcau:doc-example').toString('base64')}` ||
    mode === 'unauthorized'
  )
    return send(401, '');
  if (mode === 'slow') return void setTimeout(() => send(200, PARTICIPANTS), 1500);
  if (mode === 'malformed') return send(200, '{"meta": {"next": null}, "objects": [');
  if (mode === 'undocumented') return send(200, '{"meta": {}, "objects": {"id": 1}}');
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/api/admin/status/v1/participant/') return send(200, PARTICIPANTS);
  if (url.pathname === `/api/admin/status/v1/participant/${ID}/media_stream/`)
    return mode === 'gone' ? send(404, '{}') : send(200, STREAMS);
  send(404, '{}');
});

let inv: LoadedInventory;
let url: string;
const drivers: PexipDriver[] = [];
function driver(timeoutMs = 800, base = url, password = 'doc-example'): PexipDriver {
  const d = new PexipDriver(inv, new JsonClient({ url: base, user: 'diemcau', password, timeoutMs }));
  drivers.push(d);
  return d;
}

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let text = generateInventory(syntheticUnits(12), { title: 'Thử nghiệm' });
  text = text.replace(
    '  profile: polycom-mcu\n  address: "127.20.255.1:16100"\n  snmp: core-v3\n',
    `  protocol: pexip-mgmt\n  url: "${url}"\n  credentials: { user: diemcau, password: { env: DIEMCAU_PEXIP_PASSWORD } }\n`,
  );
  // the documentation's participant is site tinh-uy's codec
  text = text.replace(
    '    mcu_port: 1\n',
    '    mcu_port: 1\n    aliases: ["sip:445566@remote.example.org"]\n',
  );
  const file = join(mkdtempSync(join(tmpdir(), 'diemcau-pexip-')), 'inv.yaml');
  writeFileSync(file, text);
  inv = loadInventory(file);
});

afterAll(async () => {
  for (const d of drivers) d.close();
  await new Promise((r) => server.close(r));
});

describe('Pexip driver: the documentation examples', () => {
  it('maps the participant and its media streams onto the site the alias names', async () => {
    mode = 'ok';
    seen.length = 0;
    const r = await driver().poll();
    expect(r.problem).toBeNull();
    expect(r.events).toEqual([]);
    expect(r.requests).toBe(2);
    expect(seen.map((s) => s.path)).toEqual([
      '/api/admin/status/v1/participant/?limit=500&offset=0',
      `/api/admin/status/v1/participant/${ID}/media_stream/`,
    ]);
    const of = (site: string, metric: string) =>
      r.samples.filter((s) => s.site === site && s.metric === metric).map((s) => s.value);
    expect(of('mcu-viettel', 'mcu_participants')).toEqual([1]);
    expect(of('tinh-uy', 'mcu_port_up')).toEqual([1]);
    // the worst stream: video tx_packet_loss 0.12 % (audio rx 0.01 %); rx_jitter of video 1.53 ms
    expect(of('tinh-uy', 'loss_pct')).toEqual([0.12]);
    expect(of('tinh-uy', 'jitter_ms')).toEqual([1.53]);
    // participant bandwidth, kbps
    expect(of('tinh-uy', 'call_rate_kbps')).toEqual([576]);
    const q = r.samples.find((s) => s.site === 'tinh-uy' && s.metric === 'loss_pct')!;
    expect(q).toMatchObject({
      device: 'mcu-viettel',
      tags: { probe: 'mcu', instance: '1', tier: 'province' },
    });
    // every other site with a codec: its port is not connected, and has no quality figure
    const down = r.samples.filter((s) => s.metric === 'mcu_port_up' && s.value === 0).map((s) => s.site);
    expect(down).toHaveLength(inv.sites.size - 1);
    expect(r.samples.filter((s) => s.site !== 'tinh-uy' && s.metric === 'loss_pct')).toEqual([]);
  });

  it('a participant gone between the list and its media streams (404) is not an error: its site is not up', async () => {
    mode = 'gone';
    const r = await driver().poll();
    mode = 'ok';
    expect(r.problem).toBeNull();
    expect(r.events).toEqual([]);
    expect(r.samples.find((s) => s.site === 'tinh-uy' && s.metric === 'mcu_port_up')?.value).toBe(0);
    expect(r.samples.filter((s) => s.site === 'tinh-uy' && s.metric === 'loss_pct')).toEqual([]);
  });

  it('does not match a participant whose aliases no site lists', async () => {
    const other = structuredClone(inv);
    other.aliases = new Map([...inv.aliases].filter(([k]) => !k.startsWith('445566')));
    const d = new PexipDriver(
      other,
      new JsonClient({ url, user: 'diemcau', password: 'doc-example', timeoutMs: 800 }),
    );
    drivers.push(d);
    const r = await d.poll();
    expect(r.requests).toBe(1);
    expect(r.samples.filter((s) => s.metric === 'mcu_port_up' && s.value === 1)).toEqual([]);
    expect(r.samples.find((s) => s.metric === 'mcu_participants')?.value).toBe(1);
  });
});

describe('Pexip driver: a device error, never a crash or a site fault', () => {
  const cases: [Mode | 'wrong password' | 'nothing listening', 'bad_response' | 'unreachable', RegExp][] = [
    ['unauthorized', 'bad_response', /HTTP 401: .*check the credentials/],
    ['wrong password', 'bad_response', /HTTP 401/],
    ['malformed', 'bad_response', /reply is not JSON/],
    ['undocumented', 'bad_response', /reply not as documented \(participant list: objects: /],
    ['slow', 'unreachable', /no reply within 800 ms/],
    ['nothing listening', 'unreachable', /cannot connect: ECONNREFUSED/],
  ];
  for (const [what, kind, reason] of cases) {
    it(`${what} → one ${kind} event with the reason; no site sample`, async () => {
      mode = what === 'wrong password' || what === 'nothing listening' ? 'ok' : what;
      const d =
        what === 'wrong password'
          ? driver(800, url, 'guess')
          : what === 'nothing listening'
            ? driver(800, 'http://127.0.0.1:1')
            : driver();
      const r = await d.poll();
      expect(r.samples).toEqual([]);
      expect(r.events).toHaveLength(1);
      expect(r.events[0]).toMatchObject({ kind, site: 'mcu-viettel', device: 'mcu-viettel' });
      expect(r.events[0]!.detail).toMatch(reason);
      expect(r.problem).toMatch(reason);
      // the same problem again is not a new event
      const again = await d.poll();
      expect(again.events).toEqual([]);
      if (what === 'nothing listening' || what === 'wrong password') return;
      // answering as documented again: one 'reachable' event, the figures are back
      mode = 'ok';
      const back = await d.poll();
      expect(back.events.map((e) => e.kind)).toEqual(['reachable']);
      expect(
        back.samples.some((s) => s.site === 'tinh-uy' && s.metric === 'mcu_port_up' && s.value === 1),
      ).toBe(true);
    });
  }
});
