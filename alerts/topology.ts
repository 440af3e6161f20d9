// What the conditions mean at a site, from the topology: each active condition becomes a finding —
// a fault, a codec switched off outside meetings (within operating hours or not), a codec whose site has not answered since
// (awaiting the probe), or an attendance matter of a meeting — and a fault that starts an episode
// gets its cause and owner here, once, at its onset.
import type { Cause } from '../api/contract.ts';
import type { MetricName } from '../core/metrics.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { Site } from '../inventory/schema.ts';
import type { Condition, Evaluator } from './evaluate.ts';
import { round, SEVERITY_RANK } from './evaluate.ts';
import type { Rule, RuleSet } from './rules.ts';
import type { Severity } from './types.ts';

/** Why the engine decided a cause: structured, rendered per language by messages.ts. */
export type Explanation =
  | { code: 'power_then_dark'; ups_since: number; dark_since: number }
  | { code: 'input_lost_then_dark'; input_v: number; dark_since: number }
  | { code: 'dark'; dark_since: number }
  /** a site with no path probe whose devices all stopped answering */
  | { code: 'devices_dark'; dark_since: number }
  | { code: 'district_link'; dark: number; total: number; within_s: number; carrier: string }
  | { code: 'on_battery'; sites: number; runtime_min: number | null; via: string | null }
  | { code: 'codec_silent' }
  | { code: 'off_in_hours' }
  | { code: 'mcu_port'; port: number | null }
  | { code: 'runtime'; meeting: string; short: { site: string; runtime_min: number; needed_min: number }[] }
  | {
      code: 'window';
      metric: MetricName;
      means: number[];
      size_s: number;
      of: number;
      level: Severity;
      carrier: string;
    }
  | { code: 'threshold'; metric: MetricName; value: number | null; for_s: number }
  | { code: 'absent'; ago_s: number }
  | { code: 'flapping'; onsets: number; window_min: number; metric: MetricName };

/** off: switched off outside operating hours and meetings; off_in_hours: the same within them */
export type FindingKind = 'fault' | 'off' | 'off_in_hours' | 'awaiting' | 'attendance';

export interface Finding {
  /** one per condition: `${rule}:${site}${:instance}` */
  fp: string;
  rule: Rule;
  site: string;
  kind: FindingKind;
  cond: Condition;
  since: number;
  severity: Severity;
  /** raw numbers behind it, by name (metric values rounded) */
  evidence: Record<string, number | string>;
}

export interface Decision {
  cause: Cause | null;
  owner_org: string | null;
  owner_person: string | null;
  explanation: Explanation;
}

/** The organisation on call for a carrier's links (the inventory's organisation of kind carrier). */
export function carrierOrg(inv: LoadedInventory, carrier: string): string | null {
  return inv.inventory.organisations.find((o) => o.kind === 'carrier' && o.carrier === carrier)?.id ?? null;
}

/**
 * Who answers for a cause at a site: the carrier of its link, the power organisation it names, its
 * technician, the MCU's operator. The one routing rule, used by episodes and by meeting notices.
 */
export function siteOwner(
  inv: LoadedInventory,
  site: Site,
  cause: Cause | null,
): Pick<Decision, 'owner_org' | 'owner_person'> {
  switch (cause) {
    case 'link':
      return { owner_org: carrierOrg(inv, site.link.carrier), owner_person: null };
    case 'power':
      return { owner_org: site.power, owner_person: null };
    case 'equipment':
      return { owner_org: null, owner_person: site.technician };
    case 'mcu':
      return { owner_org: inv.inventory.mcu.operator, owner_person: null };
    default:
      return { owner_org: null, owner_person: null };
  }
}

export class Topology {
  constructor(
    private readonly inv: LoadedInventory,
    private readonly rules: RuleSet,
    private readonly evaluator: Evaluator,
  ) {}

  private get roles() {
    return this.rules.roles;
  }

  /** site → its conditions; fingerprint → the condition; rebuilt by reindex() once per evaluation */
  private bySite = new Map<string, Condition[]>();
  private byFp = new Map<string, Condition>();

  /** Indexes the evaluator's conditions by site and by fingerprint (a lookup then costs no scan). */
  reindex(): void {
    this.bySite = new Map();
    this.byFp = new Map();
    for (const c of this.evaluator.conditions.values()) {
      const list = this.bySite.get(c.site);
      if (list) list.push(c);
      else this.bySite.set(c.site, [c]);
      const fp = fingerprint(c);
      const prev = this.byFp.get(fp);
      if (!prev || SEVERITY_RANK[c.severity] > SEVERITY_RANK[prev.severity] || (!prev.active && c.active))
        this.byFp.set(fp, c);
    }
  }

  /** The conditions at a site (as of the last reindex). */
  at(site: string): readonly Condition[] {
    return this.bySite.get(site) ?? [];
  }

  /** The condition behind a finding's fingerprint (as of the last reindex). */
  byFingerprint(fp: string): Condition | undefined {
    return this.byFp.get(fp);
  }

  /** The condition of a role's rule at a site (the latest one, active or not). */
  conditionOf(role: keyof RuleSet['roles'], site: string): Condition | undefined {
    const id = this.roles[role].id;
    let out: Condition | undefined;
    for (const c of this.at(site)) if (c.rule.id === id && (!out || c.lastTime > out.lastTime)) out = c;
    return out;
  }

  /** The newest value of a metric at a site, from any rule that judges it. */
  private latest(site: string, pred: (c: Condition) => boolean): Condition | undefined {
    return this.at(site).find((x) => x.value !== null && pred(x));
  }

  /** The site's reachability condition holds or is active (its `for` may not have elapsed). */
  dark(site: string): Condition | undefined {
    const c = this.conditionOf('reachability', site);
    return c && (c.active || c.holding) ? c : undefined;
  }

  /** The site has a path probe (RTP reflector or ICMP target) whose answers the engine can wait for. */
  probed(site: string): boolean {
    const p = this.inv.sites.get(site)?.probes;
    return !!(p?.rtp || p?.icmp);
  }

  /**
   * Another device of the site (not the MCU, which answers from the centre) answered after `c` began:
   * the site is reached. A dark site's devices all stopped within one poll of each other; a codec's
   * condition is active only after its `for` (30 s), several polls of the others later.
   */
  othersAnswered(c: Condition): boolean {
    const mcu = this.inv.inventory.mcu.id;
    return this.at(c.site).some(
      (x) => x.device !== c.device && x.device !== mcu && !x.device.includes(':') && x.lastTime > c.since,
    );
  }

  onBattery(site: string): Condition | undefined {
    const c = this.conditionOf('on_battery', site);
    return c && (c.active || c.holding) ? c : undefined;
  }

  /**
   * Every active condition as a finding; `nearMeeting` says whether a site has a meeting now or soon,
   * `inHours` whether it is within its operating hours now (inventory/hours.ts).
   */
  findings(
    nearMeeting: (site: string) => boolean,
    inHours: (site: string) => boolean = () => false,
  ): Finding[] {
    const best = new Map<string, Condition>(); // fp → the worst condition (several devices of a kind)
    for (const c of this.evaluator.conditions.values()) {
      if (!c.active || !this.inv.sites.has(c.site)) continue;
      const fp = fingerprint(c);
      const prev = best.get(fp);
      if (!prev || SEVERITY_RANK[c.severity] > SEVERITY_RANK[prev.severity]) best.set(fp, c);
    }
    const out: Finding[] = [];
    for (const [fp, c] of best) {
      const r = c.rule;
      let kind: FindingKind = 'fault';
      if (r.id === this.roles.attendance.id) kind = 'attendance';
      else if (r.id === this.roles.mcu_port.id) {
        // the MCU shows a port down whenever its site is not in the call: a fault of the MCU only
        // while the codec says it is in a call
        // (a silent codec's last in-call value is stale: its own silence is the matter then)
        const call = this.conditionOf('attendance', c.site);
        const codec = this.conditionOf('codec_silent', c.site);
        const answering = !codec || (codec.value === 1 && !codec.holding && !codec.active);
        if (call?.value !== 1 || !answering) kind = answering ? 'attendance' : 'awaiting';
      } else if (r.id === this.roles.codec_silent.id && !this.probed(c.site)) {
        // no path probe to wait for (no reflector, no ICMP: a network read through the MCU's and the
        // codecs' APIs, issue 20): the site's other devices say whether it is reached — the codec
        // silent on a site that answers is the codec's fault; nothing answering, the site is dark
        // (decide: the mains when the UPS went on battery first, else the carrier's link)
        if (this.othersAnswered(c) && !nearMeeting(c.site)) kind = inHours(c.site) ? 'off_in_hours' : 'off';
      } else if (r.id === this.roles.codec_silent.id) {
        const p = this.conditionOf('reachability', c.site);
        // "the site answers but its codec does not" needs a probe that answered after the codec stopped
        const answered = p !== undefined && p.value === 1 && p.lastTime >= c.since;
        // a lossy path loses SNMP polls too: the codec is not to blame while the path drops packets
        const loss = this.latest(c.site, (x) => x.rule.metric === 'loss_pct' && x.rule.device === 'probe');
        if (!answered) kind = this.dark(c.site) ? 'fault' : 'awaiting';
        else if (loss?.value != null && loss.value >= 1) kind = 'awaiting';
        // switched off outside meetings (Điều 5.6): expected outside operating hours, shown within them
        else if (!nearMeeting(c.site)) kind = inHours(c.site) ? 'off_in_hours' : 'off';
      }
      const evidence: Record<string, number | string> = {};
      for (const [k, v] of Object.entries(c.evidence)) evidence[k] = typeof v === 'number' ? round(v) : v;
      out.push({
        fp,
        rule: r,
        site: c.site,
        kind,
        cond: c,
        since: this.evaluator.onsetOf(c),
        severity: c.severity,
        evidence,
      });
    }
    return out;
  }

  carrierOrg(carrier: string): string | null {
    return carrierOrg(this.inv, carrier);
  }

  /** Cause and owner of a fault that starts an episode, from everything known at this moment. */
  decide(f: Finding, now: number): Decision {
    const site = this.inv.sites.get(f.site)!;
    const r = f.rule;
    const c = f.cond;
    const owner = (cause: Cause | null) => siteOwner(this.inv, site, cause);
    const base = (explanation: Explanation, cause: Cause | null = r.cause === 'none' ? null : r.cause) => ({
      cause,
      ...owner(cause),
      explanation,
    });
    if (c.flapping && !r.window)
      return base({
        code: 'flapping',
        onsets: c.onsets.length,
        window_min: 0,
        metric: r.metric,
      });
    // the UPS on battery at or within a minute before the site went dark: the mains, not the link
    const ups = this.onBattery(f.site);
    const powerFirst =
      ups && this.evaluator.onsetOf(ups) <= f.since + 60_000
        ? base(
            { code: 'power_then_dark', ups_since: this.evaluator.onsetOf(ups), dark_since: f.since },
            'power',
          )
        : null;
    if (r.id === this.roles.reachability.id) {
      if (powerFirst) return powerFirst;
      const input = this.latest(f.site, (x) => x.rule.metric === 'ups_input_v');
      if (input?.value != null && input.value < 100 && input.lastTime <= f.since + 60_000)
        return base({ code: 'input_lost_then_dark', input_v: input.value, dark_since: f.since }, 'power');
      return base({ code: 'dark', dark_since: f.since }, 'link');
    }
    if (r.id === this.roles.on_battery.id) {
      const runtime = this.latest(f.site, (x) => x.rule.metric === 'ups_runtime_min');
      return base(
        {
          code: 'on_battery',
          sites: 1,
          runtime_min: runtime?.value ?? null,
          via: typeof c.evidence.signal === 'string' ? c.evidence.signal : null,
        },
        'power',
      );
    }
    if (r.id === this.roles.codec_silent.id && !this.probed(f.site) && !this.othersAnswered(c)) {
      // a site with no path probe, none of its devices answering: dark, as a probe would have said
      return powerFirst ?? base({ code: 'devices_dark', dark_since: f.since }, 'link');
    }
    if (r.id === this.roles.codec_silent.id) return base({ code: 'codec_silent' }, 'equipment');
    if (r.id === this.roles.mcu_port.id)
      return base({ code: 'mcu_port', port: site.mcu_port ?? null }, 'mcu');
    if (r.window && c.win)
      return base({
        code: 'window',
        metric: r.metric,
        means: [...c.win.means],
        size_s: r.window.size / 1000,
        of: r.window.of,
        level: c.severity,
        carrier: site.link.carrier,
      });
    if (r.absent !== undefined) return base({ code: 'absent', ago_s: Math.round((now - c.lastTime) / 1000) });
    return base({ code: 'threshold', metric: r.metric, value: c.value, for_s: Math.round(r.for / 1000) });
  }
}

/** A condition's fingerprint: `${rule}:${site}` and its instance, when it has one. */
export function fingerprint(c: Pick<Condition, 'rule' | 'site' | 'instance'>): string {
  return `${c.rule.id}:${c.site}${c.instance ? `:${c.instance}` : ''}`;
}
