// A pinned certificate (inventory pin_sha256): a device's own, self-signed certificate is trusted
// exactly by its SHA-256 fingerprint — no CA, no "accept any". Another certificate is refused before a
// byte of the request (its credentials) is sent. Real TLS servers on loopback with a certificate made
// by openssl: a JSON API (JsonClient) and an XML-RPC one (XmlRpcClient).
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import xmlrpc from 'xmlrpc';
import { makeTestCa } from '../../test/helpers/test-ca.ts';
import { CommandClient } from './command-client.ts';
import { DriverError, JsonClient } from './http.ts';
import { XmlRpcClient } from './xmlrpc.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-pin-'));
let server: https.Server;
let url: string;
let pin: string;
let otherPin: string;
const requests: string[] = [];
const connections: string[] = [];
let rpc: ReturnType<typeof xmlrpc.createSecureServer>;
let rpcUrl: string;
const calls: unknown[] = [];

beforeAll(async () => {
  // a device's self-signed certificate (subject "diemcau test CA", no name of the address)
  const ca = makeTestCa(dir, '127.0.0.1');
  const key = readFileSync(join(dir, 'ca.key'));
  const cert = readFileSync(ca.caFile);
  pin = new X509Certificate(cert).fingerprint256;
  otherPin = new X509Certificate(ca.cert).fingerprint256;
  server = https.createServer({ key, cert }, (req, res) => {
    requests.push(`${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  server.on('secureConnection', (s) => connections.push(`${s.remotePort}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // the package listens on host and port, and passes key and cert to https.createServer
  rpc = xmlrpc.createSecureServer({ host: '127.0.0.1', port: 0, key, cert } as Parameters<
    typeof xmlrpc.createSecureServer
  >[0]);
  rpc.on('device.query', (_err: unknown, params: unknown[], cb: (e: null, v: unknown) => void) => {
    calls.push(params[0]);
    cb(null, { currentTime: new Date(), uptime: 42 });
  });
  const httpsServer = (rpc as unknown as { httpServer: https.Server }).httpServer;
  await new Promise<void>((r) => (httpsServer.listening ? r() : httpsServer.once('listening', () => r())));
  rpcUrl = `https://127.0.0.1:${(httpsServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  const httpsServer = (rpc as unknown as { httpServer: https.Server }).httpServer;
  httpsServer.closeAllConnections();
  await new Promise((r) => httpsServer.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('a pinned certificate', () => {
  it('trusts the self-signed certificate whose fingerprint is pinned (any spelling), one kept-alive connection', async () => {
    const c = new JsonClient({
      url,
      user: 'u',
      password: 'p',
      timeoutMs: 2000,
      // as some tools print it: lower case, no colons
      pinSha256: pin.replaceAll(':', '').toLowerCase(),
    });
    connections.length = 0;
    expect(await c.get('/a')).toEqual({ path: '/a' });
    expect(await c.get('/b')).toEqual({ path: '/b' });
    expect(connections).toHaveLength(1);
    c.close();
  });

  it('without the pin (and without its CA) the same certificate is refused', async () => {
    const c = new JsonClient({ url, user: 'u', password: 'p', timeoutMs: 2000 });
    const err = await c.get('/a').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unreachable' });
    expect((err as Error).message).toMatch(/TLS certificate not trusted/);
    c.close();
  });

  it('another certificate is refused before the request is sent: the field to check and what was seen', async () => {
    requests.length = 0;
    const c = new JsonClient({
      url,
      user: 'u',
      password: 'secret',
      timeoutMs: 2000,
      pinSha256: otherPin,
      pinField: 'thiết bị / device xa-a-codec: pin_sha256',
    });
    const err = await c.get('/a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err).toMatchObject({ kind: 'unreachable' });
    expect((err as Error).message).toBe(
      `chứng chỉ TLS khác chứng chỉ đã ghim (thiết bị / device xa-a-codec: pin_sha256) / TLS certificate is not the pinned one: SHA-256 ${pin}`,
    );
    // the server never saw the request, nor its credentials
    await new Promise((r) => setTimeout(r, 100));
    expect(requests).toEqual([]);
    c.close();
  });

  it('an XML-RPC device (Cisco TelePresence) is pinned alike', async () => {
    const ok = new XmlRpcClient({ url: rpcUrl, user: 'u', password: 'p', timeoutMs: 2000, pinSha256: pin });
    expect(await ok.call('device.query')).toMatchObject({ uptime: 42 });
    expect(calls).toHaveLength(1);
    ok.close();
    const wrong = new XmlRpcClient({
      url: rpcUrl,
      user: 'u',
      password: 'p',
      timeoutMs: 2000,
      pinSha256: otherPin,
    });
    const err = await wrong.call('device.query').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unreachable' });
    expect((err as Error).message).toMatch(/mcu\.pin_sha256.*not the pinned one: SHA-256 /);
    expect(calls).toHaveLength(1);
    wrong.close();
  });

  it('the MCU’s command API (readiness test calls) is pinned alike', async () => {
    requests.length = 0;
    const ok = new CommandClient({ url, user: 'u', password: 'p', timeoutMs: 2000, pinSha256: pin });
    expect(await ok.post('/api/admin/command/v1/participant/dial/', {})).toMatchObject({
      path: '/api/admin/command/v1/participant/dial/',
    });
    const wrong = new CommandClient({ url, user: 'u', password: 'p', timeoutMs: 2000, pinSha256: otherPin });
    const err = await wrong.post('/api/admin/command/v1/participant/dial/', {}).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/mcu\.pin_sha256.*not the pinned one/);
    expect(requests).toHaveLength(1);
    ok.close();
    wrong.close();
  });
});
