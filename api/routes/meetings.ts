// /api/v1/meetings, /api/v1/incidents: meeting registration (Điều 6), readiness test runs (Điều 7.1.b)
// and the incident log (Điều 8.2.d). Hosts register and see their own organisation's meetings;
// technicians see the meetings and incidents of their sites and log incidents there; noc/admin all.
// A restricted meeting (Điều 14.1.g) shows its title and note only to admin, noc and its host office;
// everyone else reads "Cuộc họp (hạn chế)" with its sites and times. A registration or change inside a
// planned maintenance window of one of its sites is accepted with the window named in `maintenance`.
import { createRoute, z } from '@hono/zod-openapi';
import type { UserRecord } from '../../api/accounts.ts';
import { TIERS } from '../../inventory/schema.ts';
import { MeetingsError } from '../../meetings/errors.ts';
import {
  CAUSE_CLASSES,
  INCIDENT_STATUSES,
  type Incident,
  IncidentLog,
  IncidentPatch,
  NewIncident,
} from '../../meetings/incidents.ts';
import { clashWarning, maintenanceClashes } from '../../meetings/maintenance.ts';
import { RESTRICTED_TITLE } from '../../meetings/notices.ts';
import { REASON_CODES, Readiness, SLOTS } from '../../meetings/readiness.ts';
import {
  DbMeetings,
  type Meeting,
  MeetingPatch,
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
    d.meetings instanceof DbMeetings ? d.meetings : new DbMeetings(rt.state, rt.inventory, opts.now);
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

/** Runs `fn`, turning the module's errors into the API's one error format. */
export async function guard<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MeetingsError) throw toApi(err);
    throw err;
  }
}

function toApi(err: MeetingsError): ApiFailure {
  return new ApiFailure(err.status, err.code, err.message, err.issues);
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
    /** true when this reader gets "Cuộc họp (hạn chế)" instead of the title (note and reasons null) */
    redacted: z.boolean(),
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
});

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
});

const MeetingQuery = z
  .object({
    from: QueryTime.optional(),
    to: QueryTime.optional(),
    host_org: z.string().max(100).optional(),
    site: z.string().max(100).optional(),
    include_cancelled: z.enum(['true', 'false']).optional(),
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
  opts: { readiness?: Readiness; incidents?: IncidentLog; now?: () => number } = {},
) {
  const { rt } = d;
  const { meetings, incidents, readiness } = meetingsParts(d, opts);
  const app = subApp();

  const readable = (user: UserRecord, id: string): Meeting => readableMeeting(meetings, user, id);
  /** a registration or change as this user reads it, with the maintenance windows it falls in */
  const answer = (user: UserRecord, r: StoreRegistered) => {
    const clashes = maintenanceClashes(rt.inventory, d.alerts?.maintenanceWindows() ?? [], r.meeting);
    const overlaps = r.overlaps.map((o) => overlapFor(user, o));
    return {
      meeting: meetingFor(user, r.meeting),
      overlaps,
      maintenance: clashes,
      warnings: [
        ...registrationWarnings(r.meeting, overlaps),
        ...clashes.map((x) => clashWarning(rt.inventory, x)),
      ],
    };
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
        host_org: a.user.role === 'host' ? (a.user.org ?? '-') : q.host_org,
        include_cancelled: q.include_cancelled === 'true',
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
      const r = await guard(() => meetings.register(body, a.user.name));
      auditFrom(c, rt, 'meeting.register', r.meeting.id, {
        title: r.meeting.title,
        host_org: r.meeting.host_org,
        start: r.meeting.start,
        sites: r.meeting.sites.length,
        emergency: r.meeting.emergency,
        overlaps: r.overlaps.map((o) => o.id),
      });
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
      const r = await guard(() => meetings.update(m.id, body));
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
