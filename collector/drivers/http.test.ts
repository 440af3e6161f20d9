// The drivers' HTTPS: the server's certificate is checked against the operator's CA (mcu.ca_file),
// never accepted blindly; connections are kept alive between requests. A real TLS server on loopback
// with a CA and certificate made by openssl for the test.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCa } from '../../test/helpers/test-ca.ts';
import { DriverError, JsonClient } from './http.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-tls-'));
let server: https.Server;
let url: string;
let caPem: Buffer;
const connections: string[] = [];

beforeAll(async () => {
  const ca = makeTestCa(dir, '127.0.0.1');
  caPem = readFileSync(ca.caFile);
  server = https.createServer({ key: ca.key, cert: ca.cert }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  server.on('secureConnection', (s) => connections.push(`${s.remotePort}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('JsonClient over TLS', () => {
  it('trusts the server through the operator CA and keeps one connection for several requests', async () => {
    const c = new JsonClient({
      url,
      user: 'u',
      password: 'p',
      timeoutMs: 2000,
      ca: caPem,
    });
    connections.length = 0;
    expect(await c.get('/a')).toEqual({ path: '/a' });
    expect(await c.get('/b')).toEqual({ path: '/b' });
    expect(await c.get('/c')).toEqual({ path: '/c' });
    expect(connections).toHaveLength(1);
    c.close();
  });

  it('refuses the server without that CA (no "accept any"): unreachable, naming the certificate', async () => {
    const c = new JsonClient({ url, user: 'u', password: 'p', timeoutMs: 2000 });
    const err = await c.get('/a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err).toMatchObject({ kind: 'unreachable' });
    expect((err as Error).message).toMatch(/TLS certificate not trusted/);
    c.close();
  });

  it('refuses a next link that leaves the server', () => {
    const c = new JsonClient({ url, user: 'u', password: 'p', timeoutMs: 2000 });
    expect(() => c.resolve('https://elsewhere.example/api/admin/status/v1/participant/')).toThrow(
      /link leaves the server/,
    );
    c.close();
  });
});
