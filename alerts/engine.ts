// The alert engine: conditions (evaluate.ts) → findings with their meaning at the site
// (topology.ts) → fault episodes, the unit that is paged (one cause and one owner from onset to
// settled recovery; children attached) → paging (paging.ts) through the durable outbox.
// Alerts remain as the episode's members, one per condition, for the API and the dashboard.
import type { Alert, AttendanceEvent, Cause, Episode, Silence, SiteState } from '../api/contract.ts';
import type { DeviceEvent, Sample } from '../core/bus.ts';
import type { Logger } from '../core/log.ts';
import type { AlertEngine, MeetingRef, MeetingSource, SiteVerdict } from '../core/ports.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { StateDb } from '../storage/state-db.ts';
import { Attendance } from './attendance.ts';
import { type AlertRec, type Ep, OFF_IN_HOURS } from './episode.ts';
import { Evaluator, type FlapPolicy, round, SEVERITY_RANK } from './evaluate.ts';
import { causeText, type EpisodeView, explain } from './messages.ts';
import type { Outbox } from './outbox.ts';
import { Pager } from './paging.ts';
import { siteEpisode } from './precedence.ts';
import { DISTRICT_RULE, type MaintenanceRule, type Rule, type RuleSet } from './rules.ts';
import { type ActiveHold, Holds, type MaintenanceWindow } from './silences.ts';
import { EngineStore, type HistoryEntry } from './store.ts';
import { type Decision, type Finding, Topology } from './topology.ts';
import type { Severity } from './types.ts';

export type { MaintenanceWindow } from './silences.ts';
export { maintenanceActive } from './silences.ts';

export interface EngineOptions {
  rules: RuleSet;
  meetings: MeetingSource;
  now: () => number;
  groupWaitMs: number;
  /** episodes that page nobody (no meeting for 24 h) go to the NOC in one digest this often (0: at once) */
  digestIntervalMs: number;
  escalateAfterMs: number;
  escalateAfterInMeetingMs: number;
  renotifyInMeetingMs: number;
  readinessWindowMs: number;
  /** children stay attached this long after the episode's root clears; then it is resolved */
  settleMs: number;
  districtOutage: { minSites: number; minFraction: number; windowMs: number };
  flap: FlapPolicy;
  dashboardUrl?: string;
  /** alerts and episodes restored from the database stay open this long without their condition */
  restoreGraceMs: number;
  /** whether a site is within its operating hours at a moment (inventory/hours.ts); absent: never */
  hours?: (site: string, t: number) => boolean;
  /** a person's phone number (resolved secret), for "call" lines in messages */
  phone?: (person: string) => string | undefined;
  log: Logger;
}

export type { Ep } from './episode.ts';

const DAY = 86_400_000;
const POWER_GROUP_MS = 10 * 60_000;

export class Engine implements AlertEngine {
  readonly evaluator: Evaluator;
  readonly topology: Topology;
  private readonly holds: Holds;
  private readonly attendanceLog: Attendance;
  private readonly pager: Pager;
  private readonly alerts = new Map<string, AlertRec>(); // by alert id
  private readonly alertByFp = new Map<string, AlertRec>(); // open alerts by fingerprint
  private readonly eps = new Map<string, Ep>(); // by episode id (open and recent)
  private readonly listeners: ((a: Alert) => void)[] = [];
  private readonly epListeners: ((e: Episode) => void)[] = [];
  private counter = 0;
  private readonly store: EngineStore;
  /**
   * A standby server's engine (issue 21, docs/backbone.md): it takes samples (its conditions stay
   * warm) but decides nothing — no alerts, episodes or pages — until `takeOver()`.
   */
  private passive = false;

  constructor(
    private readonly inv: LoadedInventory,
    db: StateDb,
    box: Outbox | null,
    private readonly o: EngineOptions,
  ) {
    this.store = new EngineStore(db, o.now);
    this.evaluator = new Evaluator(o.rules.rules, {
      inventory: inv,
      flap: o.flap,
      liveMeeting: (site, at) => o.meetings.forSite(site, at, 0).some((m) => m.start <= at),
      meetingMinutes: (site, at) => {
        const m = o.meetings.forSite(site, at, o.readinessWindowMs)[0];
        return m ? Math.ceil((m.end - Math.max(at, m.start)) / 60_000) : null;
      },
    });
    this.topology = new Topology(inv, o.rules, this.evaluator);
    this.holds = new Holds(inv, db, o.rules.maintenance, o.now);
    this.attendanceLog = new Attendance(db);
    this.pager = new Pager(inv, db, box, {
      groupWaitMs: o.groupWaitMs,
      digestIntervalMs: o.digestIntervalMs,
      escalateAfterMs: o.escalateAfterMs,
      escalateAfterInMeetingMs: o.escalateAfterInMeetingMs,
      renotifyInMeetingMs: o.renotifyInMeetingMs,
      readinessWindowMs: o.readinessWindowMs,
      dashboardUrl: o.dashboardUrl,
      phone: o.phone,
      log: o.log,
      view: (ep) => this.view(ep),
      changed: (ep) => this.epChanged(ep),
      wake: () => this.soon(),
    });
    this.load();
  }

  // ---------------------------------------------------------------- input

  private scheduled = false;

  ingest(samples: readonly Sample[]): void {
    this.evaluator.ingest(samples);
    if (this.evaluator.dirty) this.soon();
  }

  ingestEvent(e: DeviceEvent): void {
    this.evaluator.ingestEvent(e);
    if (this.evaluator.dirty) this.soon();
  }

  /** One evaluation for all the batches of a poll round that arrive together. */
  private soon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // a batch that arrived just before stop: the state database may be closed by now
      if (this.disposed) return;
      try {
        this.tick();
      } catch (err) {
        this.o.log.error({ err }, 'alert evaluation failed');
      }
    });
  }

  /** Advances time: rule windows, findings, episodes, pages, escalation, reminders. */
  tick(): void {
    const now = this.o.now();
    this.evaluator.tick(now);
    this.evaluator.dirty = false;
    if (this.passive) return;
    this.topology.reindex();
    const findings = this.topology.findings(
      (site) => ['meeting', 'soon'].includes(this.relevance([site], now)),
      (site) => this.o.hours?.(site, now) ?? false,
    );
    this.recordAttendance(now);
    this.reconcileAlerts(findings, now);
    this.reconcileEpisodes(findings, now);
    this.pager.due([...this.openEps()], now);
    this.syncAlerts(now);
  }

  // ---------------------------------------------------------------- meetings

  private meetingOf(sites: string[], now: number, windowMs: number): MeetingRef | null {
    let best: MeetingRef | null = null;
    for (const s of sites)
      for (const m of this.o.meetings.forSite(s, now, windowMs)) if (!best || m.start < best.start) best = m;
    return best;
  }

  /** meeting: live now; soon: within the readiness window; later: within 24 h; quiet: none for 24 h */
  relevance(sites: string[], now: number): Episode['relevance'] {
    const m = this.meetingOf(sites, now, DAY);
    if (!m) return 'quiet';
    if (m.start <= now) return 'meeting';
    if (m.start <= now + this.o.readinessWindowMs) return 'soon';
    return 'later';
  }

  private recordAttendance(now: number) {
    const id = this.o.rules.roles.attendance.id;
    for (const c of this.evaluator.conditions.values()) {
      if (c.rule.id !== id) continue;
      const live = this.o.meetings.forSite(c.site, now, 0).filter((m) => m.start <= now);
      if (live.length === 0) continue;
      for (const ev of this.attendanceLog.observe(c.site, c, live, now)) this.o.log.info(ev, 'attendance');
    }
  }

  // ---------------------------------------------------------------- alerts (the conditions)

  private reconcileAlerts(findings: Finding[], now: number) {
    const seen = new Set<string>();
    for (const f of findings) {
      if (f.kind === 'attendance') continue;
      seen.add(f.fp);
      let rec = this.alertByFp.get(f.fp);
      const site = this.inv.sites.get(f.site)!;
      if (!rec) {
        const id = `${f.rule.id}-${now.toString(36)}-${(this.counter++).toString(36)}`;
        rec = {
          fp: f.fp,
          restored: null,
          alert: {
            id,
            rule: f.rule.id,
            severity: f.severity,
            state: 'firing',
            cause: null,
            site: f.site,
            sites: [f.site],
            district: site.district,
            title: `${f.rule.title} — ${site.name}`,
            title_en: `${f.rule.title_en} — ${site.name}`,
            reasoning: '',
            evidence: f.evidence,
            owner_org: null,
            owner_person: null,
            started_at: f.since,
            resolved_at: null,
            acknowledged_by: null,
            ack_comment: null,
            suppressed_by: null,
            meeting: null,
            notified: [],
            escalation_level: 0,
            flapping: f.cond.flapping,
            episode: null,
          },
        };
        this.alerts.set(id, rec);
        this.alertByFp.set(f.fp, rec);
        this.alertChanged(rec);
        this.alertHistory(rec.alert.id, now, 'created', f.kind);
      }
      rec.restored = null;
      const a = rec.alert;
      a.severity = f.severity;
      a.evidence = f.evidence;
      a.flapping = f.cond.flapping;
      a.started_at = Math.min(a.started_at, f.since);
      if (f.kind === 'off') {
        a.suppressed_by = `off:${f.site}`;
        a.reasoning = 'Codec tắt ngoài giờ họp (Điều 5.6), điểm cầu vẫn trả lời: không phải sự cố';
      } else if (f.kind === 'awaiting') {
        a.suppressed_by = `awaiting-probe:${f.site}`;
        a.reasoning = 'Chờ lượt thăm dò tiếp theo: điểm cầu có thể đang mất kết nối';
      } else if (a.suppressed_by?.startsWith('off:') || a.suppressed_by?.startsWith('awaiting-probe:'))
        a.suppressed_by = null;
    }
    for (const rec of [...this.alertByFp.values()]) {
      if (seen.has(rec.fp)) continue;
      if (rec.restored !== null && now - rec.restored < this.o.restoreGraceMs) continue;
      rec.alert.state = 'resolved';
      rec.alert.resolved_at = now;
      this.alertByFp.delete(rec.fp);
      this.alertChanged(rec);
      this.alertHistory(rec.alert.id, now, 'resolved', '');
    }
    this.prune();
  }

  /** Alerts show their episode's cause, owner and state; a child is suppressed by its root. */
  private syncAlerts(now: number) {
    const epOf = new Map<string, Ep>();
    for (const ep of this.openEps()) for (const m of ep.members.values()) epOf.set(m.fp, ep);
    for (const rec of this.alertByFp.values()) {
      const before = JSON.stringify(rec.alert);
      const a = rec.alert;
      const ep = epOf.get(rec.fp);
      if (ep) {
        const m = ep.members.get(rec.fp)!;
        m.alert = a.id;
        a.episode = ep.e.id;
        a.cause = ep.e.cause;
        a.owner_org = ep.e.owner_org;
        a.owner_person = ep.e.owner_person;
        a.reasoning = `${ep.e.reasoning} / ${ep.e.reasoning_en}`;
        a.meeting = ep.e.meeting;
        a.notified = [...ep.e.notified];
        a.escalation_level = ep.e.escalation_level;
        if (m.role === 'child') {
          const root = [...ep.members.values()].find((x) => x.role === 'root');
          a.suppressed_by = root?.alert || ep.e.id;
          a.state = 'suppressed';
        } else {
          a.suppressed_by = ep.e.suppressed_by;
          a.state =
            ep.e.state === 'acknowledged'
              ? 'acknowledged'
              : ep.e.state === 'suppressed'
                ? 'suppressed'
                : 'firing';
          if (a.state === 'acknowledged') {
            a.acknowledged_by = ep.e.acknowledged_by;
            a.ack_comment = ep.e.ack_comment;
          }
        }
      } else {
        a.episode = null;
        if (a.suppressed_by?.startsWith('off:') || a.suppressed_by?.startsWith('awaiting-probe:'))
          a.state = 'suppressed';
        else if (a.state !== 'acknowledged') {
          a.state = 'firing';
          a.suppressed_by = null;
        }
      }
      if (JSON.stringify(a) !== before) this.alertChanged(rec);
    }
    void now;
  }

  // ---------------------------------------------------------------- episodes

  private *openEps(): Iterable<Ep> {
    for (const ep of this.eps.values()) if (ep.e.state !== 'resolved') yield ep;
  }

  private memberOf(fp: string): Ep | undefined {
    for (const ep of this.openEps()) if (ep.members.has(fp)) return ep;
    return undefined;
  }

  /** The rule an episode is rooted in at a site (the district rule for a district). */
  private rootRules(ep: Ep): string[] {
    return [...new Set([...ep.members.values()].filter((m) => m.role === 'root').map((m) => m.rule))];
  }

  /** An open episode that explains this finding (the same site, or the district of a district episode). */
  private explainer(f: Finding): Ep | undefined {
    const site = this.inv.sites.get(f.site);
    for (const ep of this.openEps()) {
      const covers = ep.key.startsWith('district:')
        ? site?.district === ep.e.district
        : ep.e.sites.includes(f.site);
      if (!covers) continue;
      for (const r of this.rootRules(ep)) if (this.o.rules.explains.get(r)?.has(f.rule.id)) return ep;
    }
    return undefined;
  }

  private poweredSites(): Set<string> {
    const out = new Set<string>();
    for (const ep of this.openEps()) if (ep.e.cause === 'power') for (const s of ep.e.sites) out.add(s);
    return out;
  }

  private reconcileEpisodes(findings: Finding[], now: number) {
    const faults = findings.filter((f) => f.kind === 'fault');
    const byFp = new Map(faults.map((f) => [f.fp, f]));
    const offInHours = new Map(findings.filter((f) => f.kind === 'off_in_hours').map((f) => [f.fp, f]));
    // 0. a codec switched off within operating hours: over as soon as it is not (switched on, the
    // working day ended, a meeting is near: what follows is judged afresh)
    for (const ep of [...this.openEps()]) {
      if (!ep.key.startsWith(OFF_IN_HOURS)) continue;
      if (![...ep.members.keys()].every((fp) => offInHours.has(fp))) this.resolveEp(ep, now);
    }
    // 1. which members still hold
    for (const ep of this.openEps()) {
      if (ep.key.startsWith(OFF_IN_HOURS)) continue;
      const grace = ep.restored !== null && now - ep.restored < this.o.restoreGraceMs;
      for (const m of ep.members.values()) {
        const active = m.rule === DISTRICT_RULE ? this.districtDark(ep).length > 0 : byFp.has(m.fp);
        if (!active && grace) continue;
        if (active) ep.restored = null;
        if (m.active && !active) m.cleared_at = now;
        if (!m.active && active) m.cleared_at = null;
        m.active = active;
        const f = byFp.get(m.fp);
        if (f) m.since = Math.min(m.since, f.since);
      }
    }
    // 2. district outages
    this.districtEpisodes(byFp, now);
    // 3. every fault belongs to an episode: explained by one, grouped into one, or a new one
    const order = (f: Finding) =>
      f.rule.id === this.o.rules.roles.on_battery.id
        ? 0
        : f.rule.id === this.o.rules.roles.reachability.id
          ? 1
          : 2 + (100 - (this.o.rules.explains.get(f.rule.id)?.size ?? 0));
    const place = (list: Finding[]) => {
      for (const f of [...list].sort((a, b) => order(a) - order(b) || a.since - b.since)) {
        if (this.memberOf(f.fp)) continue;
        const ep = this.explainer(f);
        if (ep) {
          this.attach(ep, f, 'child', now);
          continue;
        }
        // a condition already clearing (its value is back, `clear_for` not yet over) starts nothing:
        // this is what a recovery looks like, not a new fault
        if (!f.cond.holding) continue;
        const group = this.groupFor(f, now);
        if (group) {
          this.attach(group, f, 'root', now);
          continue;
        }
        this.open(f, now);
      }
    };
    place(faults);
    // 4. lifecycle: settle after the root clears; children still failing then get their own episode
    const detached: Finding[] = [];
    for (const ep of [...this.openEps()]) {
      const roots = [...ep.members.values()].filter((m) => m.role === 'root');
      const rootActive = roots.some((m) => m.active);
      if (!rootActive && ep.e.state !== 'settling') {
        ep.e.state = 'settling';
        ep.e.cleared_at = Math.max(...roots.map((m) => m.cleared_at ?? now));
        this.causeLog(ep, now, 'settling');
      } else if (rootActive && ep.e.state === 'settling') {
        ep.e.state = 'firing';
        ep.e.cleared_at = null;
        this.causeLog(ep, now, 'recurred');
      }
      if (ep.e.state === 'settling' && now - (ep.e.cleared_at ?? now) >= this.o.settleMs) {
        for (const m of [...ep.members.values()]) {
          if (m.role !== 'child' || !m.active) continue;
          ep.members.delete(m.fp);
          const f = byFp.get(m.fp);
          if (f) detached.push(f);
        }
        this.resolveEp(ep, now);
      }
    }
    place(detached);
    // 4b. a codec switched off within operating hours: its own minor episode, cause and owner none
    for (const f of offInHours.values()) {
      if (this.memberOf(f.fp)) continue;
      const site = this.inv.sites.get(f.site)!;
      const ep = this.create(
        {
          key: `${OFF_IN_HOURS}${f.fp}`,
          rule: f.rule.id,
          title: `Codec tắt trong giờ làm việc — ${site.name}`,
          title_en: `Codec switched off during working hours — ${site.name}`,
          district: site.district,
          sites: [f.site],
          decision: {
            cause: null,
            owner_org: null,
            owner_person: null,
            explanation: { code: 'off_in_hours' },
          },
          severity: 'minor',
          alwaysPage: false,
          evidence: f.evidence,
        },
        now,
      );
      this.attach(ep, f, 'root', now);
    }
    // 5. what follows from the members: sites, start, severity, holds
    for (const ep of this.openEps()) this.derive(ep, now);
  }

  /** Dark sites of a district episode (reachability holding), not explained by a power cut. */
  private districtDark(ep: Ep): string[] {
    const powered = this.poweredSites();
    return this.inv.inventory.sites
      .filter((s) => s.district === ep.e.district && this.topology.dark(s.id) && !powered.has(s.id))
      .map((s) => s.id);
  }

  private districtEpisodes(byFp: Map<string, Finding>, now: number) {
    const reach = this.o.rules.roles.reachability.id;
    const powered = this.poweredSites();
    const open = new Set(
      [...this.openEps()].filter((e) => e.key.startsWith('district:')).map((e) => e.e.district),
    );
    for (const d of this.inv.districts.values()) {
      if (open.has(d.id)) continue;
      const sites = this.inv.inventory.sites.filter((s) => s.district === d.id); // the hall included
      if (sites.length === 0) continue;
      const dark = sites
        .map((s) => ({ s, c: this.topology.dark(s.id) }))
        .filter((x) => x.c && !powered.has(x.s.id))
        .map((x) => ({ s: x.s, since: this.evaluator.onsetOf(x.c!) }))
        .sort((a, b) => a.since - b.since);
      const need = Math.max(
        this.o.districtOutage.minSites,
        Math.ceil(this.o.districtOutage.minFraction * sites.length),
      );
      if (dark.length < need) continue;
      // the largest cluster of onsets within the window
      let best: typeof dark = [];
      for (let i = 0; i < dark.length; i++) {
        const cluster = dark.filter(
          (x) => x.since >= dark[i]!.since && x.since - dark[i]!.since <= this.o.districtOutage.windowMs,
        );
        if (cluster.length > best.length) best = cluster;
      }
      if (best.length < need || !best.some((x) => byFp.has(`${reach}:${x.s.id}`))) continue;
      const carriers = new Map<string, number>();
      for (const x of best) carriers.set(x.s.link.carrier, (carriers.get(x.s.link.carrier) ?? 0) + 1);
      const carrier = [...carriers.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      const since = best[0]!.since;
      const within = Math.round((best.at(-1)!.since - since) / 1000);
      const hall = sites.find((s) => s.tier === 'district');
      const fp = `${DISTRICT_RULE}:${d.id}`;
      const ep = this.create(
        {
          key: `district:${d.id}`,
          rule: DISTRICT_RULE,
          title: `${this.o.rules.district.title} — ${d.type} ${d.name}`,
          title_en: `${this.o.rules.district.title_en} — ${d.name}`,
          district: d.id,
          sites: [
            ...(hall && best.some((x) => x.s.id === hall.id) ? [hall.id] : []),
            ...best.map((x) => x.s.id).filter((s) => s !== hall?.id),
          ],
          decision: {
            cause: 'link',
            owner_org: this.topology.carrierOrg(carrier),
            owner_person: null,
            explanation: {
              code: 'district_link',
              dark: best.length,
              total: sites.length,
              within_s: within,
              carrier,
            },
          },
          severity: 'critical',
          alwaysPage: true,
          evidence: {},
        },
        now,
      );
      ep.members.set(fp, {
        fp,
        alert: '',
        rule: DISTRICT_RULE,
        site: hall?.id ?? null,
        device: null,
        role: 'root',
        active: true,
        since,
        cleared_at: null,
      });
      // a commune already paged alone for its link joins the district episode (the same carrier): no
      // further message about it, the district's resolve covers it
      for (const other of [...this.openEps()]) {
        if (
          other === ep ||
          other.e.cause !== 'link' ||
          other.e.district !== d.id ||
          other.key.startsWith('district:')
        )
          continue;
        if (!this.rootRules(other).includes(reach)) continue;
        for (const m of other.members.values()) ep.members.set(m.fp, { ...m, role: 'child' });
        ep.e.notified = [...new Set([...ep.e.notified, ...other.e.notified])];
        other.members.clear();
        other.e.state = 'resolved';
        other.e.resolved_at = now;
        this.causeLog(other, now, `merged into ${ep.e.id}`);
        this.epChanged(other);
      }
      this.epChanged(ep);
    }
  }

  /** An open episode a new root joins: a power cut over sites of one Điện lực branch; runtime per meeting. */
  private groupFor(f: Finding, now: number): Ep | undefined {
    const roles = this.o.rules.roles;
    const site = this.inv.sites.get(f.site)!;
    if (f.rule.id === roles.on_battery.id)
      for (const ep of this.openEps())
        if (
          ep.key.startsWith('power:') &&
          ep.e.owner_org === site.power &&
          ep.e.state !== 'settling' &&
          now - ep.e.started_at <= POWER_GROUP_MS
        )
          return ep;
    if (f.rule.id === roles.ups_runtime.id) {
      const m = this.meetingOf([f.site], now, this.o.readinessWindowMs);
      if (m) return [...this.openEps()].find((ep) => ep.key === `runtime:${m.id}`);
    }
    return undefined;
  }

  private create(
    x: {
      key: string;
      rule: string;
      title: string;
      title_en: string;
      district: string | null;
      sites: string[];
      decision: Decision;
      severity: Severity;
      alwaysPage: boolean;
      evidence: Record<string, number | string>;
    },
    now: number,
  ): Ep {
    const id = `e-${now.toString(36)}-${(this.counter++).toString(36)}`;
    const d = x.decision;
    const ep: Ep = {
      e: {
        id,
        rule: x.rule,
        state: 'firing',
        severity: x.severity,
        cause: d.cause,
        owner_org: d.owner_org,
        owner_person: d.owner_person,
        title: x.title,
        title_en: x.title_en,
        reasoning: explain(this.inv, d.explanation, 'vi'),
        reasoning_en: explain(this.inv, d.explanation, 'en'),
        sites: x.sites,
        district: x.district,
        started_at: now,
        cleared_at: null,
        resolved_at: null,
        acknowledged_by: null,
        acknowledged_at: null,
        ack_comment: null,
        suppressed_by: null,
        meeting: null,
        flapping: false,
        relevance: 'quiet',
        members: [],
        cause_history: [
          {
            at: now,
            cause: d.cause,
            owner_org: d.owner_org,
            owner_person: d.owner_person,
            by: 'onset',
            reason: explain(this.inv, d.explanation, 'vi'),
          },
        ],
        notifications: [],
        notified: [],
        escalation_level: 0,
      },
      explanation: d.explanation,
      evidence: x.evidence,
      key: x.key,
      members: new Map(),
      alwaysPage: x.alwaysPage,
      baseSeverity: x.severity,
      paged: false,
      digestOnly: false,
      notifyAt: null,
      level: 0,
      nextEscalationAt: null,
      lastNotifiedAt: null,
      seq: 0,
      pagedSites: [],
      clearing: false,
      meetingRef: null,
      restored: null,
    };
    this.eps.set(id, ep);
    return ep;
  }

  /** A new episode rooted in this finding, its cause and owner decided now, once. */
  private open(f: Finding, now: number): Ep {
    const site = this.inv.sites.get(f.site)!;
    const roles = this.o.rules.roles;
    let decision = this.topology.decide(f, now);
    let key = `site:${f.fp}`;
    let title = `${f.rule.title} — ${site.name}`;
    let title_en = `${f.rule.title_en} — ${site.name}`;
    if (f.rule.id === roles.on_battery.id) key = `power:${site.power}:${now}`;
    // a site with no path probe found dark through its silent devices: named as a dark site is
    // (the reachability rule's title), not after the codec that first showed it
    const x = decision.explanation.code;
    if (f.rule.id === roles.codec_silent.id && (x === 'devices_dark' || x === 'power_then_dark')) {
      title = `${roles.reachability.title} — ${site.name}`;
      title_en = `${roles.reachability.title_en} — ${site.name}`;
    }
    if (f.rule.id === roles.ups_runtime.id) {
      const m = this.meetingOf([f.site], now, this.o.readinessWindowMs);
      if (m) {
        key = `runtime:${m.id}`;
        title = `${f.rule.title} «${m.title}»`;
        title_en = `${f.rule.title_en} "${m.title}"`;
        decision = {
          cause: 'equipment',
          owner_org: null,
          owner_person: null,
          explanation: { code: 'runtime', meeting: m.id, short: [] },
        };
      }
    }
    const ep = this.create(
      {
        key,
        rule: f.rule.id,
        title,
        title_en,
        district: site.district,
        sites: [f.site],
        decision,
        severity: f.severity,
        alwaysPage: f.rule.outside_meetings === 'page',
        evidence: f.evidence,
      },
      now,
    );
    this.attach(ep, f, 'root', now);
    return ep;
  }

  private attach(ep: Ep, f: Finding, role: 'root' | 'child', now: number) {
    ep.members.set(f.fp, {
      fp: f.fp,
      alert: this.alertByFp.get(f.fp)?.alert.id ?? '',
      rule: f.rule.id,
      site: f.site,
      device: f.cond.device,
      role,
      active: true,
      since: f.since,
      cleared_at: null,
    });
    if (
      !ep.e.sites.includes(f.site) &&
      (role === 'root' || !ep.key.startsWith('district:') || this.topology.dark(f.site))
    )
      ep.e.sites = [...ep.e.sites, f.site];
    if (role === 'root' && ep.e.state === 'settling') {
      ep.e.state = 'firing';
      ep.e.cleared_at = null;
    }
    void now;
    this.epChanged(ep);
  }

  /** Sites, start, title, severity and relevance, silence/maintenance, reasoning that follows the members. */
  private derive(ep: Ep, now: number) {
    const before = JSON.stringify(ep.e);
    const e = ep.e;
    const members = [...ep.members.values()];
    if (ep.key.startsWith('district:')) {
      // every site that went dark in it stays listed (the resolve names them all)
      e.sites = [...new Set([...e.sites, ...this.districtDark(ep)])];
    }
    e.started_at = Math.min(...members.map((m) => m.since), e.started_at);
    const roots = members.filter((m) => m.role === 'root');
    ep.clearing = !roots.some((m) => {
      if (!m.active) return false;
      if (m.rule === DISTRICT_RULE)
        return this.districtDark(ep).some((s) => this.topology.dark(s)?.value !== 1);
      const c = this.topology.byFingerprint(m.fp);
      if (!c) return true;
      // a windowed judgement lags by design; its newest window already says whether it improves
      if (c.win) return (c.win.levels.at(-1) ?? 0) > 0;
      return c.holding;
    });
    // base severity: the worst root condition now (a district is critical)
    let base: Severity = ep.key.startsWith('district:') ? 'critical' : ep.baseSeverity;
    for (const m of roots) {
      const rec = this.alertByFp.get(m.fp);
      if (rec && m.active && SEVERITY_RANK[rec.alert.severity] > SEVERITY_RANK[base])
        base = rec.alert.severity;
    }
    ep.baseSeverity = base;
    e.relevance = this.relevance(e.sites, now);
    ep.meetingRef = this.meetingOf(e.sites, now, this.o.readinessWindowMs);
    e.meeting = ep.meetingRef?.id ?? null;
    let sev = base;
    // UPS runtime is judged against meetings already: a meeting does not make it more urgent
    if ((e.relevance === 'meeting' || e.relevance === 'soon') && !ep.key.startsWith('runtime:'))
      sev = 'critical';
    else if (e.relevance === 'quiet' && !ep.alwaysPage && SEVERITY_RANK[sev] > SEVERITY_RANK.minor)
      sev = 'minor';
    // a page is never taken back: once paged at a level, the episode keeps it
    if (ep.paged && !ep.digestOnly && SEVERITY_RANK[e.severity] > SEVERITY_RANK[sev]) sev = e.severity;
    // switched off within operating hours: at most the NOC's digest, whatever meeting is within 24 h
    if (ep.key.startsWith(OFF_IN_HOURS)) sev = 'minor';
    e.severity = sev;
    e.flapping = roots.some(
      (m) => this.topology.byFingerprint(m.fp)?.flapping ?? this.alertByFp.get(m.fp)?.alert.flapping ?? false,
    );
    // multi-site titles and grouped explanations
    if (ep.key.startsWith('power:') && e.sites.length > 1) {
      const d = this.inv.districts.get(e.district ?? '');
      e.title = `${this.o.rules.roles.on_battery.title} — ${e.sites.length} điểm cầu${d ? `, ${d.type} ${d.name}` : ''}`;
      e.title_en = `${this.o.rules.roles.on_battery.title_en} — ${e.sites.length} sites${d ? `, ${d.name}` : ''}`;
      if (ep.explanation.code === 'on_battery') ep.explanation = { ...ep.explanation, sites: e.sites.length };
    }
    if (ep.explanation.code === 'runtime') {
      const need = (site: string) => {
        const m = this.o.meetings.forSite(site, now, this.o.readinessWindowMs)[0];
        return m ? Math.ceil((m.end - Math.max(now, m.start)) / 60_000) : 0;
      };
      ep.explanation = {
        ...ep.explanation,
        short: roots
          .filter((m) => m.active && m.site)
          .map((m) => {
            const c = this.topology.byFingerprint(m.fp);
            return { site: m.site!, runtime_min: c?.value ?? 0, needed_min: need(m.site!) };
          }),
      };
    }
    if (ep.explanation.code === 'district_link')
      ep.explanation = { ...ep.explanation, dark: Math.max(ep.explanation.dark, e.sites.length) };
    e.reasoning = explain(this.inv, ep.explanation, 'vi');
    e.reasoning_en = explain(this.inv, ep.explanation, 'en');
    const evidence: Record<string, number | string> = {};
    for (const m of roots) {
      Object.assign(evidence, this.alertByFp.get(m.fp)?.alert.evidence ?? {});
      // the other numbers of the same device (a UPS on battery: its runtime and input voltage too)
      const c = this.topology.byFingerprint(m.fp);
      if (c && !c.win)
        for (const x of this.topology.at(c.site))
          if (x.device === c.device && x.value !== null && !x.win) evidence[x.rule.metric] ??= round(x.value);
    }
    if (Object.keys(evidence).length > 0) ep.evidence = evidence;
    // silences and maintenance hold it back (still tracked, not paged)
    // held back only when every site of it is (silencing one site does not silence a branch-wide cut)
    const each = <T>(f: (site: string) => T | undefined): T | undefined => {
      const found = e.sites.map(f);
      return found.every((x) => x !== undefined) ? found[0] : undefined;
    };
    // or when a device plan holds the device of every root (the codec in maintenance, its site still watched)
    const maint =
      each((site) => this.holds.activeMaintenance([site], now)) ??
      this.holds.deviceMaintenance(
        roots.map((m) => this.topology.byFingerprint(m.fp)?.device),
        now,
      );
    const sil = maint ? undefined : each((site) => this.holds.silenceFor(e.rule, [site], now));
    e.suppressed_by = maint ? `maintenance:${maint.id}` : sil ? `silence:${sil.id}` : null;
    if (e.state === 'firing' || e.state === 'suppressed') e.state = e.suppressed_by ? 'suppressed' : 'firing';
    if (JSON.stringify(e) !== before) this.epChanged(ep);
  }

  private resolveEp(ep: Ep, now: number) {
    ep.e.state = 'resolved';
    ep.e.resolved_at = now;
    ep.e.cleared_at ??= now;
    for (const m of ep.members.values()) {
      m.active = false;
      m.cleared_at ??= now;
    }
    this.causeLog(ep, now, 'resolved');
    this.pager.resolved(ep, now);
    this.epChanged(ep);
  }

  private causeLog(ep: Ep, at: number, event: string, detail = '') {
    this.epChanged(ep);
    this.store.episodeHistory(ep.e.id, at, event, detail);
  }

  // ---------------------------------------------------------------- AlertEngine API

  list(filter: { state?: Alert['state']; site?: string } = {}): Alert[] {
    return [...this.alerts.values()]
      .map((r) => r.alert)
      .filter((a) => (filter.state ? a.state === filter.state : true))
      .filter((a) => (filter.site ? a.site === filter.site || a.sites.includes(filter.site) : true))
      .sort((a, b) => b.started_at - a.started_at)
      .map((a) => structuredClone(a));
  }

  get(id: string): Alert | undefined {
    const r = this.alerts.get(id) ?? this.store.alert(id);
    return r ? structuredClone(r.alert) : undefined;
  }

  acknowledge(id: string, by: string, comment: string): Alert {
    const rec = this.alerts.get(id);
    if (!rec) throw new Error(`alert "${id}" not found`);
    if (rec.alert.state === 'resolved') throw new Error(`alert "${id}" is already resolved`);
    const ep = rec.alert.episode ? this.eps.get(rec.alert.episode) : undefined;
    // an alert speaks for its whole episode only when the episode is about its site alone (a
    // branch-wide power cut is acknowledged as an episode, not through one site's alert)
    if (ep && ep.e.state !== 'resolved' && ep.e.sites.every((s) => s === rec.alert.site))
      this.acknowledgeEpisode(ep.e.id, by, comment);
    else {
      rec.alert.state = 'acknowledged';
      rec.alert.acknowledged_by = by;
      rec.alert.ack_comment = comment;
      this.alertChanged(rec);
      this.alertHistory(id, this.o.now(), 'acknowledged', `${by}: ${comment}`);
    }
    return structuredClone(rec.alert);
  }

  episodes(filter: { state?: Episode['state']; site?: string; all?: boolean } = {}): Episode[] {
    return [...this.eps.values()]
      .map((ep) => ep.e)
      .filter((e) => (filter.state ? e.state === filter.state : filter.all ? true : e.state !== 'resolved'))
      .filter((e) => (filter.site ? e.sites.includes(filter.site) : true))
      .sort((a, b) => b.started_at - a.started_at)
      .map((e) => this.wire(e));
  }

  episode(id: string): Episode | undefined {
    const ep = this.eps.get(id) ?? this.store.episode(id);
    return ep ? this.wire(ep.e) : undefined;
  }

  private wire(e: Episode): Episode {
    const ep = this.eps.get(e.id);
    const copy = structuredClone(e);
    if (ep) copy.members = [...ep.members.values()].map(({ fp: _, ...m }) => ({ ...m }));
    return copy;
  }

  acknowledgeEpisode(id: string, by: string, comment: string): Episode {
    const ep = this.eps.get(id);
    if (!ep) throw new Error(`episode "${id}" not found`);
    if (ep.e.state === 'resolved') throw new Error(`episode "${id}" is already resolved`);
    const now = this.o.now();
    ep.e.state = ep.e.state === 'settling' ? 'settling' : 'acknowledged';
    ep.e.acknowledged_by = by;
    ep.e.acknowledged_at = now;
    ep.e.ack_comment = comment;
    this.causeLog(ep, now, 'acknowledged');
    this.pager.acknowledged(ep, now, by, comment);
    this.syncAlerts(now);
    this.epChanged(ep);
    return this.wire(ep.e);
  }

  reassign(id: string, to: { cause: Cause }, by: string, reason: string): Episode {
    const ep = this.eps.get(id);
    if (!ep) throw new Error(`episode "${id}" not found`);
    if (ep.e.state === 'resolved') throw new Error(`episode "${id}" is already resolved`);
    const now = this.o.now();
    const site = ep.e.sites[0] ? this.inv.sites.get(ep.e.sites[0]) : undefined;
    const previous = {
      cause: ep.e.cause,
      owner_org: ep.e.owner_org,
      owner_person: ep.e.owner_person,
      reason,
    };
    ep.e.cause = to.cause;
    ep.e.owner_org =
      to.cause === 'link'
        ? site
          ? this.topology.carrierOrg(site.link.carrier)
          : null
        : to.cause === 'power'
          ? (site?.power ?? null)
          : to.cause === 'mcu'
            ? this.inv.inventory.mcu.operator
            : null;
    ep.e.owner_person = to.cause === 'equipment' ? (site?.technician ?? null) : null;
    ep.e.cause_history.push({
      at: now,
      cause: ep.e.cause,
      owner_org: ep.e.owner_org,
      owner_person: ep.e.owner_person,
      by,
      reason,
    });
    this.causeLog(ep, now, 'reassigned');
    this.pager.reassigned(ep, now, previous);
    this.syncAlerts(now);
    this.epChanged(ep);
    return this.wire(ep.e);
  }

  attendance(meeting: string): AttendanceEvent[] {
    return this.attendanceLog.list(meeting);
  }

  silences(): Silence[] {
    return this.holds.silences();
  }

  addSilence(s: Omit<Silence, 'id'>): Silence {
    const out = this.holds.addSilence(s);
    this.tick();
    return out;
  }

  endSilence(id: string, by: string): void {
    this.holds.endSilence(id, by);
    this.tick();
  }

  maintenanceWindows(): MaintenanceWindow[] {
    return this.holds.maintenanceWindows();
  }

  activeMaintenance(sites: string[], now: number): ActiveHold | undefined {
    return this.holds.activeMaintenance(sites, now);
  }

  addMaintenance(m: MaintenanceRule, by: string): MaintenanceWindow {
    const w = this.holds.addMaintenance(m, by);
    this.tick();
    return w;
  }

  endMaintenance(id: string): void {
    this.holds.endMaintenance(id);
    this.tick();
  }

  verdict(site: string): SiteVerdict | null {
    const now = this.o.now();
    const m = this.holds.activeMaintenance([site], now);
    if (m)
      return {
        state: 'maintenance',
        cause: null,
        summary: `Đang bảo trì theo kế hoạch (${m.id}) / Planned maintenance`,
        since: now,
      };
    const roles = this.o.rules.roles;
    const stateOf = (ep: Ep): SiteState => {
      // a settling episode tells only what still fails (its root is back)
      const rules =
        ep.e.state === 'settling'
          ? [...ep.members.values()]
              .filter((m) => m.active && (m.site === site || m.site === null))
              .map((m) => m.rule)
          : this.rootRules(ep);
      if (rules.includes(DISTRICT_RULE) || rules.includes(roles.reachability.id)) return 'down';
      if (rules.includes(roles.on_battery.id)) return this.topology.dark(site) ? 'down' : 'on_battery';
      if (ep.e.cause === null) return 'unknown';
      return 'degraded';
    };
    // an episode speaks for a site while something of it still fails there (a district episode keeps
    // listing the communes that came back; a settling one keeps only what still fails)
    const stillThere = (ep: Ep) => [...ep.members.values()].some((m) => m.active && m.site === site);
    const all = [...this.openEps()].filter((ep) => ep.e.sites.includes(site));
    const offInHours = all.find((ep) => ep.key.startsWith(OFF_IN_HOURS));
    const open = all.filter(
      (ep) =>
        !ep.key.startsWith(OFF_IN_HOURS) &&
        (ep.key.startsWith('district:')
          ? this.topology.dark(site) !== undefined || stillThere(ep)
          : ep.e.state !== 'settling' || stillThere(ep)),
    );
    if (open.length === 0) {
      if (offInHours)
        return {
          state: 'off',
          cause: null,
          summary:
            'Codec tắt trong giờ làm việc, không có cuộc họp (Điều 5.6) / Codec switched off during working hours, no meeting',
          since: offInHours.e.started_at,
        };
      const off = [...this.alertByFp.values()].find(
        (r) => r.alert.site === site && r.alert.suppressed_by === `off:${site}`,
      );
      if (off)
        return {
          state: 'off',
          cause: null,
          summary: 'Codec tắt máy ngoài giờ họp (Điều 5.6) / Codec switched off outside meetings',
          since: off.alert.started_at,
        };
      return null;
    }
    // everything wrong there is held by a device's maintenance plan: the site is in maintenance
    const held = open.map((ep) => ep.e.suppressed_by).filter((s) => s?.startsWith('maintenance:'));
    if (held.length === open.length)
      return {
        state: 'maintenance',
        cause: null,
        summary: `Thiết bị đang bảo trì theo kế hoạch (${held[0]!.slice('maintenance:'.length)}) / Device in planned maintenance`,
        since: Math.min(...open.map((ep) => ep.e.started_at)),
      };
    // the site's state is its most important episode, by one documented order (precedence.ts)
    const views = open.map((ep) => ({
      ep,
      id: ep.e.id,
      state: stateOf(ep),
      severity: ep.e.severity,
      root: [...ep.members.values()].some((m) => m.role === 'root' && m.active && m.site === site),
      cause: ep.e.cause,
      started_at: ep.e.started_at,
    }));
    const best = siteEpisode(views)!.ep;
    const state = stateOf(best);
    const label = {
      down: ['Mất kết nối', 'Down'],
      on_battery: ['UPS đang chạy pin', 'On battery'],
      degraded: [best.e.title.split(' — ')[0]!, best.e.title_en.split(' — ')[0]!],
      unknown: ['Không có số liệu', 'No data'],
    }[state as 'down' | 'on_battery' | 'degraded' | 'unknown'];
    const c = causeText(this.inv, best.e);
    return {
      state,
      cause: best.e.cause,
      summary: `${label[0]} — nguyên nhân: ${c.vi} / ${label[1]} — cause: ${c.en}`,
      since: best.e.started_at,
      episode: best.e.id,
    };
  }

  testNotification(personId: string, by: string): string[] {
    return this.pager.testNotification(personId, by, this.o.now());
  }

  deliveries(id: string) {
    return this.pager.deliveries(id);
  }

  /**
   * Who is paged for an episode at an escalation level now (person ids): an owning carrier's or power
   * organisation's people on duty and its technicians of the sites first, then the NOC's and the owner's contacts.
   */
  recipients(id: string, level = 0): string[] {
    const ep = this.eps.get(id);
    return ep ? this.pager.recipients(ep, level, this.o.now()) : [];
  }

  private disposed = false;

  dispose(): void {
    this.disposed = true;
    this.pager.dispose();
  }

  /** Standby (issue 21): conditions only; the alerts and episodes are what the state database says. */
  pause(): void {
    this.passive = true;
  }

  get standby(): boolean {
    return this.passive;
  }

  /**
   * Reads the alerts and episodes again from the state database (a standby's copy, replicated from the
   * active server); an open one read back is marked restored, as after a restart.
   */
  reload(): void {
    this.alerts.clear();
    this.alertByFp.clear();
    this.eps.clear();
    this.load();
    // silences, maintenance windows and plans replicated from the other server (storage/replication.ts)
    this.holds.reload();
  }

  /** The lease is ours: the state database's episodes (replicated up to now) are continued from here. */
  takeOver(): void {
    this.reload();
    this.passive = false;
    this.soon();
  }

  onChange(cb: (alert: Alert) => void): () => void {
    this.listeners.push(cb);
    return () => {
      const i = this.listeners.indexOf(cb);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  onEpisode(cb: (episode: Episode) => void): () => void {
    this.epListeners.push(cb);
    return () => {
      const i = this.epListeners.indexOf(cb);
      if (i >= 0) this.epListeners.splice(i, 1);
    };
  }

  /** History of an alert or an episode (created, settling, recurred, acknowledged, resolved, …). */
  historyOf(id: string): HistoryEntry[] {
    return this.store.history(id);
  }

  private alertHistory(id: string, at: number, event: string, detail: string) {
    this.store.alertHistory(id, at, event, detail);
  }

  // ---------------------------------------------------------------- persistence and listeners

  private view(ep: Ep): EpisodeView {
    return { e: this.wire(ep.e), explanation: ep.explanation, evidence: ep.evidence, meeting: ep.meetingRef };
  }

  private alertChanged(rec: AlertRec) {
    this.store.saveAlert(rec);
    const copy = structuredClone(rec.alert);
    for (const l of this.listeners) {
      try {
        l(copy);
      } catch (err) {
        this.o.log.error({ err }, 'alert listener failed');
      }
    }
  }

  private epChanged(ep: Ep) {
    ep.e.members = [...ep.members.values()].map(({ fp: _, ...m }) => ({ ...m }));
    this.store.saveEpisode(ep);
    const copy = structuredClone(ep.e);
    for (const l of this.epListeners) {
      try {
        l(copy);
      } catch (err) {
        this.o.log.error({ err }, 'episode listener failed');
      }
    }
  }

  private load() {
    const { alerts, episodes } = this.store.loadRecent();
    for (const rec of alerts) {
      this.alerts.set(rec.alert.id, rec);
      if (rec.alert.state !== 'resolved') this.alertByFp.set(rec.fp, rec);
    }
    for (const ep of episodes) this.eps.set(ep.e.id, ep);
    this.counter = this.eps.size + this.alerts.size;
  }

  /** Keeps memory bounded: the oldest resolved alerts and episodes leave memory (get() still reads them). */
  private prune(max = 5000) {
    for (const map of [this.alerts, this.eps] as Map<string, { alert?: Alert; e?: Episode }>[]) {
      if (map.size <= max) continue;
      const resolved = [...map.entries()]
        .filter(([, r]) => (r.alert ?? r.e)!.state === 'resolved')
        .sort(
          (a, b) => ((a[1].alert ?? a[1].e)!.resolved_at ?? 0) - ((b[1].alert ?? b[1].e)!.resolved_at ?? 0),
        );
      for (const [id] of resolved.slice(0, map.size - max)) map.delete(id);
    }
  }
}

export type { Rule };
