// The MCU's protocol in the inventory (snmp by default, or a management API) and call aliases.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateInventory, syntheticUnits } from './generate.ts';
import { aliasKey, loadInventory, resolveMcuPassword } from './load.ts';
import { SourceErrors } from './source.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-inv-mcu-'));
const base = generateInventory(syntheticUnits(12), { title: 'Thử nghiệm' });
const SNMP_MCU = '  profile: polycom-mcu\n  address: "127.20.255.1:16100"\n  snmp: core-v3\n';
const PEXIP_MCU =
  '  protocol: pexip-mgmt\n  url: "https://pexip-mgr.bac-kan.example"\n' +
  '  credentials: { user: diemcau, password: { env: DIEMCAU_PEXIP_PASSWORD } }\n' +
  '  interval: 10s\n  timeout: 3s\n  ca_file: ca/viettel-ca.pem\n';

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

describe('inventory: the MCU protocol', () => {
  it('keeps SNMP when no protocol is named (today’s inventories load unchanged)', () => {
    const l = loadInventory(write(base));
    expect(l.inventory.mcu.protocol).toBe('snmp');
    expect(l.mcuApi).toBeNull();
    expect(l.devices.get('mcu-viettel')).toMatchObject({
      kind: 'mcu',
      profile: 'polycom-mcu',
      snmp: 'core-v3',
    });
  });

  it('reads a Pexip management API: url, credentials by reference, interval, timeout, CA beside the file', () => {
    const file = write(base.replace(SNMP_MCU, PEXIP_MCU));
    const l = loadInventory(file);
    expect(l.mcuApi).toEqual({
      protocol: 'pexip-mgmt',
      url: 'https://pexip-mgr.bac-kan.example',
      user: 'diemcau',
      password: { env: 'DIEMCAU_PEXIP_PASSWORD' },
      intervalMs: 10_000,
      timeoutMs: 3_000,
      caFile: join(dir, 'ca/viettel-ca.pem'),
    });
    expect(l.devices.get('mcu-viettel')).toMatchObject({
      kind: 'mcu',
      protocol: 'pexip-mgmt',
      address: { host: 'pexip-mgr.bac-kan.example', port: 443 },
    });
    expect(() => resolveMcuPassword(l, {})).toThrow(
      new RegExp(
        `${lineOf(base.replace(SNMP_MCU, PEXIP_MCU), 'DIEMCAU_PEXIP_PASSWORD')}: MCU "mcu-viettel": password does not resolve: environment variable DIEMCAU_PEXIP_PASSWORD is not set`,
      ),
    );
    expect(resolveMcuPassword(l, { DIEMCAU_PEXIP_PASSWORD: 's3cret' })).toBe('s3cret');
  });

  it('reads a Cisco TelePresence Server or MCU XML-RPC API with the same fields, checked the same way', () => {
    for (const protocol of ['cisco-tps-xmlrpc', 'cisco-mcu-xmlrpc'] as const) {
      const text = base.replace(
        SNMP_MCU,
        PEXIP_MCU.replace('pexip-mgmt', protocol).replace('pexip-mgr.bac-kan.example', 'tps.bac-kan.example'),
      );
      const l = loadInventory(write(text));
      expect(l.mcuApi).toMatchObject({ protocol, url: 'https://tps.bac-kan.example', user: 'diemcau' });
      expect(l.devices.get('mcu-viettel')).toMatchObject({ kind: 'mcu', protocol });
      const noCredentials = base.replace(SNMP_MCU, `  protocol: ${protocol}\n  url: "https://tps.example"\n`);
      expect(errorsOf(noCredentials)).toContainEqual(
        expect.stringContaining(`protocol ${protocol} needs credentials`),
      );
      const mixed = `${text.replace('  interval: 10s\n', '  interval: 10s\n  snmp: core-v3\n')}`;
      expect(errorsOf(mixed)).toContainEqual(
        `${lineOf(mixed, '  snmp: core-v3')}: mcu.snmp: snmp is for protocol snmp, not ${protocol}`,
      );
    }
  });

  it('names what each protocol is missing or does not take, at its line', () => {
    const noUrl = base.replace(
      SNMP_MCU,
      '  protocol: pexip-mgmt\n  credentials: { user: u, password: { env: P } }\n',
    );
    expect(errorsOf(noUrl)).toContainEqual(expect.stringContaining('protocol pexip-mgmt needs url'));
    const mixed = base.replace(SNMP_MCU, `${PEXIP_MCU}  snmp: core-v3\n`);
    expect(errorsOf(mixed)).toContainEqual(
      `${lineOf(mixed, '  snmp: core-v3')}: mcu.snmp: snmp is for protocol snmp, not pexip-mgmt`,
    );
    const snmpWithUrl = base.replace(SNMP_MCU, `${SNMP_MCU}  url: "https://x.example"\n`);
    expect(errorsOf(snmpWithUrl)).toContainEqual(
      expect.stringContaining(
        'url is for a management-API protocol (pexip-mgmt, cisco-tps-xmlrpc, cisco-mcu-xmlrpc), not snmp',
      ),
    );
    const noProfile = base.replace('  profile: polycom-mcu\n', '');
    expect(errorsOf(noProfile)).toContainEqual(expect.stringContaining('protocol snmp needs profile'));
  });

  it('refuses plain http except on loopback, an inline password, and an unknown protocol', () => {
    const http = base.replace(
      SNMP_MCU,
      PEXIP_MCU.replace('https://pexip-mgr.bac-kan.example', 'http://10.0.0.5'),
    );
    expect(errorsOf(http)).toContainEqual(expect.stringContaining('plain http only on loopback'));
    const loop = base.replace(
      SNMP_MCU,
      PEXIP_MCU.replace('https://pexip-mgr.bac-kan.example', 'http://127.0.0.1:18443').replace(
        '  ca_file: ca/viettel-ca.pem\n',
        '',
      ),
    );
    expect(errorsOf(loop)).toEqual([]);
    const inline = base.replace(SNMP_MCU, PEXIP_MCU.replace('{ env: DIEMCAU_PEXIP_PASSWORD }', 'hunter2'));
    expect(errorsOf(inline)).toContainEqual(
      expect.stringContaining('secret values are never written inline'),
    );
    const other = base.replace(SNMP_MCU, `  protocol: rmx-xml\n${SNMP_MCU}`);
    expect(errorsOf(other)).toContainEqual(
      expect.stringContaining('must be "snmp", "pexip-mgmt", "cisco-tps-xmlrpc"'),
    );
  });

  it('reads a pinned certificate (openssl’s fingerprint, any case, colons or not) and refuses a malformed one at its line', () => {
    const hex = 'ab'.repeat(32);
    const pinned = base.replace(SNMP_MCU, `${PEXIP_MCU}  pin_sha256: "${hex}"\n`);
    expect(loadInventory(write(pinned)).mcuApi?.pinSha256).toBe(Array(32).fill('AB').join(':'));
    const short = base.replace(SNMP_MCU, `${PEXIP_MCU}  pin_sha256: "AB:CD:EF"\n`);
    expect(errorsOf(short)).toContainEqual(
      `${lineOf(short, 'pin_sha256')}: mcu.pin_sha256: must be a SHA-256 fingerprint: 64 hexadecimal digits, in pairs separated by ":" or not (openssl x509 -noout -fingerprint -sha256 -in CERT.pem)`,
    );
    const plain = base.replace(
      SNMP_MCU,
      `${PEXIP_MCU.replace('https://pexip-mgr.bac-kan.example', 'http://127.0.0.1:18443').replace('  ca_file: ca/viettel-ca.pem\n', '')}  pin_sha256: "${hex}"\n`,
    );
    expect(errorsOf(plain)).toContainEqual(
      `${lineOf(plain, 'pin_sha256')}: mcu.pin_sha256: pin_sha256 needs an https:// url`,
    );
    const snmp = base.replace(SNMP_MCU, `${SNMP_MCU}  pin_sha256: "${hex}"\n`);
    expect(errorsOf(snmp)).toContainEqual(
      expect.stringContaining('pin_sha256 is for a management-API protocol'),
    );
  });
});

describe('inventory: call aliases', () => {
  it('maps site and codec aliases (scheme and case ignored) and the codec address to the site', () => {
    let t = base.replace(
      '    mcu_port: 1\n',
      '    mcu_port: 1\n    aliases: ["sip:Tinh-Uy@bac-kan.example"]\n',
    );
    t = t.replace(
      'snmp: core-v3 }\n      - { id: tinh-uy-ups',
      'snmp: core-v3, aliases: ["h323:8001"] }\n      - { id: tinh-uy-ups',
    );
    const l = loadInventory(write(t));
    expect(l.aliases.get(aliasKey('sip:tinh-uy@BAC-KAN.example'))).toBe('tinh-uy');
    expect(l.aliases.get(aliasKey('8001'))).toBe('tinh-uy');
    expect(l.aliases.get('127.20.0.1')).toBe('tinh-uy');
  });

  it('refuses one alias on two sites, naming the line and the other owner', () => {
    let t = base.replace(
      '    mcu_port: 1\n',
      '    mcu_port: 1\n    aliases: ["sip:hoi-truong@bac-kan.example"]\n',
    );
    t = t.replace('    mcu_port: 2\n', '    mcu_port: 2\n    aliases: ["SIP:hoi-truong@bac-kan.example"]\n');
    const line = t.split('\n').findIndex((l) => l.includes('SIP:hoi-truong')) + 1;
    expect(errorsOf(t)).toContainEqual(
      `${line}: alias "SIP:hoi-truong@bac-kan.example" is already used by site "tinh-uy"; each alias names one site`,
    );
  });
});
