// Identity sections of the profiles are checked at load: a field outside core/identity.ts, a source
// that is neither an identity scalar nor a column, a row choice on a missing column; includes merge
// the sources, the including profile's first.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProfiles } from './profile.ts';

let dir: string;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function write(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'diemcau-identity-'));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

describe('identity in profiles', () => {
  it('the shipped profiles: every device reads sysDescr; a Polycom Group its own serial first, ENTITY-MIB after', () => {
    const p = loadProfiles();
    for (const [name, prof] of p)
      if (!name.startsWith('_if'))
        expect(prof.identity.fields.get('description'), name).toEqual(['sysDescr']);
    expect(p.get('polycom-group')!.identity.fields.get('serial')).toEqual([
      'identitySerialNumber',
      'entPhysicalSerialNum',
    ]);
    expect(p.get('ups-mib')!.identity.fields.get('firmware')?.[0]).toBe('upsIdentUPSSoftwareVersion');
    expect(p.get('cisco-cts')!.identity.table?.row).toEqual({ column: 'entPhysicalClass', eq: 3 });
  });

  it('an unknown field names the file, the line and the field', () => {
    write({
      'x.yaml': 'name: x\nidentity:\n  scalars: { d: 1.3.6.1.2.1.1.1.0 }\n  fields:\n    colour: [d]\n',
    });
    expect(() => loadProfiles(dir)).toThrow(/x\.yaml:5: identity\.fields: unknown field "colour"/);
  });

  it('a source that is no identity object, a row choice on a missing column', () => {
    write({
      'x.yaml': `name: x
identity:
  scalars: { d: 1.3.6.1.2.1.1.1.0 }
  table:
    columns: { serial: 1.3.6.1.2.1.47.1.1.1.1.11 }
    row: { column: cls, eq: 3 }
  fields:
    model: [modelName]
    serial: [serial]
`,
    });
    expect(() => loadProfiles(dir)).toThrow(
      /"modelName" is neither an identity scalar nor an identity table column/,
    );
    expect(() => loadProfiles(dir)).toThrow(/identity.table.row: the table has no column "cls"/);
  });
});
