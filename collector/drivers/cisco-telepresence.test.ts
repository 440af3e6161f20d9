// Contract test of the Cisco TelePresence XML-RPC driver against responses built from the Cisco
// documentation's field tables (collector/drivers/fixtures/README.md), served over real HTTP on
// loopback 127.93.254.1, and its failures: the documented authentication fault, HTTP 401, a reply that
// is not XML-RPC, one not as documented, a slow reply, nothing listening.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInventory, syntheticUnits } from '../../inventory/generate.ts';
import { type LoadedInventory, loadInventory } from '../../inventory/load.ts';
import { CiscoTelePresenceDriver, losses, windowLoss } from './cisco-telepresence.ts';
import { XmlRpcClient } from './xmlrpc.ts';

const HOST = '127.93.254.1';
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const PAGE1 = fixture('cisco-mcu-participant-enumerate-1.xml');
const PAGE2 = fixture('cisco-mcu-participant-enumerate-2.xml');
const DIAGNOSTICS = fixture('cisco-mcu-participant-diagnostics.xml');
const FAULT15 = fixture('cisco-mcu-fault-15.xml');
const fault = (code: number, text: string) =>
  FAULT15.replace('<int>15</int>', `<int>${code}</int>`).replace('insufficient privileges', text);

type Mode = 'ok' | 'fault15' | 'http401' | 'malformed' | 'undocumented' | 'slow' | 'gone' | 'loop';
let mode: Mode = 'ok';
const seen: { path: string; method: string; body: string }[] = [];
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const method = /<methodName>([^<]+)<\/methodName>/.exec(body)?.[1] ?? '';
    seen.push({ path: req.url ?? '', method, body });
    const send = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(xml);
    };
    const authorised =
      body.includes('<name>authenticationUser</name><value><string>diemcau</string>') &&
      body.includes('<name>authenticationPassword</name><value><string>doc-example</string>');
    if (!authorised || mode === 'fault15') return send(200, FAULT15);
    if (mode === 'http401') return send(401, '<html><body>401 Unauthorized</body></html>');
    if (mode === 'slow') return void setTimeout(() => send(200, PAGE2), 1500);
    if (mode === 'malformed') return send(200, PAGE1.slice(0, 300));
    if (mode === 'undocumented')
      return send(200, PAGE2.replace('<name>participants</name>', '<name>participantz</name>'));
    if (method === 'participant.enumerate') {
      if (mode === 'loop') return send(200, PAGE1);
      return send(200, body.includes('<name>enumerateID</name>') ? PAGE2 : PAGE1);
    }
    if (method === 'participant.diagnostics')
      return send(200, mode === 'gone' ? fault(5, 'no such participant') : DIAGNOSTICS);
    send(200, fault(1, 'method not supported'));
  });
});

let inv: LoadedInventory;
let url: string;
const drivers: CiscoTelePresenceDriver[] = [];
function driver(timeoutMs = 800, base = url, password = 'doc-example'): CiscoTelePresenceDriver {
  const d = new CiscoTelePresenceDriver(
    inv,
    new XmlRpcClient({ url: base, user: 'diemcau', password, timeoutMs }),
  );
  drivers.push(d);
  return d;
}

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, HOST, r));
  url = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  let text = generateInventory(syntheticUnits(12), { title: 'Thử nghiệm', base: 93 });
  text = text.replace(
    '  profile: polycom-mcu\n  address: "127.93.255.1:16100"\n  snmp: core-v3\n',
    `  protocol: cisco-tps-xmlrpc\n  url: "${url}"\n  credentials: { user: diemcau, password: { env: DIEMCAU_TPS_PASSWORD } }\n`,
  );
  // the recorded participant is site tinh-uy's codec
  text = text.replace('    mcu_port: 1\n', '    mcu_port: 1\n    aliases: ["sip:tinh-uy@bac-kan.example"]\n');
  const file = join(mkdtempSync(join(tmpdir(), 'diemcau-cisco-')), 'inv.yaml');
  writeFileSync(file, text);
  inv = loadInventory(file);
  expect(inv.mcuApi?.protocol).toBe('cisco-tps-xmlrpc');
});

afterAll(async () => {
  for (const d of drivers) d.close();
  await new Promise((r) => server.close(r));
});

describe('Cisco TelePresence driver: the recorded documentation responses', () => {
  it('pages participant.enumerate by enumerateID and maps the matched participant onto its site', async () => {
    mode = 'ok';
    seen.length = 0;
    const r = await driver().poll();
    expect(r.problem).toBeNull();
    expect(r.events).toEqual([]);
    // two enumerate replies, then diagnostics for the one participant that is a site
    expect(seen.map((s) => [s.path, s.method])).toEqual([
      ['/RPC2', 'participant.enumerate'],
      ['/RPC2', 'participant.enumerate'],
      ['/RPC2', 'participant.diagnostics'],
    ]);
    expect(r.requests).toBe(3);
    // the documented request members: one struct, authentication first, currentState of connected participants
    expect(seen[0]!.body).toContain(
      '<name>operationScope</name><value><array><data><value><string>currentState</string>',
    );
    expect(seen[0]!.body).toContain('<name>enumerateFilter</name><value><string>connected</string>');
    expect(seen[1]!.body).toContain('<name>enumerateID</name><value><string>2</string>');
    for (const m of ['participantName', 'participantProtocol', 'participantType', 'conferenceName'])
      expect(seen[2]!.body).toContain(`<name>${m}</name>`);
    expect(seen[2]!.body).toContain('<string>_000017</string>');
    const of = (site: string, metric: string) =>
      r.samples.filter((s) => s.site === site && s.metric === metric).map((s) => s.value);
    expect(of('mcu-viettel', 'mcu_participants')).toEqual([2]);
    expect(of('tinh-uy', 'mcu_port_up')).toEqual([1]);
    // received: (150 + 2000) lost of 130,000 = 1.654 %; sent: 130 reported lost of 130,000 = 0.1 %
    expect(of('tinh-uy', 'loss_pct')[0]).toBeCloseTo((100 * 2150) / 130_000, 5);
    // videoRxChannelBitRate 1,920,000 bit/s
    expect(of('tinh-uy', 'call_rate_kbps')).toEqual([1920]);
    expect(r.samples.find((s) => s.site === 'tinh-uy' && s.metric === 'loss_pct')).toMatchObject({
      device: 'mcu-viettel',
      tags: { probe: 'mcu', instance: '1', tier: 'province' },
    });
    // per channel: rx-audio 150 of 30,000, rx-video 2,000 of 100,000; tx 30 of 30,000, 100 of 100,000
    const channel = (metric: string) =>
      Object.fromEntries(
        r.samples
          .filter((s) => s.site === 'tinh-uy' && s.metric === metric)
          .map((s) => [s.tags.instance, s.value]),
      );
    expect(channel('media_loss_pct')).toEqual({
      'rx-audio': 0.5,
      'rx-video': 2,
      'tx-audio': 0.1,
      'tx-video': 0.1,
    });
    // videoRxActualBitRate 1,804,000 and videoTxActualBitRate 1,790,000 bit/s
    expect(channel('media_rate_kbps')).toEqual({ 'rx-video': 1804, 'tx-video': 1790 });
    expect(r.samples.find((s) => s.metric === 'media_loss_pct')?.tags.probe).toBe('mcu');
    // no jitter figure: the documents read give none for participant.diagnostics
    expect(r.samples.filter((s) => /jitter/.test(s.metric))).toEqual([]);
    const down = r.samples.filter((s) => s.metric === 'mcu_port_up' && s.value === 0).map((s) => s.site);
    expect(down).toHaveLength(inv.sites.size - 1);
  });

  it('a participant gone before its diagnostics (fault 5) is not an error: its site is not up', async () => {
    mode = 'gone';
    const r = await driver().poll();
    mode = 'ok';
    expect(r.problem).toBeNull();
    expect(r.events).toEqual([]);
    expect(r.samples.find((s) => s.site === 'tinh-uy' && s.metric === 'mcu_port_up')?.value).toBe(0);
  });

  it('an enumerateID that comes back unchanged is refused, not followed for ever', async () => {
    mode = 'loop';
    // the first reply has enumerateID "2", the one asked with "2" answers "2" again
    const r = await driver().poll();
    mode = 'ok';
    expect(r.requests).toBe(2);
    expect(r.problem).toMatch(/enumerateID repeated: "2"/);
    expect(r.samples).toEqual([]);
  });
});

describe('Cisco TelePresence driver: loss from the packet counters', () => {
  const n = (total: number, lost: number) => ({ total, lost });
  it('takes the loss since the last poll, else over the call', () => {
    expect(windowLoss(n(1000, 100), undefined)).toBe(10);
    expect(windowLoss(n(2000, 110), n(1000, 100))).toBeCloseTo(1, 6);
    // too few packets since the last poll: over the whole call
    expect(windowLoss(n(1010, 100), n(1000, 100))).toBeCloseTo((100 * 100) / 1010, 6);
    // counters went back (a new call under the same name): over the new call
    expect(windowLoss(n(100, 10), n(1000, 100))).toBe(10);
    expect(windowLoss(n(0, 0), undefined)).toBeNull();
  });
  it('per channel, and the participant’s loss: the worse direction, audio and video together', () => {
    const c = (rxa: number, rxv: number, txa: number, txv: number) => ({
      'rx-audio': n(1000, rxa),
      'rx-video': n(3000, rxv),
      'tx-audio': n(1000, txa),
      'tx-video': n(3000, txv),
    });
    const l = losses(c(10, 110, 0, 40), undefined);
    expect(l['rx-audio']).toBe(1);
    expect(l['rx-video']).toBeCloseTo(110 / 30, 6);
    expect(l['tx-audio']).toBe(0);
    expect(l.all).toBe(3); // rx: 120 of 4,000; tx: 40 of 4,000
  });
});

describe('Cisco TelePresence driver: a device error, never a crash or a site fault', () => {
  const cases: [Mode | 'wrong password' | 'nothing listening', 'bad_response' | 'unreachable', RegExp][] = [
    ['fault15', 'bad_response', /XML-RPC fault 15 "insufficient privileges": .*check the credentials/],
    ['wrong password', 'bad_response', /XML-RPC fault 15/],
    ['http401', 'bad_response', /HTTP 401: .*check the credentials/],
    ['malformed', 'bad_response', /reply is not XML-RPC/],
    ['undocumented', 'bad_response', /reply not as documented \(participant.enumerate: participants: /],
    ['slow', 'unreachable', /no reply within 800 ms: participant.enumerate/],
    ['nothing listening', 'unreachable', /cannot connect: ECONNREFUSED/],
  ];
  for (const [what, kind, reason] of cases) {
    it(`${what} → one ${kind} event with the reason; no site sample`, async () => {
      mode = what === 'wrong password' || what === 'nothing listening' ? 'ok' : what;
      const d =
        what === 'wrong password'
          ? driver(800, url, 'guess')
          : what === 'nothing listening'
            ? driver(800, `http://${HOST}:1`)
            : driver();
      const r = await d.poll();
      expect(r.samples).toEqual([]);
      expect(r.events).toHaveLength(1);
      expect(r.events[0]).toMatchObject({ kind, site: 'mcu-viettel', device: 'mcu-viettel' });
      expect(r.events[0]!.detail).toMatch(reason);
      expect(r.problem).toMatch(reason);
      const again = await d.poll();
      expect(again.events).toEqual([]);
      if (what === 'nothing listening' || what === 'wrong password') return;
      mode = 'ok';
      const back = await d.poll();
      expect(back.events.map((e) => e.kind)).toEqual(['reachable']);
      expect(
        back.samples.some((s) => s.site === 'tinh-uy' && s.metric === 'mcu_port_up' && s.value === 1),
      ).toBe(true);
    });
  }
});
