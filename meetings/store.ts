// Meetings registered by the hosts of the catalogue (Điều 2.3, 6; meetings/hosts.ts), in the state
// database. Implements MeetingSource for the alert engine. Registration rules: at least 3 days ahead unless
// emergency (Điều 6.1, 6.4; the host types it applies to are configurable); every site known to the
// inventory; a main site among them (Điều 2.5); no longer than the configured maximum. A meeting whose
// room or sites are taken by another one at the same time is refused (409, the other one named) or, by
// policy, accepted as pending for the NOC to approve or reject; meetings at the same time on other sites
// are reported. Moving a meeting later is always allowed; the 3-day rule applies to a new start only
// when it moves earlier. A recurring meeting is a series of ordinary meetings (meetings/recurrence.ts):
// the 3-day rule applies to its first occurrence, cancelling one records an exception. Every
// registration, change and cancellation is announced to the listeners (meetings/notices.ts tells people).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { MeetingRef, MeetingSource } from '../core/ports.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { type Site, TIERS, type Tier } from '../inventory/schema.ts';
import type { StateDb } from '../storage/state-db.ts';
import { fromZod, invalid, MeetingsError, notFound } from './errors.ts';
import { DbHosts, type HostType } from './hosts.ts';
import { type Occurrence, occurrences, Recurrence } from './recurrence.ts';
import { DAY, TimeInput, viDateTime } from './time.ts';

/** Điều 6.1: the host office tells Sở TT&TT 03 days ahead. */
export const NOTICE_MS = 3 * DAY;
/** The longest meeting any configuration allows (the alert engine's look-ahead is bounded by it). */
export const MAX_MEETING_MS = 31 * DAY;
export const MEETING_STATUSES = ['confirmed', 'pending', 'rejected'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

/** What the configuration decides about registrations (config `meetings`). */
export interface MeetingPolicy {
  /** a clash on a room or a site: refused (409) or accepted as pending for the NOC */
  clash: 'refuse' | 'pending';
  /** the host types the 3-day notice applies to; null: every host */
  noticeHostTypes: HostType[] | null;
  /** the longest meeting */
  maxDurationMs: number;
}
export const DEFAULT_POLICY: MeetingPolicy = {
  clash: 'refuse',
  noticeHostTypes: null,
  maxDurationMs: 7 * DAY,
};

/** The policy from the configuration's `meetings` section. */
export function meetingPolicy(cfg: {
  clash: 'refuse' | 'pending';
  notice_host_types?: HostType[] | undefined;
  max_duration: string;
}): MeetingPolicy {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(cfg.max_duration);
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: DAY, w: 7 * DAY }[(m?.[2] ?? 'd') as 'ms'];
  return {
    clash: cfg.clash,
    noticeHostTypes: cfg.notice_host_types ?? null,
    maxDurationMs: Math.min(MAX_MEETING_MS, Number(m?.[1] ?? 7) * unit),
  };
}
/** What a reader who may not see a restricted meeting's title reads instead (Điều 14.1.g). */
export const RESTRICTED_TITLE = { vi: 'Cuộc họp (hạn chế)', en: 'Restricted meeting' } as const;

/** Điều 2.5–2.6, 6.1: the main site, the scale, the room and the invitation or document number. */
const REGISTRATION_FIELDS = {
  /** điểm cầu chính: one of the meeting's sites; by default the host's main site when it takes part */
  main_site: z.string().max(100).nullable().optional(),
  /** quy mô: how many attend */
  attendees: z.number().int().min(1).max(100_000).nullable().optional(),
  /** phòng họp at the main site */
  room: z.string().trim().min(1).max(200).nullable().optional(),
  /** số giấy mời / văn bản */
  document_no: z.string().trim().min(1).max(100).nullable().optional(),
};

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
    /** every site of the host in the catalogue (a district host: its hall and communes) */
    host_sites: z.boolean().default(false),
    ...REGISTRATION_FIELDS,
    /** a recurring meeting: each occurrence becomes a meeting of the series */
    recurrence: Recurrence.optional(),
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
    ...REGISTRATION_FIELDS,
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
  /** điểm cầu chính (Điều 2.5), one of `sites`; null when the host's own site does not take part */
  main_site: string | null;
  /** quy mô: how many attend */
  attendees: number | null;
  room: string | null;
  /** số giấy mời / văn bản */
  document_no: string | null;
  /** pending: accepted over a clash, waiting for the NOC; rejected: refused by the NOC (and cancelled) */
  status: MeetingStatus;
  decided_by: string | null;
  decided_at: number | null;
  /** the recurring series it is an occurrence of, and its local date there */
  series_id: string | null;
  series_date: string | null;
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
  /** the same room (name, at the same main site) at the same time */
  same_room: boolean;
  status: MeetingStatus;
}

/** A clash: the room or a site taken by another meeting at the same time. */
export function isClash(o: Pick<Overlap, 'shared_sites' | 'same_room'>): boolean {
  return o.shared_sites.length > 0 || o.same_room;
}

/** Refused registration or change: the meetings it clashes with, for the caller to name (and redact). */
export class ClashError extends MeetingsError {
  constructor(
    readonly clashes: (Overlap & { date?: string })[],
    message: string,
  ) {
    super(409, 'clash', message);
  }
}

/** "Trùng điểm cầu … với cuộc họp "…" (…)" for each clash, with the title as this reader may see it. */
export function clashMessage(clashes: Overlap[], title: (o: Overlap) => string): string {
  const parts = clashes.map((o) => {
    const what = [
      o.shared_sites.length
        ? `${o.shared_sites.length} điểm cầu (${o.shared_sites.slice(0, 5).join(', ')})`
        : '',
      o.same_room ? 'phòng họp' : '',
    ]
      .filter(Boolean)
      .join(' và ');
    return `trùng ${what} với cuộc họp "${title(o)}" (${o.id}, ${viDateTime(o.start)})`;
  });
  return (
    `Không đăng ký được: ${parts.join('; ')}. Đề nghị chọn thời gian, điểm cầu hoặc phòng họp khác ` +
    `/ Clashes with ${clashes.map((o) => `"${title(o)}" (${o.id})`).join(', ')}: the same room or sites at the same time`
  );
}

export interface Registered {
  meeting: Meeting;
  /** meetings at the same time: on other sites allowed; clashes only when pending */
  overlaps: Overlap[];
  warnings: string[];
  /** a recurring registration: the series and every occurrence (`meeting` is the first) */
  series?: Series;
}

export interface Series {
  id: string;
  rule: Recurrence;
  occurrences: Meeting[];
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
  main_site: string | null;
  attendees: number | null;
  room: string | null;
  document_no: string | null;
  status: string;
  decided_by: string | null;
  decided_at: number | null;
  series_id: string | null;
  series_date: string | null;
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
  status?: MeetingStatus;
  series_id?: string;
  limit?: number;
  offset?: number;
}

export function newId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** The warnings of a registration: meetings at the same time (titles as given), an emergency's waiver. */
export function registrationWarnings(
  m: Pick<Meeting, 'emergency'> & Partial<Pick<Meeting, 'status' | 'main_site'>>,
  overlaps: Overlap[],
): string[] {
  const warnings = overlaps.map(
    (o) =>
      `Trùng thời gian với cuộc họp "${o.title}" (${viDateTime(o.start)})` +
      (o.shared_sites.length ? `, chung ${o.shared_sites.length} điểm cầu` : '') +
      (o.same_room ? ', cùng phòng họp' : '') +
      ` / Overlaps "${o.title}"` +
      (o.shared_sites.length ? `, ${o.shared_sites.length} sites in both` : '') +
      (o.same_room ? ', same room' : ''),
  );
  if (m.status === 'pending')
    warnings.push(
      "Cuộc họp trùng phòng họp hoặc điểm cầu với cuộc họp khác: chờ Sở Thông tin và Truyền thông duyệt / Clashes with another meeting: pending the NOC's approval",
    );
  if (m.emergency)
    warnings.push(
      'Cuộc họp khẩn cấp: được miễn thông báo trước 03 ngày (Điều 6.4) / Emergency: 3-day notice waived',
    );
  if (m.main_site === null)
    warnings.push(
      'Chưa có điểm cầu chính (điểm cầu của cơ quan chủ trì không tham gia): hãy chọn main_site (Điều 2.5) / No main site: choose main_site',
    );
  return warnings;
}

export class DbMeetings implements MeetingSource {
  private readonly forSiteStmt;
  private readonly sitesStmt;
  private readonly siteCache = new Map<string, string[]>();
  private readonly listeners: MeetingListener[] = [];
  /** the host catalogue (Điều 2.3): who may host, with their sites and main site */
  readonly hosts: DbHosts;
  private policy: MeetingPolicy;

  constructor(
    private readonly db: StateDb,
    private readonly inv: LoadedInventory,
    private readonly now: () => number = Date.now,
    policy: Partial<MeetingPolicy> = {},
  ) {
    this.hosts = new DbHosts(db, inv, now);
    this.policy = { ...DEFAULT_POLICY, ...policy };
    this.forSiteStmt = db.prepare(
      `SELECT m.id, m.title, m.restricted, m.start_at, m.end_at, m.revision FROM meeting_sites s JOIN meetings m ON m.id = s.meeting_id
       WHERE s.site = ? AND s.end_at > ? AND s.end_at <= ? AND m.start_at <= ? AND m.cancelled_at IS NULL
         AND m.status = 'confirmed'
       ORDER BY m.start_at`,
    );
    this.sitesStmt = db.prepare('SELECT site FROM meeting_sites WHERE meeting_id = ? ORDER BY site').pluck();
  }

  /** Changes the registration policy (the configuration's `meetings` section). */
  configure(policy: Partial<MeetingPolicy>): void {
    this.policy = { ...this.policy, ...policy };
  }

  get currentPolicy(): MeetingPolicy {
    return { ...this.policy };
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

  /** Organisations that may host a meeting: the host catalogue. */
  hostOrgs(): { id: string; name: string }[] {
    return this.hosts.list().map((h) => ({ id: h.id, name: h.name }));
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
   * Validates and stores a meeting, or with `recurrence` a series of them. Throws MeetingsError (400)
   * naming the field and the rule, ClashError (409) for a clash under the 'refuse' policy; under
   * 'pending' a clashing meeting is stored as pending (nobody is told until the NOC approves it).
   */
  register(input: unknown, by: string): Registered {
    const parsed = NewMeeting.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error);
    const b = parsed.data;
    const now = this.now();
    const host = this.hosts.get(b.host_org);
    const selection = {
      sites: b.host_sites && host ? [...new Set([...b.sites, ...host.sites])] : b.sites,
      tiers: b.tiers,
      districts: b.districts,
    };
    const sites = this.check(b, selection, now, true);
    const main_site = this.mainSite(b.main_site, b.host_org, sites);
    const proto: Meeting = {
      id: '',
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
      main_site,
      attendees: b.attendees ?? null,
      room: b.room ?? null,
      document_no: b.document_no ?? null,
      status: 'confirmed',
      decided_by: null,
      decided_at: null,
      series_id: null,
      series_date: null,
      registered_by: by,
      registered_at: now,
      cancelled_at: null,
      cancelled_by: null,
      cancel_reason: null,
    };
    const dates: (Occurrence | null)[] = b.recurrence
      ? occurrences({ start: b.start, end: b.end }, b.recurrence)
      : [null];
    if (dates.length === 0)
      throw invalid([
        {
          path: 'body.recurrence',
          message: 'lịch lặp không có lần họp nào (đã trừ ngày bỏ qua) / the rule leaves no occurrence',
        },
      ]);
    if (b.recurrence && dates[0]!.start !== b.start)
      // the first date was skipped or is not on the rule: the 3-day rule applies to the first held one
      this.check({ ...b, start: dates[0]!.start, end: dates[0]!.end }, selection, now, true);
    const seriesId = b.recurrence ? newId('chuoi') : null;
    const planned = dates.map((o) => {
      const m: Meeting = {
        ...proto,
        id: newId('hop'),
        ...(o && { start: o.start, end: o.end, series_id: seriesId, series_date: o.date }),
      };
      // an emergency (Điều 6.4: disasters, epidemics) is never held back by a clash: reported in overlaps
      const clashes = b.emergency ? [] : this.overlaps(m).filter(isClash);
      return { m, clashes: clashes.map((c) => ({ ...c, ...(o && { date: o.date }) })) };
    });
    const clashes = planned.flatMap((p) => p.clashes);
    if (clashes.length > 0 && this.policy.clash === 'refuse')
      throw new ClashError(
        clashes,
        clashMessage(clashes, (o) => o.title),
      );
    for (const p of planned) if (p.clashes.length) p.m.status = 'pending';
    this.db.transaction(() => {
      if (seriesId && b.recurrence) {
        const { exceptions, ...rule } = b.recurrence;
        this.db
          .prepare(
            'INSERT INTO meeting_series (id, rule, exceptions, created_by, created_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run(seriesId, JSON.stringify(rule), JSON.stringify([...exceptions].sort()), by, now);
      }
      for (const p of planned) this.insert(p.m);
    })();
    for (const p of planned) if (p.m.status === 'confirmed') this.emit('registered', p.m, null);
    const first = this.registered(planned[0]!.m);
    return seriesId ? { ...first, series: this.series(seriesId) } : first;
  }

  private insert(m: Meeting): void {
    this.db
      .prepare(
        `INSERT INTO meetings (id, title, host_org, start_at, end_at, selection, emergency, emergency_reason,
           note, restricted, main_site, attendees, room, document_no, status, series_id, series_date,
           registered_by, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        m.id,
        m.title,
        m.host_org,
        m.start,
        m.end,
        JSON.stringify(m.selection),
        m.emergency ? 1 : 0,
        m.emergency_reason,
        m.note,
        m.restricted ? 1 : 0,
        m.main_site,
        m.attendees,
        m.room,
        m.document_no,
        m.status,
        m.series_id,
        m.series_date,
        m.registered_by,
        m.registered_at,
      );
    this.writeSites(m);
  }

  /** The main site asked for (one of the sites), or the host's own when it takes part, or none. */
  private mainSite(asked: string | null | undefined, hostId: string, sites: string[]): string | null {
    if (asked) {
      if (!sites.includes(asked))
        throw invalid([
          {
            path: 'body.main_site',
            message: `điểm cầu chính "${asked}" phải là một điểm cầu của cuộc họp (Điều 2.5) / the main site must be one of the meeting's sites`,
          },
        ]);
      return asked;
    }
    if (asked === null) return null;
    const own = this.hosts.get(hostId)?.main_site;
    return own && sites.includes(own) ? own : null;
  }

  /**
   * Changes a meeting that has not ended: title, note, times, sites, emergency, restricted, the main
   * site, scale, room and document number. A start moved earlier or an added site needs the same 3-day
   * notice as a registration (unless emergency); moving the meeting later or dropping sites does not
   * (the sites were already preparing for the earlier time). A change that clashes is refused (409).
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
    const keepMain = p.main_site === undefined && cur.main_site !== null && sites.includes(cur.main_site);
    const m: Meeting = {
      ...cur,
      ...b,
      sites,
      selection,
      emergency_reason: b.emergency_reason ?? null,
      note: p.note !== undefined ? p.note : cur.note,
      restricted: p.restricted ?? cur.restricted,
      main_site: keepMain ? cur.main_site : this.mainSite(p.main_site, cur.host_org, sites),
      attendees: p.attendees !== undefined ? p.attendees : cur.attendees,
      room: p.room !== undefined ? p.room : cur.room,
      document_no: p.document_no !== undefined ? p.document_no : cur.document_no,
    };
    const clashes = m.emergency ? [] : this.overlaps(m).filter(isClash);
    if (clashes.length > 0)
      throw new ClashError(
        clashes,
        clashMessage(clashes, (o) => o.title),
      );
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE meetings SET title = ?, start_at = ?, end_at = ?, selection = ?, emergency = ?, emergency_reason = ?,
             note = ?, restricted = ?, main_site = ?, attendees = ?, room = ?, document_no = ?,
             revision = revision + 1 WHERE id = ?`,
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
          m.main_site,
          m.attendees,
          m.room,
          m.document_no,
          id,
        );
      this.db.prepare('DELETE FROM meeting_sites WHERE meeting_id = ?').run(id);
      this.writeSites(m);
    })();
    // a pending meeting was never announced: it is, once approved
    if (m.status === 'confirmed') this.emit('changed', m, cur);
    return this.registered(m);
  }

  /**
   * The NOC approves a pending meeting: it is announced as registered. Refused (409) when a meeting
   * confirmed meanwhile now holds its room or sites.
   */
  approve(id: string, by: string): Meeting {
    const m = this.pending(id);
    const clashes = this.overlaps(m).filter((o) => isClash(o) && o.status === 'confirmed');
    if (clashes.length > 0)
      throw new ClashError(
        clashes,
        clashMessage(clashes, (o) => o.title),
      );
    this.db
      .prepare(
        "UPDATE meetings SET status = 'confirmed', decided_by = ?, decided_at = ?, revision = revision + 1 WHERE id = ?",
      )
      .run(by, this.now(), id);
    const out = this.require(id);
    this.emit('registered', out, null);
    return out;
  }

  /** The NOC rejects a pending meeting: it is kept as rejected and cancelled (nobody else was told). */
  reject(id: string, by: string, reason: string): Meeting {
    this.pending(id);
    const now = this.now();
    this.db
      .prepare(
        `UPDATE meetings SET status = 'rejected', decided_by = ?, decided_at = ?, cancelled_at = ?, cancelled_by = ?,
           cancel_reason = ?, revision = revision + 1 WHERE id = ?`,
      )
      .run(by, now, now, by, reason, id);
    return this.require(id);
  }

  private pending(id: string): Meeting {
    const m = this.require(id);
    if (m.status !== 'pending' || m.cancelled_at !== null)
      throw new MeetingsError(
        409,
        'conflict',
        `Cuộc họp không ở trạng thái chờ duyệt (${m.status}) / The meeting is not pending`,
      );
    return m;
  }

  private writeSites(m: Meeting): void {
    const ins = this.db.prepare('INSERT INTO meeting_sites (meeting_id, site, end_at) VALUES (?, ?, ?)');
    for (const s of m.sites) ins.run(m.id, s, m.end);
  }

  private registered(m: Meeting): Registered {
    const overlaps = this.overlaps(m);
    return { meeting: m, overlaps, warnings: registrationWarnings(m, overlaps) };
  }

  /** Whether the 3-day notice applies to this host's meetings (config meetings.notice_host_types). */
  private noticeApplies(hostId: string): boolean {
    const types = this.policy.noticeHostTypes;
    if (types === null) return true;
    const h = this.hosts.get(hostId);
    return h === undefined || types.includes(h.type);
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
    if (!this.hosts.get(b.host_org)) {
      const org = this.inv.organisations.get(b.host_org);
      issues.push({
        path: 'body.host_org',
        message: org
          ? `"${org.name}" không phải cơ quan chủ trì cuộc họp (không có trong danh mục cơ quan chủ trì, Điều 2.3) / not a host (kind ${org.kind})`
          : `cơ quan "${b.host_org}" không có trong danh mục cơ quan chủ trì / unknown host`,
      });
    }
    const maxMs = this.policy.maxDurationMs;
    const maxText = maxMs % DAY === 0 ? `${maxMs / DAY} ngày` : `${Math.round(maxMs / 3600_000)} giờ`;
    if (b.end <= b.start)
      issues.push({ path: 'body.end', message: 'phải sau thời gian bắt đầu / must be after start' });
    else if (b.end - b.start > maxMs)
      issues.push({
        path: 'body.end',
        message: `cuộc họp dài tối đa ${maxText} / at most ${Math.round(maxMs / 3600_000)} hours long`,
      });
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
    const notice =
      (typeof needsNotice === 'function' ? needsNotice(resolved.sites) : needsNotice) &&
      this.noticeApplies(b.host_org);
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
    if (f.status) {
      where.push('m.status = ?');
      args.push(f.status);
    }
    if (f.series_id) {
      where.push('m.series_id = ?');
      args.push(f.series_id);
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

  /**
   * Cancels (the record is kept: the 6-month counts and the audit need it). An occurrence of a series
   * becomes an exception of its series.
   */
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
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE meetings SET cancelled_at = ?, cancelled_by = ?, cancel_reason = ? WHERE id = ?')
        .run(this.now(), by, reason, id);
      if (m.series_id && m.series_date) this.addException(m.series_id, m.series_date);
    })();
    const out = this.require(id);
    // a pending meeting was never announced: nobody to tell
    if (m.status === 'confirmed') this.emit('cancelled', out, m);
    return out;
  }

  private addException(seriesId: string, date: string): void {
    const r = this.db.prepare('SELECT exceptions FROM meeting_series WHERE id = ?').get(seriesId) as
      | { exceptions: string }
      | undefined;
    if (!r) return;
    const list = new Set(JSON.parse(r.exceptions) as string[]);
    list.add(date);
    this.db
      .prepare('UPDATE meeting_series SET exceptions = ? WHERE id = ?')
      .run(JSON.stringify([...list].sort()), seriesId);
  }

  /** A recurring series: its rule with every skipped date, and its occurrences (cancelled ones too). */
  series(id: string): Series {
    const r = this.db.prepare('SELECT * FROM meeting_series WHERE id = ?').get(id) as
      | { id: string; rule: string; exceptions: string }
      | undefined;
    if (!r) throw notFound(`chuỗi cuộc họp "${id}"`);
    return {
      id: r.id,
      rule: { ...(JSON.parse(r.rule) as Recurrence), exceptions: JSON.parse(r.exceptions) as string[] },
      occurrences: this.list({ series_id: id, include_cancelled: true }).items,
    };
  }

  /** Cancels every occurrence of a series that has not started yet; returns those cancelled. */
  cancelSeries(id: string, by: string, reason: string): Meeting[] {
    const s = this.series(id);
    const now = this.now();
    return s.occurrences
      .filter((m) => m.cancelled_at === null && m.start > now)
      .map((m) => this.cancel(m.id, by, reason));
  }

  /**
   * Other live meetings (confirmed or pending) at the same time, with the sites they share and whether
   * they take the same room (the same room name at the same main site).
   */
  overlaps(
    m: Pick<Meeting, 'id' | 'start' | 'end' | 'sites'> & Partial<Pick<Meeting, 'room' | 'main_site'>>,
  ): Overlap[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM meetings WHERE id <> ? AND cancelled_at IS NULL AND start_at < ? AND end_at > ?
         ORDER BY start_at`,
      )
      .all(m.id, m.end, m.start) as Row[];
    const mine = new Set(m.sites);
    const room = normaliseRoom(m.room ?? null);
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      restricted: r.restricted === 1,
      host_org: r.host_org,
      start: r.start_at,
      end: r.end_at,
      shared_sites: (this.sitesStmt.all(r.id) as string[]).filter((s) => mine.has(s)),
      same_room: room !== null && normaliseRoom(r.room) === room && r.main_site === (m.main_site ?? null),
      status: r.status as MeetingStatus,
    }));
  }

  /**
   * MeetingSource: confirmed meetings live at `at` or starting within `windowMs` after it, that include
   * the site. A restricted meeting is "Cuộc họp (hạn chế)" here: the alert engine's pages reach carriers
   * and technicians, and its alerts every role.
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

  /**
   * Forgets the sites read so far: rows written by another server (two servers, bus/standby.ts) may
   * give a meeting's revision its sites after it was first read.
   */
  forgetSites(): void {
    this.siteCache.clear();
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
      main_site: r.main_site,
      attendees: r.attendees,
      room: r.room,
      document_no: r.document_no,
      status: r.status as MeetingStatus,
      decided_by: r.decided_by,
      decided_at: r.decided_at,
      series_id: r.series_id,
      series_date: r.series_date,
      registered_by: r.registered_by,
      registered_at: r.registered_at,
      cancelled_at: r.cancelled_at,
      cancelled_by: r.cancelled_by,
      cancel_reason: r.cancel_reason,
    };
  }
}

/** "Phòng họp số 2" and "phòng họp  số 2" are the same room. */
function normaliseRoom(room: string | null): string | null {
  const r = room?.trim().toLowerCase().normalize('NFC').replace(/\s+/g, ' ');
  return r ? r : null;
}
