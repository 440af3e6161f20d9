// Device profiles are data (collector/profiles/*.yaml): which OIDs to read and how each maps
// to the vendor-neutral metric vocabulary of core/metrics.ts. This file only reads and checks them.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { IDENTITY_FIELDS, type IdentityField } from '../core/identity.ts';
import { isMetricName, type MetricName, statesOf } from '../core/metrics.ts';
import { fromRoot } from '../core/root.ts';
import { YamlSource } from '../inventory/source.ts';

const oid = z
  .string()
  .regex(/^\d+(\.\d+)+$/, 'must be a numeric OID such as 1.3.6.1.2.1.1.3.0 (no leading dot, no names)');
const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be an identifier such as upsOutputSource');

const Condition = z
  .object({
    var: name,
    in: z.array(z.number()).optional(),
    eq: z.number().optional(),
    ne: z.number().optional(),
    gt: z.number().optional(),
    lt: z.number().optional(),
    /** the value is a non-empty string (or any number) */
    nonempty: z.boolean().optional(),
    /** the value is this OBJECT IDENTIFIER (an AutonomousType such as upsAlarmDescr) */
    oid: oid.optional(),
  })
  .strict();
export type Condition = z.infer<typeof Condition>;

const Rule = z
  .object({
    metric: z.string().refine(isMetricName, 'must be a metric name from core/metrics.ts'),
    /** scalar name, or column name when `table` is set */
    var: name.optional(),
    /** several scalars (or columns) combined with `agg` */
    vars: z.array(name).optional(),
    table: name.optional(),
    /** one sample per table row (instance = row index, or the text of column `instance`) */
    each: z.boolean().default(false),
    instance: name.optional(),
    agg: z.enum(['first', 'max', 'min', 'sum', 'avg', 'count', 'any']).optional(),
    /** row filter for tables; for scalars, no sample unless it holds */
    where: Condition.optional(),
    /**
     * row filter through another table: a row counts when the row of `table` whose index begins its
     * own index satisfies `where` (CTS stream rows, indexed call.type.source, of calls still in progress)
     */
    parent: z.object({ table: name, where: Condition }).strict().optional(),
    /**
     * enum value → number; key "default" for anything else (absent: other values give no sample).
     * For an OBJECT IDENTIFIER value the keys are OIDs (upsAlarmDescr → the alarm it names).
     */
    map: z.record(z.string(), z.number()).optional(),
    /** scalars: the sample's instance (one sample of a metric per condition: `ups_alarm` per alarm) */
    label: z.string().optional(),
    /** the number of samples of this metric the rules above produced for the device */
    count: z.string().refine(isMetricName, 'must be a metric name from core/metrics.ts').optional(),
    /** 1 when any condition holds, else 0 */
    any: z.array(Condition).optional(),
    scale: z.number().optional(),
    /** value to publish when the source is absent or empty (else no sample) */
    missing: z.number().optional(),
    /** the source is a counter: publish its rate per second */
    rate: z.boolean().default(false),
    /** table rows are MCU ports: each row's index is joined to the inventory's mcu_port map */
    site_from: z.enum(['mcu_port']).optional(),
    probe: z.string().optional(),
  })
  .strict();
export type Rule = Omit<z.infer<typeof Rule>, 'metric' | 'count'> & {
  metric: MetricName;
  count?: MetricName;
};

const Trap = z
  .object({
    oid,
    name,
    /** metric values the trap implies at once (before the re-poll confirms them) */
    set: z.record(z.string(), z.number()).default({}),
    repoll: z.boolean().default(true),
    detail: z.string().optional(),
  })
  .strict();
export type TrapRule = z.infer<typeof Trap>;

const Table = z
  .object({
    /** expected rows: sizes the GETBULK so that a usual table comes back in one request */
    rows: z.number().int().positive().default(4),
    columns: z.record(name, oid),
  })
  .strict();

/**
 * Which objects give the device's identity (core/identity.ts fields): scalars, and one table whose
 * single row describes the device (ENTITY-MIB entPhysicalTable: the row whose `row.column` equals
 * `row.eq`, the chassis, else the first row). Each field lists its sources, first non-empty wins;
 * an including profile's sources come before those of the profiles it includes.
 */
const Identity = z
  .object({
    scalars: z.record(name, oid).default({}),
    table: z
      .object({
        columns: z.record(name, oid),
        row: z.object({ column: name, eq: z.number().int() }).strict().optional(),
      })
      .strict()
      .optional(),
    fields: z
      .partialRecord(
        z.enum(IDENTITY_FIELDS, { error: `must be one of ${IDENTITY_FIELDS.join(', ')} (core/identity.ts)` }),
        z.array(name).min(1),
      )
      .default({}),
  })
  .strict();

export const ProfileFile = z
  .object({
    name: z.string().regex(/^_?[a-z0-9][a-z0-9-]*$/),
    kind: z.enum(['codec', 'ups', 'router', 'mcu', 'any']).default('any'),
    description: z.string().optional(),
    include: z.array(z.string()).default([]),
    /** name of the scalar holding sysUpTime (reboot detection) */
    uptime: name.optional(),
    scalars: z.record(name, oid).default({}),
    tables: z.record(name, Table).default({}),
    metrics: z.array(Rule).default([]),
    traps: z.array(Trap).default([]),
    identity: Identity.optional(),
    /** when the port table is absent, derive mcu_port_up per site from its codec's in_call */
    ports_fallback: z.enum(['codec_in_call']).optional(),
  })
  .strict();
type ProfileFile = z.infer<typeof ProfileFile>;

export interface IdentitySpec {
  scalars: Map<string, string>;
  table: { columns: Map<string, string>; row?: { column: string; eq: number } } | undefined;
  /** field → source names (scalars or table columns), first non-empty wins */
  fields: Map<IdentityField, string[]>;
}

export interface Profile {
  name: string;
  kind: ProfileFile['kind'];
  description: string;
  uptime: string | undefined;
  scalars: Map<string, string>;
  tables: Map<string, { rows: number; columns: Map<string, string> }>;
  metrics: Rule[];
  traps: TrapRule[];
  portsFallback: 'codec_in_call' | undefined;
  identity: IdentitySpec;
}

export const PROFILE_DIR = fromRoot('collector', 'profiles');

/** Reads every profile file of a folder, resolving `include`s; errors name FILE:LINE. */
export function loadProfiles(dir = PROFILE_DIR): Map<string, Profile> {
  const files = new Map<string, { file: string; data: ProfileFile; source: YamlSource }>();
  for (const f of readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(f)) continue;
    const source = YamlSource.read(join(dir, f));
    const data = source.parse(ProfileFile);
    const expected = basename(f).replace(/\.ya?ml$/, '');
    if (data.name !== expected) {
      throw new Error(`${join(dir, f)}: profile name "${data.name}" must match its file name "${expected}"`);
    }
    files.set(data.name, { file: join(dir, f), data, source });
  }
  const out = new Map<string, Profile>();
  const build = (n: string, seen: string[]): Profile => {
    const done = out.get(n);
    if (done) return done;
    const entry = files.get(n);
    if (!entry) throw new Error(`profile "${seen.at(-1)}" includes unknown profile "${n}"`);
    if (seen.includes(n)) throw new Error(`profile include loop: ${[...seen, n].join(' → ')}`);
    const p: Profile = {
      name: n,
      kind: entry.data.kind,
      description: entry.data.description ?? '',
      uptime: entry.data.uptime,
      scalars: new Map(),
      tables: new Map(),
      metrics: [],
      traps: [],
      portsFallback: entry.data.ports_fallback,
      identity: { scalars: new Map(), table: undefined, fields: new Map() },
    };
    const own = entry.data.identity;
    if (own) {
      for (const [k, v] of Object.entries(own.scalars)) p.identity.scalars.set(k, v);
      if (own.table)
        p.identity.table = {
          columns: new Map(Object.entries(own.table.columns)),
          ...(own.table.row && { row: own.table.row }),
        };
      for (const [f, src] of Object.entries(own.fields)) p.identity.fields.set(f as IdentityField, [...src]);
    }
    for (const inc of entry.data.include) {
      const base = build(inc, [...seen, n]);
      for (const [k, v] of base.scalars) p.scalars.set(k, v);
      for (const [k, v] of base.tables) p.tables.set(k, v);
      p.metrics.push(...base.metrics);
      p.traps.push(...base.traps);
      p.uptime ??= base.uptime;
      p.portsFallback ??= base.portsFallback;
      for (const [k, v] of base.identity.scalars)
        if (!p.identity.scalars.has(k)) p.identity.scalars.set(k, v);
      p.identity.table ??= base.identity.table;
      for (const [f, src] of base.identity.fields) {
        const mine = p.identity.fields.get(f) ?? [];
        p.identity.fields.set(f, [...mine, ...src.filter((x) => !mine.includes(x))]);
      }
    }
    for (const [k, v] of Object.entries(entry.data.scalars)) p.scalars.set(k, v);
    for (const [k, v] of Object.entries(entry.data.tables)) {
      p.tables.set(k, { rows: v.rows, columns: new Map(Object.entries(v.columns)) });
    }
    p.metrics.push(...(entry.data.metrics as Rule[]));
    p.traps.push(...entry.data.traps);
    check(p, entry.file);
    out.set(n, p);
    return p;
  };
  for (const n of files.keys()) build(n, []);
  return out;
}

function check(p: Profile, file: string): void {
  const problems: string[] = [];
  const scalar = (v: string, ctx: string) => {
    if (!p.scalars.has(v)) problems.push(`${ctx}: unknown scalar "${v}"`);
  };
  if (p.uptime) scalar(p.uptime, 'uptime');
  p.metrics.forEach((r, i) => {
    const ctx = `metrics[${i}] (${r.metric})`;
    const vars = [...(r.vars ?? []), ...(r.var ? [r.var] : []), ...(r.any ?? []).map((c) => c.var)];
    if (r.table) {
      const t = p.tables.get(r.table);
      if (!t) {
        problems.push(`${ctx}: unknown table "${r.table}"`);
        return;
      }
      const cols = [...vars, ...(r.instance ? [r.instance] : []), ...(r.where ? [r.where.var] : [])];
      for (const c of cols)
        if (!t.columns.has(c)) problems.push(`${ctx}: table "${r.table}" has no column "${c}"`);
      if (!r.each && !r.agg) problems.push(`${ctx}: a table metric needs each: true or agg`);
      if (r.parent) {
        const pt = p.tables.get(r.parent.table);
        if (!pt) problems.push(`${ctx}: parent: unknown table "${r.parent.table}"`);
        else if (!pt.columns.has(r.parent.where.var))
          problems.push(`${ctx}: parent: table "${r.parent.table}" has no column "${r.parent.where.var}"`);
      }
      if (vars.length === 0 && r.agg !== 'count' && r.agg !== 'any')
        problems.push(`${ctx}: needs var (only agg count/any work on rows alone)`);
    } else if (r.count) {
      if (vars.length > 0 || r.any) problems.push(`${ctx}: count takes no var, vars or any`);
      if (!p.metrics.slice(0, i).some((x) => x.metric === r.count))
        problems.push(`${ctx}: count: no rule above produces "${r.count}"`);
    } else {
      if (vars.length === 0) problems.push(`${ctx}: needs var, vars or any`);
      for (const v of vars) scalar(v, ctx);
      if (r.where) scalar(r.where.var, ctx);
      if (r.each || r.instance || r.site_from || r.parent)
        problems.push(`${ctx}: each/instance/site_from/parent need a table`);
    }
    if (r.label !== undefined && r.table) problems.push(`${ctx}: label is for scalars (tables: instance)`);
    if (r.map) {
      for (const k of Object.keys(r.map))
        if (k !== 'default' && !/^-?\d+(\.\d+)*$/.test(k))
          problems.push(`${ctx}: map key "${k}" must be a number or a numeric OID`);
    }
    if (r.rate && (r.any || r.map)) problems.push(`${ctx}: rate cannot be combined with map or any`);
    // a vendor enum must land on one of the metric's named states (core/metrics.ts)
    const states = isMetricName(r.metric) ? statesOf(r.metric) : undefined;
    if (states) {
      const values = [...Object.values(r.map ?? {}), ...(r.missing !== undefined ? [r.missing] : [])];
      for (const v of values)
        if (!Object.hasOwn(states, String(v)))
          problems.push(
            `${ctx}: ${v} is not a state of ${r.metric} (${Object.entries(states)
              .sort(([a], [b]) => Number(a) - Number(b))
              .map(([k, name]) => `${k} = ${name.vi} / ${name.en}`)
              .join(', ')})`,
          );
    }
  });
  const id = p.identity;
  for (const [f, src] of id.fields)
    for (const v of src)
      if (!id.scalars.has(v) && !id.table?.columns.has(v))
        problems.push(
          `identity.fields.${f}: "${v}" is neither an identity scalar nor an identity table column`,
        );
  for (const k of id.scalars.keys())
    if (id.table?.columns.has(k)) problems.push(`identity: "${k}" is both a scalar and a table column`);
  if (id.table?.row && !id.table.columns.has(id.table.row.column))
    problems.push(`identity.table.row: the table has no column "${id.table.row.column}"`);
  for (const t of p.traps)
    for (const m of Object.keys(t.set))
      if (!isMetricName(m)) problems.push(`trap ${t.name}: unknown metric "${m}"`);
  if (problems.length > 0) throw new Error(`${file}: profile "${p.name}":\n  ${problems.join('\n  ')}`);
}
