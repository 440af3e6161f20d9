// The incident log (Điều 8.2.d: when a connection is lost the site reports "nguyên nhân, giải pháp,
// xác định thời gian khắc phục sự cố"): which sites, during which meeting, from when to when, the
// cause class and text, the fix, and the time to restore. Created by hand, or prefilled from an alert.
import { z } from 'zod';
import type { Alert } from '../api/contract.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { StateDb } from '../storage/state-db.ts';
import { type FieldIssue, fromZod, invalid, notFound } from './errors.ts';
import { type DbMeetings, newId } from './store.ts';
import { TimeInput } from './time.ts';

export const CAUSE_CLASSES = ['link', 'power', 'equipment', 'mcu', 'other'] as const;
export type CauseClass = (typeof CAUSE_CLASSES)[number];

export const CAUSE_LABEL: Record<CauseClass, { vi: string; en: string }> = {
  link: { vi: 'Đường truyền', en: 'Link' },
  power: { vi: 'Nguồn điện', en: 'Power' },
  equipment: { vi: 'Thiết bị tại điểm cầu', en: 'Site equipment' },
  mcu: { vi: 'MCU trung tâm', en: 'Central MCU' },
  other: { vi: 'Khác', en: 'Other' },
};

const text = (max: number) => z.string().trim().max(max);

export const NewIncident = z
  .object({
    /** prefill from this alert (sites, times, cause); fields given here win */
    alert_id: z.string().max(100).optional(),
    sites: z.array(z.string().max(100)).max(2000).optional(),
    /** null: not during a meeting; absent: the meeting live at a site when it started, if any */
    meeting_id: z.string().max(100).nullable().optional(),
    started_at: TimeInput.optional(),
    restored_at: TimeInput.nullable().optional(),
    cause_class: z.enum(CAUSE_CLASSES).optional(),
    cause: text(2000).optional(),
    fix: text(2000).optional(),
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
  })
  .strict();

export interface Incident {
  id: string;
  sites: string[];
  meeting_id: string | null;
  alert_id: string | null;
  started_at: number;
  restored_at: number | null;
  /** restored_at - started_at, null while not restored */
  time_to_restore_ms: number | null;
  cause_class: CauseClass;
  cause: string;
  fix: string;
  reported_by: string;
  created_at: number;
  updated_at: number;
}

export interface IncidentFilter {
  from?: number;
  to?: number;
  site?: string;
  meeting_id?: string;
  cause_class?: CauseClass;
  open?: boolean;
  limit?: number;
  offset?: number;
}

interface Row {
  id: string;
  meeting_id: string | null;
  alert_id: string | null;
  started_at: number;
  restored_at: number | null;
  cause_class: CauseClass;
  cause: string;
  fix: string;
  reported_by: string;
  created_at: number;
  updated_at: number;
}

type Draft = {
  alert_id?: string;
  sites?: string[];
  meeting_id?: string | null;
  started_at?: number;
  restored_at?: number | null;
  cause_class?: CauseClass;
  cause?: string;
  fix?: string;
};

function restoredBeforeStart(started: number, restored: number | null): FieldIssue[] {
  return restored !== null && restored < started
    ? [{ path: 'body.restored_at', message: 'phải sau thời điểm bắt đầu / must be after started_at' }]
    : [];
}

export class IncidentLog {
  private readonly sitesStmt;

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

  /** Validates and stores; `alert` (when the caller found it) prefills what the input leaves out. */
  create(input: unknown, by: string, alert?: Alert): Incident {
    const parsed = NewIncident.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error);
    const given = stripUndefined(parsed.data);
    const d: Draft = { ...(alert ? this.draftFromAlert(alert) : {}), ...given };
    const now = this.now();
    const issues: FieldIssue[] = [];
    if (given.alert_id && !alert)
      issues.push({
        path: 'body.alert_id',
        message: `không tìm thấy cảnh báo "${given.alert_id}" / unknown alert`,
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
    if (!d.cause)
      issues.push({
        path: 'body.cause',
        message: 'cần ghi nguyên nhân (Điều 8.2.d) / the cause is required',
      });
    issues.push(...this.unknownMeeting(d.meeting_id));
    if (issues.length > 0) throw invalid(issues);
    const meeting =
      d.meeting_id !== undefined
        ? d.meeting_id
        : (sites.flatMap((s) => this.meetings.forSite(s, started, 0)).find((m) => m.start <= started)?.id ??
          null);
    const id = newId('sc');
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO incidents (id, meeting_id, alert_id, started_at, restored_at, cause_class, cause, fix,
             reported_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          meeting,
          d.alert_id ?? null,
          started,
          restored,
          d.cause_class ?? 'other',
          d.cause!,
          d.fix ?? '',
          by,
          now,
          now,
        );
      this.writeSites(id, sites);
    })();
    return this.require(id);
  }

  /** Records the restore time, the fix, a corrected cause … */
  update(id: string, input: unknown): Incident {
    const cur = this.require(id);
    const parsed = IncidentPatch.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error);
    const p = stripUndefined(parsed.data);
    const next = { ...cur, ...p };
    const issues = [
      ...this.unknownSites(p.sites ?? []),
      ...restoredBeforeStart(next.started_at, next.restored_at),
      ...this.unknownMeeting(p.meeting_id),
    ];
    if (issues.length > 0) throw invalid(issues);
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE incidents SET meeting_id = ?, started_at = ?, restored_at = ?, cause_class = ?, cause = ?, fix = ?,
             updated_at = ? WHERE id = ?`,
        )
        .run(
          next.meeting_id,
          next.started_at,
          next.restored_at,
          next.cause_class,
          next.cause,
          next.fix,
          this.now(),
          id,
        );
      if (p.sites) {
        this.db.prepare('DELETE FROM incident_sites WHERE incident_id = ?').run(id);
        this.writeSites(id, p.sites);
      }
    })();
    return this.require(id);
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

  /** Incidents overlapping [from, to) (an open one overlaps everything after its start), newest first. */
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
      started_at: r.started_at,
      restored_at: r.restored_at,
      time_to_restore_ms: r.restored_at === null ? null : r.restored_at - r.started_at,
      cause_class: r.cause_class,
      cause: r.cause,
      fix: r.fix,
      reported_by: r.reported_by,
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  }
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}
