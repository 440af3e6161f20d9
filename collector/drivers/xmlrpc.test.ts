// The Cisco drivers' XML-RPC client over TLS: the server's certificate checked against the operator's
// CA (mcu.ca_file), never accepted blindly; one kept-alive connection for several calls; a call that
// times out gives way to a fresh connection. A real TLS server on loopback 127.93.254.4 with a CA and
// certificate made by openssl for the test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriverError } from './http.ts';
import { XmlRpcClient } from './xmlrpc.ts';

const HOST = '127.93.254.4';
const dir = mkdtempSync(join(tmpdir(), 'diemcau-xmlrpc-tls-'));
const f = (n: string) => join(dir, n);
const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
let server: https.Server;
let url: string;
const connections: string[] = [];
const bodies: string[] = [];

const reply = (method: string) =>
  `<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>method</name><value><string>${method}</string></value></member></struct></value></param></params></methodResponse>`;

beforeAll(async () => {
  ssl(
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=diemcau test CA'],
    ...['-keyout', f('ca.key'), '-out', f('ca.pem')],
  );
  ssl(
    ...['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${HOST}`],
    ...['-keyout', f('srv.key'), '-out', f('srv.csr')],
  );
  writeFileSync(f('ext.cnf'), `subjectAltName = IP:${HOST}\n`);
  ssl(
    ...['x509', '-req', '-in', f('srv.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key')],
    ...['-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('srv.pem')],
  );
  server = https.createServer(
    { key: readFileSync(f('srv.key')), cert: readFileSync(f('srv.pem')) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        bodies.push(`${req.method} ${req.url} ${body}`);
        const method = /<methodName>([^<]+)</.exec(body)?.[1] ?? '';
        const send = () => {
          res.writeHead(200, { 'content-type': 'text/xml' });
          res.end(reply(method));
        };
        if (method === 'slow.call') setTimeout(send, 1500);
        else send();
      });
    },
  );
  server.on('secureConnection', (s) => connections.push(`${s.remotePort}`));
  await new Promise<void>((r) => server.listen(0, HOST, r));
  url = `https://${HOST}:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('XmlRpcClient over TLS', () => {
  it('trusts the server through the operator CA, keeps one connection, authenticates in the struct', async () => {
    const c = new XmlRpcClient({
      url,
      user: 'api',
      password: 's3cret',
      timeoutMs: 2000,
      ca: readFileSync(f('ca.pem')),
    });
    connections.length = 0;
    bodies.length = 0;
    expect(await c.call('device.query')).toEqual({ method: 'device.query' });
    expect(await c.call('participant.enumerate', { enumerateID: '7' })).toEqual({
      method: 'participant.enumerate',
    });
    expect(await c.call('device.health.query')).toEqual({ method: 'device.health.query' });
    expect(connections).toHaveLength(1);
    expect(c.requests).toBe(3);
    expect(bodies[1]).toMatch(/^POST \/RPC2 /);
    expect(bodies[1]).toContain(
      '<member><name>authenticationUser</name><value><string>api</string></value></member>' +
        '<member><name>authenticationPassword</name><value><string>s3cret</string></value></member>' +
        '<member><name>enumerateID</name><value><string>7</string></value></member>',
    );
    c.close();
  });

  it('refuses the server without that CA (no "accept any"): unreachable, naming the certificate', async () => {
    const c = new XmlRpcClient({ url, user: 'api', password: 's3cret', timeoutMs: 2000 });
    const err = await c.call('device.query').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err).toMatchObject({ kind: 'unreachable' });
    expect((err as Error).message).toMatch(/TLS certificate not trusted/);
    c.close();
  });

  it('a call past its deadline is unreachable; the next call answers on a fresh connection', async () => {
    const c = new XmlRpcClient({
      url,
      user: 'api',
      password: 's3cret',
      timeoutMs: 500,
      ca: readFileSync(f('ca.pem')),
    });
    connections.length = 0;
    const err = await c.call('slow.call').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unreachable' });
    expect((err as Error).message).toMatch(/no reply within 500 ms: slow.call/);
    expect(await c.call('device.query')).toEqual({ method: 'device.query' });
    expect(connections).toHaveLength(2);
    c.close();
  });
});
