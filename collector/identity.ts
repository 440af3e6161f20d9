// Reads a device's identity (core/identity.ts) with the objects its profile names: GET of the
// identity scalars, a walk of the identity table (ENTITY-MIB entPhysicalTable), the chosen row.
// Values must be printable text (an OBJECT IDENTIFIER for object_id); anything else is a problem
// named for the device, never an exception.
import type { Varbind } from 'net-snmp';
import type { Identity, IdentityField } from '../core/identity.ts';
import { fetchClassic, planFor } from './fetch.ts';
import type { IdentitySpec, Profile } from './profile.ts';
import { type SnmpClient, T, typeName } from './snmp.ts';

export interface IdentityRead {
  identity: Identity;
  /** one line per object that answered garbage */
  problems: string[];
}

/** identity rows expected: a chassis and a few modules */
const TABLE_ROWS = 8;
const MAX_TEXT = 255;

/** The identity objects as a fetch plan (the same GET and walks as a poll, classic mode). */
function planOf(spec: IdentitySpec) {
  const tables = new Map<string, { rows: number; columns: Map<string, string> }>();
  if (spec.table) tables.set('identity', { rows: TABLE_ROWS, columns: spec.table.columns });
  return planFor({ scalars: spec.scalars, tables } as Profile);
}

export async function readIdentity(client: SnmpClient, spec: IdentitySpec): Promise<IdentityRead> {
  if (spec.fields.size === 0) return { identity: {}, problems: [] };
  const got = await fetchClassic(client, planOf(spec));
  const values = new Map<string, Varbind>(got.scalars);
  const rows = got.tables.get('identity');
  if (spec.table && rows && rows.size > 0) {
    const indexes = [...rows.keys()].sort(compareIndex);
    const pick = spec.table.row;
    const chosen =
      (pick && indexes.find((i) => intOf(rows.get(i)!.get(pick.column)) === pick.eq)) ?? indexes[0]!;
    for (const [col, vb] of rows.get(chosen)!) values.set(col, vb);
  }
  return identityFrom(spec, values);
}

/** Each field from its first source that holds a usable value. */
export function identityFrom(spec: IdentitySpec, values: Map<string, Varbind>): IdentityRead {
  const identity: Identity = {};
  const problems: string[] = [];
  const bad = new Set<string>();
  for (const [field, sources] of spec.fields) {
    for (const src of sources) {
      const vb = values.get(src);
      if (!vb) continue;
      const v = identityValue(field, vb);
      if ('problem' in v) {
        if (!bad.has(src)) problems.push(`${src}: ${v.problem}`);
        bad.add(src);
        continue;
      }
      if (v.text === '') continue;
      identity[field] = v.text;
      break;
    }
  }
  return { identity, problems };
}

function identityValue(field: IdentityField, vb: Varbind): { text: string } | { problem: string } {
  if (field === 'object_id') {
    if (vb.type !== T.OID)
      return { problem: `expected an OBJECT IDENTIFIER, got ${typeName(vb.type)} / không phải OID` };
    return { text: String(vb.value) };
  }
  if (vb.type !== T.OctetString)
    return { problem: `expected text (OCTET STRING), got ${typeName(vb.type)} / không phải chuỗi ký tự` };
  const raw = Buffer.isBuffer(vb.value) ? vb.value : Buffer.from(String(vb.value ?? ''), 'utf8');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(raw);
  // undecodable bytes or control characters: not a name a person can read
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the check is for control characters
  if (text.includes('\uFFFD') || /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text))
    return {
      problem: `not printable text (${raw.subarray(0, 16).toString('hex')}…) / chuỗi không đọc được`,
    };
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length > MAX_TEXT) return { text: `${clean.slice(0, MAX_TEXT - 1)}…` };
  return { text: clean };
}

function intOf(vb: Varbind | undefined): number | null {
  return vb && vb.type === T.Integer && typeof vb.value === 'number' ? vb.value : null;
}

function compareIndex(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** One line for the log and the event: "Polycom RealPresence Group 500, S/N 8210…, phần mềm 6.2.2". */
export function describeIdentity(id: Identity): string {
  const parts = [
    [id.manufacturer, id.model].filter(Boolean).join(' '),
    id.serial && `S/N ${id.serial}`,
    id.firmware && `firmware ${id.firmware}`,
    id.software && `phần mềm / software ${id.software}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : (id.description ?? 'không có thông tin / no identity objects');
}
