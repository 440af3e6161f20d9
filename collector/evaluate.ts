// Turns what was fetched from a device into vendor-neutral samples, as its profile says:
// enums to named states (numbers), units converted, counters to rates (32-bit wrap and reboots handled).
import type { Varbind } from 'net-snmp';
import type { Sample, SampleTags } from '../core/bus.ts';
import type { DeviceRef, LoadedInventory } from '../inventory/load.ts';
import type { Fetched, Row } from './fetch.ts';
import type { Condition, Profile, Rule } from './profile.ts';
import { type ErrorKind, T, toBigInt, toNumber, toText, typeName } from './snmp.ts';

const TWO32 = 2n ** 32n;
const UPTIME_WRAP_TICKS = 2 ** 32;

export interface CounterState {
  v: bigint;
  t: number;
}

/** What the collector keeps per device between polls. */
export interface DeviceMemory {
  counters: Map<string, CounterState>;
  uptimeTicks: number | null;
}

export interface Evaluation {
  samples: Sample[];
  problems: { kind: ErrorKind; message: string }[];
  rebooted: boolean;
  /** the profile has a port table and it came back empty */
  portsMissing: boolean;
}

export function siteTags(dev: Pick<DeviceRef, 'site'>): SampleTags {
  const s = dev.site;
  return s
    ? { tier: s.tier, district: s.district, carrier: s.link.carrier }
    : { tier: 'core', district: '', carrier: '' };
}

/** drops binary-fraction noise from scaled values (0.01 × 1062 = 10.620000000000001) */
function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

function test(c: Condition, v: number): boolean {
  if (c.in && !c.in.includes(v)) return false;
  if (c.eq !== undefined && v !== c.eq) return false;
  if (c.ne !== undefined && v === c.ne) return false;
  if (c.gt !== undefined && !(v > c.gt)) return false;
  if (c.lt !== undefined && !(v < c.lt)) return false;
  return true;
}

/** A condition on a varbind: undefined when the value is absent (no such object). */
function holds(c: Condition, vb: Varbind | undefined): boolean | undefined {
  if (!vb) return undefined;
  if (c.oid !== undefined) return vb.type === T.OID && String(vb.value) === c.oid;
  if (c.nonempty !== undefined) {
    const empty = vb.type === T.OctetString ? toText(vb).trim() === '' : toNumber(vb) === null;
    if (empty === c.nonempty) return false;
    if (
      c.in === undefined &&
      c.eq === undefined &&
      c.ne === undefined &&
      c.gt === undefined &&
      c.lt === undefined
    )
      return true;
  }
  const n = toNumber(vb);
  return n === null ? false : test(c, n);
}

function combine(values: number[], agg: Rule['agg']): number | null {
  if (values.length === 0) return null;
  switch (agg) {
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    default:
      return values[0]!;
  }
}

/** `index.` of every row of the parent table that satisfies the condition */
function parentIndexes(got: Fetched, parent: NonNullable<Rule['parent']>): string[] {
  const out: string[] = [];
  for (const [index, row] of got.tables.get(parent.table) ?? [])
    if (holds(parent.where, row.get(parent.where.var)) === true) out.push(`${index}.`);
  return out;
}

export function evaluate(
  dev: DeviceRef,
  profile: Profile,
  got: Fetched,
  mem: DeviceMemory,
  now: number,
  inventory: Pick<LoadedInventory, 'mcuPorts' | 'sites'>,
): Evaluation {
  const ev: Evaluation = { samples: [], problems: [], rebooted: false, portsMissing: false };
  const site = dev.site?.id ?? dev.id;
  const tags = siteTags(dev);

  // Reboot: sysUpTime went backwards (and not by wrapping after 497 days).
  if (profile.uptime) {
    const vb = got.scalars.get(profile.uptime);
    const ticks = vb ? toNumber(vb) : null;
    if (ticks !== null) {
      const prev = mem.uptimeTicks;
      if (
        prev !== null &&
        ticks < prev &&
        !(prev > UPTIME_WRAP_TICKS - 360_000 * 24 && ticks < 360_000 * 24)
      ) {
        ev.rebooted = true;
        mem.counters.clear();
      }
      mem.uptimeTicks = ticks;
    }
  }

  const num = (vb: Varbind | undefined, what: string, r?: Rule): number | null => {
    if (!vb) return null;
    // an OBJECT IDENTIFIER value (AutonomousType) is looked up in the rule's map by the OID itself
    if (vb.type === T.OID && r?.map) {
      const m = r.map[String(vb.value)] ?? r.map.default;
      return m === undefined ? null : m;
    }
    const n = toNumber(vb);
    if (n !== null) return n;
    if (vb.type === T.OctetString && toText(vb).trim() === '') return null;
    ev.problems.push({
      kind: 'wrong_type',
      message: `${what}: expected a number, got ${typeName(vb.type)} ${JSON.stringify(toText(vb).slice(0, 40))}`,
    });
    return null;
  };

  const rate = (key: string, vb: Varbind, what: string): number | null => {
    const cur = toBigInt(vb);
    if (cur === null) {
      ev.problems.push({
        kind: 'wrong_type',
        message: `${what}: expected a counter, got ${typeName(vb.type)}`,
      });
      return null;
    }
    const prev = mem.counters.get(key);
    if (!prev) {
      mem.counters.set(key, { v: cur, t: now });
      return null;
    }
    // the state is updated in place: one object per counter for the device's life, not one per poll
    const { v: was, t: then } = prev;
    prev.v = cur;
    prev.t = now;
    const dt = (now - then) / 1000;
    if (dt <= 0) return null;
    let d = cur - was;
    if (d < 0n) {
      // Counter32 wraps at 2^32; a Counter64 going backwards is a reset, not a wrap
      if (vb.type !== T.Counter || was >= TWO32) return null;
      d += TWO32;
    }
    return Number(d) / dt;
  };

  /** raw number → map → scale (an OID value was mapped by num already) */
  const shape = (r: Rule, n: number, mapped = false): number | null => {
    let v = n;
    if (r.map && !mapped) {
      const m = r.map[String(n)] ?? r.map.default;
      if (m === undefined) return null;
      v = m;
    }
    return r.scale !== undefined ? round(v * r.scale) : v;
  };

  const push = (
    r: Rule,
    value: number,
    opts: { site?: string; tags?: SampleTags; instance?: string } = {},
  ) => {
    // samples share their site's tags object unless they add a probe or an instance
    let t: SampleTags = opts.tags ?? tags;
    if (opts.instance === undefined && r.label !== undefined) opts.instance = r.label;
    if (r.probe || opts.instance !== undefined) {
      t = { ...t };
      if (r.probe) t.probe = r.probe;
      if (opts.instance !== undefined) t.instance = opts.instance;
    }
    ev.samples.push({ time: now, site: opts.site ?? site, device: dev.id, metric: r.metric, value, tags: t });
  };

  profile.metrics.forEach((r, ri) => {
    const vars = r.vars ?? (r.var ? [r.var] : []);
    if (r.count) {
      const counted = r.count;
      push(r, ev.samples.filter((x) => x.metric === counted && x.device === dev.id).length);
      return;
    }
    if (!r.table) {
      if (r.where && holds(r.where, got.scalars.get(r.where.var)) !== true) return;
      if (r.any) {
        let seen = false;
        let hit = false;
        for (const c of r.any) {
          const h = holds(c, got.scalars.get(c.var));
          if (h === undefined) continue;
          seen = true;
          if (h) hit = true;
        }
        if (seen) push(r, hit ? 1 : 0);
        else if (r.missing !== undefined) push(r, r.missing);
        return;
      }
      const values: number[] = [];
      for (const name of vars) {
        const vb = got.scalars.get(name);
        if (!vb) continue;
        if (r.rate) {
          const v = rate(`${ri}:${name}`, vb, name);
          if (v !== null) values.push(round(r.scale !== undefined ? v * r.scale : v));
          break;
        }
        const n = num(vb, name, r);
        if (n === null) continue;
        const v = shape(r, n, vb.type === T.OID);
        if (v !== null) values.push(v);
      }
      const v = combine(values, r.agg);
      if (v !== null) push(r, v);
      else if (r.missing !== undefined) push(r, r.missing);
      return;
    }

    const table = got.tables.get(r.table) ?? new Map<string, Row>();
    if (r.site_from === 'mcu_port' && profile.portsFallback && table.size === 0) ev.portsMissing = true;
    const parents = r.parent ? parentIndexes(got, r.parent) : null;
    const rows: [string, Row][] = [];
    for (const entry of table) {
      if (r.where && holds(r.where, entry[1].get(r.where.var)) !== true) continue;
      if (parents && !parents.some((p) => entry[0].startsWith(p))) continue;
      rows.push(entry);
    }
    if (vars.length === 0) {
      if (r.agg === 'count') push(r, rows.length);
      else if (r.agg === 'any') push(r, rows.length > 0 ? 1 : 0);
      return;
    }
    const values: number[] = [];
    for (const [index, row] of rows) {
      let value: number | null = null;
      for (const name of vars) {
        const vb = row.get(name);
        if (!vb) continue;
        if (r.rate) {
          const v = rate(`${ri}:${name}:${index}`, vb, `${name}.${index}`);
          value = v === null ? null : round(r.scale !== undefined ? v * r.scale : v);
        } else {
          const n = num(vb, `${name}.${index}`, r);
          value = n === null ? null : shape(r, n, vb.type === T.OID);
        }
        break;
      }
      if (value === null) continue;
      if (!r.each) {
        values.push(value);
        continue;
      }
      const instance = r.instance
        ? toText(row.get(r.instance) ?? { oid: '', type: 4, value: '' }) || index
        : index;
      if (r.site_from === 'mcu_port') {
        const siteId = inventory.mcuPorts.get(Number(index));
        const s = siteId ? inventory.sites.get(siteId) : undefined;
        if (!s) continue;
        push(r, value, {
          site: s.id,
          tags: { tier: s.tier, district: s.district, carrier: s.link.carrier },
          instance: index,
        });
      } else push(r, value, { instance });
    }
    if (!r.each) {
      const v = r.agg === 'any' ? (rows.length > 0 ? 1 : 0) : combine(values, r.agg);
      if (v !== null) push(r, v);
      else if (r.missing !== undefined) push(r, r.missing);
    }
  });
  return ev;
}
