// Contract test of the Cisco xAPI codec driver against a status.xml recorded from the documentation's
// field lists and examples (collector/drivers/fixtures/README.md), served over real HTTP on loopback
// (base 92), and its failures: 401, XML cut short, a reply not as documented, a slow reply, nothing
// listening — each one device event of the codec, no sample, no throw.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadedInventory, loadInventory } from '../../inventory/load.ts';
import { freeTcpPort } from '../../test/helpers/pexip.ts';
import { writeXapiInventory, XAPI_SECRETS, XAPI_USER } from '../../test/helpers/xapi.ts';
import { deviceDrivers } from './codecs.ts';
import type { DriverPoll } from './types.ts';
import { parseXapiStatus, type XapiDriver } from './xapi.ts';

const STATUS = readFileSync(join(import.meta.dirname, 'fixtures', 'cisco-xapi-status.xml'), 'utf8');
/** the same call a poll later: the incoming video lost 100 of the 2,000 packets since */
const LATER = STATUS.replace('<Loss>60</Loss>', '<Loss>160</Loss>').replace(
  '<Packets>3940</Packets>',
  '<Packets>5840</Packets>',
);
const HOST = '127.92.0.1';
const CODEC = 'tinh-uy-codec';

type Mode = 'ok' | 'later' | 'idle' | 'unauthorized' | 'malformed' | 'undocumented' | 'not-a-number' | 'slow';
let mode: Mode = 'ok';
const seen: { path: string; auth: string | undefined }[] = [];
const server = http.createServer((req, res) => {
  seen.push({ path: req.url ?? '', auth: req.headers.authorization });
  const send = (status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(body);
  };
  const auth = `Basic ${Buffer.from(`${XAPI_USER}:${XAPI_SECRETS.DIEMCAU_XAPI_PASSWORD}`).toString('base64')}`;
  if (req.headers.authorization !== auth || mode === 'unauthorized') return send(401, '');
  if (req.url !== '/status.xml') return send(404, '');
  if (mode === 'slow') return void setTimeout(() => send(200, STATUS), 1500);
  if (mode === 'malformed') return send(200, STATUS.slice(0, 900));
  if (mode === 'undocumented')
    return send(200, STATUS.replace('<Direction>Incoming</Direction>', '<Direction>Sideways</Direction>'));
  if (mode === 'not-a-number') return send(200, STATUS.replace('<Loss>10</Loss>', '<Loss>ten</Loss>'));
  if (mode === 'idle')
    return send(
      200,
      '<?xml version="1.0"?>\n<Status><MediaChannels/><SIP><Registration item="1"><Status>Failed</Status></Registration></SIP></Status>',
    );
  send(200, mode === 'later' ? LATER : STATUS);
});

const dir = mkdtempSync(join(tmpdir(), 'diemcau-xapi-'));
let inv: LoadedInventory;
let port: number;
const drivers: XapiDriver[] = [];

function driver(o: { timeout?: string; password?: string; port?: number } = {}): XapiDriver {
  const file = join(dir, `inv-${drivers.length}.yaml`);
  writeXapiInventory(file, {
    sites: 6,
    base: 92,
    port: o.port ?? port,
    timeout: o.timeout ?? '800ms',
    only: ['tinh-uy'],
  });
  inv = loadInventory(file);
  const [d] = deviceDrivers(inv, inv.devices.values(), {
    DIEMCAU_XAPI_PASSWORD: o.password ?? XAPI_SECRETS.DIEMCAU_XAPI_PASSWORD,
  });
  drivers.push(d!.driver as XapiDriver);
  return d!.driver as XapiDriver;
}

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, HOST, r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const d of drivers) d.close();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const value = (r: DriverPoll, metric: string, instance?: string) =>
  r.samples.find((s) => s.metric === metric && s.tags.instance === instance)?.value;

describe('Cisco xAPI driver: the documented status.xml', () => {
  it('maps the call, every media channel and the SIP registration with their units', async () => {
    mode = 'ok';
    seen.length = 0;
    const d = driver();
    const r = await d.poll();
    expect(r.problem).toBeNull();
    expect(r.events).toEqual([]);
    expect(r.requests).toBe(1);
    expect(seen).toEqual([
      {
        path: '/status.xml',
        auth: `Basic ${Buffer.from(`${XAPI_USER}:${XAPI_SECRETS.DIEMCAU_XAPI_PASSWORD}`).toString('base64')}`,
      },
    ]);
    // the codec's samples, at its site
    for (const s of r.samples) expect([s.site, s.device]).toEqual(['tinh-uy', CODEC]);
    expect(value(r, 'in_call')).toBe(1);
    // ReceiveCallRate 968 and TransmitCallRate 768 (kbps): the larger
    expect(value(r, 'call_rate_kbps')).toBe(968);
    expect(value(r, 'call_protocol')).toBe(1); // "sip"
    expect(value(r, 'codec_registered')).toBe(1);
    // first poll: Loss / (Loss + Packets) since the channel opened; ChannelRate bps → kbps; Jitter ms
    expect(value(r, 'media_loss_pct', 'rx-audio')).toBe(1); // 10 of 1,000
    expect(value(r, 'media_loss_pct', 'rx-video')).toBe(1.5); // 60 of 4,000
    expect(value(r, 'media_loss_pct', 'rx-content')).toBe(0);
    expect(value(r, 'media_loss_pct', 'tx-audio')).toBe(0);
    expect(value(r, 'media_loss_pct', 'tx-video')).toBeCloseTo((100 * 20) / 4020, 5);
    expect(value(r, 'media_rate_kbps', 'rx-audio')).toBe(64);
    expect(value(r, 'media_rate_kbps', 'rx-video')).toBe(832);
    expect(value(r, 'media_rate_kbps', 'rx-content')).toBe(256);
    expect(value(r, 'media_rate_kbps', 'tx-video')).toBe(704);
    expect(value(r, 'media_jitter_ms', 'rx-video')).toBe(12);
    expect(value(r, 'media_jitter_ms', 'tx-audio')).toBe(1);
    // the Data channel (far-end camera control) carries no media quality
    expect(r.samples.some((s) => s.tags.instance?.includes('data'))).toBe(false);
    // the site's codec quality: the worst channel's loss, the worst received jitter
    const loss = r.samples.find((s) => s.metric === 'loss_pct')!;
    expect([loss.value, loss.tags.probe]).toEqual([1.5, 'codec']);
    expect(value(r, 'jitter_ms')).toBe(12);
  });

  it('takes the next poll’s loss from the counters’ growth, not since the call began', async () => {
    mode = 'ok';
    const d = driver();
    await d.poll();
    mode = 'later';
    const r = await d.poll();
    expect(value(r, 'media_loss_pct', 'rx-video')).toBe(5); // 100 of 2,000 since the last poll
    // no packet on the incoming audio since: no loss figure rather than 0 %
    expect(value(r, 'media_loss_pct', 'rx-audio')).toBeUndefined();
    expect(value(r, 'loss_pct')).toBe(5);
  });

  it('reads a codec out of a call: in_call 0, no media figures, registration failed', async () => {
    mode = 'idle';
    const r = await driver().poll();
    expect(r.problem).toBeNull();
    expect(r.samples.map((s) => [s.metric, s.value])).toEqual([
      ['in_call', 0],
      ['codec_registered', 0],
    ]);
  });

  it('prefers the last interval’s counts when the codec gives them (LastIntervalLost/Received)', () => {
    const st = parseXapiStatus(
      STATUS.replace(
        '<Loss>60</Loss>',
        '<LastIntervalLost>5</LastIntervalLost><LastIntervalReceived>245</LastIntervalReceived><Loss>60</Loss>',
      ),
    );
    const video = st.channels.find((c) => c.dir === 'rx' && c.kind === 'video')!;
    expect([video.lastLost, video.lastReceived, video.loss, video.packets]).toEqual([5, 245, 60, 3940]);
  });
});

describe('Cisco xAPI driver: a codec that answers wrongly or not at all', () => {
  const cases = [
    [
      'unauthorized',
      'bad_response',
      'api_bad_response',
      /HTTP 401: .*refused, check the credentials \(.*tinh-uy-codec: credentials\)/,
    ],
    ['malformed', 'bad_response', 'api_bad_response', /reply is not XML \(line \d+/],
    [
      'undocumented',
      'bad_response',
      'api_bad_response',
      /reply not as documented \(MediaChannels Call 27 Channel 171 Direction: "Sideways"\)/,
    ],
    [
      'not-a-number',
      'bad_response',
      'api_bad_response',
      /reply not as documented \(MediaChannels Call 27 Channel 171 Netstat Loss: "ten" is not a number\)/,
    ],
    ['slow', 'unreachable', 'api_unreachable', /no reply within 800 ms: GET \/status\.xml/],
  ] as const;
  for (const [m, kind, name, detail] of cases) {
    it(`${m}: one ${kind} event of the codec at its site, no sample, then "reachable" when it answers`, async () => {
      mode = 'ok';
      const d = driver();
      expect((await d.poll()).problem).toBeNull();
      mode = m;
      const r = await d.poll();
      expect(r.samples).toEqual([]);
      expect(r.events.map((e) => [e.kind, e.name, e.site, e.device])).toEqual([
        [kind, name, 'tinh-uy', CODEC],
      ]);
      expect(r.events[0]!.detail).toMatch(detail);
      expect(r.problem).toBe(r.events[0]!.detail);
      // the same problem again is not a new event
      const again = await d.poll();
      expect([again.events, again.samples]).toEqual([[], []]);
      mode = 'ok';
      const back = await d.poll();
      expect(back.events.map((e) => [e.kind, e.name])).toEqual([['reachable', 'api_ok']]);
      expect(value(back, 'in_call')).toBe(1);
    });
  }

  it('a wrong password is the same 401 event', async () => {
    mode = 'ok';
    const r = await driver({ password: 'not-the-password' }).poll();
    expect(r.events.map((e) => e.kind)).toEqual(['bad_response']);
    expect(r.events[0]!.detail).toMatch(/HTTP 401/);
  });

  it('nothing listening: unreachable, cannot connect', async () => {
    const free = await freeTcpPort(HOST);
    const r = await driver({ port: free }).poll();
    expect(r.samples).toEqual([]);
    expect(r.events.map((e) => [e.kind, e.device])).toEqual([['unreachable', CODEC]]);
    expect(r.events[0]!.detail).toMatch(/cannot connect: ECONNREFUSED/);
  });
});
