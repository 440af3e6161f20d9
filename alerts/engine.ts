// The alert engine: conditions (evaluate.ts) → root cause from the topology → alerts with
// inhibition, silences and maintenance windows → routing to organisations → grouped, escalated,
// meeting-aware notifications written to the durable outbox.
import type { Alert, Cause, Silence, SiteState } from '../api/contract.ts';
import type { DeviceEvent, Sample } from '../core/bus.ts';
import type { Logger } from '../core/log.ts';
import { describeValue } from '../core/metrics.ts';
import type { AlertEngine, MeetingRef, MeetingSource, SiteVerdict } from '../core/ports.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { Person } from '../inventory/schema.ts';
import type { StateDb } from '../storage/state-db.ts';
import { type Condition, Evaluator, type FlapPolicy, round, SEVERITY_RANK } from './evaluate.ts';
import { causeText, render, renderDigest, time } from './messages.ts';
import type { MessageKind } from './notify/types.ts';
import type { Outbox, OutboxItem } from './outbox.ts';
import type { MaintenanceRule, RuleSet } from './rules.ts';

export interface EngineOptions {
  rules: RuleSet;
  meetings: MeetingSource;
  now: () => number;
  groupWaitMs: number;
  /** low-priority alerts outside meetings go to the NOC in one digest this often (0: at once) */
  digestIntervalMs: number;
  escalateAfterMs: number;
  escalateAfterInMeetingMs: number;
  renotifyInMeetingMs: number;
  readinessWindowMs: number;
  districtOutage: { minSites: number; minFraction: number };
  flap: FlapPolicy;
  dashboardUrl?: string;
  /** alerts restored from the database stay open this long without their condition */
  restoreGraceMs: number;
  /** resolves a person's channel secrets (phone, chat ids) */
  log: Logger;
}

export interface MaintenanceWindow extends MaintenanceRule {
  source: 'rules' | 'db';
  created_by?: string;
}

interface Rec {
  alert: Alert;
  fp: string;
  notified: string[];
  level: number;
  nextEscalationAt: number | null;
  lastNotifiedAt: number | null;
  notifyAt: number | null;
  paged: boolean;
  seq: number;
  restored: number | null;
  meetingRef: MeetingRef | null;
}

interface Desired {
  fp: string;
  rule: string;
  title: string;
  title_en: string;
  severity: Alert['severity'];
  cause: Cause | null;
  site: string | null;
  sites: string[];
  district: string | null;
  reasoning: string;
  evidence: Record<string, number | string>;
  owner_org: string | null;
  owner_person: string | null;
  suppressed_by: string | null;
  meeting: MeetingRef | null;
  since: number;
  flapping: boolean;
}

const DISTRICT_RULE = 'district-outage';
const OPEN = (a: Alert) => a.state !== 'resolved';

export class Engine implements AlertEngine {
  readonly evaluator: Evaluator;
  private readonly recs = new Map<string, Rec>(); // by alert id
  private readonly byFp = new Map<string, Rec>(); // open alerts by fingerprint
  private silenceList: (Silence & { ended_by?: string | null })[] = [];
  private maintenanceDb: MaintenanceWindow[] = [];
  private readonly listeners: ((a: Alert) => void)[] = [];
  private counter = 0;
  private readonly noc: string;

  constructor(
    private readonly inv: LoadedInventory,
    private readonly db: StateDb,
    private readonly box: Outbox | null,
    private readonly o: EngineOptions,
  ) {
    this.noc = inv.inventory.network.noc;
    this.evaluator = new Evaluator(o.rules.rules, {
      inventory: inv,
      flap: o.flap,
      liveMeeting: (site, at) => o.meetings.forSite(site, at, 0).some((m) => m.start <= at),
      meetingMinutes: (site, at) => {
        const m = o.meetings.forSite(site, at, o.readinessWindowMs)[0];
        return m ? Math.ceil((m.end - at) / 60_000) : null;
      },
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

  /** One reconcile for all the batches of a poll round that arrive together (the collector publishes per device). */
  private soon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      try {
        this.tick();
      } catch (err) {
        this.o.log.error({ err }, 'alert evaluation failed');
      }
    });
  }

  /** Advances time: rule windows, reconcile alerts, group waits, escalation, reminders. */
  tick(): void {
    const now = this.o.now();
    this.evaluator.tick(now);
    this.evaluator.dirty = false;
    this.reconcile(now);
    this.notifyDue(now);
  }

  // ---------------------------------------------------------------- root cause

  private carrierOrg(carrier: string): string | null {
    return (
      this.inv.inventory.organisations.find((o) => o.kind === 'carrier' && o.carrier === carrier)?.id ?? null
    );
  }

  private desired(now: number): Desired[] {
    const active = new Map<string, Map<string, Condition>>(); // site → rule → condition
    const holdingDark = new Map<string, Condition>();
    const holding = new Set<string>(); // `${site}|${rule}` whose condition holds, `for` elapsed or not
    const probe = new Map<string, Condition>(); // the site's reachability condition (latest probe value)
    for (const c of this.evaluator.conditions.values()) {
      if (c.rule.id === 'site-unreachable') probe.set(c.site, c);
      if (c.holding || c.active) holding.add(`${c.site}|${c.rule.id}`);
      if (c.rule.id === 'site-unreachable' && (c.holding || c.active)) holdingDark.set(c.site, c);
      if (!c.active) continue;
      let m = active.get(c.site);
      if (!m) {
        m = new Map();
        active.set(c.site, m);
      }
      const prev = m.get(c.rule.id);
      if (!prev || SEVERITY_RANK[c.severity] > SEVERITY_RANK[prev.severity]) m.set(c.rule.id, c);
    }
    const has = (site: string, rule: string) => active.get(site)?.has(rule) ?? false;
    const cond = (site: string, rule: string) => active.get(site)?.get(rule);
    const out: Desired[] = [];
    const meetingOf = (sites: string[]) => {
      for (const s of sites) {
        const m = this.o.meetings.forSite(s, now, this.o.readinessWindowMs)[0];
        if (m) return m;
      }
      return null;
    };

    // 1. Many communes of one district dark together → one district alert to its carrier (or power branch).
    const inOutage = new Map<string, string>(); // site → district alert fp
    for (const d of this.inv.districts.values()) {
      const communes = this.inv.inventory.sites.filter((s) => s.district === d.id && s.tier === 'commune');
      if (communes.length === 0) continue;
      const dark = communes.filter((s) => holdingDark.has(s.id));
      const need = Math.max(
        this.o.districtOutage.minSites,
        Math.ceil(this.o.districtOutage.minFraction * communes.length),
      );
      if (dark.length < need || !dark.some((s) => has(s.id, 'site-unreachable'))) continue;
      const hall = this.inv.inventory.sites.find(
        (s) => s.district === d.id && s.tier === 'district' && holdingDark.has(s.id),
      );
      const sites = [...(hall ? [hall] : []), ...dark];
      const onBattery = dark.filter((s) => has(s.id, 'ups-on-battery')).length;
      const power = onBattery * 2 >= dark.length;
      const carriers = new Map<string, number>();
      for (const s of dark) carriers.set(s.link.carrier, (carriers.get(s.link.carrier) ?? 0) + 1);
      const carrier = [...carriers.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      const since = Math.min(...dark.map((s) => holdingDark.get(s.id)!.since));
      const spread = Math.round((Math.max(...dark.map((s) => holdingDark.get(s.id)!.since)) - since) / 1000);
      const fp = `${DISTRICT_RULE}:${d.id}`;
      const dname = `${d.type} ${d.name}`;
      const carrierLabel = carrier === 'vnpt' ? 'VNPT' : 'Viettel';
      const meeting = meetingOf(sites.map((s) => s.id));
      out.push({
        fp,
        rule: DISTRICT_RULE,
        title: `Mất kết nối diện rộng — ${dname}`,
        title_en: `District-wide outage — ${d.name}`,
        severity: 'critical',
        cause: power ? 'power' : 'link',
        site: hall?.id ?? null,
        sites: sites.map((s) => s.id),
        district: d.id,
        reasoning: power
          ? `${dark.length}/${communes.length} điểm cầu cấp xã của ${dname} mất kết nối cùng lúc (trong ${spread} giây), ${onBattery} điểm cầu có UPS chạy pin trước đó: mất điện diện rộng của ${dname} / ${dark.length} of ${communes.length} communes of ${d.name} went dark within ${spread} s, ${onBattery} on UPS battery first: district-wide power cut`
          : `${dark.length}/${communes.length} điểm cầu cấp xã của ${dname} mất kết nối cùng lúc (trong ${spread} giây): lỗi đường truyền trục/kênh ${carrierLabel} của huyện, không phải lỗi từng xã / ${dark.length} of ${communes.length} communes of ${d.name} went dark within ${spread} s: the district's ${carrierLabel} backbone, not each commune`,
        evidence: {
          dark_communes: dark.length,
          communes: communes.length,
          within_s: spread,
          carrier: carrierLabel,
          ...(onBattery > 0 && { on_battery: onBattery }),
        },
        owner_org: power ? d.power_branch : this.carrierOrg(carrier),
        owner_person: null,
        suppressed_by: null,
        meeting,
        since,
        flapping: false,
      });
      for (const s of sites) inOutage.set(s.id, fp);
    }

    // 2. Per site: each active condition is an alert; causes reasoned from the other conditions.
    for (const [siteId, conds] of active) {
      const site = this.inv.sites.get(siteId);
      if (!site) continue;
      const meeting = meetingOf([siteId]);
      for (const c of conds.values()) {
        const r = c.rule;
        let cause: Cause | null = r.cause === 'none' ? null : r.cause;
        let reasoning = '';
        const evidence: Record<string, number | string> = { ...c.evidence };
        if (c.flapping) evidence.flapping = 'yes';
        switch (r.id) {
          case 'site-unreachable': {
            const ups = cond(siteId, 'ups-on-battery');
            if (ups) {
              cause = 'power';
              reasoning = `UPS chạy pin từ ${time(ups.since)}, sau đó điểm cầu mất kết nối lúc ${time(c.since)}: mất điện lưới, không phải lỗi đường truyền / UPS on battery since ${time(ups.since)}, then the site went dark: mains power, not the link`;
              evidence.ups_on_battery_since = time(ups.since);
            } else
              reasoning = `Điểm cầu không trả lời thăm dò (reachable = ${describeValue('reachable', c.value, 'vi')}) liên tục ${Math.round((now - c.since) / 1000)} giây, UPS không báo chạy pin: lỗi đường truyền của nhà mạng / The site stopped answering probes and its UPS did not report battery: the carrier's link`;
            break;
          }
          case 'codec-down': {
            const p = probe.get(siteId);
            const ups = cond(siteId, 'ups-on-battery');
            if (ups) {
              cause = 'power';
              reasoning = `UPS chạy pin từ ${time(ups.since)}, sau đó codec ngừng trả lời: mất điện lưới / UPS on battery since ${time(ups.since)}, then the codec stopped answering: mains power`;
            } else
              reasoning = `Điểm cầu vẫn trả lời thăm dò ICMP/RTP${p?.value != null ? ` (reachable = ${describeValue('reachable', p.value, 'vi')})` : ''} nhưng codec không trả lời SNMP: lỗi thiết bị tại điểm cầu / The site answers ICMP/RTP but its codec does not answer SNMP: equipment at the site`;
            if (p?.value != null) evidence.site_reachable = p.value;
            break;
          }
          case 'mcu-port-down': {
            const codec = [...this.evaluator.conditions.values()].find(
              (x) => x.site === siteId && x.rule.id === 'codec-down',
            );
            reasoning = `Codec của điểm cầu hoạt động bình thường${codec?.value != null ? ` (snmp_up = ${describeValue('snmp_up', codec.value, 'vi')})` : ''} nhưng cổng MCU${site.mcu_port ? ` số ${site.mcu_port}` : ''} không hoạt động: lỗi phía MCU Viettel / The codec is healthy but its MCU port is down: Viettel MCU`;
            if (codec?.value != null) evidence.codec_snmp_up = codec.value;
            if (site.mcu_port) evidence.mcu_port = site.mcu_port;
            break;
          }
          case 'ups-runtime-short': {
            const onBat = has(siteId, 'ups-on-battery');
            cause = onBat ? 'power' : 'equipment';
            const need = this.evaluator.thresholdFor(r, siteId, now);
            if (need !== null) evidence.needed_min = need;
            reasoning = onBat
              ? `UPS đang chạy pin, thời gian pin còn lại (${c.value} phút) ít hơn thời gian cần cho cuộc họp (${need} phút) / On battery with ${c.value} min left, ${need} min needed`
              : `Pin UPS chỉ đủ ${c.value} phút, ít hơn ${need} phút cần cho cuộc họp: pin cần thay / The UPS battery lasts ${c.value} min, less than the ${need} min needed: battery to replace`;
            break;
          }
          default: {
            const metricVi = r.title;
            if (r.window)
              reasoning = `${metricVi}: đa số ${Math.ceil(r.window.of / 2)}/${r.window.of} cửa sổ ${r.window.size / 1000} giây gần nhất ở mức ${c.severity} (trung bình: ${c.evidence[`${r.metric}_windows`] ?? c.value}) trên đường truyền ${site.link.carrier === 'vnpt' ? 'VNPT' : 'Viettel'} / majority of the last ${r.window.of} ${r.window.size / 1000}-s windows at ${c.severity} on the ${site.link.carrier} link`;
            else
              reasoning = `${metricVi}: ${r.metric} = ${describeValue(r.metric, c.value, 'vi')}${r.for > 0 ? ` liên tục ${Math.round(r.for / 1000)} giây` : ''} / ${r.title_en}: ${r.metric} = ${describeValue(r.metric, c.value, 'en')}`;
          }
        }
        let owner_org: string | null = null;
        let owner_person: string | null = null;
        if (cause === 'link') owner_org = this.carrierOrg(site.link.carrier);
        else if (cause === 'power') owner_org = site.power;
        else if (cause === 'equipment') owner_person = site.technician;
        else if (cause === 'mcu') owner_org = this.inv.inventory.mcu.operator;
        // inhibition: the district alert over a dark commune; rules named in inhibited_by at the same site
        let suppressed_by: string | null = null;
        if (r.id === 'site-unreachable' && inOutage.has(siteId)) suppressed_by = inOutage.get(siteId)!;
        for (const other of r.inhibited_by) {
          if (suppressed_by) break;
          // an inhibitor still inside its `for` inhibits too: the bigger cause is about to be known
          if (has(siteId, other) || holding.has(`${siteId}|${other}`)) suppressed_by = `${other}:${siteId}`;
          else if (other === 'site-unreachable' && holdingDark.has(siteId) && inOutage.has(siteId))
            suppressed_by = inOutage.get(siteId)!;
        }
        // "the site answers but X does not" needs a probe that answered after X stopped; until the
        // next probe round says so, the site may be going dark (the bigger cause is not known yet)
        if (!suppressed_by && r.inhibited_by.includes('site-unreachable') && r.device !== 'probe') {
          const p = probe.get(siteId);
          if (p && !(p.value === 1 && p.lastTime >= c.since)) suppressed_by = `awaiting-probe:${siteId}`;
        }
        const instance = c.instance ? `:${c.instance}` : '';
        out.push({
          fp: `${r.id}:${siteId}${instance}`,
          rule: r.id,
          title: `${r.title} — ${site.name}`,
          title_en: `${r.title_en} — ${site.name}`,
          severity: c.severity,
          cause,
          site: siteId,
          sites: [siteId],
          district: site.district,
          reasoning,
          evidence: Object.fromEntries(
            Object.entries(evidence).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]),
          ),
          owner_org,
          owner_person,
          suppressed_by,
          meeting,
          since: c.since,
          flapping: c.flapping,
        });
      }
    }
    // 3. Meetings make alerts critical; silences and maintenance windows suppress (still tracked).
    for (const d of out) {
      if (d.meeting) d.severity = 'critical';
      if (!d.suppressed_by) {
        const m = this.maintenanceFor(d, now);
        if (m) d.suppressed_by = `maintenance:${m.id}`;
      }
      if (!d.suppressed_by) {
        const s = this.silenceFor(d, now);
        if (s) d.suppressed_by = `silence:${s.id}`;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- alerts

  private reconcile(now: number): void {
    // inhibitors first, so that an inhibited alert can name its inhibitor's id
    const inhibitors = new Set(this.o.rules.rules.flatMap((r) => r.inhibited_by));
    const order = new Map(this.o.rules.rules.map((r, i) => [r.id, i]));
    const tierOf = (rule: string) => (rule === DISTRICT_RULE ? 0 : inhibitors.has(rule) ? 1 : 2);
    const want = this.desired(now).sort(
      (a, b) => tierOf(a.rule) - tierOf(b.rule) || (order.get(a.rule) ?? 0) - (order.get(b.rule) ?? 0),
    );
    const seen = new Set<string>();
    for (const d of want) {
      seen.add(d.fp);
      let rec = this.byFp.get(d.fp);
      const created = !rec;
      if (!rec) {
        const id = `${d.rule}-${now.toString(36)}-${(this.counter++).toString(36)}`;
        rec = {
          fp: d.fp,
          alert: {
            id,
            rule: d.rule,
            severity: d.severity,
            state: 'firing',
            cause: d.cause,
            site: d.site,
            sites: d.sites,
            district: d.district,
            title: d.title,
            title_en: d.title_en,
            reasoning: d.reasoning,
            evidence: d.evidence,
            owner_org: d.owner_org,
            owner_person: d.owner_person,
            started_at: d.since,
            resolved_at: null,
            acknowledged_by: null,
            ack_comment: null,
            suppressed_by: null,
            meeting: null,
            notified: [],
            escalation_level: 0,
            flapping: d.flapping,
          },
          notified: [],
          level: 0,
          nextEscalationAt: null,
          lastNotifiedAt: null,
          notifyAt: null,
          paged: false,
          seq: 0,
          restored: null,
          meetingRef: null,
        };
        this.recs.set(id, rec);
        this.byFp.set(d.fp, rec);
        this.history(rec, now, 'created', d.reasoning);
      }
      rec.restored = null;
      const before = JSON.stringify(rec.alert);
      const a = rec.alert;
      const wasState = a.state;
      a.severity = d.severity;
      a.cause = d.cause;
      a.site = d.site;
      a.sites = d.sites;
      a.title = d.title;
      a.title_en = d.title_en;
      a.reasoning = d.reasoning;
      a.evidence = d.evidence;
      a.owner_org = d.owner_org;
      a.owner_person = d.owner_person;
      a.suppressed_by = d.suppressed_by && (this.byFp.get(d.suppressed_by)?.alert.id ?? d.suppressed_by);
      a.meeting = d.meeting?.id ?? null;
      a.flapping = d.flapping;
      rec.meetingRef = d.meeting;
      if (a.state !== 'acknowledged') a.state = d.suppressed_by ? 'suppressed' : 'firing';
      if (wasState !== a.state) {
        this.history(rec, now, a.state, a.suppressed_by ?? '');
        if (a.state === 'suppressed') {
          rec.nextEscalationAt = null; // suppression does not use up escalation steps
          if (!rec.paged) rec.notifyAt = null;
        } else if (a.state === 'firing' && rec.paged)
          rec.nextEscalationAt = now + this.escalateAfter(rec, now);
      }
      if (created || JSON.stringify(a) !== before) this.changed(rec);
    }
    for (const rec of [...this.byFp.values()]) {
      if (seen.has(rec.fp)) continue;
      if (rec.restored !== null && now - rec.restored < this.o.restoreGraceMs) continue;
      this.resolve(rec, now);
    }
  }

  private resolve(rec: Rec, now: number) {
    rec.alert.state = 'resolved';
    rec.alert.resolved_at = now;
    rec.nextEscalationAt = null;
    rec.notifyAt = null;
    this.byFp.delete(rec.fp);
    this.history(rec, now, 'resolved', '');
    // an inhibited or silenced alert still sends its resolve to whoever was paged
    if (rec.notified.length > 0) this.send(rec, 'resolve', [rec], rec.notified, now);
    this.changed(rec);
    this.prune();
  }

  /** Keeps memory bounded: the oldest resolved alerts leave the in-memory list (get() still reads them). */
  private prune(max = 5000) {
    if (this.recs.size <= max) return;
    const resolved = [...this.recs.values()]
      .filter((r) => r.alert.state === 'resolved')
      .sort((a, b) => (a.alert.resolved_at ?? 0) - (b.alert.resolved_at ?? 0));
    for (const r of resolved.slice(0, this.recs.size - max)) this.recs.delete(r.alert.id);
  }

  private escalateAfter(rec: Rec, now: number): number {
    return rec.meetingRef && rec.meetingRef.start <= now + this.o.readinessWindowMs
      ? this.o.escalateAfterInMeetingMs
      : this.o.escalateAfterMs;
  }

  // ---------------------------------------------------------------- routing & notification

  /** Who is paged for an alert at an escalation level (person ids, NOC first). */
  recipients(a: Alert, level: number): string[] {
    const orgs = [this.noc];
    const persons: string[] = [];
    const page = SEVERITY_RANK[a.severity] >= SEVERITY_RANK.major;
    if (page) {
      if (a.owner_org && a.owner_org !== this.noc) orgs.push(a.owner_org);
      if (a.owner_person) persons.push(a.owner_person);
      // power faults also go to the site technician (watch the UPS, shut down cleanly)
      if (a.cause === 'power' && a.site && a.rule !== DISTRICT_RULE) {
        const t = this.inv.sites.get(a.site)?.technician;
        if (t) persons.push(t);
      }
    }
    const out: string[] = [];
    for (const id of orgs) {
      const o = this.inv.organisations.get(id);
      if (!o) continue;
      out.push(...o.contacts.slice(0, level + 1));
      if (level >= o.contacts.length && o.head) out.push(o.head);
    }
    out.push(...persons);
    return [...new Set(out)];
  }

  private maxLevel(a: Alert): number {
    let max = 0;
    for (const id of [this.noc, a.owner_org]) {
      const o = id ? this.inv.organisations.get(id) : undefined;
      if (o) max = Math.max(max, o.contacts.length - 1 + (o.head ? 1 : 0));
    }
    return max;
  }

  private wake: NodeJS.Timeout | null = null;

  /** Wakes the engine exactly when the next group wait ends (the periodic tick is coarser). */
  private wakeAt(at: number, now: number): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = setTimeout(
      () => {
        this.wake = null;
        this.soon();
      },
      Math.max(0, at - now),
    );
    this.wake.unref?.();
  }

  private notifyDue(now: number): void {
    const firing = [...this.byFp.values()].filter((r) => r.alert.state === 'firing');
    const low = (r: Rec) => this.digestable(r);
    for (const rec of firing) {
      if (!rec.paged) {
        if (low(rec)) {
          // outside meetings a low-priority alert waits for the NOC's digest
          this.digestAt ??= now + this.o.digestIntervalMs;
          rec.notifyAt = this.digestAt;
        } else if (rec.notifyAt === null || rec.notifyAt > now + this.o.groupWaitMs)
          rec.notifyAt = now + this.o.groupWaitMs; // (it may have been waiting for the digest)
      } else {
        // severity went up (a meeting began): page whoever the new level adds
        const add = this.recipients(rec.alert, rec.level).filter((p) => !rec.notified.includes(p));
        if (add.length > 0) {
          this.send(rec, 'alert', [rec], add, now);
          rec.notified.push(...add);
          rec.lastNotifiedAt = now;
          rec.nextEscalationAt ??= now + this.escalateAfter(rec, now); // (a digest was not escalated)
          this.syncNotified(rec);
        }
      }
    }
    // grouping: one message per rule and set of recipients (one message names the 12 communes)
    const ready = firing.filter((r) => !r.paged && r.notifyAt !== null && r.notifyAt <= now);
    const groupKey = (r: Rec) =>
      `${r.alert.rule}|${r.alert.cause}|${r.alert.severity}|${this.recipients(r.alert, 0).join(',')}`;
    const done = new Set<Rec>();
    const digest = ready.filter(low);
    if (digest.length > 0) {
      const people = this.recipients(digest[0]!.alert, 0);
      this.send(digest[0]!, 'digest', digest, people, now);
      for (const r of digest) {
        done.add(r);
        r.paged = true;
        r.notifyAt = null;
        r.notified = [...people];
        r.lastNotifiedAt = now;
        r.nextEscalationAt = null; // a digest is not escalated
        this.syncNotified(r);
      }
    }
    if (this.digestAt !== null && now >= this.digestAt) this.digestAt = null;
    for (const rec of ready) {
      if (done.has(rec)) continue;
      const key = groupKey(rec);
      const group = firing.filter((r) => !r.paged && r.notifyAt !== null && groupKey(r) === key);
      const people = this.recipients(rec.alert, 0);
      this.send(group[0]!, 'alert', group, people, now);
      for (const r of group) {
        done.add(r);
        r.paged = true;
        r.notifyAt = null;
        r.level = 0;
        r.notified = [...people];
        r.lastNotifiedAt = now;
        r.nextEscalationAt = now + this.escalateAfter(r, now);
        this.syncNotified(r);
      }
    }
    const next = Math.min(...firing.filter((r) => !r.paged && r.notifyAt !== null).map((r) => r.notifyAt!));
    if (Number.isFinite(next)) this.wakeAt(next, now);
    for (const rec of firing) {
      if (!rec.paged) continue;
      if (rec.nextEscalationAt !== null && now >= rec.nextEscalationAt) {
        const max = this.maxLevel(rec.alert);
        let add: string[] = [];
        while (rec.level < max && add.length === 0) {
          rec.level++;
          add = this.recipients(rec.alert, rec.level).filter((p) => !rec.notified.includes(p));
        }
        if (add.length > 0) {
          this.history(rec, now, 'escalated', `level ${rec.level}: ${add.join(', ')}`);
          this.send(rec, 'escalation', [rec], add, now);
          rec.notified.push(...add);
          rec.lastNotifiedAt = now;
        }
        rec.nextEscalationAt = rec.level < max ? now + this.escalateAfter(rec, now) : null;
        this.syncNotified(rec);
      }
      const m = rec.meetingRef;
      if (
        m &&
        m.start <= now &&
        rec.lastNotifiedAt !== null &&
        now - rec.lastNotifiedAt >= this.o.renotifyInMeetingMs
      ) {
        this.send(rec, 'reminder', [rec], rec.notified, now);
        rec.lastNotifiedAt = now;
        this.persist(rec);
      }
    }
  }

  private digestAt: number | null = null;

  /** Low priority outside meetings: NOC digest (when a digest interval is configured). */
  private digestable(r: Rec): boolean {
    return (
      this.o.digestIntervalMs > 0 && SEVERITY_RANK[r.alert.severity] < SEVERITY_RANK.major && !r.meetingRef
    );
  }

  private syncNotified(rec: Rec) {
    rec.alert.notified = [...rec.notified];
    rec.alert.escalation_level = rec.level;
    this.changed(rec);
  }

  private send(
    first: Rec,
    kind: MessageKind,
    group: Rec[],
    people: string[],
    now: number,
    extra: { by?: string; comment?: string } = {},
  ) {
    const msgKey = `${first.alert.id}.${kind}.${first.seq++}`;
    const rendered =
      kind === 'digest'
        ? renderDigest(
            this.inv,
            group.map((r) => r.alert),
            {
              ...(this.o.dashboardUrl && { dashboardUrl: this.o.dashboardUrl }),
            },
          )
        : render(
            this.inv,
            kind,
            group.map((r) => r.alert),
            {
              ...(this.o.dashboardUrl && { dashboardUrl: this.o.dashboardUrl }),
              meeting: first.meetingRef,
              ...(extra.by && { ackBy: extra.by }),
              ...(extra.comment !== undefined && { ackComment: extra.comment }),
            },
          );
    for (const r of group) this.history(r, now, `notify:${kind}`, `${msgKey} → ${people.join(', ')}`);
    this.persist(first);
    if (!this.box) return;
    const items: OutboxItem[] = [];
    const base = {
      alertId: first.alert.id,
      kind,
      subject: rendered.subject,
      body: rendered.text,
      short: rendered.short,
      payload: { alerts: group.map((r) => r.alert), recipients: people },
    };
    for (const pid of people) {
      const person: Person | undefined = this.inv.people.get(pid);
      if (!person) continue;
      let reached = false;
      for (const ch of ['email', 'telegram', 'zalo', 'sms'] as const) {
        const n = this.box.notifier(ch);
        const addr = n?.address(person);
        if (!n || !addr) continue;
        reached = true;
        items.push({ ...base, key: `${msgKey}/${ch}/${pid}`, channel: ch, recipient: addr, person: pid });
      }
      if (!reached)
        this.o.log.warn({ person: pid, alert: first.alert.id }, 'no configured channel reaches this person');
    }
    if (this.box.has('webhook'))
      items.push({
        ...base,
        key: `${msgKey}/webhook`,
        channel: 'webhook',
        recipient: 'webhook',
        person: null,
      });
    this.box.enqueue(items);
  }

  /** A test message to one person on every channel that reaches them (send test). Returns the outbox keys. */
  testNotification(personId: string, by: string): string[] {
    const person = this.inv.people.get(personId);
    if (!person) throw new Error(`unknown person "${personId}"`);
    if (!this.box) return [];
    const at = this.o.now();
    const subject = '[THỬ KÊNH THÔNG BÁO] diemcau — kiểm tra kênh nhận cảnh báo';
    const text = `${subject}\nNgười nhận: ${person.name}\nYêu cầu bởi: ${by}, lúc ${time(at)}\nNếu nhận được tin này, kênh thông báo của bạn đang hoạt động.\n\n— English —\n[CHANNEL TEST] diemcau: if you read this, your alert channel works.\n`;
    const keys: string[] = [];
    const items: OutboxItem[] = [];
    for (const ch of ['email', 'telegram', 'zalo', 'sms'] as const) {
      const n = this.box.notifier(ch);
      const addr = n?.address(person);
      if (!n || !addr) continue;
      const key = `test.${personId}.${at.toString(36)}.${(this.counter++).toString(36)}/${ch}`;
      keys.push(key);
      items.push({
        key,
        channel: ch,
        recipient: addr,
        person: personId,
        alertId: null,
        kind: 'test',
        subject,
        body: text,
        short: subject,
        payload: {},
      });
    }
    this.box.enqueue(items);
    return keys;
  }

  // ---------------------------------------------------------------- silences & maintenance

  private siteMatches(sites: string[], m: { site?: string; district?: string; tier?: string }): boolean {
    if (!m.site && !m.district && !m.tier) return true;
    return sites.some((id) => {
      const s = this.inv.sites.get(id);
      if (!s) return false;
      return (
        (!m.site || m.site === id) &&
        (!m.district || m.district === s.district) &&
        (!m.tier || m.tier === s.tier)
      );
    });
  }

  private silenceFor(d: Desired, now: number) {
    return this.silenceList.find(
      (s) =>
        s.starts_at <= now &&
        now < s.ends_at &&
        (!s.matchers.rule || s.matchers.rule === d.rule) &&
        this.siteMatches(d.sites, s.matchers),
    );
  }

  maintenanceWindows(): MaintenanceWindow[] {
    return [
      ...this.o.rules.maintenance.map((m) => ({ ...m, source: 'rules' as const })),
      ...this.maintenanceDb,
    ];
  }

  /** The maintenance window active at `now` that covers any of these sites (Asia/Ho_Chi_Minh, UTC+7). */
  activeMaintenance(sites: string[], now: number): MaintenanceWindow | undefined {
    return this.maintenanceWindows().find(
      (m) => this.siteMatches(sites, m.scope) && maintenanceActive(m, now),
    );
  }

  private maintenanceFor(d: Desired, now: number) {
    return this.activeMaintenance(d.sites, now);
  }

  addMaintenance(m: MaintenanceRule, by: string): MaintenanceWindow {
    const scope = m.scope.site
      ? ['site', m.scope.site]
      : m.scope.district
        ? ['district', m.scope.district]
        : m.scope.tier
          ? ['tier', m.scope.tier]
          : ['all', ''];
    this.db
      .prepare(
        `INSERT INTO maintenance_windows (id, scope_kind, scope_value, weekdays, start_local, duration_min, comment, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        m.id,
        scope[0],
        scope[1],
        m.weekdays.join(','),
        m.start,
        Math.round(m.duration / 60_000),
        m.comment,
        by,
        this.o.now(),
      );
    const w: MaintenanceWindow = { ...m, source: 'db', created_by: by };
    this.maintenanceDb.push(w);
    this.tick();
    return w;
  }

  endMaintenance(id: string): void {
    this.db.prepare('DELETE FROM maintenance_windows WHERE id = ?').run(id);
    this.maintenanceDb = this.maintenanceDb.filter((m) => m.id !== id);
    this.tick();
  }

  // ---------------------------------------------------------------- AlertEngine API

  list(filter: { state?: Alert['state']; site?: string } = {}): Alert[] {
    return [...this.recs.values()]
      .map((r) => r.alert)
      .filter((a) => (filter.state ? a.state === filter.state : true))
      .filter((a) => (filter.site ? a.site === filter.site || a.sites.includes(filter.site) : true))
      .sort((a, b) => b.started_at - a.started_at)
      .map((a) => structuredClone(a));
  }

  get(id: string): Alert | undefined {
    const r = this.recs.get(id) ?? this.loadOne(id);
    return r ? structuredClone(r.alert) : undefined;
  }

  acknowledge(id: string, by: string, comment: string): Alert {
    const rec = this.recs.get(id);
    if (!rec) throw new Error(`alert "${id}" not found`);
    if (rec.alert.state === 'resolved') throw new Error(`alert "${id}" is already resolved`);
    const now = this.o.now();
    rec.alert.state = 'acknowledged';
    rec.alert.acknowledged_by = by;
    rec.alert.ack_comment = comment;
    rec.nextEscalationAt = null;
    rec.notifyAt = null;
    this.history(rec, now, 'acknowledged', `${by}: ${comment}`);
    if (rec.notified.length > 0) this.send(rec, 'ack', [rec], rec.notified, now, { by, comment });
    this.changed(rec);
    return structuredClone(rec.alert);
  }

  silences(): Silence[] {
    const now = this.o.now();
    return this.silenceList.filter((s) => s.ends_at > now).map(({ ended_by: _, ...s }) => structuredClone(s));
  }

  addSilence(s: Omit<Silence, 'id'>): Silence {
    if (!(s.ends_at > s.starts_at)) throw new Error('a silence must end after it starts');
    for (const [k, v] of Object.entries(s.matchers)) {
      if (k === 'site' && v && !this.inv.sites.has(v)) throw new Error(`unknown site "${v}"`);
      if (k === 'district' && v && !this.inv.districts.has(v)) throw new Error(`unknown district "${v}"`);
    }
    const id = `s-${this.o.now().toString(36)}-${(this.counter++).toString(36)}`;
    const silence: Silence = { ...s, id };
    this.db
      .prepare(
        'INSERT INTO silences (id, matchers, starts_at, ends_at, comment, created_by) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, JSON.stringify(s.matchers), s.starts_at, s.ends_at, s.comment, s.created_by);
    this.silenceList.push(silence);
    this.tick();
    return structuredClone(silence);
  }

  endSilence(id: string, by: string): void {
    const s = this.silenceList.find((x) => x.id === id);
    if (!s) throw new Error(`silence "${id}" not found`);
    const now = this.o.now();
    s.ends_at = Math.min(s.ends_at, now);
    s.ended_by = by;
    this.db.prepare('UPDATE silences SET ends_at = ?, ended_by = ? WHERE id = ?').run(s.ends_at, by, id);
    this.tick();
  }

  verdict(site: string): SiteVerdict | null {
    const now = this.o.now();
    const open = [...this.byFp.values()]
      .map((r) => r.alert)
      .filter((a) => OPEN(a) && (a.site === site || a.sites.includes(site)));
    const m = this.activeMaintenance([site], now);
    if (m)
      return {
        state: 'maintenance',
        cause: null,
        summary: `Đang bảo trì theo kế hoạch (${m.id}) / Planned maintenance`,
        since: now,
      };
    if (open.length === 0) return null;
    const stateOf = (a: Alert): SiteState =>
      a.rule === 'site-unreachable' || a.rule === DISTRICT_RULE
        ? 'down'
        : a.rule === 'ups-on-battery'
          ? 'on_battery'
          : a.rule === 'site-no-data'
            ? 'unknown'
            : 'degraded';
    const order: SiteState[] = ['down', 'on_battery', 'degraded', 'unknown'];
    // a district alert explains a dark commune better than its own (suppressed) alert
    const best = open.sort(
      (a, b) =>
        order.indexOf(stateOf(a)) - order.indexOf(stateOf(b)) ||
        (a.rule === DISTRICT_RULE ? -1 : b.rule === DISTRICT_RULE ? 1 : 0) ||
        SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity],
    )[0]!;
    const state = stateOf(best);
    const label = {
      down: ['Mất kết nối', 'Down'],
      on_battery: ['UPS đang chạy pin', 'On battery'],
      degraded: [best.title.split(' — ')[0], (best.title_en ?? best.rule).split(' — ')[0]],
      unknown: ['Không có số liệu', 'No data'],
      ok: ['', ''],
      maintenance: ['', ''],
      off: ['', ''],
    }[state];
    const c = causeText(this.inv, best);
    return {
      state,
      cause: best.cause,
      summary: `${label[0]} — nguyên nhân: ${c.vi} / ${label[1]} — cause: ${c.en}`,
      since: best.started_at,
    };
  }

  // Episodes: being built (issue 12); until then the engine has none.
  episodes(): import('../api/contract.ts').Episode[] {
    return [];
  }
  episode(): undefined {
    return undefined;
  }
  acknowledgeEpisode(id: string): never {
    throw new Error(`episode "${id}" not found`);
  }
  reassign(id: string): never {
    throw new Error(`episode "${id}" not found`);
  }
  attendance(): import('../api/contract.ts').AttendanceEvent[] {
    return [];
  }
  onEpisode(): () => void {
    return () => {};
  }

  /** Stops the engine's own timers (the service stops the rest). */
  dispose(): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = null;
  }

  onChange(cb: (alert: Alert) => void): () => void {
    this.listeners.push(cb);
    return () => {
      const i = this.listeners.indexOf(cb);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Delivery history of an alert's notifications (outbox rows with their attempts). */
  deliveries(alertId: string) {
    if (!this.box) return [];
    return this.box.rows({ alertId }).map((r) => ({ ...r, attempts_log: this.box!.attempts(r.id) }));
  }

  history(rec: Rec | string, at: number, event: string, detail: string): void {
    const id = typeof rec === 'string' ? rec : rec.alert.id;
    if (typeof rec !== 'string') this.persist(rec);
    this.db
      .prepare('INSERT INTO alert_history (alert_id, at, event, detail) VALUES (?, ?, ?, ?)')
      .run(id, at, event, detail);
  }

  historyOf(id: string): { at: number; event: string; detail: string }[] {
    return this.db
      .prepare('SELECT at, event, detail FROM alert_history WHERE alert_id = ? ORDER BY id')
      .all(id) as {
      at: number;
      event: string;
      detail: string;
    }[];
  }

  // ---------------------------------------------------------------- persistence

  private changed(rec: Rec) {
    this.persist(rec);
    const copy = structuredClone(rec.alert);
    for (const l of this.listeners) {
      try {
        l(copy);
      } catch (err) {
        this.o.log.error({ err }, 'alert listener failed');
      }
    }
  }

  private persist(rec: Rec) {
    const a = rec.alert;
    const priv = {
      fp: rec.fp,
      notified: rec.notified,
      level: rec.level,
      paged: rec.paged,
      seq: rec.seq,
      nextEscalationAt: rec.nextEscalationAt,
      lastNotifiedAt: rec.lastNotifiedAt,
    };
    this.db
      .prepare(
        `INSERT INTO alerts (id, fingerprint, state, started_at, resolved_at, updated_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, resolved_at = excluded.resolved_at,
           updated_at = excluded.updated_at, body = excluded.body`,
      )
      .run(
        a.id,
        rec.fp,
        a.state,
        a.started_at,
        a.resolved_at,
        this.o.now(),
        JSON.stringify({ alert: a, priv }),
      );
  }

  private fromRow(row: { body: string }): Rec {
    const { alert, priv } = JSON.parse(row.body) as {
      alert: Alert;
      priv: {
        fp: string;
        notified: string[];
        level: number;
        paged: boolean;
        seq: number;
        nextEscalationAt: number | null;
        lastNotifiedAt: number | null;
      };
    };
    return {
      alert,
      fp: priv.fp,
      notified: priv.notified,
      level: priv.level,
      paged: priv.paged,
      seq: priv.seq,
      nextEscalationAt: priv.nextEscalationAt,
      lastNotifiedAt: priv.lastNotifiedAt,
      notifyAt: null,
      restored: this.o.now(),
      meetingRef: null,
    };
  }

  private loadOne(id: string): Rec | undefined {
    const row = this.db.prepare('SELECT body FROM alerts WHERE id = ?').get(id) as
      | { body: string }
      | undefined;
    return row ? this.fromRow(row) : undefined;
  }

  private load() {
    const rows = this.db.prepare(`SELECT body FROM alerts WHERE state <> 'resolved'`).all() as {
      body: string;
    }[];
    for (const row of rows) {
      const rec = this.fromRow(row);
      this.recs.set(rec.alert.id, rec);
      this.byFp.set(rec.fp, rec);
    }
    // recent resolved ones, for the list
    const recent = this.db
      .prepare(`SELECT body FROM alerts WHERE state = 'resolved' ORDER BY started_at DESC LIMIT 500`)
      .all() as { body: string }[];
    for (const row of recent) {
      const rec = this.fromRow(row);
      if (!this.recs.has(rec.alert.id)) this.recs.set(rec.alert.id, rec);
    }
    const sil = this.db.prepare('SELECT * FROM silences WHERE ends_at > ?').all(this.o.now()) as {
      id: string;
      matchers: string;
      starts_at: number;
      ends_at: number;
      comment: string;
      created_by: string;
    }[];
    this.silenceList = sil.map((s) => ({ ...s, matchers: JSON.parse(s.matchers) }));
    const mw = this.db.prepare('SELECT * FROM maintenance_windows').all() as {
      id: string;
      scope_kind: string;
      scope_value: string;
      weekdays: string;
      start_local: string;
      duration_min: number;
      comment: string;
      created_by: string;
    }[];
    this.maintenanceDb = mw.map((m) => ({
      id: m.id,
      scope: m.scope_kind === 'all' ? {} : { [m.scope_kind]: m.scope_value },
      weekdays: m.weekdays ? m.weekdays.split(',').map(Number) : [],
      start: m.start_local,
      duration: m.duration_min * 60_000,
      comment: m.comment,
      source: 'db' as const,
      created_by: m.created_by,
    }));
  }
}

const VN_OFFSET = 7 * 3600_000;

export function maintenanceActive(m: MaintenanceRule, t: number): boolean {
  const local = t + VN_OFFSET;
  const dayStart = Math.floor(local / 86_400_000) * 86_400_000;
  const [hh, mm] = m.start.split(':').map(Number) as [number, number];
  for (const back of [0, 1, 2, 3, 4, 5, 6, 7]) {
    const day = dayStart - back * 86_400_000;
    const weekday = ((new Date(day).getUTCDay() + 6) % 7) + 1; // ISO: Monday = 1
    if (m.weekdays.length > 0 && !m.weekdays.includes(weekday)) continue;
    const start = day + (hh * 60 + mm) * 60_000;
    if (local >= start && local < start + m.duration) return true;
  }
  return false;
}
