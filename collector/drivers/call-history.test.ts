// Contract test of the MCU drivers' call records against replies built from the vendors' documents
// (collector/drivers/fixtures/README.md), served over real HTTP on loopback 127.162.254.1: Pexip's
// history API (ended participants, by end_time) and the Cisco CDR log (cdrlog.query, cdrlog.enumerate).
// Each record's site, times, cause and the vendor's words; read incrementally without repeats; a 401,
// a cut reply or one not as documented is one MCU device event, the status samples still go out.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceEvent } from '../../core/bus.ts';
import { callRecordOf } from '../../core/call-records.ts';
import { generateInventory, syntheticUnits } from '../../inventory/generate.ts';
import { type LoadedInventory, loadInventory } from '../../inventory/load.ts';
import { CiscoTelePresenceDriver } from './cisco-telepresence.ts';
import { ciscoCause, pexipCause } from './disconnect-causes.ts';
import { JsonClient } from './http.ts';
import { PexipDriver } from './pexip.ts';
import { pexipTime } from './pexip-history.ts';
import { XmlRpcClient } from './xmlrpc.ts';

const HOST = '127.162.254.1';
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const HISTORY = fixture('pexip-history-participant.json');
const STATUS = fixture('pexip-status-participant.json');
const STREAMS = fixture('pexip-status-media-stream.json');
const CDR_QUERY = fixture('cisco-mcu-cdrlog-query.xml');
const CDR_ENUM = fixture('cisco-mcu-cdrlog-enumerate.xml');
const ENUM_END = fixture('cisco-mcu-participant-enumerate-2.xml');
const DIAG = fixture('cisco-mcu-participant-diagnostics.xml');
const FAULT15 = fixture('cisco-mcu-fault-15.xml');

type Mode = 'ok' | 'http401' | 'malformed' | 'undocumented' | 'fault15' | 'reset';
let historyMode: Mode = 'ok';
const seen: { url: string; method: string; body: string }[] = [];
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '';
    const method = /<methodName>([^<]+)<\/methodName>/.exec(body)?.[1] ?? '';
    seen.push({ url, method, body });
    const send = (status: number, text: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(text);
    };
    if (req.method === 'GET') {
      if (url.startsWith('/api/admin/history/v1/participant/')) {
        if (historyMode === 'http401')
          return send(401, '{"error": "Authentication credentials were not provided."}');
        if (historyMode === 'malformed') return send(200, HISTORY.slice(0, 200));
        if (historyMode === 'undocumented') return send(200, HISTORY.replace('"objects"', '"objectz"'));
        return send(200, HISTORY);
      }
      if (url.startsWith('/api/admin/status/v1/participant/?')) return send(200, STATUS);
      if (url.endsWith('/media_stream/')) return send(200, STREAMS);
      return send(404, '{}');
    }
    const xml = (text: string) => send(200, text, 'text/xml');
    if (method.startsWith('cdrlog.')) {
      if (historyMode === 'fault15') return xml(FAULT15);
      if (historyMode === 'http401') return send(401, '<html>401</html>', 'text/html');
      if (historyMode === 'malformed') return xml(CDR_ENUM.slice(0, 300));
      if (historyMode === 'undocumented')
        return xml(CDR_ENUM.replace('<name>nextIndex</name>', '<name>nextIndeks</name>'));
      if (method === 'cdrlog.query') return xml(CDR_QUERY);
      // the device's log began again (a restart): asked past its end, it enumerates from the beginning
      if (historyMode === 'reset' && body.includes('<name>index</name><value><int>3415</int>'))
        return xml(
          CDR_ENUM.replaceAll('<string>00000042</string>', '<string>00000001</string>')
            .replace(
              '<name>startIndex</name><value><int>3411</int>',
              '<name>startIndex</name><value><int>1</int>',
            )
            .replace(
              '<name>nextIndex</name><value><int>3415</int>',
              '<name>nextIndex</name><value><int>5</int>',
            ),
        );
      // the fixture's events once; asked again from its nextIndex: nothing new
      if (body.includes('<name>index</name><value><int>3415</int>'))
        return xml(
          CDR_ENUM.replace(
            /<member><name>events<\/name>[\s\S]*<\/data><\/array><\/value><\/member>/,
            '<member><name>events</name><value><array><data></data></array></value></member>',
          ).replace('<int>3411</int>', '<int>3415</int>'),
        );
      return xml(CDR_ENUM);
    }
    if (method === 'participant.enumerate') return xml(ENUM_END);
    if (method === 'participant.diagnostics') return xml(DIAG);
    xml(FAULT15.replace('<int>15</int>', '<int>1</int>'));
  });
});

let inv: LoadedInventory;
let url: string;
const closers: { close(): void }[] = [];
const T = (s: string) => Date.parse(`${s}Z`);

function pexip(lookbackMs = 3_600_000, now = T('2026-01-06T02:00:00')): PexipDriver {
  const d = new PexipDriver(
    inv,
    new JsonClient({ url, user: 'admin', password: 'doc-example', timeoutMs: 800 }),
    500,
    { history: true, historyLookbackMs: lookbackMs + (Date.now() - now) },
  );
  closers.push(d);
  return d;
}

function cisco(): CiscoTelePresenceDriver {
  const d = new CiscoTelePresenceDriver(
    inv,
    new XmlRpcClient({ url, user: 'diemcau', password: 'doc-example', timeoutMs: 800 }),
    { history: true },
  );
  closers.push(d);
  return d;
}

const records = (events: DeviceEvent[]) => events.map(callRecordOf).filter((r) => r !== null);
const problems = (events: DeviceEvent[]) => events.filter((e) => e.kind !== 'call_record');

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, HOST, r));
  url = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  let text = generateInventory(syntheticUnits(12), { title: 'Thử nghiệm', base: 162 });
  text = text.replace(
    '  profile: polycom-mcu\n  address: "127.162.255.1:16100"\n  snmp: core-v3\n',
    `  protocol: pexip-mgmt\n  url: "${url}"\n  credentials: { user: admin, password: { env: DIEMCAU_PEXIP_PASSWORD } }\n`,
  );
  text = text.replace('    mcu_port: 1\n', '    mcu_port: 1\n    aliases: ["sip:tinh-uy@bac-kan.example"]\n');
  const file = join(mkdtempSync(join(tmpdir(), 'diemcau-history-')), 'inv.yaml');
  writeFileSync(file, text);
  inv = loadInventory(file);
  expect(inv.aliases.get('tinh-uy@bac-kan.example')).toBe('tinh-uy');
});

afterAll(async () => {
  for (const d of closers) d.close();
  await new Promise((r) => server.close(r));
});

describe('vendor disconnect reasons → diemcau causes', () => {
  it('maps the documented values and keeps unknown words unknown', () => {
    expect(pexipCause('Remote disconnect')).toBe('hangup');
    expect(pexipCause('Disconnected by an administrator')).toBe('operator');
    expect(pexipCause('Conference terminated by an administrator')).toBe('operator');
    expect(pexipCause('Media timeout')).toBe('network');
    expect(pexipCause('Call rejected')).toBe('rejected');
    expect(pexipCause('')).toBe('unknown');
    expect(pexipCause('Xyz')).toBe('unknown');
    expect(ciscoCause('remoteTeardown')).toBe('hangup');
    expect(ciscoCause('participant ended call')).toBe('hangup');
    expect(ciscoCause('localTeardown')).toBe('operator');
    expect(ciscoCause('networkError')).toBe('network');
    expect(ciscoCause('h245SocketError')).toBe('network');
    expect(ciscoCause('busy')).toBe('rejected');
    expect(ciscoCause('unspecified')).toBe('unknown');
  });

  it("reads Pexip's times as UTC with microseconds", () => {
    expect(pexipTime('2018-01-19T11:47:03.314052')).toBe(Date.UTC(2018, 0, 19, 11, 47, 3, 314));
    expect(pexipTime('2018-01-19T11:47:03')).toBe(Date.UTC(2018, 0, 19, 11, 47, 3));
    expect(pexipTime('')).toBeNull();
    expect(pexipTime('yesterday')).toBeNull();
  });
});

describe('Pexip history: the recorded documentation response', () => {
  it('asks for the participants that ended since its cursor, ordered by end_time, and maps each matched one', async () => {
    historyMode = 'ok';
    seen.length = 0;
    const d = pexip();
    const r = await d.poll();
    expect(r.problem).toBeNull();
    const h = seen.find((s) => s.url.startsWith('/api/admin/history/v1/participant/'))!;
    const q = new URL(h.url, url).searchParams;
    expect(q.get('order_by')).toBe('end_time');
    expect(q.get('end_time__gte')).toBe('2026-01-06T01:00:00');
    expect(q.get('limit')).toBe('500');
    const second = inv.aliases.get('127.162.1.1')!;
    expect(second).toBeTruthy();
    // the guest no site lists is no record; the status samples went out as before
    expect(records(r.events)).toEqual([
      {
        mcu: inv.inventory.mcu.id,
        record_id: 'pexip:b9c25ed2-8d96-403a-b255-1e8c7efa442e',
        site: second,
        joined_at: T('2026-01-06T01:10:00'),
        left_at: T('2026-01-06T01:20:00'),
        cause: 'operator',
        vendor_cause: 'Disconnected by an administrator',
        conference: 'Giao ban',
      },
      {
        mcu: inv.inventory.mcu.id,
        record_id: 'pexip:b1d206ab-dd2c-42fb-a67b-c28fd8b62ff1',
        site: 'tinh-uy',
        joined_at: T('2026-01-06T01:00:00.549'),
        left_at: T('2026-01-06T01:58:32.314'),
        cause: 'hangup',
        vendor_cause: 'Remote disconnect',
        conference: 'Giao ban',
      },
    ]);
    expect(r.samples.some((s) => s.metric === 'mcu_participants')).toBe(true);
    // the next poll asks from the last end time on and hands out nothing twice
    seen.length = 0;
    const again = await d.poll();
    expect(records(again.events)).toEqual([]);
    const q2 = new URL(seen.find((s) => s.url.startsWith('/api/admin/history/'))!.url, url).searchParams;
    expect(q2.get('end_time__gte')).toBe('2026-01-06T01:58:32');
  });

  it('a 401, a cut reply or one not as documented is one MCU event, not a crash, and the status samples stand', async () => {
    const d = pexip();
    for (const [mode, text] of [
      ['http401', 'HTTP 401'],
      ['malformed', 'không phải JSON'],
      ['undocumented', 'không đúng tài liệu Pexip'],
    ] as const) {
      historyMode = mode;
      const r = await d.poll();
      expect(records(r.events)).toEqual([]);
      const p = problems(r.events);
      expect(p).toHaveLength(1);
      expect([p[0]!.kind, p[0]!.name, p[0]!.site]).toEqual([
        'bad_response',
        'history_bad_response',
        inv.inventory.mcu.id,
      ]);
      expect(p[0]!.detail).toContain(text);
      expect(r.problem).toContain('lịch sử cuộc gọi');
      // the sites keep their MCU port state from the status API
      expect(r.samples.filter((s) => s.metric === 'mcu_port_up').length).toBeGreaterThan(0);
      // the same problem again: no second event
      expect(problems((await d.poll()).events)).toEqual([]);
    }
    historyMode = 'ok';
    const back = await d.poll();
    expect(problems(back.events).map((e) => e.name)).toEqual(['history_ok']);
    // nothing was consumed while it failed: the records come now
    expect(records(back.events).map((x) => x.vendor_cause)).toEqual([
      'Disconnected by an administrator',
      'Remote disconnect',
    ]);
    expect(back.problem).toBeNull();
  });
});

describe('Cisco CDR log: the recorded documentation responses', () => {
  it('starts near the end of the log (cdrlog.query), pairs joins with leaves and continues from nextIndex', async () => {
    historyMode = 'ok';
    seen.length = 0;
    const d = cisco();
    const r = await d.poll();
    expect(r.problem).toBeNull();
    const calls = seen.filter((s) => s.method.startsWith('cdrlog.'));
    expect(calls.map((s) => s.method)).toEqual(['cdrlog.query', 'cdrlog.enumerate']);
    expect(calls[1]!.body).toContain('<name>index</name><value><int>3411</int>');
    expect(calls[1]!.body).toContain('<name>numEvents</name><value><int>20</int>');
    expect(calls[1]!.body).toContain('<name>authenticationUser</name><value><string>diemcau</string>');
    // the device writes UTC without a zone; the guest's leave matches no site
    expect(records(r.events)).toEqual([
      {
        mcu: inv.inventory.mcu.id,
        record_id: 'cdr:00000042/00000007',
        site: 'tinh-uy',
        joined_at: Date.UTC(2026, 0, 6, 1, 0, 5),
        left_at: Date.UTC(2026, 0, 6, 1, 21, 30),
        cause: 'network',
        vendor_cause: 'networkError',
        conference: 'Giao ban',
      },
    ]);
    seen.length = 0;
    const again = await d.poll();
    expect(records(again.events)).toEqual([]);
    const next = seen.filter((s) => s.method.startsWith('cdrlog.'));
    expect(next.map((s) => s.method)).toEqual(['cdrlog.enumerate']);
    expect(next[0]!.body).toContain('<name>index</name><value><int>3415</int>');
    // the device's log began again: its new events are read, and the reader goes on from there
    historyMode = 'reset';
    seen.length = 0;
    const reset = await d.poll();
    expect(records(reset.events).map((x) => [x.record_id, x.site])).toEqual([
      ['cdr:00000001/00000007', 'tinh-uy'],
    ]);
    expect(problems(reset.events)).toEqual([]);
    historyMode = 'ok';
    seen.length = 0;
    await d.poll();
    expect(seen.find((s) => s.method === 'cdrlog.enumerate')!.body).toContain(
      '<name>index</name><value><int>5</int>',
    );
  });

  it('fault 15, HTTP 401, a cut reply or one not as documented is one MCU event, the status samples stand', async () => {
    for (const [mode, text] of [
      ['fault15', 'XML-RPC fault 15'],
      ['http401', 'HTTP 401'],
      ['malformed', 'không phải XML-RPC'],
      ['undocumented', 'không đúng tài liệu Cisco'],
    ] as const) {
      historyMode = mode;
      const d = cisco();
      const r = await d.poll();
      expect(records(r.events)).toEqual([]);
      const p = problems(r.events);
      expect(p.map((e) => [e.kind, e.name])).toEqual([['bad_response', 'history_bad_response']]);
      expect(p[0]!.detail).toContain(text);
      expect(r.samples.filter((s) => s.metric === 'mcu_port_up').length).toBeGreaterThan(0);
    }
    historyMode = 'ok';
  });
});
