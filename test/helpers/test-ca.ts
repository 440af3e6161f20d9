// A certificate authority and a server certificate for one loopback IP, made by openssl for a test
// of a TLS server (a simulated device's HTTPS management API) that the driver must trust through the
// CA file, never blindly.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCa {
  /** path of the CA certificate (PEM): what an inventory's ca_file names */
  caFile: string;
  /** the server's key and certificate (PEM) for the IP */
  key: Buffer;
  cert: Buffer;
}

export function makeTestCa(dir: string, ip: string): TestCa {
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=diemcau test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  );
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${ip}`,
    '-keyout',
    f('srv.key'),
    '-out',
    f('srv.csr'),
  );
  writeFileSync(f('ext.cnf'), `subjectAltName = IP:${ip}\n`);
  ssl(
    'x509',
    '-req',
    '-in',
    f('srv.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
    '-out',
    f('srv.pem'),
  );
  return { caFile: f('ca.pem'), key: readFileSync(f('srv.key')), cert: readFileSync(f('srv.pem')) };
}
