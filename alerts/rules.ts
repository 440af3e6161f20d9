// Alert rules as data: a YAML file validated like the inventory, every error at FILE:LINE.
import { z } from 'zod';
import { parseDuration } from '../config/config.ts';
import { isMetricName, type MetricName } from '../core/metrics.ts';
import { fromRoot } from '../core/root.ts';
import { CAUSES, SEVERITIES } from '../core/vocabulary.ts';
import { TIERS } from '../inventory/schema.ts';
import { type SourceError, SourceErrors, YamlSource } from '../inventory/source.ts';

export const DEFAULT_RULES_FILE = fromRoot('alerts', 'default-rules.yaml');

/**
 * The parts of the topology the engine reasons with. Each is named by exactly one rule of the
 * rules file (`role:`); a file without one of them is refused at load, at its line.
 */
export const ROLES = {
  /** the site answers its probes (reachable): dark sites, district outages */
  reachability: 'metric reachable from the probe',
  /** UPS on battery: mains lost at the site */
  on_battery: 'UPS on battery',
  /** the codec answers SNMP: silent while the site answers = equipment, or switched off */
  codec_silent: 'codec not answering',
  /** the codec is in a call: during a meeting, an attendance record, not a fault */
  attendance: 'codec in call during a meeting',
  /** the site's MCU port: a fault only while the codec says it is in a call */
  mcu_port: 'MCU port of the site',
  /** UPS runtime against the meetings of the site: one grouped episode per meeting */
  ups_runtime: 'UPS runtime short for a meeting',
} as const;
export type Role = keyof typeof ROLES;

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as "30s", "5m" or "2h"')
  .transform((s) => parseDuration(s));

const severity = z.enum(SEVERITIES);
const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lowercase slug such as "site-unreachable"');

const Band = z
  .object({ above: z.number().optional(), below: z.number().optional(), severity })
  .strict()
  .refine(
    (b) => (b.above === undefined) !== (b.below === undefined),
    'a band needs exactly one of above / below',
  );

export const RuleSchema = z
  .object({
    id,
    title: z.string().min(1),
    title_en: z.string().min(1),
    metric: z.string().refine(isMetricName, 'unknown metric (see core/metrics.ts for the vocabulary)'),
    /** which samples: from the site's probe (ICMP/RTP), a device kind, or the MCU (per port) */
    device: z.enum(['probe', 'codec', 'ups', 'router', 'mcu', 'any']).default('any'),
    above: z.number().optional(),
    below: z.number().optional(),
    outside: z.tuple([z.number(), z.number()]).optional(),
    clear_above: z.number().optional(),
    clear_below: z.number().optional(),
    clear_inside: z.tuple([z.number(), z.number()]).optional(),
    /** threshold = minutes left in the live meeting (or length of the next one), at least `min` */
    below_meeting: z
      .object({ min: z.number().nonnegative(), margin: z.number().nonnegative().default(0) })
      .strict()
      .optional(),
    /** fires when no sample has come for this long */
    absent: duration.optional(),
    window: z
      .object({
        size: duration,
        of: z.number().int().min(1).max(15).default(3),
        recover: duration.default(60_000),
      })
      .strict()
      .optional(),
    bands: z.array(Band).min(1).optional(),
    for: duration.default(0),
    clear_for: duration.default(0),
    severity: severity.default('major'),
    cause: z.enum([...CAUSES, 'none']),
    only_in_meeting: z.boolean().default(false),
    /** judged only while a meeting of the site is live or starts within the readiness window */
    only_near_meeting: z.boolean().default(false),
    /** the part of the topology this rule stands for (see ROLES) */
    role: z.enum(Object.keys(ROLES) as [Role, ...Role[]]).optional(),
    /** conditions at the same site that an episode rooted in this rule explains (attached as children) */
    explains: z.array(id).default([]),
    /**
     * with no meeting at the site for 24 h: 'digest' (the NOC's digest, nobody paged) or 'page'
     * (paged at the rule's severity: a dark site, mains lost, the MCU itself)
     */
    outside_meetings: z.enum(['digest', 'page']).default('digest'),
    /** trap names that set the metric at once: { upsTrapOnBattery: 1 } */
    traps: z.record(z.string(), z.number()).default({}),
  })
  .strict()
  .superRefine((r, ctx) => {
    const kinds = [
      r.above !== undefined || r.below !== undefined ? 'threshold' : null,
      r.outside ? 'outside' : null,
      r.below_meeting ? 'below_meeting' : null,
      r.absent !== undefined ? 'absent' : null,
      r.window || r.bands ? 'window' : null,
    ].filter(Boolean);
    if (kinds.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `a rule needs exactly one condition (above/below, outside, below_meeting, absent, or window+bands); found ${kinds.length === 0 ? 'none' : kinds.join(', ')}`,
      });
    if (r.above !== undefined && r.below !== undefined)
      ctx.addIssue({ code: 'custom', message: 'use either above or below, not both' });
    if ((r.window && !r.bands) || (!r.window && r.bands))
      ctx.addIssue({ code: 'custom', message: 'a windowed rule needs both window and bands' });
  });

const Maintenance = z
  .object({
    id,
    scope: z
      .object({
        site: z.string().optional(),
        district: z.string().optional(),
        tier: z.enum(TIERS).optional(),
      })
      .strict()
      .default({}),
    weekdays: z.array(z.number().int().min(1).max(7)).default([]),
    start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be local time HH:MM'),
    duration,
    comment: z.string().default(''),
  })
  .strict();

const DistrictOutage = z
  .object({
    title: z.string().min(1),
    title_en: z.string().min(1),
    /** what a district episode explains at each of its sites */
    explains: z.array(id).min(1),
  })
  .strict();

/** what a readiness test run (T-12h, T-1h, Điều 7.1.b) calls ready, per site */
const Readiness = z
  .object({
    loss_pct: z.number().min(0).max(100),
    jitter_ms: z.number().positive().max(10_000),
    rtt_ms: z.number().positive().max(60_000),
    mos_min: z.number().min(1).max(5),
    /** the UPS runtime must cover the whole meeting plus this margin (minutes) */
    ups_margin_min: z.number().min(0).max(600),
    /** samples older than this are no evidence */
    stale: duration,
  })
  .strict();

export const RulesFile = z
  .object({
    version: z.literal(1, 'must be 1'),
    readiness: Readiness,
    rules: z.array(RuleSchema),
    /** a share of a district's sites dark within a window: one episode, the district's carrier */
    district_outage: DistrictOutage,
    maintenance: z.array(Maintenance).default([]),
  })
  .strict();

/** the rule id of a district-wide outage (computed from the reachability rule, not a rule of its own) */
export const DISTRICT_RULE = 'district-outage';

export type Rule = Omit<z.infer<typeof RuleSchema>, 'metric'> & { metric: MetricName };
export type MaintenanceRule = z.infer<typeof Maintenance>;
export interface RuleSet {
  file: string;
  rules: Rule[];
  maintenance: MaintenanceRule[];
  district: z.infer<typeof DistrictOutage>;
  readiness: z.infer<typeof Readiness>;
  /** the rule standing for each role */
  roles: Record<Role, Rule>;
  /** rule id → the rules an episode rooted in it explains at its site (transitively) */
  explains: Map<string, Set<string>>;
}

/** The rules a root explains, following `explains` transitively. */
function closure(rules: Rule[], start: string[]): Set<string> {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const out = new Set<string>();
  const todo = [...start];
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    todo.push(...(byId.get(id)?.explains ?? []));
  }
  return out;
}

export function loadRules(
  file: string = DEFAULT_RULES_FILE,
  known?: { sites: Set<string>; districts: Set<string> },
): RuleSet {
  const source = YamlSource.read(file);
  const data = source.parse(RulesFile);
  const errors: SourceError[] = [];
  const ids = new Set<string>();
  data.rules.forEach((r, i) => {
    if (ids.has(r.id)) errors.push(source.error(['rules', i, 'id'], `duplicate rule id "${r.id}"`));
    ids.add(r.id);
  });
  data.rules.forEach((r, i) => {
    for (const [j, other] of r.explains.entries())
      if (!ids.has(other))
        errors.push(
          source.error(['rules', i, 'explains', j], `rule "${r.id}": explains names unknown rule "${other}"`),
        );
  });
  data.district_outage.explains.forEach((other, j) => {
    if (!ids.has(other))
      errors.push(
        source.error(['district_outage', 'explains', j], `district_outage explains unknown rule "${other}"`),
      );
  });
  const roles: Partial<Record<Role, Rule>> = {};
  data.rules.forEach((r, i) => {
    if (!r.role) return;
    if (roles[r.role])
      errors.push(
        source.error(
          ['rules', i, 'role'],
          `role "${r.role}" is already taken by rule "${roles[r.role]!.id}"`,
        ),
      );
    else roles[r.role] = r as Rule;
  });
  for (const role of Object.keys(ROLES) as Role[])
    if (!roles[role])
      errors.push(
        source.error(
          ['rules'],
          `no rule has role "${role}" (${ROLES[role]}); the engine reasons with it: add \`role: ${role}\` to the rule that stands for it`,
        ),
      );
  const reach = roles.reachability;
  if (reach && (reach.metric !== 'reachable' || reach.device !== 'probe'))
    errors.push(
      source.error(
        ['rules', data.rules.indexOf(reach as never), 'metric'],
        'the reachability rule must judge metric reachable from device probe',
      ),
    );
  if (known) {
    data.maintenance.forEach((m, i) => {
      if (m.scope.site && !known.sites.has(m.scope.site))
        errors.push(
          source.error(
            ['maintenance', i, 'scope', 'site'],
            `maintenance "${m.id}": unknown site "${m.scope.site}"`,
          ),
        );
      if (m.scope.district && !known.districts.has(m.scope.district))
        errors.push(
          source.error(
            ['maintenance', i, 'scope', 'district'],
            `maintenance "${m.id}": unknown district "${m.scope.district}"`,
          ),
        );
    });
  }
  if (errors.length > 0) throw new SourceErrors(errors);
  const rules = data.rules as Rule[];
  const explains = new Map<string, Set<string>>();
  for (const r of rules) {
    const set = closure(rules, r.explains);
    set.delete(r.id);
    explains.set(r.id, set);
  }
  explains.set(DISTRICT_RULE, closure(rules, data.district_outage.explains));
  return {
    file,
    rules,
    maintenance: data.maintenance,
    district: data.district_outage,
    readiness: data.readiness,
    roles: roles as Record<Role, Rule>,
    explains,
  };
}
