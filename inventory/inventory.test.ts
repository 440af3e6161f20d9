import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateInventory, syntheticUnits } from './generate.ts';
import { loadInventory, resolveCredentials, summarize } from './load.ts';
import { SourceErrors } from './source.ts';

const dir = mkdtempSync(join(tmpdir(), 'diemcau-inv-'));
const base = generateInventory(syntheticUnits(12), { title: 'Thử nghiệm' });

function write(text: string, name = 'inv.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Replaces the n-th (0-based) occurrence of `from` and returns the 1-based line where it was. */
function edit(text: string, from: string, to: string, nth = 0): { text: string; line: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(from, at + 1);
  if (at < 0) throw new Error(`fixture has no ${from}`);
  return {
    text: text.slice(0, at) + to + text.slice(at + from.length),
    line: text.slice(0, at).split('\n').length,
  };
}

function errorsOf(text: string): string[] {
  const file = write(text);
  try {
    loadInventory(file);
  } catch (err) {
    if (err instanceof SourceErrors) return err.errors.map((e) => `${e.line}: ${e.message}`);
    throw err;
  }
  return [];
}

describe('inventory', () => {
  it('accepts the generated synthetic network and counts its tiers', () => {
    const l = loadInventory(write(base));
    expect(summarize(l)).toBe('ok: 12 sites (4 province, 1 district, 7 commune), 37 devices');
  });

  it('ships the real Bắc Kạn 2022 network: 4 province, 8 district, 108 commune sites', () => {
    const l = loadInventory('inventory/bac-kan.yaml');
    expect(summarize(l)).toBe('ok: 120 sites (4 province, 8 district, 108 commune), 361 devices');
    expect(l.sites.get('xa-bang-thanh')?.name).toBe('Hội trường UBND xã Bằng Thành');
    expect(l.sites.get('xa-bang-thanh')?.gso).toBe('01858');
  });

  it('names the line of a commune whose district does not exist', () => {
    const { text, line } = edit(base, 'district: huyen-1', 'district: cho-don2', 2);
    expect(errorsOf(text)).toContainEqual(
      expect.stringMatching(new RegExp(`^${line}: site "[a-z0-9-]+": unknown district "cho-don2"`)),
    );
  });

  it('names duplicate site ids', () => {
    const { text, line } = edit(base, '- id: xa-so-2\n', '- id: xa-so-1\n');
    const errs = errorsOf(text);
    expect(errs).toContainEqual(`${line}: duplicate site id "xa-so-1": each site needs its own id`);
  });

  it('names an unknown person as technician', () => {
    const { text, line } = edit(base, 'technician: kt-xa-so-3', 'technician: kt-nobody');
    expect(errorsOf(text)).toContainEqual(
      expect.stringMatching(new RegExp(`^${line}: site "xa-so-3": unknown person "kt-nobody"`)),
    );
  });

  it('names two devices on one address:port', () => {
    const { text, line } = edit(base, 'address: "127.20.5.2:16100"', 'address: "127.20.5.1:16100"');
    expect(errorsOf(text)).toContainEqual(
      `${line}: device "xa-so-1-ups": address 127.20.5.1:16100 is already used by device "xa-so-1-codec"; each device needs its own address:port`,
    );
  });

  it('names an MCU port mapped twice', () => {
    const { text, line } = edit(base, 'mcu_port: 7', 'mcu_port: 6');
    expect(errorsOf(text)).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${line}: site "[a-z0-9-]+": MCU port 6 is already mapped to site "[a-z0-9-]+"`),
      ),
    );
  });

  it('names a site with no technician', () => {
    const { text } = edit(base, '    technician: kt-xa-so-4\n', '');
    const siteLine = text.split('\n').indexOf('  - id: xa-so-4') + 1;
    expect(errorsOf(text)).toEqual([`${siteLine}: sites[8].technician: is required`]);
  });

  it('names a site with no link carrier, and a carrier that is not Viettel or VNPT', () => {
    const missing = edit(base, 'carrier: vnpt, circuit', 'circuit');
    expect(errorsOf(missing.text)).toContainEqual(
      expect.stringMatching(new RegExp(`^${missing.line}: sites\\[0\\]\\.link\\.carrier: is required`)),
    );
    const wrong = edit(base, 'carrier: vnpt, circuit', 'carrier: fpt, circuit');
    expect(errorsOf(wrong.text)).toContainEqual(
      `${wrong.line}: sites[0].link.carrier: must be "viettel" or "vnpt"`,
    );
  });

  it('refuses an inline secret and says what to write instead', () => {
    const { text, line } = edit(base, 'community: { env: DIEMCAU_SNMP_COMMUNITY }', 'community: public');
    expect(errorsOf(text)).toContainEqual(
      `${line}: snmp.site-v2c.community: secret values are never written inline: use { env: VARIABLE_NAME } or { file: /path/to/secret }`,
    );
  });

  it('names unknown fields', () => {
    const { text, line } = edit(base, '    tier: commune\n', '    tier: commune\n    teir: commune\n');
    expect(errorsOf(text)).toContainEqual(
      expect.stringMatching(new RegExp(`^${line + 1}: sites\\[\\d+\\]: unknown field "teir"`)),
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const { text, line } = edit(base, 'sites:\n', 'sites:\n  - id: [broken\n');
    const [first] = errorsOf(text);
    expect(first).toMatch(/^\d+: YAML syntax: Flow sequence/);
    // The parser reports where the broken flow sequence ends: at or just after the bad line.
    expect(Number(first!.split(':')[0])).toBeGreaterThanOrEqual(line + 1);
    expect(Number(first!.split(':')[0])).toBeLessThanOrEqual(line + 3);
  });

  it('reports a key written twice in one mapping', () => {
    const { text, line } = edit(base, '    tier: commune\n', '    tier: commune\n    tier: district\n');
    expect(errorsOf(text)).toEqual([
      expect.stringMatching(new RegExp(`^${line + 1}: YAML syntax: Map keys must be unique`)),
    ]);
  });

  it('reports every error at once, not just the first', () => {
    let t = edit(base, 'district: huyen-1', 'district: nowhere', 2).text;
    t = edit(t, 'mcu_port: 7', 'mcu_port: 6').text;
    expect(errorsOf(t)).toHaveLength(2);
  });

  it('resolves SNMP secrets at start, naming the line of the reference that does not resolve', () => {
    const l = loadInventory(write(base));
    const env = { DIEMCAU_SNMP_COMMUNITY: 'c0mm', DIEMCAU_SNMP_AUTH_KEY: 'authkey123' };
    let caught: SourceErrors | undefined;
    try {
      resolveCredentials(l, env);
    } catch (err) {
      caught = err as SourceErrors;
    }
    const line = base.split('\n').findIndex((x) => x.includes('DIEMCAU_SNMP_PRIV_KEY')) + 1;
    expect(caught?.errors.map((e) => `${e.line}: ${e.message}`)).toEqual([
      `${line}: SNMP credential "core-v3": priv key does not resolve: environment variable DIEMCAU_SNMP_PRIV_KEY is not set`,
    ]);
    const creds = resolveCredentials(l, { ...env, DIEMCAU_SNMP_PRIV_KEY: 'privkey123' });
    expect(creds.get('site-v2c')).toEqual({ version: '2c', community: 'c0mm' });
    expect(creds.get('core-v3')?.priv).toEqual({ protocol: 'aes', key: 'privkey123' });
  });
});
