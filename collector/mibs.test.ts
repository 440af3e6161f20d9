// Profiles checked against the MIBs: every OID in collector/profiles/ (scalars, table columns, traps,
// OIDs a rule maps or compares) is resolved with Net-SNMP's `snmptranslate` against the MIB files
// kept in collector/mibs/ — only those, not whatever the machine has — so a typo in an OID fails here.
// A scalar must name an object that is not a table column, followed by .0; a column must be a column
// of a table (its parent an …Entry); a trap and a mapped/compared OID must name a node exactly.
//
// Kept in the repository: the IETF modules Net-SNMP ships (SNMPv2-SMI/-TC/-CONF/-MIB, IF-MIB,
// IANAifType-MIB), RFC 6933 ENTITY-MIB with its imports (SNMP-FRAMEWORK-MIB, UUID-TC-MIB,
// IANA-ENTITY-MIB), RFC 1628 UPS-MIB (with Net-SNMP's fix: mib-2 imported) and diemcau's own
// DIEMCAU-MCU-PORT-MIB. The vendors' MIBs (APC PowerNet-MIB, Polycom, Cisco TelePresence) carry no
// licence to redistribute them: their OIDs are checked when a directory with those MIB files is named
// in DIEMCAU_VENDOR_MIBS (e.g. the files as downloaded from the vendors), and listed as unchecked
// otherwise.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROFILE_DIR } from './profile.ts';

const REPO_MIBS = join(import.meta.dirname, 'mibs');
const VENDOR_MIBS = process.env.DIEMCAU_VENDOR_MIBS;
const MIB_PATH = [REPO_MIBS, ...(VENDOR_MIBS ? [VENDOR_MIBS] : [])].join(':');

/** enterprise subtrees whose MIB the repository cannot carry (no licence to redistribute) */
const VENDOR_PREFIXES: Record<string, string> = {
  '1.3.6.1.4.1.318.': 'APC PowerNet-MIB',
  '1.3.6.1.4.1.13885.': 'Polycom POLYCOM-ENDPOINT-MIB / POLYCOM-MCU-MIB',
  '1.3.6.1.4.1.2684.': 'Polycom POLYCOM-VIDEO-MIB',
  '1.3.6.1.4.1.9.': 'Cisco CISCO-TELEPRESENCE-* MIBs',
};

type Kind = 'scalar' | 'column' | 'node';
interface Use {
  file: string;
  where: string;
  oid: string;
  kind: Kind;
}

const isOid = (s: unknown): s is string => typeof s === 'string' && /^\d+(\.\d+){3,}$/.test(s);

/** every OID a profile folder names, and as what */
function profileOids(dir: string): Use[] {
  const out: Use[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    const doc = parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
    for (const [name, oid] of Object.entries((doc.scalars ?? {}) as Record<string, string>))
      out.push({ file, where: `scalars.${name}`, oid, kind: 'scalar' });
    for (const [t, table] of Object.entries(
      (doc.tables ?? {}) as Record<string, { columns: Record<string, string> }>,
    ))
      for (const [name, oid] of Object.entries(table.columns ?? {}))
        out.push({ file, where: `tables.${t}.${name}`, oid, kind: 'column' });
    const identity = (doc.identity ?? {}) as {
      scalars?: Record<string, string>;
      table?: { columns?: Record<string, string> };
    };
    for (const [name, oid] of Object.entries(identity.scalars ?? {}))
      out.push({ file, where: `identity.scalars.${name}`, oid, kind: 'scalar' });
    for (const [name, oid] of Object.entries(identity.table?.columns ?? {}))
      out.push({ file, where: `identity.table.${name}`, oid, kind: 'column' });
    for (const trap of (doc.traps ?? []) as { oid: string; name: string }[])
      out.push({ file, where: `traps.${trap.name}`, oid: trap.oid, kind: 'node' });
    ((doc.metrics ?? []) as Record<string, unknown>[]).forEach((r, i) => {
      for (const k of Object.keys((r.map ?? {}) as object))
        if (isOid(k)) out.push({ file, where: `metrics[${i}].map`, oid: k, kind: 'node' });
      const conds = [
        r.where,
        (r.parent as { where?: unknown } | undefined)?.where,
        ...((r.any as unknown[]) ?? []),
      ];
      for (const c of conds)
        if (c && isOid((c as { oid?: unknown }).oid))
          out.push({
            file,
            where: `metrics[${i}] oid condition`,
            oid: (c as { oid: string }).oid,
            kind: 'node',
          });
    });
  }
  return out;
}

function translate(args: string[]): { out: string; err: string } {
  const r = spawnSync('snmptranslate', ['-M', MIB_PATH, '-m', 'ALL', ...args], { encoding: 'utf8' });
  return { out: r.stdout.trim(), err: r.stderr.trim() };
}

/** what is wrong with one use of an OID, or null */
function check(u: Use): string | null {
  const at = `${u.file}: ${u.where} = ${u.oid}`;
  const base = u.kind === 'scalar' ? u.oid.replace(/\.0$/, '') : u.oid;
  if (u.kind === 'scalar' && base === u.oid) return `${at}: a scalar OID ends in .0 (the instance)`;
  const { out: name, err } = translate([`.${u.oid}`]);
  // a name for every arc: MODULE::object (+ .0 for a scalar); numbers left over = not in the MIB
  const want = u.kind === 'scalar' ? /^[\w-]+::[A-Za-z][\w-]*\.0$/ : /^[\w-]+::[A-Za-z][\w-]*$/;
  if (!want.test(name)) return `${at}: not an object of the MIBs (snmptranslate: ${name || err})`;
  if (u.kind === 'node') return null;
  const detail = translate(['-Td', `.${base}`]).out;
  const parent = /(\w+)\(\d+\)\s+\d+\s*}\s*$/.exec(detail)?.[1] ?? '';
  const inTable = /Entry$/.test(parent);
  if (u.kind === 'column' && !inTable) return `${at}: ${name} is not a table column (parent ${parent})`;
  if (u.kind === 'scalar' && inTable) return `${at}: ${name} is a table column, not a scalar`;
  if (/MAX-ACCESS\s+not-accessible/.test(detail)) return `${at}: ${name} is not-accessible (an index)`;
  return null;
}

const vendorOf = (oid: string) => Object.entries(VENDOR_PREFIXES).find(([p]) => oid.startsWith(p))?.[1];
const uses = profileOids(PROFILE_DIR);
describe('profiles against the MIBs in collector/mibs/', () => {
  it('the MIB files load without errors (every import and parent resolved)', () => {
    const r = spawnSync('snmptranslate', ['-M', REPO_MIBS, '-m', 'ALL', '.1.3.6.1.2.1.33.1.2.5.0'], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('UPS-MIB::upsBatteryVoltage.0');
  });

  it('finds the OIDs of every profile', () => {
    // every file that declares objects (generic-codec.yaml only includes fragments)
    const declaring = readdirSync(PROFILE_DIR).filter((f) =>
      /^(scalars|tables|traps|identity):/m.test(readFileSync(join(PROFILE_DIR, f), 'utf8')),
    );
    expect(new Set(uses.map((u) => u.file))).toEqual(new Set(declaring));
    expect(uses.length).toBeGreaterThan(80);
  });

  it('the identity objects are checked too: sysDescr, sysObjectID, entPhysicalTable, upsIdent', () => {
    const identity = uses.filter((u) => u.where.startsWith('identity.') && !vendorOf(u.oid));
    const names = identity.map((u) => translate([`.${u.oid}`]).out);
    expect(names).toEqual(
      expect.arrayContaining([
        'SNMPv2-MIB::sysDescr.0',
        'SNMPv2-MIB::sysObjectID.0',
        'ENTITY-MIB::entPhysicalClass',
        'ENTITY-MIB::entPhysicalSerialNum',
        'ENTITY-MIB::entPhysicalFirmwareRev',
        'ENTITY-MIB::entPhysicalModelName',
        'UPS-MIB::upsIdentModel.0',
        'UPS-MIB::upsIdentAgentSoftwareVersion.0',
      ]),
    );
    expect(identity.map(check).filter((x) => x !== null)).toEqual([]);
  });

  it('every standard and diemcau OID names the object it should', () => {
    const ours = uses.filter((u) => !vendorOf(u.oid));
    expect(ours.length).toBeGreaterThan(40);
    expect(ours.map(check).filter((x) => x !== null)).toEqual([]);
  });

  const vendorUses = uses.filter((u) => vendorOf(u.oid));
  const modules = [...new Set(vendorUses.map((u) => vendorOf(u.oid)!))];
  it.skipIf(VENDOR_MIBS === undefined)(
    `vendor OIDs (${vendorUses.length}; ${modules.join(', ')}): against DIEMCAU_VENDOR_MIBS`,
    () => {
      expect(vendorUses.map(check).filter((x) => x !== null)).toEqual([]);
    },
  );
  it('vendor OIDs not checked here are only those of the vendors named', () => {
    // without the vendors' files, nothing else may hide behind "not checked"
    for (const u of vendorUses)
      expect(u.oid, `${u.file} ${u.where}`).toMatch(/^1\.3\.6\.1\.4\.1\.(318|13885|2684|9)\./);
    if (VENDOR_MIBS === undefined)
      console.info(
        `not checked (vendor MIBs not in the repository; set DIEMCAU_VENDOR_MIBS): ${vendorUses.length} OIDs of ${modules.join(', ')}`,
      );
  });
});

describe('the check catches typos', () => {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-mibcheck-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('a wrong arc, a column as a scalar, a scalar as a column, an index, a missing .0, a bad alarm OID', () => {
    writeFileSync(
      join(dir, 'typo.yaml'),
      `name: typo
scalars:
  batteryVoltage: 1.3.6.1.2.1.33.1.2.55.0
  inputVoltage: 1.3.6.1.2.1.33.1.3.3.1.3.0
  noInstance: 1.3.6.1.2.1.33.1.2.5
tables:
  t:
    columns:
      notAColumn: 1.3.6.1.2.1.33.1.2.5
      index: 1.3.6.1.2.1.33.1.3.3.1.1
      good: 1.3.6.1.2.1.33.1.3.3.1.3
metrics:
  - { metric: ups_alarm, table: t, var: good, each: true, map: { 1.3.6.1.2.1.33.1.6.3.99: 1 } }
traps:
  - { oid: 1.3.6.1.2.1.33.2.9, name: upsTrapNothing }
`,
    );
    const problems = profileOids(dir).map(check);
    expect(problems.filter((p) => p !== null)).toHaveLength(7);
    expect(problems.find((p) => p?.includes('tables.t.good'))).toBeUndefined();
    expect(problems.join('\n')).toMatch(/scalars.inputVoltage .*Index out of range/);
    expect(problems.join('\n')).toMatch(/tables.t.index .* not-accessible/);
  });
  it('snmptranslate is the one Debian ships (package snmp)', () => {
    expect(
      execFileSync('snmptranslate', ['-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) + '',
    ).toBeDefined();
  });
});
