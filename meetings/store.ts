// Meetings registered by host offices (Điều 6), in the state database. Implements MeetingSource for
// the alert engine. Registration rules: at least 3 days ahead unless emergency (Điều 6.1, 6.4);
// every site known to the inventory; overlapping meetings are allowed but reported. Moving a meeting
// later is always allowed; the 3-day rule applies to a new start only when it moves earlier. Every
// registration, change and cancellation is announced to the listeners (meetings/notices.ts tells people).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { MeetingRef, MeetingSource } from '../core/ports.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { type Site, TIERS, type Tier } from '../inventory/schema.ts';
import type { StateDb } from '../storage/state-db.ts';
import { fromZod, invalid, MeetingsError, notFound } from './errors.ts';
import { DAY, TimeInput, viDateTime } from './time.ts';

/** Điều 6.1: the host office tells Sở TT&TT 03 days ahead. */
export const NOTICE_MS = 3 * DAY;
export const MAX_MEETING_MS = DAY;
/** What a reader who may not see a restricted meeting's title reads instead (Điều 14.1.g). */
export const RESTRICTED_TITLE = { vi: 'Cuộc họp (hạn chế)', en: 'Restricted meeting' } as const;

export const NewMeeting = z
  .object({
    title: z.string().trim().min(1, 'cần tên cuộc họp / a title is required').max(300),
    host_org: z.string().min(1).max(100),
    start: TimeInput,
    end: TimeInput,
    /** explicit site ids */
    sites: z.array(z.string().max(100)).max(2000).default([]),
    /** every site of these tiers */
    tiers: z.array(z.enum(TIERS)).max(3).default([]),
    /** every site of these districts (the hall and its communes) */
    districts: z.array(z.string().max(100)).max(100).default([]),
    /** đột xuất, khẩn cấp (Điều 6.1, 6.4): waives the 3-day notice */
    emergency: z.boolean().default(false),
    emergency_reason: z.string().trim().max(1000).optional(),
    note: z.string().trim().max(2000).optional(),
    /** confidential (Điều 14.1.g): only the NOC, admins and the host office read its title and note */
    restricted: z.boolean().default(false),
  })
  .strict();
export type NewMeeting = z.input<typeof NewMeeting>;

/** A change: what is given replaces; sites, tiers and districts together replace the selection. */
export const MeetingPatch = z
  .object({
    title: z.string().trim().min(1).max(300).optional(),
    start: TimeInput.optional(),
    end: TimeInput.optional(),
    sites: z.array(z.string().max(100)).max(2000).optional(),
    tiers: z.array(z.enum(TIERS)).max(3).optional(),
    districts: z.array(z.string().max(100)).max(100).optional(),
    emergency: z.boolean().optional(),
    emergency_reason: z.string().trim().max(1000).optional(),
    note: z.string().trim().max(2000).nullable().optional(),
    restricted: z.boolean().optional(),
  })
  .strict();

export interface Meeting {
  id: string;
  title: string;
  host_org: string;
  start: number;
  end: number;
  sites: string[];
  selection: { sites: string[]; tiers: Tier[]; districts: string[] };
  emergency: boolean;
  emergency_reason: string | null;
  note: string | null;
  /** confidential (Điều 14.1.g): title and note for the NOC, admins and the host office only */
  restricted: boolean;
  registered_by: string;
  registered_at: number;
  cancelled_at: number | null;
  cancelled_by: string | null;
  cancel_reason: string | null;
}

/** What happened to a meeting, for the listeners: `before` is the meeting as it was (null when new). */
export interface MeetingChange {
  kind: 'registered' | 'changed' | 'cancelled';
  meeting: Meeting;
  before: Meeting | null;
  /** bumped by every change: with the meeting id, names this version (idempotent notices) */
  revision: number;
}
export type MeetingListener = (change: MeetingChange) => void;

export interface Overlap {
  id: string;
  title: string;
  restricted: boolean;
  host_org: string;
  start: number;
  end: number;
  /** sites in both meetings (a site cannot be in two calls at once) */
  shared_sites: string[];
}

export interface Registered {
  meeting: Meeting;
  /** meetings at the same time: allowed, but the NOC must see it */
  overlaps: Overlap[];
  warnings: string[];
}

interface Row {
  id: string;
  revision: number;
  title: string;
  host_org: string;
  start_at: number;
  end_at: number;
  selection: string;
  emergency: number;
  emergency_reason: string | null;
  note: string | null;
  restricted: number;
  registered_by: string;
  registered_at: number;
  cancelled_at: number | null;
  cancelled_by: string | null;
  cancel_reason: string | null;
}

export interface MeetingFilter {
  from?: number;
  to?: number;
  host_org?: string;
  site?: string;
  include_cancelled?: boolean;
  limit?: number;
  offset?: number;
}

export function newId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** The warnings of a registration: meetings at the same time (titles as given), an emergency's waiver. */
export function registrationWarnings(m: Pick<Meeting, 'emergency'>, overlaps: Overlap[]): string[] {
  const warnings = overlaps.map(
    (o) =>
      `Trùng thời gian với cuộc họp "${o.title}" (${viDateTime(o.start)})` +
      (o.shared_sites.length ? `, chung ${o.shared_sites.length} điểm cầu` : '') +
      ` / Overlaps "${o.title}"` +
      (o.shared_sites.length ? `, ${o.shared_sites.length} sites in both` : ''),
  );
  if (m.emergency)
    warnings.push(
      'Cuộc họp khẩn cấp: được miễn thông báo trước 03 ngày (Điều 6.4) / Emergency: 3-day notice waived',
    );
  return warnings;
}

export class DbMeetings implements MeetingSource {
  private readonly forSiteStmt;
  private readonly sitesStmt;
  private readonly siteCache = new Map<string, string[]>();
  private readonly listeners: MeetingListener[] = [];

  constructor(
    private readonly db: StateDb,
    private readonly inv: LoadedInventory,
    private readonly now: () => number = Date.now,
  ) {
    this.forSiteStmt = db.prepare(
      `SELECT m.id, m.title, m.restricted, m.start_at, m.end_at, m.revision FROM meeting_sites s JOIN meetings m ON m.id = s.meeting_id
       WHERE s.site = ? AND s.end_at > ? AND s.end_at <= ? AND m.start_at <= ? AND m.cancelled_at IS NULL
       ORDER BY m.start_at`,
    );
    this.sitesStmt = db.prepare('SELECT site FROM meeting_sites WHERE meeting_id = ? ORDER BY site').pluck();
  }

  /** Registrations, changes and cancellations, after they are stored. Returns the unsubscribe. */
  onChange(cb: MeetingListener): () => void {
    this.listeners.push(cb);
    return () => {
      const i = this.listeners.indexOf(cb);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private emit(kind: MeetingChange['kind'], meeting: Meeting, before: Meeting | null): void {
    if (this.listeners.length === 0) return;
    const revision = (
      this.db.prepare('SELECT revision FROM meetings WHERE id = ?').get(meeting.id) as { revision: number }
    ).revision;
    for (const l of this.listeners) l({ kind, meeting, before, revision });
  }

  /** Organisations that may host a meeting: kind host or noc. */
  hostOrgs(): { id: string; name: string }[] {
    return [...this.inv.organisations.values()]
      .filter((o) => o.kind === 'host' || o.kind === 'noc')
      .map((o) => ({ id: o.id, name: o.name }));
  }

  /** The sites a selection names: explicit ids, whole tiers, whole districts; unknown names are issues. */
  resolveSites(sel: { sites: string[]; tiers: Tier[]; districts: string[] }): {
    sites: string[];
    issues: { path: string; message: string }[];
  } {
    const out = new Set<string>();
    const issues: { path: string; message: string }[] = [];
    sel.sites.forEach((id, i) => {
      if (this.inv.sites.has(id)) out.add(id);
      else
        issues.push({
          path: `body.sites.${i}`,
          message: `điểm cầu "${id}" không có trong danh mục / unknown site "${id}"`,
        });
    });
    sel.districts.forEach((id, i) => {
      if (!this.inv.districts.has(id))
        issues.push({
          path: `body.districts.${i}`,
          message: `huyện "${id}" không có trong danh mục / unknown district "${id}"`,
        });
    });
    const tiers = new Set(sel.tiers);
    const districts = new Set(sel.districts);
    for (const s of this.inv.sites.values()) {
      if (tiers.has(s.tier) || (districts.has(s.district) && s.tier !== 'province')) out.add(s.id);
    }
    return { sites: [...out].sort(), issues };
  }

  /**
   * Validates and stores a meeting. Throws MeetingsError (400) naming the field and the rule;
   * overlapping meetings are stored and reported in `overlaps`.
   */
  register(input: unknown, by: string): Registered {
    const parsed = NewMeeting.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error);
    const b = parsed.data;
    const now = this.now();
    const selection = { sites: b.sites, tiers: b.tiers, districts: b.districts };
    const sites = this.check(b, selection, now, true);
    const m: Meeting = {
      id: newId('hop'),
      title: b.title,
      host_org: b.host_org,
      start: b.start,
      end: b.end,
      sites,
      selection,
      emergency: b.emergency,
      emergency_reason: b.emergency_reason ?? null,
      note: b.note ?? null,
      restricted: b.restricted,
      registered_by: by,
      registered_at: now,
      cancelled_at: null,
      cancelled_by: null,
      cancel_reason: null,
    };
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO meetings (id, title, host_org, start_at, end_at, selection, emergency, emergency_reason,
             note, restricted, registered_by, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          m.id,
          m.title,
          m.host_org,
          m.start,
          m.end,
          JSON.stringify(selection),
          m.emergency ? 1 : 0,
          m.emergency_reason,
          m.note,
          m.restricted ? 1 : 0,
          by,
          now,
        );
      this.writeSites(m);
    })();
    this.emit('registered', m, null);
    return this.registered(m);
  }

  /**
   * Changes a meeting that has not ended: title, note, times, sites, emergency, restricted. A start moved
   * earlier or an added site needs the same 3-day notice as a registration (unless emergency); moving
   * the meeting later or dropping sites does not (the sites were already preparing for the earlier time).
   */
  update(id: string, input: unknown): Registered {
    const cur = this.require(id);
    const now = this.now();
    if (cur.cancelled_at !== null)
      throw new MeetingsError(409, 'conflict', 'Cuộc họp đã bị hủy / The meeting is cancelled');
    if (cur.end <= now)
      throw new MeetingsError(409, 'conflict', 'Cuộc họp đã kết thúc / The meeting is over');
    const parsed = MeetingPatch.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error);
    const p = parsed.data;
    const selection =
      p.sites !== undefined || p.tiers !== undefined || p.districts !== undefined
        ? { sites: p.sites ?? [], tiers: p.tiers ?? [], districts: p.districts ?? [] }
        : cur.selection;
    const b = {
      title: p.title ?? cur.title,
      host_org: cur.host_org,
      start: p.start ?? cur.start,
      end: p.end ?? cur.end,
      emergency: p.emergency ?? cur.emergency,
      emergency_reason: p.emergency_reason ?? cur.emergency_reason ?? undefined,
    };
    const before = new Set(cur.sites);
    const sites = this.check(
      b,
      selection,
      now,
      (resolved) => b.start < cur.start || resolved.some((s) => !before.has(s)),
    );
    const m: Meeting = {
      ...cur,
      ...b,
      sites,
      selection,
      emergency_reason: b.emergency_reason ?? null,
      note: p.note !== undefined ? p.note : cur.note,
      restricted: p.restricted ?? cur.restricted,
    };
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE meetings SET title = ?, start_at = ?, end_at = ?, selection = ?, emergency = ?, emergency_reason = ?,
             note = ?, restricted = ?, revision = revision + 1 WHERE id = ?`,
        )
        .run(
          m.title,
          m.start,
          m.end,
          JSON.stringify(selection),
          m.emergency ? 1 : 0,
          m.emergency_reason,
          m.note,
          m.restricted ? 1 : 0,
          id,
        );
      this.db.prepare('DELETE FROM meeting_sites WHERE meeting_id = ?').run(id);
      this.writeSites(m);
    })();
    this.emit('changed', m, cur);
    return this.registered(m);
  }

  private writeSites(m: Meeting): void {
    const ins = this.db.prepare('INSERT INTO meeting_sites (meeting_id, site, end_at) VALUES (?, ?, ?)');
    for (const s of m.sites) ins.run(m.id, s, m.end);
  }

  private registered(m: Meeting): Registered {
    const overlaps = this.overlaps(m);
    return { meeting: m, overlaps, warnings: registrationWarnings(m, overlaps) };
  }

  /** The registration rules; returns the resolved sites or throws every issue at once. */
  private check(
    b: {
      host_org: string;
      start: number;
      end: number;
      emergency: boolean;
      emergency_reason?: string | undefined;
    },
    selection: Meeting['selection'],
    now: number,
    needsNotice: boolean | ((sites: string[]) => boolean),
  ): string[] {
    const issues: { path: string; message: string }[] = [];
    const org = this.inv.organisations.get(b.host_org);
    if (!org)
      issues.push({
        path: 'body.host_org',
        message: `cơ quan "${b.host_org}" không có trong danh mục / unknown organisation`,
      });
    else if (org.kind !== 'host' && org.kind !== 'noc')
      issues.push({
        path: 'body.host_org',
        message: `"${org.name}" không phải cơ quan chủ trì cuộc họp / not a host office (kind ${org.kind})`,
      });
    if (b.end <= b.start)
      issues.push({ path: 'body.end', message: 'phải sau thời gian bắt đầu / must be after start' });
    else if (b.end - b.start > MAX_MEETING_MS)
      issues.push({ path: 'body.end', message: 'cuộc họp dài tối đa 24 giờ / at most 24 hours long' });
    if (b.end <= now)
      issues.push({ path: 'body.end', message: 'cuộc họp đã kết thúc / the meeting is already over' });
    const resolved = this.resolveSites(selection);
    issues.push(...resolved.issues);
    if (resolved.issues.length === 0 && resolved.sites.length === 0)
      issues.push({
        path: 'body.sites',
        message:
          'cần ít nhất một điểm cầu (sites, tiers hoặc districts) / at least one site (sites, tiers or districts)',
      });
    const notice = typeof needsNotice === 'function' ? needsNotice(resolved.sites) : needsNotice;
    if (notice && !b.emergency && b.start - now < NOTICE_MS) {
      issues.push({
        path: 'body.start',
        message:
          `Theo Điều 6 Quy chế hội nghị truyền hình trực tuyến tỉnh Bắc Kạn, cuộc họp phải được đăng ký ` +
          `trước ít nhất 03 ngày để Sở Thông tin và Truyền thông chuẩn bị điều kiện kỹ thuật; cuộc họp bắt đầu ` +
          `lúc ${viDateTime(b.start)} chỉ đăng ký được đến ${viDateTime(b.start - NOTICE_MS)}. Nếu là cuộc họp ` +
          `đột xuất, khẩn cấp (phòng chống dịch bệnh, thiên tai, PCTT&TKCN) hãy đánh dấu emergency: true ` +
          `và ghi lý do / Meetings must be registered at least 3 days ahead (Điều 6); mark an emergency ` +
          `meeting with emergency: true and give the reason`,
      });
    }
    if (b.emergency && !b.emergency_reason)
      issues.push({
        path: 'body.emergency_reason',
        message: 'cuộc họp khẩn cấp cần ghi lý do / an emergency meeting needs a reason',
      });
    if (issues.length > 0) throw invalid(issues);
    return resolved.sites;
  }

  get(id: string): Meeting | undefined {
    const r = this.db.prepare('SELECT * FROM meetings WHERE id = ?').get(id) as Row | undefined;
    return r ? this.toMeeting(r) : undefined;
  }

  require(id: string): Meeting {
    const m = this.get(id);
    if (!m) throw notFound(`cuộc họp "${id}"`);
    return m;
  }

  list(f: MeetingFilter = {}): { items: Meeting[]; total: number } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.from !== undefined) {
      where.push('m.end_at > ?');
      args.push(f.from);
    }
    if (f.to !== undefined) {
      where.push('m.start_at < ?');
      args.push(f.to);
    }
    if (f.host_org) {
      where.push('m.host_org = ?');
      args.push(f.host_org);
    }
    if (f.site) {
      where.push('EXISTS (SELECT 1 FROM meeting_sites s WHERE s.meeting_id = m.id AND s.site = ?)');
      args.push(f.site);
    }
    if (!f.include_cancelled) where.push('m.cancelled_at IS NULL');
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM meetings m ${w}`).get(...args) as { n: number })
      .n;
    const rows = this.db
      .prepare(`SELECT m.* FROM meetings m ${w} ORDER BY m.start_at, m.id LIMIT ? OFFSET ?`)
      .all(...args, f.limit ?? -1, f.offset ?? 0) as Row[];
    return { items: rows.map((r) => this.toMeeting(r)), total };
  }

  /** Cancels (the record is kept: the 6-month counts and the audit need it). */
  cancel(id: string, by: string, reason: string): Meeting {
    const m = this.require(id);
    if (m.cancelled_at !== null)
      throw new MeetingsError(
        409,
        'conflict',
        'Cuộc họp đã bị hủy trước đó / The meeting is already cancelled',
      );
    if (m.end <= this.now())
      throw new MeetingsError(409, 'conflict', 'Cuộc họp đã kết thúc, không hủy được / The meeting is over');
    this.db
      .prepare('UPDATE meetings SET cancelled_at = ?, cancelled_by = ?, cancel_reason = ? WHERE id = ?')
      .run(this.now(), by, reason, id);
    const out = this.require(id);
    this.emit('cancelled', out, m);
    return out;
  }

  /** Other live meetings at the same time, with the sites they share. */
  overlaps(m: Pick<Meeting, 'id' | 'start' | 'end' | 'sites'>): Overlap[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM meetings WHERE id <> ? AND cancelled_at IS NULL AND start_at < ? AND end_at > ?
         ORDER BY start_at`,
      )
      .all(m.id, m.end, m.start) as Row[];
    const mine = new Set(m.sites);
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      restricted: r.restricted === 1,
      host_org: r.host_org,
      start: r.start_at,
      end: r.end_at,
      shared_sites: (this.sitesStmt.all(r.id) as string[]).filter((s) => mine.has(s)),
    }));
  }

  /**
   * MeetingSource: meetings live at `at` or starting within `windowMs` after it, that include the site.
   * A restricted meeting is "Cuộc họp (hạn chế)" here: the alert engine's pages reach carriers and
   * technicians, and its alerts every role.
   */
  forSite(site: string, at: number, windowMs: number): MeetingRef[] {
    // a meeting lasts at most MAX_MEETING_MS: one starting by at + windowMs ends by that much later
    const until = at + windowMs;
    return (this.forSiteStmt.all(site, at, until + MAX_MEETING_MS, until) as Row[]).map((r) => ({
      id: r.id,
      title: r.restricted === 1 ? RESTRICTED_TITLE.vi : r.title,
      start: r.start_at,
      end: r.end_at,
      sites: this.sitesOf(r.id, r.revision),
    }));
  }

  /** A meeting's sites per revision (every update bumps it): read once, then served from memory. */
  private sitesOf(id: string, revision: number): string[] {
    const key = `${id}@${revision}`;
    let list = this.siteCache.get(key);
    if (!list) {
      list = this.sitesStmt.all(id) as string[];
      if (this.siteCache.size >= 1000) this.siteCache.clear();
      this.siteCache.set(key, list);
    }
    return [...list];
  }

  site(id: string): Site | undefined {
    return this.inv.sites.get(id);
  }

  private toMeeting(r: Row): Meeting {
    const sel = JSON.parse(r.selection) as Partial<Meeting['selection']>;
    return {
      id: r.id,
      title: r.title,
      host_org: r.host_org,
      start: r.start_at,
      end: r.end_at,
      sites: this.sitesStmt.all(r.id) as string[],
      selection: { sites: sel.sites ?? [], tiers: sel.tiers ?? [], districts: sel.districts ?? [] },
      emergency: r.emergency === 1,
      emergency_reason: r.emergency_reason,
      note: r.note,
      restricted: r.restricted === 1,
      registered_by: r.registered_by,
      registered_at: r.registered_at,
      cancelled_at: r.cancelled_at,
      cancelled_by: r.cancelled_by,
      cancel_reason: r.cancel_reason,
    };
  }
}
