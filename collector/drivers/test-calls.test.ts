// Contract test of the readiness test calls (collector/drivers/test-calls.ts) against replies built from
// the vendors' documentation (collector/drivers/fixtures/README.md), served over real HTTP on loopback
// 127.160.254.2: the request fields are the documented ones, every field read is mapped, the call is
// hung up with the id the MCU gave; a dial refused, not as documented or unanswered is "not made".
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Site } from '../../inventory/schema.ts';
import { CommandClient } from './command-client.ts';
import { JsonClient } from './http.ts';
import {
  CiscoTestCaller,
  destinationOf,
  PexipTestCaller,
  splitAlias,
  type TestCallOptions,
} from './test-calls.ts';
import { XmlRpcClient } from './xmlrpc.ts';

const HOST = '127.160.254.2';
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const DIAL = fixture('pexip-command-dial.json');
const DISCONNECT = fixture('pexip-command-disconnect.json');
const PARTICIPANT = JSON.stringify(JSON.parse(fixture('pexip-status-participant.json')).objects[0]);
const STREAMS = fixture('pexip-status-media-stream.json');
const ADD = fixture('cisco-mcu-participant-add.xml');
const CONNECTED = fixture('cisco-mcu-participant-enumerate-dialout-connected.xml');
const HELD = fixture('cisco-mcu-participant-enumerate-dialout-held.xml');
const DISCONNECTED = fixture('cisco-mcu-participant-enumerate-dialout-disconnected.xml');
const DIAGNOSTICS = fixture('cisco-mcu-participant-diagnostics.xml');
const FAULT15 = fixture('cisco-mcu-fault-15.xml');
const ID = '00000000-0000-0000-0000-000000000002';
const NAME = 'diemcau-test-0a1b2c3d4e';

/** The dial command's fields as Pexip's dial schema lists them (docs/mcu-drivers.md). */
const DIAL_FIELDS = [
  'call_type',
  'conference_alias',
  'custom_sip_headers',
  'destination',
  'dtmf_sequence',
  'keep_conference_alive',
  'local_display_name',
  'node',
  'presentation_url',
  'protocol',
  'remote_display_name',
  'role',
  'routing',
  'streaming',
  'system_location',
];

type Mode = 'ok' | 'dial-failure' | 'dial-401' | 'gone' | 'disconnected';
let mode: Mode = 'ok';
let enumerates = 0;
const seen: { method: string; path: string; body: string }[] = [];
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '';
    const rpc = /<methodName>([^<]+)<\/methodName>/.exec(body)?.[1];
    seen.push({ method: rpc ?? req.method ?? '', path, body });
    const send = (status: number, text: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(text);
    };
    if (path === '/RPC2') {
      const xml = (t: string) => send(200, t, 'text/xml');
      if (!body.includes('<name>authenticationPassword</name><value><string>doc-example</string>'))
        return xml(FAULT15);
      if (rpc === 'participant.add') return xml(ADD);
      if (rpc === 'participant.enumerate') {
        enumerates++;
        return xml(mode === 'disconnected' ? DISCONNECTED : enumerates === 1 ? CONNECTED : HELD);
      }
      if (rpc === 'participant.diagnostics') return xml(DIAGNOSTICS);
      if (rpc === 'participant.remove') return xml(ADD);
      return xml(FAULT15.replace('<int>15</int>', '<int>1</int>'));
    }
    if (req.headers.authorization !== `Basic ${Buffer.from('diemcau:doc-example').toString('base64')}`)
      return send(401, '{}');
    if (path === '/api/admin/command/v1/participant/dial/') {
      if (mode === 'dial-401') return send(401, '{"error": "Authentication credentials were not provided."}');
      return send(200, mode === 'dial-failure' ? '{"status": "failure"}' : DIAL);
    }
    if (path === '/api/admin/command/v1/participant/disconnect/') return send(200, DISCONNECT);
    if (path === `/api/admin/status/v1/participant/${ID}/`)
      return mode === 'gone' ? send(404, '{}') : send(200, PARTICIPANT);
    if (path === `/api/admin/status/v1/participant/${ID}/media_stream/`) return send(200, STREAMS);
    send(404, '{}');
  });
});

let url: string;
const OPTS: TestCallOptions = { conference: 'Kiem tra', timeoutMs: 3000, holdMs: 50, pollMs: 250 };
const site = (id: string, alias?: string) =>
  ({
    id,
    ...(alias && { aliases: [alias] }),
    devices: [{ id: `${id}-codec`, kind: 'codec', address: '127.160.0.10:161' }],
  }) as unknown as Site;

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, HOST, r));
  url = `http://${HOST}:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  mode = 'ok';
  enumerates = 0;
  seen.length = 0;
});

const o = () => ({ url, user: 'diemcau', password: 'doc-example', timeoutMs: 1000 });
const pexip = () => new PexipTestCaller(new JsonClient(o()), new CommandClient(o()));

describe('the alias dialled', () => {
  it('is the site’s first alias, else its codec’s, else the codec’s host; the scheme names the protocol', () => {
    expect(destinationOf(site('a', 'sip:tinh-uy@bac-kan.example'))).toBe('sip:tinh-uy@bac-kan.example');
    expect(destinationOf(site('b'))).toBe('127.160.0.10');
    expect(splitAlias('h323:8118')).toEqual({ address: '8118', protocol: 'h323' });
    expect(splitAlias('SIP:x@y')).toEqual({ address: 'x@y', protocol: 'sip' });
    expect(splitAlias('x@y')).toEqual({ address: 'x@y', protocol: 'sip' });
  });
});

describe('Pexip: command API dial and disconnect, status API participant and media_stream', () => {
  it('dials with the documented fields, maps the documented reply, reads the media, hangs up by id', async () => {
    const c = pexip();
    try {
      const r = await c.testCall(site('tinh-uy', 'sip:tinh-uy@bac-kan.example'), {
        ...OPTS,
        systemLocation: 'Bac Kan',
      });
      expect(r.outcome).toBe('connected');
      expect(r.error).toBeNull();
      // the documented example participant has has_media false: connected by its media streams
      expect(r.media).toEqual({ lossPct: 0.12, jitterMs: 1.53, rateKbps: 576 });
      const dial = seen.find((x) => x.path.endsWith('/participant/dial/'))!;
      expect(dial.method).toBe('POST');
      const body = JSON.parse(dial.body) as Record<string, unknown>;
      for (const k of Object.keys(body)) expect(DIAL_FIELDS).toContain(k);
      expect(body).toMatchObject({
        conference_alias: 'Kiem tra',
        destination: 'tinh-uy@bac-kan.example',
        protocol: 'sip',
        role: 'guest',
        routing: 'manual',
        system_location: 'Bac Kan',
        streaming: false,
      });
      expect(body.remote_display_name).toMatch(/^diemcau kiểm tra tinh-uy [0-9a-f]{6}$/);
      const hang = seen.filter((x) => x.path.endsWith('/participant/disconnect/'));
      expect(hang.map((x) => JSON.parse(x.body))).toEqual([{ participant_id: ID }]);
      expect(r.hangup).toBe('done');
      expect(r.requests).toBe(seen.length);
    } finally {
      c.close();
    }
  });

  it('routes by the call routing rules without a system location; h323 alias → protocol h323', async () => {
    const c = pexip();
    try {
      await c.testCall(site('xa', 'h323:8118'), OPTS);
      const body = JSON.parse(seen.find((x) => x.path.endsWith('/participant/dial/'))!.body);
      expect(body).toMatchObject({ destination: '8118', protocol: 'h323', routing: 'routing_rule' });
      expect(body.system_location).toBeUndefined();
    } finally {
      c.close();
    }
  });

  it('a participant gone before it connected: failed, hung up anyway', async () => {
    mode = 'gone';
    const c = pexip();
    try {
      const r = await c.testCall(site('xa', 'sip:xa@bac-kan.example'), OPTS);
      expect(r.outcome).toBe('failed');
      expect(r.cause).toMatch(/mà không kết nối/);
      expect(seen.filter((x) => x.path.endsWith('/participant/disconnect/'))).toHaveLength(1);
    } finally {
      c.close();
    }
  });

  it('a dial refused (401) or answered not as documented: not made, nothing to hang up', async () => {
    for (const m of ['dial-401', 'dial-failure'] as const) {
      mode = m;
      seen.length = 0;
      const c = pexip();
      try {
        const r = await c.testCall(site('xa', 'sip:xa@bac-kan.example'), OPTS);
        expect([m, r.outcome, r.hangup]).toEqual([m, 'not_made', 'not_needed']);
        expect(r.error).toMatch(
          m === 'dial-401'
            ? /^HTTP 401: bị từ chối, kiểm tra tài khoản/
            : /reply not as documented.*status "failure"/,
        );
        expect(seen.filter((x) => x.path.endsWith('/participant/disconnect/'))).toHaveLength(0);
      } finally {
        c.close();
      }
    }
  });
});

describe('Cisco TelePresence: participant.add, participant.enumerate, participant.diagnostics, participant.remove', () => {
  const cisco = (password = 'doc-example') =>
    new CiscoTestCaller(
      'cisco-mcu-xmlrpc',
      new XmlRpcClient({ url, user: 'diemcau', password, timeoutMs: 1000 }),
      () => NAME,
    );

  it('adds a by_address participant with the documented members, reads loss over the hold and the rate', async () => {
    const c = cisco();
    try {
      const r = await c.testCall(site('tinh-uy', 'sip:tinh-uy@bac-kan.example'), OPTS);
      expect(r.outcome).toBe('connected');
      // over the hold: received 6,500 more and 200 lost (of 6,700); sent 6,500 more, 50 reported lost
      expect(r.media!.lossPct).toBeCloseTo((100 * 200) / 6700, 6);
      expect(r.media!.jitterMs).toBeNull();
      expect(r.media!.rateKbps).toBeGreaterThan(0);
      const add = seen.find((x) => x.method === 'participant.add')!.body;
      for (const m of [
        '<name>conferenceName</name><value><string>Kiem tra</string>',
        `<name>participantName</name><value><string>${NAME}</string>`,
        '<name>participantProtocol</name><value><string>sip</string>',
        '<name>participantType</name><value><string>by_address</string>',
        '<name>address</name><value><string>tinh-uy@bac-kan.example</string>',
      ])
        expect(add).toContain(m);
      const remove = seen.filter((x) => x.method === 'participant.remove');
      expect(remove).toHaveLength(1);
      expect(remove[0]!.body).toContain(`<name>participantName</name><value><string>${NAME}</string>`);
      expect(remove[0]!.body).toContain('<name>participantType</name><value><string>by_address</string>');
      expect(r.hangup).toBe('done');
    } finally {
      c.close();
    }
  });

  it('a call the device reports disconnected: failed with its disconnectReason, removed', async () => {
    mode = 'disconnected';
    const c = cisco();
    try {
      const r = await c.testCall(site('xa-so-1', 'sip:xa-so-1@bac-kan.example'), OPTS);
      expect([r.outcome, r.cause]).toEqual(['failed', 'destinationUnreachable']);
      expect(seen.filter((x) => x.method === 'participant.remove')).toHaveLength(1);
    } finally {
      c.close();
    }
  });

  it('fault 15 on participant.add: not made (the MCU account), nothing removed', async () => {
    const c = cisco('wrong');
    try {
      const r = await c.testCall(site('xa', 'sip:xa@bac-kan.example'), OPTS);
      expect([r.outcome, r.hangup]).toEqual(['not_made', 'not_needed']);
      expect(r.error).toMatch(/^XML-RPC fault 15 .*kiểm tra tài khoản/);
      expect(seen.filter((x) => x.method === 'participant.remove')).toHaveLength(0);
    } finally {
      c.close();
    }
  });
});
