// The incident log (Điều 8.2.d: when a connection is lost the site reports "nguyên nhân, giải pháp,
// xác định thời gian khắc phục sự cố"): which sites, during which meeting, from when to when, the
// cause class and text, the fix, and the time to restore; who is responsible for the fix and when it
// is expected back. Created by hand (prefilled from an alert or an episode), or drafted by the system
// from an episode that touched a live meeting (meetings/incident-drafts.ts) and confirmed by a person.
// Every create and edit is kept in incident_history (who, when, what changed).
import { z } from 'zod';
import type { Alert, Episode } from '../api/contract.ts';
import { log } from '../core/log.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { StateDb } from '../storage/state-db.ts';
import { type FieldIssue, fromZod, invalid, notFound } from './errors.ts';
import { type DbMeetings, newId } from './store.ts';
import { TimeInput, viDateTime } from './time.ts';

export const CAUSE_CLASSES = ['link', 'power', 'equipment', 'mcu', 'other'] as const;
export type CauseClass = (typeof CAUSE_CLASSES)[number];

export const CAUSE_LABEL: Record<CauseClass, { vi: string; en: string }> = {
  link: { vi: 'Đường truyền', en: 'Link' },
  power: { vi: 'Nguồn điện', en: 'Power' },
  equipment: { vi: 'Thiết bị tại điểm cầu', en: 'Site equipment' },
  mcu: { vi: 'MCU trung tâm', en: 'Central MCU' },
  other: { vi: 'Khác', en: 'Other' },
};

/**
 * draft: made by the system from an episode, not yet confirmed by a person; open: confirmed (or logged
 * by a person), not restored; restored: confirmed and restored_at set.
 */
export const INCIDENT_STATUSES = ['draft', 'open', 'restored'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** `reported_by` and the history's `by` for what the system drafted or filled in from an episode */
export const SYSTEM = 'system';

const text = (max: number) => z.string().trim().max(max);
const orgId = z.string().min(1).max(100);

export const NewIncident = z
  .object({
    /** prefill from this alert (sites, times, cause); fields given here win */
    alert_id: z.string().max(100).optional(),
    /** prefill from this fault episode (sites, times, cause, responsible organisation); fields given here win */
    episode_id: z.string().max(100).optional(),
    sites: z.array(z.string().max(100)).max(2000).optional(),
    /** null: not during a meeting; absent: the meeting live at a site when it started, if any */
    meeting_id: z.string().max(100).nullable().optional(),
    started_at: TimeInput.optional(),
    restored_at: TimeInput.nullable().optional(),
    cause_class: z.enum(CAUSE_CLASSES).optional(),
    cause: text(2000).optional(),
    fix: text(2000).optional(),
    /** the organisation that has to restore it (inventory organisation id) */
    responsible_org: orgId.nullable().optional(),
    estimated_restore_at: TimeInput.nullable().optional(),
  })
  .strict();

export const IncidentPatch = z
  .object({
    sites: z.array(z.string().max(100)).min(1).max(2000).optional(),
    meeting_id: z.string().max(100).nullable().optional(),
    started_at: TimeInput.optional(),
    restored_at: TimeInput.nullable().optional(),
    cause_class: z.enum(CAUSE_CLASSES).optional(),
    cause: text(2000).min(1).optional(),
    fix: text(2000).optional(),
    responsible_org: orgId.nullable().optional(),
    estimated_restore_at: TimeInput.nullable().optional(),
    /**
     * 'open' confirms a draft (the stored status is 'restored' when restored_at is set);
     * 'restored' also sets restored_at to now when it is not given. An incident never goes back to draft.
     */
    status: z
      .enum(['open', 'restored'], {
        message: 'chỉ "open" (xác nhận) hoặc "restored" (đã khắc phục) / only "open" (confirm) or "restored"',
      })
      .optional(),
  })
  .strict();

export interface Incident {
  id: string;
  sites: string[];
  meeting_id: string | null;
  alert_id: string | null;
  /** the fault episode it was drafted (or prefilled) from */
  episode_id: string | null;
  status: IncidentStatus;
  started_at: number;
  restored_at: number | null;
  /** restored_at - started_at, null while not restored */
  time_to_restore_ms: number | null;
  /** when the responsible organisation expects it restored (Điều 8.2.d "xác định thời gian khắc phục") */
  estimated_restore_at: number | null;
  cause_class: CauseClass;
  cause: string;
  fix: string;
  /** inventory organisation id: carrier, Điện lực branch, MCU operator, the site's office … */
  responsible_org: string | null;
  /** the user who logged it, or 'system' for a draft */
  reported_by: string;
  created_at: number;
  updated_at: number;
}

/** One create or edit: who, when, and each changed field as [old, new]. */
export interface IncidentChange {
  at: number;
  by: string;
  changes: Record<string, [unknown, unknown]>;
}

/** After a create or an edit (inside its transaction): the incident before (null: created) and after. */
export type IncidentListener = (e: { incident: Incident; before: Incident | null; by: string }) => void;

/** The fields a history row compares (everything a person or the system may set). */
const TRACKED = [
  'status',
  'sites',
  'meeting_id',
  'alert_id',
  'episode_id',
  'started_at',
  'restored_at',
  'estimated_restore_at',
  'cause_class',
  'cause',
  'fix',
  'responsible_org',
] as const satisfies readonly (keyof Incident)[];

export interface IncidentFilter {
  from?: number;
  to?: number;
  site?: string;
  meeting_id?: string;
  cause_class?: CauseClass;
  open?: boolean;
  /** only this status; without it, drafts nobody has confirmed are left out unless `drafts` */
  status?: IncidentStatus;
  /** with no `status`: also the system's unconfirmed drafts (the log proper is what people confirmed) */
  drafts?: boolean;
  episode_id?: string;
  limit?: number;
  offset?: number;
}

interface Row {
  id: string;
  meeting_id: string | null;
  alert_id: string | null;
  episode_id: string | null;
  status: IncidentStatus;
  started_at: number;
  restored_at: number | null;
  estimated_restore_at: number | null;
  cause_class: CauseClass;
  cause: string;
  fix: string;
  responsible_org: string | null;
  reported_by: string;
  created_at: number;
  updated_at: number;
}

export type Draft = {
  alert_id?: string;
  episode_id?: string;
  sites?: string[];
  meeting_id?: string | null;
  started_at?: number;
  restored_at?: number | null;
  estimated_restore_at?: number | null;
  cause_class?: CauseClass;
  cause?: string;
  fix?: string;
  responsible_org?: string | null;
};

/** An episode's cause as an incident's cause class (core/vocabulary CAUSES; none known: other). */
export function causeClassOf(cause: Episode['cause']): CauseClass {
  return cause && (CAUSE_CLASSES as readonly string[]).includes(cause) ? cause : 'other';
}

/** When the episode's fault ended: its root cause cleared (or it resolved); null while it lasts. */
export function episodeRestoredAt(ep: Episode): number | null {
  return ep.state === 'resolved'
    ? Math.max(ep.started_at, ep.cleared_at ?? ep.resolved_at ?? ep.started_at)
    : null;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function restoredBeforeStart(started: number, restored: number | null): FieldIssue[] {
  return restored !== null && restored < started
    ? [{ path: 'body.restored_at', message: 'phải sau thời điểm bắt đầu / must be after started_at' }]
    : [];
}

function estimateBeforeStart(started: number, eta: number | null | undefined): FieldIssue[] {
  return eta !== null && eta !== undefined && eta < started
    ? [
        {
          path: 'body.estimated_restore_at',
          message: 'phải sau thời điểm bắt đầu / must be after started_at',
        },
      ]
    : [];
}

export class IncidentLog {
  private readonly sitesStmt;
  private readonly listeners: IncidentListener[] = [];

  constructor(
    private readonly db: StateDb,
    private readonly inv: LoadedInventory,
    private readonly meetings: DbMeetings,
    private readonly now: () => number = Date.now,
  ) {
    this.sitesStmt = db
      .prepare('SELECT site FROM incident_sites WHERE incident_id = ? ORDER BY site')
      .pluck();
  }

  /** Called after every create and edit, inside its transaction (notifications go out with it, or not at all). */
  onChange(cb: IncidentListener): () => void {
    this.listeners.push(cb);
    return () => {
      const i = this.listeners.indexOf(cb);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** What an alert already says about an incident: sites, times, cause class and text, the meeting. */
  draftFromAlert(a: Alert): Draft {
    const sites = [...new Set([...(a.site ? [a.site] : []), ...a.sites])].filter((s) =>
      this.inv.sites.has(s),
    );
    const reason = a.reasoning ? `: ${a.reasoning}` : '';
    return {
      alert_id: a.id,
      sites,
      ...(a.meeting && this.meetings.get(a.meeting) && { meeting_id: a.meeting }),
      started_at: a.started_at,
      restored_at: a.resolved_at,
      cause_class: a.cause ?? 'other',
      cause: `${a.title}${a.title_en ? ` / ${a.title_en}` : ''}${reason}`,
    };
  }

  /**
   * What a fault episode says about an incident: its sites (those of `meeting` when given), its start
   * and restore, cause class, the explanation in Vietnamese, and its owner as the responsible organisation.
   */
  draftFromEpisode(ep: Episode, meeting?: { id: string; start: number; sites: readonly string[] }): Draft {
    const inMeeting = meeting ? new Set(meeting.sites) : null;
    const sites = [...new Set(ep.sites)].filter(
      (s) => this.inv.sites.has(s) && (!inMeeting || inMeeting.has(s)),
    );
    const meetingId = meeting?.id ?? (ep.meeting && this.meetings.get(ep.meeting) ? ep.meeting : undefined);
    const before =
      meeting && ep.started_at < meeting.start
        ? ` (bắt đầu từ ${viDateTime(ep.started_at)}, trước giờ họp ${viDateTime(meeting.start)})`
        : '';
    const reason = ep.reasoning && ep.reasoning !== ep.title ? `: ${ep.reasoning}` : '';
    return {
      episode_id: ep.id,
      sites,
      ...(meetingId && { meeting_id: meetingId }),
      started_at: ep.started_at,
      restored_at: episodeRestoredAt(ep),
      cause_class: causeClassOf(ep.cause),
      cause: `${ep.title}${reason}${before}`.slice(0, 2000),
      responsible_org: ep.owner_org && this.inv.organisations.has(ep.owner_org) ? ep.owner_org : null,
    };
  }

  /**
   * Validates and stores a person's incident (confirmed at once: 'open', or 'restored' with a restore
   * time); `alert` or `episode` (when the caller found it) prefills what the input leaves out.
   */
  create(input: unknown, by: string, alert?: Alert, episode?: Episode): Incident {
    const parsed = NewIncident.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error);
    const given = stripUndefined(parsed.data);
    const d: Draft = {
      ...(alert ? this.draftFromAlert(alert) : {}),
      ...(episode ? this.draftFromEpisode(episode) : {}),
      ...given,
    };
    const now = this.now();
    const issues: FieldIssue[] = [];
    if (given.alert_id && !alert)
      issues.push({
        path: 'body.alert_id',
        message: `không tìm thấy cảnh báo "${given.alert_id}" / unknown alert`,
      });
    if (given.episode_id && !episode)
      issues.push({
        path: 'body.episode_id',
        message: `không tìm thấy sự kiện lỗi "${given.episode_id}" / unknown episode`,
      });
    const sites = d.sites ?? [];
    if (sites.length === 0)
      issues.push({ path: 'body.sites', message: 'cần ít nhất một điểm cầu / at least one site' });
    issues.push(...this.unknownSites(sites));
    const started = d.started_at ?? now;
    if (started > now + 5 * 60_000)
      issues.push({ path: 'body.started_at', message: 'chưa xảy ra (ở tương lai) / is in the future' });
    const restored = d.restored_at ?? null;
    issues.push(...restoredBeforeStart(started, restored));
    issues.push(...estimateBeforeStart(started, d.estimated_restore_at));
    if (!d.cause)
      issues.push({
        path: 'body.cause',
        message: 'cần ghi nguyên nhân (Điều 8.2.d) / the cause is required',
      });
    issues.push(...this.unknownMeeting(d.meeting_id));
    issues.push(...this.unknownOrg(given.responsible_org));
    if (issues.length > 0) throw invalid(issues);
    const meeting =
      d.meeting_id !== undefined
        ? d.meeting_id
        : (sites.flatMap((s) => this.meetings.forSite(s, started, 0)).find((m) => m.start <= started)?.id ??
          null);
    return this.insert(
      {
        ...d,
        sites,
        meeting_id: meeting,
        started_at: started,
        restored_at: restored,
        status: restored === null ? 'open' : 'restored',
      },
      by,
    );
  }

  /**
   * The system's draft for an episode that touched a live meeting: one per (episode, meeting), also
   * across restarts. Returns the new draft, or null when there is one already (or none of the
   * episode's sites is in the meeting). A draft nobody has edited yet follows its episode (an earlier
   * first evidence, more sites, a re-attributed cause and owner).
   */
  recordDraft(
    ep: Episode,
    meeting: { id: string; start: number; sites: readonly string[] },
  ): Incident | null {
    const d = this.draftFromEpisode(ep, meeting);
    if (!d.sites?.length || !this.meetings.get(meeting.id)) return null;
    return this.db.transaction(() => {
      const existing = this.db
        .prepare(
          'SELECT id FROM incidents WHERE episode_id = ? AND meeting_id = ? ORDER BY created_at LIMIT 1',
        )
        .pluck()
        .get(ep.id, meeting.id) as string | undefined;
      if (existing) {
        const cur = this.require(existing);
        const touched = this.db
          .prepare('SELECT 1 FROM incident_history WHERE incident_id = ? AND by <> ?')
          .get(existing, SYSTEM);
        if (cur.status === 'draft' && cur.reported_by === SYSTEM && !touched)
          this.write(
            cur,
            {
              sites: d.sites!,
              started_at: Math.min(ep.started_at, cur.restored_at ?? ep.started_at),
              cause_class: d.cause_class!,
              cause: d.cause!,
              responsible_org: d.responsible_org ?? null,
            },
            SYSTEM,
          );
        return null;
      }
      const restored = d.restored_at ?? null;
      return this.insert(
        {
          ...d,
          sites: d.sites!,
          meeting_id: meeting.id,
          started_at: ep.started_at,
          restored_at: restored,
          status: 'draft',
        },
        SYSTEM,
      );
    })();
  }

  /**
   * The episode's fault ended: every incident of it that never had a restore time gets one (by the
   * system); one a person reopened (restored_at cleared) is left to them.
   */
  restoreFromEpisode(ep: Episode): Incident[] {
    const at = episodeRestoredAt(ep);
    if (at === null) return [];
    const ids = this.db
      .prepare(
        `SELECT i.id FROM incidents i WHERE i.episode_id = ? AND i.restored_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM incident_history h WHERE h.incident_id = i.id
                             AND json_extract(h.changes, '$.restored_at') IS NOT NULL)
         ORDER BY i.id`,
      )
      .pluck()
      .all(ep.id) as string[];
    return ids.map((id) => {
      const cur = this.require(id);
      return this.write(cur, { restored_at: Math.max(at, cur.started_at) }, SYSTEM);
    });
  }

  /** Records the restore time, the fix, a corrected cause …; `status: 'open'` confirms a draft. */
  update(id: string, input: unknown, by = 'không rõ / unknown'): Incident {
    const cur = this.require(id);
    const parsed = IncidentPatch.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error);
    const p = stripUndefined(parsed.data);
    const next = { ...cur, ...p };
    if (p.status === 'restored' && next.restored_at === null) next.restored_at = this.now();
    const issues = [
      ...this.unknownSites(p.sites ?? []),
      ...restoredBeforeStart(next.started_at, next.restored_at),
      ...(p.estimated_restore_at !== undefined || p.started_at !== undefined
        ? estimateBeforeStart(next.started_at, next.estimated_restore_at)
        : []),
      ...this.unknownMeeting(p.meeting_id),
      ...this.unknownOrg(p.responsible_org),
    ];
    if (issues.length > 0) throw invalid(issues);
    const { status: _, ...fields } = next;
    return this.write(cur, { ...fields, ...(p.status && { status: 'open' }) }, by);
  }

  /** Every create and edit of an incident, oldest first. */
  history(id: string): IncidentChange[] {
    return (
      this.db
        .prepare('SELECT at, by, changes FROM incident_history WHERE incident_id = ? ORDER BY at, id')
        .all(id) as { at: number; by: string; changes: string }[]
    ).map((r) => ({ at: r.at, by: r.by, changes: JSON.parse(r.changes) as IncidentChange['changes'] }));
  }

  /** A new incident with its first history row, inside one transaction. */
  private insert(
    d: Draft & {
      sites: string[];
      meeting_id: string | null;
      started_at: number;
      restored_at: number | null;
      status: IncidentStatus;
    },
    by: string,
  ): Incident {
    const id = newId('sc');
    const now = this.now();
    return this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO incidents (id, meeting_id, alert_id, episode_id, status, started_at, restored_at,
             estimated_restore_at, cause_class, cause, fix, responsible_org, reported_by, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          d.meeting_id,
          d.alert_id ?? null,
          d.episode_id ?? null,
          d.status,
          d.started_at,
          d.restored_at,
          d.estimated_restore_at ?? null,
          d.cause_class ?? 'other',
          d.cause!,
          d.fix ?? '',
          d.responsible_org ?? null,
          by,
          now,
          now,
        );
      this.writeSites(id, d.sites);
      const inc = this.require(id);
      const changes: IncidentChange['changes'] = {};
      for (const f of TRACKED) {
        const v = inc[f];
        if (v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)) changes[f] = [null, v];
      }
      this.logChange(id, now, by, changes);
      this.emit(inc, null, by);
      return inc;
    })();
  }

  /**
   * Applies changed fields to an incident (status follows: a draft stays one until confirmed, a confirmed
   * one is 'restored' exactly when restored_at is set), with a history row; nothing changed, nothing written.
   */
  private write(cur: Incident, fields: Partial<Incident>, by: string): Incident {
    const next: Incident = { ...cur, ...fields };
    next.status =
      fields.status === 'open' || cur.status !== 'draft'
        ? next.restored_at === null
          ? 'open'
          : 'restored'
        : 'draft';
    const changes: IncidentChange['changes'] = {};
    for (const f of TRACKED) {
      const a = f === 'sites' ? [...cur.sites].sort() : cur[f];
      const b = f === 'sites' ? [...new Set(next.sites)].sort() : next[f];
      if (!sameValue(a, b)) changes[f] = [a, b];
    }
    if (Object.keys(changes).length === 0) return cur;
    const now = this.now();
    return this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE incidents SET meeting_id = ?, started_at = ?, restored_at = ?, estimated_restore_at = ?,
             cause_class = ?, cause = ?, fix = ?, responsible_org = ?, status = ?, updated_at = ? WHERE id = ?`,
        )
        .run(
          next.meeting_id,
          next.started_at,
          next.restored_at,
          next.estimated_restore_at,
          next.cause_class,
          next.cause,
          next.fix,
          next.responsible_org,
          next.status,
          now,
          cur.id,
        );
      if (changes.sites) {
        this.db.prepare('DELETE FROM incident_sites WHERE incident_id = ?').run(cur.id);
        this.writeSites(cur.id, next.sites);
      }
      this.logChange(cur.id, now, by, changes);
      const inc = this.require(cur.id);
      this.emit(inc, cur, by);
      return inc;
    })();
  }

  private logChange(id: string, at: number, by: string, changes: IncidentChange['changes']): void {
    this.db
      .prepare('INSERT INTO incident_history (incident_id, at, by, changes) VALUES (?, ?, ?, ?)')
      .run(id, at, by, JSON.stringify(changes));
  }

  private emit(incident: Incident, before: Incident | null, by: string): void {
    for (const l of this.listeners) {
      try {
        l({ incident, before, by });
      } catch (err) {
        log.error({ err, incident: incident.id }, 'incident listener failed');
      }
    }
  }

  /** Create and update check the same references: every site in the inventory, the meeting known. */
  private unknownSites(sites: readonly string[]): FieldIssue[] {
    return sites.flatMap((s, i) =>
      this.inv.sites.has(s)
        ? []
        : [{ path: `body.sites.${i}`, message: `điểm cầu "${s}" không có trong danh mục / unknown site` }],
    );
  }

  private unknownMeeting(id: string | null | undefined): FieldIssue[] {
    return id && !this.meetings.get(id)
      ? [{ path: 'body.meeting_id', message: `không có cuộc họp "${id}" / unknown meeting` }]
      : [];
  }

  private unknownOrg(id: string | null | undefined): FieldIssue[] {
    return id && !this.inv.organisations.has(id)
      ? [
          {
            path: 'body.responsible_org',
            message: `đơn vị "${id}" không có trong danh mục / unknown organisation`,
          },
        ]
      : [];
  }

  /** Inside the caller's transaction: the incident's sites, each once. */
  private writeSites(id: string, sites: readonly string[]): void {
    const ins = this.db.prepare('INSERT INTO incident_sites (incident_id, site) VALUES (?, ?)');
    for (const s of new Set(sites)) ins.run(id, s);
  }

  get(id: string): Incident | undefined {
    const r = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as Row | undefined;
    return r ? this.toIncident(r) : undefined;
  }

  require(id: string): Incident {
    const i = this.get(id);
    if (!i) throw notFound(`sự cố "${id}"`);
    return i;
  }

  /**
   * Incidents overlapping [from, to) (an open one overlaps everything after its start), newest first;
   * the system's unconfirmed drafts only when asked for (`status: 'draft'` or `drafts: true`).
   */
  list(f: IncidentFilter = {}): { items: Incident[]; total: number } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.to !== undefined) {
      where.push('i.started_at < ?');
      args.push(f.to);
    }
    if (f.from !== undefined) {
      where.push('(i.restored_at IS NULL OR i.restored_at > ?)');
      args.push(f.from);
    }
    if (f.site) {
      where.push('EXISTS (SELECT 1 FROM incident_sites s WHERE s.incident_id = i.id AND s.site = ?)');
      args.push(f.site);
    }
    if (f.meeting_id) {
      where.push('i.meeting_id = ?');
      args.push(f.meeting_id);
    }
    if (f.cause_class) {
      where.push('i.cause_class = ?');
      args.push(f.cause_class);
    }
    if (f.open !== undefined) where.push(f.open ? 'i.restored_at IS NULL' : 'i.restored_at IS NOT NULL');
    if (f.status) {
      where.push('i.status = ?');
      args.push(f.status);
    } else if (!f.drafts) where.push("i.status <> 'draft'");
    if (f.episode_id) {
      where.push('i.episode_id = ?');
      args.push(f.episode_id);
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM incidents i ${w}`).get(...args) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT i.* FROM incidents i ${w} ORDER BY i.started_at DESC, i.id LIMIT ? OFFSET ?`)
      .all(...args, f.limit ?? -1, f.offset ?? 0) as Row[];
    return { items: rows.map((r) => this.toIncident(r)), total };
  }

  private toIncident(r: Row): Incident {
    return {
      id: r.id,
      sites: this.sitesStmt.all(r.id) as string[],
      meeting_id: r.meeting_id,
      alert_id: r.alert_id,
      episode_id: r.episode_id,
      status: r.status,
      started_at: r.started_at,
      restored_at: r.restored_at,
      time_to_restore_ms: r.restored_at === null ? null : r.restored_at - r.started_at,
      estimated_restore_at: r.estimated_restore_at,
      cause_class: r.cause_class,
      cause: r.cause,
      fix: r.fix,
      responsible_org: r.responsible_org,
      reported_by: r.reported_by,
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  }
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
