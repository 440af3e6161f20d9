// Agent data for tests and the benchmark: plausible values for each profile's OIDs, as Net-SNMP
// `override` lines (OID TYPE VALUE). Values are the "all is well" state unless overridden.

type Line = [oid: string, type: string, value: string | number];

const IF_ROWS = [1, 2, 3, 4];

function ifBasic(): Line[] {
  const out: Line[] = [];
  for (const i of IF_ROWS) {
    out.push([`1.3.6.1.2.1.2.2.1.8.${i}`, 'integer', i === 4 ? 2 : 1]);
    out.push([`1.3.6.1.2.1.2.2.1.10.${i}`, 'counter', 1_000_000 * i]);
    out.push([`1.3.6.1.2.1.2.2.1.16.${i}`, 'counter', 2_000_000 * i]);
  }
  return out;
}

const E = '1.3.6.1.4.1.13885.101.1';
const M = '1.3.6.1.4.1.13885.110.1';
const U = '1.3.6.1.2.1.33.1';
const A = '1.3.6.1.4.1.318.1.1.1';

export const FIXTURES: Record<string, () => Line[]> = {
  'generic-codec': () => ifBasic(),
  'polycom-group': () => [
    [`${E}.1.6.0`, 'integer', 2],
    [`${E}.2.7.2.0`, 'integer', 2],
    [`${E}.3.1.0`, 'integer', 2],
    [`${E}.5.1.0`, 'uinteger', 1],
    [`${E}.4.1.1.16.1`, 'uinteger', 1],
    [`${E}.4.1.1.20.1`, 'uinteger', 12],
    [`${E}.4.1.1.54.1`, 'uinteger', 1920],
    ...ifBasic(),
  ],
  'polycom-hdx': () => [
    ['1.3.6.1.4.1.2684.1.1.2.0', 'octet_str', '8007'],
    ['1.3.6.1.4.1.2684.1.1.21.0', 'octet_str', '2'],
    ['1.3.6.1.4.1.2684.1.1.22.0', 'octet_str', '15'],
    ['1.3.6.1.4.1.2684.1.1.23.0', 'octet_str', '40'],
    ...ifBasic(),
  ],
  'cisco-cts': () => [
    ['1.3.6.1.4.1.9.9.644.1.2.6.1.4.1', 'integer', 5],
    ['1.3.6.1.4.1.9.9.644.1.4.8.1.13.1', 'uinteger', 0],
    ['1.3.6.1.4.1.9.9.644.1.4.8.1.13.2', 'uinteger', 4000],
    ['1.3.6.1.4.1.9.9.644.1.4.8.1.17.1', 'integer', 4],
    ['1.3.6.1.4.1.9.9.644.1.4.8.1.17.2', 'integer', 12],
    // streams (call.type.source): call 1 ended with a bad video stream; call 2 in progress
    ['1.3.6.1.4.1.9.9.644.1.4.10.1.14.1.1.2', 'uinteger', 5_000_000],
    ['1.3.6.1.4.1.9.9.644.1.4.10.1.14.2.1.2', 'uinteger', 250_000],
    ['1.3.6.1.4.1.9.9.644.1.4.10.1.14.2.2.2', 'uinteger', 0],
    // jitter is Counter64 in the MIB; snmpd's `override` cannot serve that type (Counter64 is read
    // the same way, tested against snmpsim)
    ['1.3.6.1.4.1.9.9.644.1.4.10.1.22.1.1.2', 'counter', 90],
    ['1.3.6.1.4.1.9.9.644.1.4.10.1.22.2.1.2', 'counter', 12],
    ['1.3.6.1.4.1.9.9.644.1.4.10.1.22.2.2.2', 'counter', 7],
    ['1.3.6.1.4.1.9.9.643.1.2.1.1.3.1', 'integer', 0],
    ['1.3.6.1.4.1.9.9.643.1.2.1.1.3.2', 'integer', 0],
    ...ifBasic(),
  ],
  'ups-mib': () => [
    [`${U}.2.1.0`, 'integer', 2],
    [`${U}.2.2.0`, 'integer', 0],
    [`${U}.2.3.0`, 'integer', 45],
    [`${U}.2.4.0`, 'integer', 100],
    [`${U}.2.5.0`, 'integer', 1365],
    [`${U}.2.7.0`, 'integer', 27],
    [`${U}.3.1.0`, 'counter', 3],
    [`${U}.3.2.0`, 'integer', 1],
    [`${U}.4.1.0`, 'integer', 3],
    [`${U}.6.1.0`, 'uinteger', 0],
    [`${U}.3.3.1.2.1`, 'integer', 500],
    [`${U}.3.3.1.3.1`, 'integer', 221],
    [`${U}.4.4.1.2.1`, 'integer', 220],
    [`${U}.4.4.1.5.1`, 'integer', 35],
  ],
  'apc-powernet': () => [
    [`${A}.2.1.1.0`, 'integer', 2],
    [`${A}.2.1.2.0`, 'timeticks', 0],
    [`${A}.2.2.1.0`, 'uinteger', 100],
    [`${A}.2.2.2.0`, 'uinteger', 29],
    [`${A}.2.2.3.0`, 'timeticks', 270000],
    [`${A}.2.2.4.0`, 'integer', 1],
    [`${A}.3.2.1.0`, 'uinteger', 223],
    [`${A}.3.2.4.0`, 'uinteger', 50],
    [`${A}.4.1.1.0`, 'integer', 2],
    [`${A}.4.2.1.0`, 'uinteger', 220],
    [`${A}.4.2.3.0`, 'uinteger', 41],
  ],
  'if-mib-router': () => {
    const out: Line[] = [];
    for (const i of IF_ROWS) {
      out.push([`1.3.6.1.2.1.2.2.1.8.${i}`, 'integer', 1]);
      out.push([`1.3.6.1.2.1.2.2.1.10.${i}`, 'counter', 5_000_000 * i]);
      out.push([`1.3.6.1.2.1.2.2.1.14.${i}`, 'counter', 0]);
      out.push([`1.3.6.1.2.1.2.2.1.16.${i}`, 'counter', 7_000_000 * i]);
      out.push([`1.3.6.1.2.1.31.1.1.1.1.${i}`, 'octet_str', i === 1 ? 'wan0' : `lan${i - 1}`]);
    }
    return out;
  },
  'polycom-mcu': () => [
    [`${M}.1.6.0`, 'integer', 2],
    [`${M}.2.17.1.0`, 'uinteger', 160],
    [`${M}.2.17.4.0`, 'uinteger', 3],
    [`${M}.2.17.5.0`, 'uinteger', 2],
    [`${M}.2.17.10.0`, 'uinteger', 3],
    [`${M}.3.1.0`, 'integer', 2],
    [`${M}.5.1.0`, 'uinteger', 1],
  ],
};

/** `override` lines for a profile's agent, with some OIDs replaced or added. */
export function overrides(profile: string, extra: Line[] = []): string[] {
  const base = FIXTURES[profile];
  if (!base) throw new Error(`no fixture for profile "${profile}"`);
  const map = new Map<string, Line>();
  for (const l of [...base(), ...extra]) map.set(l[0], l);
  return [...map.values()].map(([oid, type, value]) =>
    type === 'octet_str' ? `${oid} ${type} "${value}"` : `${oid} ${type} ${value}`,
  );
}
