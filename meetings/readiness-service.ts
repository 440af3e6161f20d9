// Joint readiness test runs (Điều 7.1.b, issue 16). After each scheduled run (T-12h, T-1h) of
// meetings/readiness.ts: every participating site's technician is asked to confirm "Đã kiểm tra" with a
// signed link (meetings/confirm.ts) carrying the automatic result, and the carriers and Điện lực
// branches of the sites are told the test run is on — one message per organisation per run, their
// sites only. A site whose one-hour run nobody confirmed by T-30 min is escalated to the NOC, once per
// meeting. The per-site view combines the parts (link, power/UPS, codec) with who confirmed and when.
// Everything goes through the durable outbox with idempotent keys; the clock is injected.
import { dirname } from 'node:path';
import type { Outbox } from '../alerts/outbox.ts';
import { siteOwner } from '../alerts/topology.ts';
import { type Config, parseDuration } from '../config/config.ts';
import type { Logger } from '../core/log.ts';
import { isActive, type Runtime, type Service } from '../core/runtime.ts';
import { type LoadedInventory, readSecret } from '../inventory/load.ts';
import type { SecretRef } from '../inventory/schema.ts';
import type { StateDb } from '../storage/state-db.ts';
import { audience } from './audience.ts';
import {
  type ConfirmClaim,
  type ConfirmSlot,
  type LinkRefusal,
  linkSecret,
  signClaim,
  verifyToken,
} from './confirm.ts';
import { MeetingsError } from './errors.ts';
import {
  type ConfirmRequestSite,
  confirmRequestMessage,
  enqueueForPeople,
  escalationMessage,
  testRunNotice,
  type Unconfirmed,
} from './notify.ts';
import { type Part, partsOf, type ReadinessRun, type SiteReadiness } from './readiness.ts';
import type { DbMeetings, Meeting } from './store.ts';

const HOUR = 3600_000;

/** A technician's "Đã kiểm tra" for one site and one test run. */
export interface Confirmation {
  meeting_id: string;
  site: string;
  slot: ConfirmSlot;
  /** the inventory person (the technician the link went to), when known */
  person: string | null;
  /** the dashboard account, or null for a signed link */
  user_name: string | null;
  via: 'link' | 'dashboard';
  confirmed_at: number;
}

/** One site of a meeting as the joint test run sees it: each part, and who confirmed. */
export interface SiteCheck {
  site: string;
  /** the newest run's parts (null: no run yet); `confirmation`: the current test run's */
  parts: Record<Part, boolean | null> & { confirmation: boolean };
  /** every part passed and the technician confirmed */
  ready: boolean;
  reasons: SiteReadiness['reasons'];
  run: { id: number; slot: string; at: number } | null;
  /** the test run whose confirmation counts now */
  slot: ConfirmSlot;
  confirmation: Confirmation | null;
  technician: string | null;
}

/** The test run a confirmation made at `now` belongs to: the one-hour run from T-1h, else the half-day one. */
export function slotAt(m: Pick<Meeting, 'start'>, now: number): ConfirmSlot {
  return now >= m.start - HOUR ? 'T-1h' : 'T-12h';
}

/** When a test run's link stops working: the half-day one when the one-hour run starts, that one at the start. */
export function slotExpiry(m: Pick<Meeting, 'start'>, slot: ConfirmSlot): number {
  return slot === 'T-12h' ? m.start - HOUR : m.start;
}

export interface JointDeps {
  meetings: DbMeetings;
  outbox: Outbox;
  /** the HMAC key of the links (meetings/confirm.ts linkSecret) */
  secret: Buffer;
  /** where people open links: alerts.dashboard_url, else http.public_url */
  baseUrl: string;
  now?: () => number;
  /** escalate sites not confirmed this long before the start (default 30 min) */
  escalateBeforeMs?: number;
  /** a person's phone number, where the inventory has one (resolved secret) */
  phone?: (person: string) => string | undefined;
  log?: Logger;
}

/** What a link or button did: the confirmation, or why it was refused (status for the HTTP answer). */
export type ConfirmOutcome =
  | { ok: true; confirmation: Confirmation; meeting: Meeting; already: boolean }
  | {
      ok: false;
      status: 400 | 403 | 404 | 409 | 410;
      reason: LinkRefusal | 'unknown_meeting' | 'not_in_meeting' | 'cancelled';
    };

interface ConfirmRow extends Omit<Confirmation, 'slot'> {
  slot: string;
}

export class JointReadiness {
  readonly now: () => number;
  private readonly escalateBeforeMs: number;

  constructor(
    private readonly db: StateDb,
    private readonly inv: LoadedInventory,
    private readonly deps: JointDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.escalateBeforeMs = deps.escalateBeforeMs ?? 30 * 60_000;
  }

  /** The technician of a site: the person its equipment faults go to (alerts/topology.ts). */
  technician(site: string): string | null {
    const s = this.inv.sites.get(site);
    const p = s ? siteOwner(this.inv, s, 'equipment').owner_person : null;
    return p && this.inv.people.has(p) ? p : null;
  }

  /** The signed "Đã kiểm tra" link of one site, test run and person. */
  link(m: Meeting, site: string, slot: ConfirmSlot, person: string): string {
    const token = signClaim(this.deps.secret, {
      meeting: m.id,
      site,
      slot,
      person,
      exp: slotExpiry(m, slot),
    });
    return `${this.deps.baseUrl.replace(/\/$/, '')}/kiem-tra/${token}`;
  }

  /** An `onRun` for the readiness service: after a scheduled run, ask the technicians and tell carriers and branches. */
  onRun = (run: ReadinessRun, m: Meeting): void => {
    if (run.slot === 'manual') return;
    try {
      const n = this.request(run, m, run.slot) + this.tellOrganisations(m, run.slot, run.at);
      this.deps.log?.info({ meeting: m.id, slot: run.slot, messages: n }, 'joint test run announced');
    } catch (err) {
      this.deps.log?.error({ err, meeting: m.id, slot: run.slot }, 'joint test run not announced');
    }
  };

  /** One request per technician with each of their sites' result and link; returns outbox rows added. */
  request(run: ReadinessRun, m: Meeting, slot: ConfirmSlot): number {
    const bySite = new Map(run.results.map((r) => [r.site, r]));
    const perPerson = new Map<string, ConfirmRequestSite[]>();
    for (const site of m.sites) {
      const tech = this.technician(site);
      if (!tech) continue;
      const list = perPerson.get(tech) ?? [];
      list.push({ site, result: bySite.get(site), link: this.link(m, site, slot, tech) });
      perPerson.set(tech, list);
    }
    let n = 0;
    for (const [person, sites] of perPerson) {
      const msg = confirmRequestMessage(this.inv, m, { person, slot, sites, expires: slotExpiry(m, slot) });
      n += enqueueForPeople(
        this.deps.outbox,
        this.inv,
        [person],
        `readiness-confirm/${m.id}/${slot}/${person}`,
        { ...msg, payload: { meeting: m.id, slot, sites: sites.map((s) => s.site), readiness: 'confirm' } },
        { webhook: false },
      );
    }
    return n;
  }

  /** "The test run is on" to each carrier and power organisation of the sites: one each per run. */
  tellOrganisations(m: Meeting, slot: ConfirmSlot, at: number): number {
    let n = 0;
    for (const p of audience(this.inv, m).values()) {
      if (!p.org || !(p.roles.includes('carrier') || p.roles.includes('power'))) continue;
      n += enqueueForPeople(
        this.deps.outbox,
        this.inv,
        p.people,
        `readiness-test/${m.id}/${slot}/${p.key}`,
        {
          ...testRunNotice(this.inv, m, p, slot, at),
          payload: { meeting: m.id, slot, party: p.key, sites: p.sites, readiness: 'test_on' },
        },
        { webhook: false },
      );
    }
    return n;
  }

  private record(c: Confirmation): { confirmation: Confirmation; already: boolean } {
    const info = this.db
      .prepare(
        `INSERT OR IGNORE INTO readiness_confirmations (meeting_id, site, slot, person, user_name, via, confirmed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(c.meeting_id, c.site, c.slot, c.person, c.user_name, c.via, c.confirmed_at);
    const stored = this.confirmations(c.meeting_id).find((x) => x.site === c.site && x.slot === c.slot)!;
    return { confirmation: stored, already: info.changes === 0 };
  }

  /** The meeting, when it is still to come, has this site and is not cancelled. */
  private target(
    meetingId: string,
    site: string,
  ): { ok: true; meeting: Meeting } | Extract<ConfirmOutcome, { ok: false }> {
    const m = this.deps.meetings.get(meetingId);
    if (!m) return { ok: false, status: 404, reason: 'unknown_meeting' };
    if (m.cancelled_at !== null) return { ok: false, status: 409, reason: 'cancelled' };
    if (!m.sites.includes(site)) return { ok: false, status: 409, reason: 'not_in_meeting' };
    return { ok: true, meeting: m };
  }

  /** Checks a link's token and records the confirmation it carries; nothing is recorded when refused. */
  confirmLink(token: string): ConfirmOutcome & { claim?: ConfirmClaim } {
    const v = verifyToken(this.deps.secret, token, this.now());
    if (!v.ok)
      return {
        ok: false,
        status: v.reason === 'expired' ? 410 : v.reason === 'malformed' ? 400 : 403,
        reason: v.reason,
      };
    const t = this.target(v.claim.meeting, v.claim.site);
    if (!t.ok) return { ...t, claim: v.claim };
    const r = this.record({
      meeting_id: t.meeting.id,
      site: v.claim.site,
      slot: v.claim.slot,
      person: v.claim.person,
      user_name: null,
      via: 'link',
      confirmed_at: this.now(),
    });
    return { ok: true, meeting: t.meeting, claim: v.claim, ...r };
  }

  /** Reads a link without recording (the page that shows what will be confirmed). */
  peek(
    token: string,
  ): { ok: true; claim: ConfirmClaim; meeting: Meeting } | Extract<ConfirmOutcome, { ok: false }> {
    const v = verifyToken(this.deps.secret, token, this.now());
    if (!v.ok)
      return {
        ok: false,
        status: v.reason === 'expired' ? 410 : v.reason === 'malformed' ? 400 : 403,
        reason: v.reason,
      };
    const t = this.target(v.claim.meeting, v.claim.site);
    return t.ok ? { ok: true, claim: v.claim, meeting: t.meeting } : t;
  }

  /** The dashboard's button: a signed-in account confirms a site for the current test run (before the start). */
  confirmBy(
    userName: string,
    meetingId: string,
    site: string,
  ): { confirmation: Confirmation; already: boolean } {
    const t = this.target(meetingId, site);
    if (!t.ok)
      throw new MeetingsError(
        t.status === 404 ? 404 : 409,
        t.status === 404 ? 'not_found' : 'conflict',
        t.reason === 'cancelled'
          ? 'Cuộc họp đã bị hủy / The meeting is cancelled'
          : t.reason === 'not_in_meeting'
            ? `Điểm cầu "${site}" không tham gia cuộc họp / Site "${site}" is not in the meeting`
            : `Không tìm thấy cuộc họp "${meetingId}" / Not found: meeting "${meetingId}"`,
      );
    const now = this.now();
    if (now >= t.meeting.start)
      throw new MeetingsError(
        409,
        'conflict',
        'Cuộc họp đã bắt đầu: không còn xác nhận vận hành thử / The meeting has started: test runs are over',
      );
    return this.record({
      meeting_id: t.meeting.id,
      site,
      slot: slotAt(t.meeting, now),
      person: this.technician(site),
      user_name: userName,
      via: 'dashboard',
      confirmed_at: now,
    });
  }

  confirmations(meetingId: string): Confirmation[] {
    return (
      this.db
        .prepare('SELECT * FROM readiness_confirmations WHERE meeting_id = ? ORDER BY site, slot')
        .all(meetingId) as ConfirmRow[]
    ).map((r) => ({ ...r, slot: r.slot as ConfirmSlot }));
  }

  /** Each site of the meeting: the newest run's parts and the current test run's confirmation. */
  siteChecks(m: Meeting, runs: readonly ReadinessRun[]): SiteCheck[] {
    const slot = slotAt(m, this.now());
    const confirmed = this.confirmations(m.id).filter((c) => c.slot === slot);
    const last = runs.at(-1) ?? null;
    return m.sites.map((site) => {
      const r = last?.results.find((x) => x.site === site);
      const parts = r ? partsOf(r) : null;
      const confirmation = confirmed.find((c) => c.site === site) ?? null;
      const p = {
        link: parts?.link ?? null,
        power: parts?.power ?? null,
        codec: parts?.codec ?? null,
        confirmation: confirmation !== null,
      };
      return {
        site,
        parts: p,
        ready: p.link === true && p.power === true && p.codec === true && p.confirmation,
        reasons: r?.reasons ?? [],
        run: last && r ? { id: last.id, slot: last.slot, at: last.at } : null,
        slot,
        confirmation,
        technician: this.technician(site),
      };
    });
  }

  /**
   * At T-30 min (escalate_before): one message to the NOC listing the sites whose one-hour test run
   * nobody confirmed, with their technicians and phones; once per meeting (even after a restart).
   * Returns the meetings escalated.
   */
  escalate(now = this.now()): string[] {
    const rows = this.db
      .prepare(
        `SELECT m.id FROM meetings m
         WHERE m.cancelled_at IS NULL AND m.status = 'confirmed' AND m.start_at > ? AND m.start_at <= ?
           AND NOT EXISTS (SELECT 1 FROM readiness_events e WHERE e.meeting_id = m.id AND e.event = 'escalated')
         ORDER BY m.start_at`,
      )
      .all(now, now + this.escalateBeforeMs) as { id: string }[];
    const out: string[] = [];
    for (const { id } of rows) {
      const m = this.deps.meetings.get(id);
      if (!m) continue;
      const done = new Set(
        this.confirmations(m.id)
          .filter((c) => c.slot === 'T-1h')
          .map((c) => c.site),
      );
      const missing: Unconfirmed[] = m.sites
        .filter((s) => !done.has(s))
        .map((site) => {
          const technician = this.technician(site);
          return { site, technician, phone: (technician && this.deps.phone?.(technician)) || null };
        });
      const noc = this.inv.organisations.get(this.inv.inventory.network.noc)?.contacts ?? [];
      const sent = this.db.transaction(() => {
        const info = this.db
          .prepare(
            `INSERT OR IGNORE INTO readiness_events (meeting_id, event, at, detail) VALUES (?, 'escalated', ?, ?)`,
          )
          .run(m.id, now, JSON.stringify({ sites: missing.map((u) => u.site) }));
        if (info.changes === 0 || missing.length === 0) return false;
        enqueueForPeople(this.deps.outbox, this.inv, noc, `readiness-escalation/${m.id}`, {
          ...escalationMessage(this.inv, m, missing),
          payload: { meeting: m.id, unconfirmed: missing.map((u) => u.site), readiness: 'escalation' },
        });
        return true;
      })();
      if (sent) {
        out.push(m.id);
        this.deps.log?.warn(
          { meeting: m.id, sites: missing.length },
          'unconfirmed test run escalated to the NOC',
        );
      }
    }
    return out;
  }
}

/**
 * The service's options from the configuration: the link secret (meetings.readiness.link_secret, else
 * one kept in the state database), the links' base (alerts.dashboard_url, as the alerts' /e/ID links,
 * else http.public_url, else the listen address), the escalation lead and the people's phones.
 */
export function jointOptions(
  config: Config,
  state: StateDb,
  inv: LoadedInventory,
  env: NodeJS.ProcessEnv,
  parts: { meetings: DbMeetings; outbox: Outbox },
): Omit<JointDeps, 'log'> {
  const r = config.meetings.readiness;
  const configured = r.link_secret ? readSecret(r.link_secret, config.baseDir, env) : undefined;
  if (r.link_secret && configured === undefined)
    throw new Error(
      'meetings.readiness.link_secret does not resolve (environment variable unset or file missing)',
    );
  const inventoryDir = dirname(inv.file);
  return {
    ...parts,
    secret: linkSecret(state, configured),
    baseUrl: config.alerts.dashboard_url ?? config.http.public_url ?? `http://${config.http.listen}`,
    escalateBeforeMs: parseDuration(r.escalate_before),
    phone: (person) => {
      const ref = inv.people.get(person)?.channels.phone;
      return ref ? readSecret(ref as SecretRef, inventoryDir, env) : undefined;
    },
  };
}

export type JointReadinessService = JointReadiness & Service;

/** The escalation check as a service, every `tickMs` (default 1 min); `onRun` is wired to the readiness service. */
export function startJointReadiness(
  rt: Runtime,
  deps: Omit<JointDeps, 'log'> & { tickMs?: number },
): JointReadinessService {
  const log = rt.log.child({ service: 'joint-readiness' });
  const j = new JointReadiness(rt.state, rt.inventory, { ...deps, log });
  const timer = setInterval(() => {
    // two servers: the active one escalates, the standby receives its rows (core/runtime.ts)
    if (!isActive(rt)) return;
    try {
      j.escalate();
    } catch (err) {
      log.error({ err }, 'readiness escalation failed');
    }
  }, deps.tickMs ?? 60_000);
  timer.unref?.();
  return Object.assign(j, {
    name: 'joint-readiness',
    async stop() {
      clearInterval(timer);
    },
  });
}
