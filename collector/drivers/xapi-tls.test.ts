// A codec's xAPI over HTTPS: the simulator serves it with a certificate of a CA made by openssl for
// the test; the driver trusts it through the inventory's ca_file, and without that file refuses it
// (one unreachable event naming the device's ca_file), never accepting it blindly. Loopback 127.92.120.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadedInventory, loadInventory, resolveCredentials } from '../../inventory/load.ts';
import { type Simulator, startSimulator } from '../../simulator/index.ts';
import { TEST_SECRETS } from '../../test/helpers/agents.ts';
import { freeTcpPort } from '../../test/helpers/pexip.ts';
import { makeTestCa } from '../../test/helpers/test-ca.ts';
import { writeXapiInventory, XAPI_SECRETS, XAPI_USER } from '../../test/helpers/xapi.ts';
import { deviceDrivers } from './codecs.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-xapi-tls-'));
const HOST = '127.92.120.1';
let sim: Simulator;
let trusted: LoadedInventory;
let untrusted: LoadedInventory;

beforeAll(async () => {
  const ca = makeTestCa(dir, HOST);
  const port = await freeTcpPort(HOST);
  const plain = join(dir, 'plain.yaml');
  writeXapiInventory(plain, { sites: 3, base: 92, shift: 120, port, timeout: '2s', only: ['tinh-uy'] });
  const https = readFileSync(plain, 'utf8').replace(
    `url: "http://${HOST}:${port}"`,
    `url: "https://${HOST}:${port}"`,
  );
  const withCa = join(dir, 'trusted.yaml');
  writeFileSync(
    withCa,
    https.replace('{ env: DIEMCAU_XAPI_PASSWORD } }', '{ env: DIEMCAU_XAPI_PASSWORD } }, ca_file: ca.pem'),
  );
  const withoutCa = join(dir, 'untrusted.yaml');
  writeFileSync(withoutCa, https);
  trusted = loadInventory(withCa);
  untrusted = loadInventory(withoutCa);
  sim = await startSimulator({
    inventory: trusted,
    credentials: resolveCredentials(trusted, TEST_SECRETS),
    seed: 2,
    xapi: {
      user: XAPI_USER,
      password: XAPI_SECRETS.DIEMCAU_XAPI_PASSWORD,
      tls: { key: ca.key, cert: ca.cert },
    },
  });
  sim.meeting.start(['tinh-uy']);
}, 30_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a codec’s xAPI over HTTPS', () => {
  it('is trusted through the inventory’s ca_file (beside the inventory)', async () => {
    expect(trusted.deviceApis.get('tinh-uy-codec')?.caFile).toBe(join(dir, 'ca.pem'));
    const [d] = deviceDrivers(trusted, trusted.devices.values(), XAPI_SECRETS);
    try {
      const r = await d!.driver.poll();
      expect(r.problem).toBeNull();
      expect(r.samples.find((s) => s.metric === 'in_call')?.value).toBe(1);
    } finally {
      d!.driver.close();
    }
  });

  it('is refused without it: one unreachable event naming the device’s ca_file, no sample', async () => {
    const [d] = deviceDrivers(untrusted, untrusted.devices.values(), XAPI_SECRETS);
    try {
      const r = await d!.driver.poll();
      expect(r.samples).toEqual([]);
      expect(r.events.map((e) => [e.kind, e.device])).toEqual([['unreachable', 'tinh-uy-codec']]);
      expect(r.events[0]!.detail).toMatch(/TLS certificate not trusted/);
      expect(r.events[0]!.detail).toMatch(/tinh-uy-codec: ca_file/);
    } finally {
      d!.driver.close();
    }
  });

  it('a ca_file that is not a certificate stops the start at the device’s line', () => {
    writeFileSync(join(dir, 'ca.pem'), 'not a certificate\n');
    expect(() => deviceDrivers(trusted, trusted.devices.values(), XAPI_SECRETS)).toThrow(
      /device "tinh-uy-codec": ca_file .*ca\.pem: no PEM certificate in it/,
    );
  });
});
