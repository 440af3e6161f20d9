// /api/v1/meetings, /api/v1/incidents: meeting registration (Điều 6), readiness test runs (Điều 7.1.b)
// and the incident log (Điều 8.2.d). Hosts register and see their own organisation's meetings;
// technicians see the meetings and incidents of their sites and log incidents there; noc/admin all.
// A restricted meeting (Điều 14.1.g) shows its title and note only to admin, noc and its host office;
// everyone else reads "Cuộc họp (hạn chế)" with its sites and times. A registration or change inside a
// planned maintenance window of one of its sites is accepted with the window named in `maintenance`.
// A clash on a room or a site is refused (409, the other meeting named as this reader may see it) or,
// with meetings.clash: pending, accepted as "chờ duyệt" for the NOC to approve or reject (the host told
// through the outbox). A recurring registration creates a series of meetings (GET /meetings/series/{id}).
import { createRoute, z } from '@hono/zod-openapi';
import type { Outbox } from '../../alerts/outbox.ts';
import type { UserRecord } from '../../api/accounts.ts';
import { TIERS } from '../../inventory/schema.ts';
import { listPlans } from '../../maintenance/plans.ts';
import { type Decision, notifyDecision } from '../../meetings/decisions.ts';
import { MeetingsError } from '../../meetings/errors.ts';
import {
  CAUSE_CLASSES,
  INCIDENT_STATUSES,
  type Incident,
  IncidentLog,
  IncidentPatch,
  NewIncident,
} from '../../meetings/incidents.ts';
import { clashWarning, maintenanceClashes, planClashes } from '../../meetings/maintenance.ts';
import { RESTRICTED_TITLE } from '../../meetings/notices.ts';
import { REASON_CODES, Readiness, SLOTS } from '../../meetings/readiness.ts';
import { Recurrence } from '../../meetings/recurrence.ts';
import {
  ClashError,
  clashMessage,
  DbMeetings,
  MEETING_STATUSES,
  type Meeting,
  MeetingPatch,
  meetingPolicy,
  NewMeeting,
  type Overlap,
  registrationWarnings,
  type Registered as StoreRegistered,
} from '../../meetings/store.ts';
import { checkTimeMs, parseLocalTime, TIME_RANGE_TEXT } from '../../meetings/time.ts';
import { allow, auditFrom, type Deps, OPERATE_ROLES, READ_ROLES } from '../context.ts';
import { AttendanceEvent } from '../contract.ts';
import { ApiFailure, forbidden } from '../errors.ts';
import { ERRORS, jsonBody, ok, okOr404, page, pageQuery, roles, SECURITY, subApp } from '../openapi.ts';

/** The meetings module's objects for a route factory: built from Deps when not given. */
export interface MeetingsParts {
  meetings: DbMeetings;
  incidents: IncidentLog;
  readiness: Readiness;
}

export function meetingsParts(
  d: Deps,
  opts: { readiness?: Readiness; incidents?: IncidentLog; now?: () => number } = {},
): MeetingsParts {
  const { rt } = d;
  const meetings =
    d.meetings instanceof DbMeetings
      ? d.meetings
      : new DbMeetings(rt.state, rt.inventory, opts.now, meetingPolicy(rt.config.meetings));
  // serve passes its one incident log (with the notifications and the drafts from episodes)
  const incidents = opts.incidents ?? new IncidentLog(rt.state, rt.inventory, meetings, opts.now);
  const readiness =
    opts.readiness ??
    new Readiness(rt.state, rt.inventory, {
      meetings,
      store: d.store,
      alerts: d.alerts,
      ...(opts.now && { now: opts.now }),
    });
  return { meetings, incidents, readiness };
}

/**
 * Runs `fn`, turning the module's errors into the API's one error format; a clash names the other
 * meetings with their titles as `user` may read them.
 */
export async function guard<T>(fn: () => T | Promise<T>, user?: UserRecord): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ClashError) throw clashFailure(err, user);
    if (err instanceof MeetingsError) throw toApi(err);
    throw err;
  }
}

function toApi(err: MeetingsError): ApiFailure {
  return new ApiFailure(err.status, err.code, err.message, err.issues);
}

function clashFailure(err: ClashError, user: UserRecord | undefined): ApiFailure {
  const seen = err.clashes.map((o) => ({ ...(user ? overlapFor(user, o) : hidden(o)), date: o.date }));
  return new ApiFailure(
    409,
    'clash',
    clashMessage(seen, (o) => o.title),
    seen.map((o) => ({
      path: o.shared_sites.length ? 'body.sites' : 'body.room',
      message:
        `trùng với cuộc họp "${o.title}" (${o.id})${o.date ? ` ngày ${o.date}` : ''}: ` +
        [
          o.shared_sites.length ? `điểm cầu ${o.shared_sites.join(', ')}` : '',
          o.same_room ? 'cùng phòng họp' : '',
        ]
          .filter(Boolean)
          .join('; ') +
        ` / clashes with "${o.title}" (${o.id})`,
    })),
  );
}

function hidden(o: Overlap): Overlap {
  return o.restricted ? { ...o, title: RESTRICTED_TITLE.vi } : o;
}

/** A time in a query string: ms since epoch, or an ISO date(-time), local Bắc Kạn time without offset. */
export const QueryTime = z.string().transform((s, ctx) => {
  const t = /^\d{1,16}$/.test(s) ? checkTimeMs(Number(s)) : parseLocalTime(s);
  if (t === null) {
    ctx.addIssue({
      code: 'custom',
      message: `"${s}" không phải thời gian hợp lệ ${TIME_RANGE_TEXT} (số ms kể từ 1970, hoặc ngày có thật như 2026-01-01, 2026-01-01T08:00) / not a valid time between 2000 and 2099 (milliseconds since 1970, or a real date such as 2026-01-01, 2026-01-01T08:00)`,
    });
    return z.NEVER;
  }
  return t;
});

export function canReadMeeting(user: UserRecord, m: Meeting): boolean {
  if (user.role === 'host') return m.host_org === user.org;
  if (user.role === 'technician') return m.sites.some((s) => user.sites.includes(s));
  return true;
}

/** The meeting, when it exists and the user may read it; otherwise a 404 (not a 403: its existence stays private). */
export function readableMeeting(meetings: DbMeetings, user: UserRecord, id: string): Meeting {
  const m = meetings.get(id);
  if (!m || !canReadMeeting(user, m))
    throw new ApiFailure(404, 'not_found', `Không tìm thấy cuộc họp "${id}" / Not found: meeting "${id}"`);
  return m;
}

/** Who reads a restricted meeting's title and note (Điều 14.1.g): admin, noc and its host office. */
export function seesRestricted(user: UserRecord, m: Pick<Meeting, 'host_org'>): boolean {
  return user.role === 'admin' || user.role === 'noc' || (user.role === 'host' && user.org === m.host_org);
}

/** The meeting as this user may read it: a restricted one without its title, note and reasons. */
export function meetingFor(user: UserRecord, m: Meeting): Meeting & { redacted: boolean } {
  if (!m.restricted || seesRestricted(user, m)) return { ...m, redacted: false };
  return {
    ...m,
    title: RESTRICTED_TITLE.vi,
    note: null,
    emergency_reason: null,
    cancel_reason: null,
    document_no: null,
    redacted: true,
  };
}

function overlapFor(user: UserRecord, o: Overlap): Overlap {
  return !o.restricted || seesRestricted(user, o) ? o : { ...o, title: RESTRICTED_TITLE.vi };
}

function canManageMeeting(user: UserRecord, m: Pick<Meeting, 'host_org'>): boolean {
  return user.role === 'admin' || user.role === 'noc' || (user.role === 'host' && user.org === m.host_org);
}

export function canReadIncident(user: UserRecord, i: Incident, meeting: (id: string) => Meeting | undefined) {
  if (user.role === 'technician') return i.sites.some((s) => user.sites.includes(s));
  if (user.role === 'host') {
    const m = i.meeting_id ? meeting(i.meeting_id) : undefined;
    return m !== undefined && m.host_org === user.org;
  }
  return true;
}

const Id = z.object({ id: z.string().min(1).max(100) });

export const MeetingSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    host_org: z.string(),
    start: z.number(),
    end: z.number(),
    sites: z.array(z.string()),
    selection: z.object({
      sites: z.array(z.string()),
      tiers: z.array(z.enum(TIERS)),
      districts: z.array(z.string()),
    }),
    emergency: z.boolean(),
    emergency_reason: z.string().nullable(),
    note: z.string().nullable(),
    /** confidential (Điều 14.1.g): only admin, noc and the host office read its title and note */
    restricted: z.boolean(),
    /** true when this reader gets "Cuộc họp (hạn chế)" instead of the title (note, reasons, document number null) */
    redacted: z.boolean(),
    /** điểm cầu chính (Điều 2.5), one of `sites`; null when none was chosen and the host's own is not in it */
    main_site: z.string().nullable(),
    /** quy mô: how many attend */
    attendees: z.number().nullable(),
    /** phòng họp at the main site */
    room: z.string().nullable(),
    /** số giấy mời / văn bản */
    document_no: z.string().nullable(),
    /** pending: accepted over a clash, waiting for the NOC (meetings.clash: pending); rejected by it */
    status: z.enum(MEETING_STATUSES),
    decided_by: z.string().nullable(),
    decided_at: z.number().nullable(),
    /** the recurring series it belongs to (GET /meetings/series/{id}) and its local date there */
    series_id: z.string().nullable(),
    series_date: z.string().nullable(),
    registered_by: z.string(),
    registered_at: z.number(),
    cancelled_at: z.number().nullable(),
    cancelled_by: z.string().nullable(),
    cancel_reason: z.string().nullable(),
  })
  .openapi('Meeting');

const OverlapSchema = z.object({
  id: z.string(),
  title: z.string(),
  restricted: z.boolean(),
  host_org: z.string(),
  start: z.number(),
  end: z.number(),
  shared_sites: z.array(z.string()),
  /** the same room at the same main site */
  same_room: z.boolean(),
  status: z.enum(MEETING_STATUSES),
});

export const SeriesSchema = z
  .object({
    id: z.string(),
    /** the rule with every skipped date (asked for, or an occurrence cancelled) */
    rule: Recurrence,
    occurrences: z.array(MeetingSchema),
  })
  .openapi('MeetingSeries');

const MaintenanceClashSchema = z.object({
  /** the maintenance window's id (GET /maintenance) */
  window: z.string(),
  /** the meeting's sites it holds */
  sites: z.array(z.string()),
  from: z.number(),
  to: z.number(),
  reason: z.string(),
});

const Registered = z.object({
  meeting: MeetingSchema,
  overlaps: z.array(OverlapSchema),
  /** planned maintenance windows of its sites during the meeting (Điều 13.3): accepted, but named */
  maintenance: z.array(MaintenanceClashSchema),
  warnings: z.array(z.string()),
  /** a recurring registration: the series and every occurrence (`meeting` is the first) */
  series: SeriesSchema.optional(),
});

const MeetingQuery = z
  .object({
    from: QueryTime.optional(),
    to: QueryTime.optional(),
    host_org: z.string().max(100).optional(),
    site: z.string().max(100).optional(),
    include_cancelled: z.enum(['true', 'false']).optional(),
    /** only this status: 'pending' lists what waits for the NOC */
    status: z.enum(MEETING_STATUSES).optional(),
    series_id: z.string().max(100).optional(),
    ...pageQuery(1000, 200),
  })
  .strict();

const Cancel = z
  .object({ reason: z.string().trim().min(1, 'cần lý do hủy / a reason is required').max(1000) })
  .strict();

const ReasonSchema = z.object({
  code: z.enum(REASON_CODES),
  vi: z.string(),
  en: z.string(),
  value: z.number().optional(),
});
const RunSchema = z
  .object({
    id: z.number(),
    meeting_id: z.string(),
    slot: z.enum(SLOTS),
    at: z.number(),
    requested_by: z.string(),
    ready: z.number(),
    total: z.number(),
    results: z.array(
      z.object({
        site: z.string(),
        status: z.enum(['ready', 'not_ready']),
        reasons: z.array(ReasonSchema),
        metrics: z.record(z.string(), z.number()),
        /** the MCU's test call to the site (meetings/readiness-test-calls.ts), when the run made them */
        test_call: z
          .object({
            outcome: z.enum(['connected', 'failed', 'not_made']),
            vi: z.string(),
            en: z.string(),
            destination: z.string().nullable(),
            connect_s: z.number().optional(),
            loss_pct: z.number().optional(),
            jitter_ms: z.number().optional(),
            rate_kbps: z.number().optional(),
            detail: z.string().optional(),
            hung_up: z.boolean(),
          })
          .optional(),
      }),
    ),
  })
  .openapi('ReadinessRun');

export const IncidentSchema = z
  .object({
    id: z.string(),
    sites: z.array(z.string()),
    meeting_id: z.string().nullable(),
    alert_id: z.string().nullable(),
    /** the fault episode it was drafted (or prefilled) from */
    episode_id: z.string().nullable(),
    /** draft: made by the system, not yet confirmed; open; restored */
    status: z.enum(INCIDENT_STATUSES),
    started_at: z.number(),
    restored_at: z.number().nullable(),
    time_to_restore_ms: z.number().nullable(),
    estimated_restore_at: z.number().nullable(),
    cause_class: z.enum(CAUSE_CLASSES),
    cause: z.string(),
    fix: z.string(),
    /** the organisation (inventory id) responsible for restoring it */
    responsible_org: z.string().nullable(),
    /** the user who logged it, or 'system' for a draft */
    reported_by: z.string(),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .openapi('Incident');

const IncidentChangeSchema = z.object({
  at: z.number(),
  by: z.string(),
  /** each changed field: [old, new] */
  changes: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])),
});

/** One incident with its history: every create and edit, oldest first (who, when, what changed). */
export const IncidentDetailSchema = IncidentSchema.extend({
  history: z.array(IncidentChangeSchema),
}).openapi('IncidentDetail');

const IncidentQuery = z
  .object({
    from: QueryTime.optional(),
    to: QueryTime.optional(),
    site: z.string().max(100).optional(),
    meeting_id: z.string().max(100).optional(),
    cause_class: z.enum(CAUSE_CLASSES).optional(),
    open: z.enum(['true', 'false']).optional(),
    /** only this status (draft: what the system drafted from episodes, waiting for a person) */
    status: z.enum(INCIDENT_STATUSES).optional(),
    /** without status: 'true' lists the unconfirmed drafts too (left out by default) */
    include_drafts: z.enum(['true', 'false']).optional(),
    episode_id: z.string().max(100).optional(),
    ...pageQuery(1000, 200),
  })
  .strict();

const Draft = z.object({
  alert_id: z.string().optional(),
  episode_id: z.string().optional(),
  sites: z.array(z.string()).optional(),
  meeting_id: z.string().nullable().optional(),
  started_at: z.number().optional(),
  restored_at: z.number().nullable().optional(),
  cause_class: z.enum(CAUSE_CLASSES).optional(),
  cause: z.string().optional(),
  responsible_org: z.string().nullable().optional(),
});

const DraftQuery = z
  .object({
    alert_id: z.string().min(1).max(100).optional(),
    episode_id: z.string().min(1).max(100).optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if ((q.alert_id === undefined) === (q.episode_id === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [q.alert_id === undefined ? 'alert_id' : 'episode_id'],
        message: 'cần đúng một trong alert_id, episode_id / give exactly one of alert_id, episode_id',
      });
  });

export function meetingRoutes(
  d: Deps,
  opts: { readiness?: Readiness; incidents?: IncidentLog; now?: () => number; outbox?: Outbox } = {},
) {
  const { rt } = d;
  const { meetings, incidents, readiness } = meetingsParts(d, opts);
  const app = subApp();

  const readable = (user: UserRecord, id: string): Meeting => readableMeeting(meetings, user, id);
  /** a registration or change as this user reads it, with the maintenance windows it falls in */
  const answer = (user: UserRecord, r: StoreRegistered) => {
    const clashes = [
      ...maintenanceClashes(rt.inventory, d.alerts?.maintenanceWindows() ?? [], r.meeting),
      ...planClashes(rt.inventory, listPlans(rt.state), r.meeting),
    ];
    const overlaps = r.overlaps.map((o) => overlapFor(user, o));
    return {
      meeting: meetingFor(user, r.meeting),
      overlaps,
      maintenance: clashes,
      warnings: [
        ...registrationWarnings(r.meeting, overlaps),
        ...clashes.map((x) => clashWarning(rt.inventory, x)),
      ],
      ...(r.series && {
        series: { ...r.series, occurrences: r.series.occurrences.map((m) => meetingFor(user, m)) },
      }),
    };
  };
  /** the host told of the NOC's decision, the NOC of a pending registration, when there is an outbox */
  const outbox = opts.outbox ?? (d.alerts && 'outbox' in d.alerts ? (d.alerts.outbox as Outbox) : undefined);
  const tell = (m: Meeting, decision: Decision, reason?: string) => {
    if (outbox) notifyDecision(outbox, rt.inventory, meetings.hosts, m, decision, reason);
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/meetings/host-orgs',
      summary: 'Cơ quan có thể chủ trì cuộc họp / organisations that may host a meeting',
      security: SECURITY,
      ...roles(...READ_ROLES),
      responses: ok(
        z.object({ items: z.array(z.object({ id: z.string(), name: z.string() })) }),
        'Danh sách',
      ),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const all = meetings.hostOrgs();
      return c.json({ items: a.user.role === 'host' ? all.filter((o) => o.id === a.user.org) : all }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/meetings',
      summary: 'Các cuộc họp (host: của cơ quan mình) / meetings (hosts: their own organisation)',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { query: MeetingQuery },
      responses: ok(
        z.object({ items: z.array(MeetingSchema), total: z.number(), limit: z.number(), offset: z.number() }),
        'Danh sách / list',
      ),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const q = c.req.valid('query');
      const f = {
        ...(q.from !== undefined && { from: q.from }),
        ...(q.to !== undefined && { to: q.to }),
        ...(q.site && { site: q.site }),
        ...(q.status && { status: q.status }),
        ...(q.series_id && { series_id: q.series_id }),
        host_org: a.user.role === 'host' ? (a.user.org ?? '-') : q.host_org,
        include_cancelled: q.include_cancelled === 'true' || q.status === 'rejected',
      };
      if (a.user.role === 'technician') {
        const items = meetings
          .list(f)
          .items.filter((m) => canReadMeeting(a.user, m))
          .map((m) => meetingFor(a.user, m));
        return c.json(page(items, q), 200);
      }
      const r = meetings.list({ ...f, limit: q.limit, offset: q.offset });
      const items = r.items.map((m) => meetingFor(a.user, m));
      return c.json({ ...r, items, limit: q.limit, offset: q.offset }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/meetings',
      summary:
        'Đăng ký cuộc họp: trước 03 ngày, trừ khẩn cấp (Điều 6) / register a meeting: 3 days ahead unless emergency',
      security: SECURITY,
      ...roles('admin', 'noc', 'host'),
      request: { body: jsonBody(NewMeeting) },
      responses: {
        201: {
          description: 'Đã đăng ký / registered',
          content: { 'application/json': { schema: Registered } },
        },
        ...ERRORS,
      },
    }),
    async (c) => {
      const a = allow(c, 'admin', 'noc', 'host');
      const body = c.req.valid('json');
      if (a.user.role === 'host' && body.host_org !== a.user.org)
        throw forbidden('đăng ký cuộc họp cho cơ quan khác');
      // the raw body: NewMeeting is applied once more inside, with the cross-reference checks
      const r = await guard(() => meetings.register(body, a.user.name), a.user);
      auditFrom(c, rt, 'meeting.register', r.meeting.id, {
        title: r.meeting.title,
        host_org: r.meeting.host_org,
        start: r.meeting.start,
        sites: r.meeting.sites.length,
        emergency: r.meeting.emergency,
        status: r.meeting.status,
        overlaps: r.overlaps.map((o) => o.id),
        ...(r.series && { series: r.series.id, occurrences: r.series.occurrences.length }),
      });
      for (const m of r.series?.occurrences ?? [r.meeting]) if (m.status === 'pending') tell(m, 'pending');
      return c.json(answer(a.user, r), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/meetings/{id}',
      summary: 'Một cuộc họp, kèm các cuộc họp trùng giờ / one meeting, with overlapping ones',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: Id },
      responses: okOr404(
        z.object({ meeting: MeetingSchema, overlaps: z.array(OverlapSchema) }),
        'Cuộc họp / the meeting',
      ),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const m = readable(a.user, c.req.valid('param').id);
      const overlaps = m.cancelled_at === null ? meetings.overlaps(m) : [];
      return c.json(
        { meeting: meetingFor(a.user, m), overlaps: overlaps.map((o) => overlapFor(a.user, o)) },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/meetings/{id}',
      summary:
        'Đổi cuộc họp (dời sớm hơn hoặc thêm điểm cầu cần báo trước 03 ngày; dời muộn hơn thì không) / change a meeting (an earlier start or added sites need 3 days notice; moving it later does not)',
      security: SECURITY,
      ...roles('admin', 'noc', 'host'),
      request: { params: Id, body: jsonBody(MeetingPatch) },
      responses: okOr404(Registered, 'Đã cập nhật / updated'),
    }),
    async (c) => {
      const a = allow(c, 'admin', 'noc', 'host');
      const m = readable(a.user, c.req.valid('param').id);
      if (!canManageMeeting(a.user, m)) throw forbidden('đổi cuộc họp này');
      const body = c.req.valid('json');
      const r = await guard(() => meetings.update(m.id, body), a.user);
      auditFrom(c, rt, 'meeting.update', m.id, body);
      return c.json(answer(a.user, r), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/meetings/{id}/cancel',
      summary: 'Hủy cuộc họp (giữ lại hồ sơ) / cancel a meeting (the record is kept)',
      security: SECURITY,
      ...roles('admin', 'noc', 'host'),
      request: { params: Id, body: jsonBody(Cancel) },
      responses: okOr404(MeetingSchema, 'Đã hủy / cancelled'),
    }),
    async (c) => {
      const a = allow(c, 'admin', 'noc', 'host');
      const m = readable(a.user, c.req.valid('param').id);
      if (!canManageMeeting(a.user, m)) throw forbidden('hủy cuộc họp này');
      const { reason } = c.req.valid('json');
      const out = await guard(() => meetings.cancel(m.id, a.user.name, reason));
      auditFrom(c, rt, 'meeting.cancel', m.id, { reason });
      return c.json(meetingFor(a.user, out), 200);
    },
  );

  const Decide = z
    .object({ reason: z.string().trim().min(1, 'cần lý do / a reason is required').max(1000) })
    .strict();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/meetings/{id}/approve',
      summary:
        'Duyệt cuộc họp chờ duyệt (trùng phòng họp, điểm cầu) / approve a pending meeting (the host is told)',
      security: SECURITY,
      ...roles('admin', 'noc'),
      request: { params: Id },
      responses: okOr404(MeetingSchema, 'Đã duyệt / approved'),
    }),
    async (c) => {
      const a = allow(c, 'admin', 'noc');
      const m = readable(a.user, c.req.valid('param').id);
      const out = await guard(() => meetings.approve(m.id, a.user.name), a.user);
      auditFrom(c, rt, 'meeting.approve', m.id, { title: m.title, host_org: m.host_org });
      tell(out, 'approved');
      return c.json(meetingFor(a.user, out), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/meetings/{id}/reject',
      summary: 'Từ chối cuộc họp chờ duyệt / reject a pending meeting (the host is told, with the reason)',
      security: SECURITY,
      ...roles('admin', 'noc'),
      request: { params: Id, body: jsonBody(Decide) },
      responses: okOr404(MeetingSchema, 'Đã từ chối / rejected'),
    }),
    async (c) => {
      const a = allow(c, 'admin', 'noc');
      const m = readable(a.user, c.req.valid('param').id);
      const { reason } = c.req.valid('json');
      const out = await guard(() => meetings.reject(m.id, a.user.name, reason), a.user);
      auditFrom(c, rt, 'meeting.reject', m.id, { title: m.title, host_org: m.host_org, reason });
      tell(out, 'rejected', reason);
      return c.json(meetingFor(a.user, out), 200);
    },
  );

  /** a series as this user may read it: 404 when it has no occurrence the user may read */
  const readableSeries = (user: UserRecord, id: string) => {
    const s = meetings.series(id);
    const mine = s.occurrences.filter((m) => canReadMeeting(user, m));
    if (mine.length === 0)
      throw new ApiFailure(
        404,
        'not_found',
        `Không tìm thấy chuỗi cuộc họp "${id}" / Not found: series "${id}"`,
      );
    return { ...s, occurrences: mine };
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/meetings/series/{id}',
      summary:
        'Cuộc họp định kỳ: quy tắc lặp, ngày bỏ qua, các lần họp / a recurring series and its occurrences',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: Id },
      responses: okOr404(SeriesSchema, 'Chuỗi cuộc họp / the series'),
    }),
    async (c) => {
      const a = allow(c, ...READ_ROLES);
      const s = await guard(() => readableSeries(a.user, c.req.valid('param').id));
      return c.json({ ...s, occurrences: s.occurrences.map((m) => meetingFor(a.user, m)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/meetings/series/{id}/cancel',
      summary: 'Hủy các lần họp chưa diễn ra của chuỗi / cancel every occurrence not yet started',
      security: SECURITY,
      ...roles('admin', 'noc', 'host'),
      request: { params: Id, body: jsonBody(Cancel) },
      responses: okOr404(z.object({ cancelled: z.array(MeetingSchema) }), 'Đã hủy / cancelled'),
    }),
    async (c) => {
      const a = allow(c, 'admin', 'noc', 'host');
      const id = c.req.valid('param').id;
      const s = await guard(() => readableSeries(a.user, id));
      if (!canManageMeeting(a.user, s.occurrences[0]!)) throw forbidden('hủy chuỗi cuộc họp này');
      const { reason } = c.req.valid('json');
      const out = await guard(() => meetings.cancelSeries(id, a.user.name, reason));
      auditFrom(c, rt, 'meeting.series.cancel', id, { reason, cancelled: out.map((m) => m.id) });
      return c.json({ cancelled: out.map((m) => meetingFor(a.user, m)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/meetings/{id}/readiness',
      summary: 'Kết quả vận hành thử (T-12h, T-1h, theo yêu cầu) / readiness test runs',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: Id },
      responses: okOr404(z.object({ items: z.array(RunSchema) }), 'Các lần vận hành thử / runs'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const m = readable(a.user, c.req.valid('param').id);
      return c.json({ items: readiness.runs(m.id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/meetings/{id}/attendance',
      summary:
        'Điểm cầu vào, không vào, rời cuộc họp (không phải sự cố) / sites joining, never joining, leaving the call',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: Id },
      responses: okOr404(
        z.object({ items: z.array(AttendanceEvent) }),
        'Sự kiện tham dự / attendance events',
      ),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const m = readable(a.user, c.req.valid('param').id);
      const items = (d.alerts?.attendance(m.id) ?? [])
        .filter((x) => a.user.role !== 'technician' || a.user.sites.includes(x.site))
        .sort((x, y) => x.at - y.at);
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/meetings/{id}/readiness',
      summary: 'Vận hành thử ngay (Điều 7.1.b) / run a readiness test now',
      security: SECURITY,
      ...roles('admin', 'noc', 'technician', 'host'),
      request: { params: Id },
      responses: okOr404(RunSchema, 'Kết quả / result'),
    }),
    async (c) => {
      const a = allow(c, 'admin', 'noc', 'technician', 'host');
      const m = readable(a.user, c.req.valid('param').id);
      const run = await guard(() => readiness.run(m.id, 'manual', a.user.name));
      auditFrom(c, rt, 'meeting.readiness', m.id, { ready: run.ready, total: run.total });
      return c.json(run, 200);
    },
  );

  const readIncident = (user: UserRecord, id: string): Incident => {
    const i = incidents.get(id);
    if (!i || !canReadIncident(user, i, (x) => meetings.get(x)))
      throw new ApiFailure(404, 'not_found', `Không tìm thấy sự cố "${id}" / Not found: incident "${id}"`);
    return i;
  };
  const alertFor = (id: string | undefined) => (id ? d.alerts?.get(id) : undefined);
  const episodeFor = (id: string | undefined) => (id ? d.alerts?.episode(id) : undefined);
  const detail = (i: Incident) => ({ ...i, history: incidents.history(i.id) });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/incidents',
      summary:
        'Nhật ký sự cố (Điều 8.2.d); bản nháp chờ xác nhận khi status=draft / the incident log; drafts awaiting confirmation with status=draft',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { query: IncidentQuery },
      responses: ok(
        z.object({
          items: z.array(IncidentSchema),
          total: z.number(),
          limit: z.number(),
          offset: z.number(),
        }),
        'Danh sách / list',
      ),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const q = c.req.valid('query');
      const all = incidents
        .list({
          ...(q.from !== undefined && { from: q.from }),
          ...(q.to !== undefined && { to: q.to }),
          ...(q.site && { site: q.site }),
          ...(q.meeting_id && { meeting_id: q.meeting_id }),
          ...(q.cause_class && { cause_class: q.cause_class }),
          ...(q.open && { open: q.open === 'true' }),
          ...(q.status && { status: q.status }),
          ...(q.include_drafts === 'true' && { drafts: true }),
          ...(q.episode_id && { episode_id: q.episode_id }),
        })
        .items.filter((i) => canReadIncident(a.user, i, (x) => meetings.get(x)));
      return c.json(page(all, q), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/incidents/draft',
      summary:
        'Điền sẵn sự cố từ một cảnh báo hoặc một sự kiện lỗi (episode) / an incident prefilled from an alert or an episode',
      security: SECURITY,
      ...roles(...OPERATE_ROLES),
      request: { query: DraftQuery },
      responses: okOr404(Draft, 'Bản nháp / draft'),
    }),
    (c) => {
      const a = allow(c, ...OPERATE_ROLES);
      const { alert_id, episode_id } = c.req.valid('query');
      let draft: ReturnType<typeof incidents.draftFromAlert>;
      if (episode_id !== undefined) {
        const ep = episodeFor(episode_id);
        if (!ep)
          throw new ApiFailure(
            404,
            'not_found',
            `Không tìm thấy sự kiện lỗi "${episode_id}" / Not found: episode`,
          );
        draft = incidents.draftFromEpisode(ep);
      } else {
        const alert = alertFor(alert_id);
        if (!alert)
          throw new ApiFailure(404, 'not_found', `Không tìm thấy cảnh báo "${alert_id}" / Not found: alert`);
        draft = incidents.draftFromAlert(alert);
      }
      if (a.user.role === 'technician' && !(draft.sites ?? []).every((s) => a.user.sites.includes(s)))
        throw forbidden('ghi sự cố của điểm cầu khác');
      return c.json(draft, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/incidents',
      summary:
        'Ghi sự cố: nguyên nhân, giải pháp, đơn vị chịu trách nhiệm, thời gian khắc phục (dự kiến); alert_id hoặc episode_id điền sẵn / log an incident; the host office and the NOC are told',
      security: SECURITY,
      ...roles(...OPERATE_ROLES),
      request: { body: jsonBody(NewIncident) },
      responses: {
        201: { description: 'Đã ghi / logged', content: { 'application/json': { schema: IncidentSchema } } },
        ...ERRORS,
      },
    }),
    async (c) => {
      const a = allow(c, ...OPERATE_ROLES);
      const body = c.req.valid('json');
      const alert = alertFor(body.alert_id);
      const episode = episodeFor(body.episode_id);
      if (a.user.role === 'technician') {
        const sites =
          body.sites ??
          (episode ? incidents.draftFromEpisode(episode).sites : undefined) ??
          (alert ? incidents.draftFromAlert(alert).sites : []) ??
          [];
        if (!sites.every((s) => a.user.sites.includes(s))) throw forbidden('ghi sự cố của điểm cầu khác');
      }
      const inc = await guard(() => incidents.create(body, a.user.name, alert, episode));
      auditFrom(c, rt, 'incident.create', inc.id, {
        sites: inc.sites,
        cause_class: inc.cause_class,
        responsible_org: inc.responsible_org,
      });
      return c.json(inc, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/incidents/{id}',
      summary: 'Một sự cố, kèm lịch sử sửa đổi / one incident, with its edit history',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: Id },
      responses: okOr404(IncidentDetailSchema, 'Sự cố / the incident'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      return c.json(detail(readIncident(a.user, c.req.valid('param').id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/incidents/{id}',
      summary:
        "Cập nhật sự cố: thời điểm khắc phục, giải pháp …; status 'open' xác nhận bản nháp / update: restore time, fix …; status 'open' confirms a draft",
      security: SECURITY,
      ...roles(...OPERATE_ROLES),
      request: { params: Id, body: jsonBody(IncidentPatch) },
      responses: okOr404(IncidentDetailSchema, 'Đã cập nhật / updated'),
    }),
    async (c) => {
      const a = allow(c, ...OPERATE_ROLES);
      const cur = readIncident(a.user, c.req.valid('param').id);
      const body = c.req.valid('json');
      if (
        a.user.role === 'technician' &&
        ![...cur.sites, ...(body.sites ?? [])].every((s) => a.user.sites.includes(s))
      )
        throw forbidden('sửa sự cố của điểm cầu khác');
      const inc = await guard(() => incidents.update(cur.id, body, a.user.name));
      auditFrom(c, rt, 'incident.update', inc.id, body);
      return c.json(detail(inc), 200);
    },
  );

  return app;
}
