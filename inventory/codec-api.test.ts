// A codec read through its Cisco xAPI in the inventory (protocol cisco-xapi): the fields it takes,
// what it refuses at which line, its password resolved at start, its CA beside the file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withXapiCodecs } from '../simulator/xapi.ts';
import { generateInventory, syntheticUnits } from './generate.ts';
import { loadInventory, resolveDevicePassword } from './load.ts';
import { SourceErrors } from './source.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-inv-xapi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const base = generateInventory(syntheticUnits(6), { title: 'Thử nghiệm', base: 92 });
const SNMP_CODEC =
  /- \{ id: tinh-uy-codec, kind: codec, profile: [a-z0-9-]+, address: "([^"]+)", snmp: core-v3 \}/;
const address = SNMP_CODEC.exec(base)![1]!;
const xapi = (fields: string) =>
  base.replace(SNMP_CODEC, `- { id: tinh-uy-codec, kind: codec, address: "${address}", ${fields} }`);
const FULL =
  'protocol: cisco-xapi, url: "https://codec-tinh-uy.bac-kan.example", ' +
  'credentials: { user: diemcau, password: { env: DIEMCAU_XAPI_PASSWORD } }, ' +
  'interval: 15s, timeout: 4s, ca_file: ca/vnpt-ca.pem';

function write(text: string): string {
  const file = join(dir, `inv-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}

function errorsOf(text: string): string[] {
  try {
    loadInventory(write(text));
  } catch (err) {
    if (err instanceof SourceErrors) return err.errors.map((e) => `${e.line}: ${e.message}`);
    throw err;
  }
  return [];
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('inventory: a codec on the Cisco xAPI', () => {
  it('reads url, credentials by reference, interval, timeout and a CA beside the file', () => {
    const l = loadInventory(write(xapi(FULL)));
    const api = l.deviceApis.get('tinh-uy-codec');
    expect(api).toMatchObject({
      device: 'tinh-uy-codec',
      protocol: 'cisco-xapi',
      url: 'https://codec-tinh-uy.bac-kan.example',
      user: 'diemcau',
      password: { env: 'DIEMCAU_XAPI_PASSWORD' },
      intervalMs: 15_000,
      timeoutMs: 4_000,
      caFile: join(dir, 'ca/vnpt-ca.pem'),
    });
    // the collector's SNMP poller and the simulator's agents skip it by its protocol
    expect(l.devices.get('tinh-uy-codec')).toMatchObject({
      kind: 'codec',
      protocol: 'cisco-xapi',
      profile: 'cisco-xapi',
      snmp: '',
    });
    // its host still names the site for the MCU drivers
    expect(l.aliases.get(address.replace(/:\d+$/, ''))).toBe('tinh-uy');
    // the other codecs stay on SNMP
    expect(l.deviceApis.size).toBe(1);
    expect(l.devices.get('hdnd-tinh-codec')?.protocol).toBeUndefined();
  });

  it('resolves the password at start, naming the line when it does not', () => {
    const text = xapi(FULL);
    const l = loadInventory(write(text));
    expect(resolveDevicePassword(l, 'tinh-uy-codec', { DIEMCAU_XAPI_PASSWORD: 's3cret' })).toBe('s3cret');
    expect(() => resolveDevicePassword(l, 'tinh-uy-codec', {})).toThrow(
      `${lineOf(text, 'tinh-uy-codec')}: device "tinh-uy-codec": password does not resolve: environment variable DIEMCAU_XAPI_PASSWORD is not set`,
    );
  });

  it('names what is missing or does not belong, at the device’s line', () => {
    const noUrl = xapi('protocol: cisco-xapi, credentials: { user: u, password: { env: P } }');
    const at = lineOf(noUrl, 'tinh-uy-codec');
    expect(errorsOf(noUrl)).toContainEqual(
      expect.stringMatching(new RegExp(`^${at}: .*protocol cisco-xapi needs url, e.g. "https://10.20.1.5"`)),
    );
    const noCredentials = xapi('protocol: cisco-xapi, url: "https://10.20.1.5"');
    expect(errorsOf(noCredentials)).toContainEqual(
      expect.stringMatching(
        /protocol cisco-xapi needs credentials: \{ user: NAME, password: \{ env: VARIABLE \} \}/,
      ),
    );
    const withSnmp = xapi(`${FULL}, snmp: core-v3, profile: generic-codec`);
    const errs = errorsOf(withSnmp);
    expect(errs).toContainEqual(expect.stringContaining('snmp is for protocol snmp, not cisco-xapi'));
    expect(errs).toContainEqual(expect.stringContaining('profile is for protocol snmp, not cisco-xapi'));
    const snmpWithUrl = base.replace(SNMP_CODEC, (m) => m.replace(' }', ', url: "https://10.20.1.5" }'));
    expect(errorsOf(snmpWithUrl)).toContainEqual(
      expect.stringContaining('url is for a management API (protocol: cisco-xapi), not snmp'),
    );
    const inline = xapi(FULL.replace('{ env: DIEMCAU_XAPI_PASSWORD }', '"hunter2"'));
    expect(errorsOf(inline)).toContainEqual(
      expect.stringContaining('secret values are never written inline'),
    );
    const plainHttp = xapi(FULL.replace('https://codec-tinh-uy.bac-kan.example', 'http://10.20.1.5'));
    expect(errorsOf(plainHttp)).toContainEqual(expect.stringContaining('plain http only on loopback'));
    const other = xapi(FULL.replace('cisco-xapi', 'poly-rest'));
    expect(errorsOf(other)).toContainEqual(expect.stringContaining('must be "snmp" or "cisco-xapi"'));
  });

  it('takes the xAPI only for a codec', () => {
    const ups = base.replace(
      /- \{ id: tinh-uy-ups, kind: ups, profile: [a-z0-9-]+, address: "([^"]+)", snmp: core-v3 \}/,
      (_m, a: string) =>
        `- { id: tinh-uy-ups, kind: ups, address: "${a}", protocol: cisco-xapi, url: "https://10.20.1.9", credentials: { user: u, password: { env: P } } }`,
    );
    expect(ups).not.toBe(base);
    expect(errorsOf(ups)).toContainEqual(
      expect.stringContaining('protocol cisco-xapi is for a codec (kind: codec), not a ups'),
    );
  });

  it('puts every codec of the Bắc Kạn inventory on the xAPI for the demo (--codecs xapi), all loading', () => {
    const text = readFileSync(join(import.meta.dirname, 'bac-kan.yaml'), 'utf8');
    const l = loadInventory(write(withXapiCodecs(text, { port: 8084, user: 'diemcau' })));
    const codecs = [...l.devices.values()].filter((d) => d.kind === 'codec');
    expect(codecs.length).toBe(120);
    expect(l.deviceApis.size).toBe(120);
    for (const c of codecs) expect(l.deviceApis.get(c.id)?.url).toBe(`http://${c.address.host}:8084`);
    expect(() => withXapiCodecs('sites: []\n', { port: 1, user: 'u' })).toThrow(/no one-line codec entry/);
  });
});
