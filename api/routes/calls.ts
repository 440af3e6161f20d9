// /api/v1/calls: the calls the MCU carried, as observed (issue 14) — each site's legs (joined, left,
// why), the registered meeting each belongs to, and the calls nobody registered, which the NOC attaches
// to a registration or classifies as a central or district-hosted meeting (Điều 3.1, 6.3, 8.2.c).
import { createRoute, z } from '@hono/zod-openapi';
import { DISCONNECT_CAUSES } from '../../core/vocabulary.ts';
import { RESTRICTED_TITLE } from '../../meetings/notices.ts';
import { CALL_KINDS, CallLog, type ObservedCall } from '../../meetings/observed.ts';
import type { UserRecord } from '../accounts.ts';
import { allow, auditFrom, type Deps, READ_ROLES } from '../context.ts';
import { notFound } from '../errors.ts';
import { jsonBody, ok, okOr404, roles, SECURITY, subApp } from '../openapi.ts';
import { canReadMeeting, guard, meetingsParts, QueryTime, seesRestricted } from './meetings.ts';

const Leg = z.object({
  id: z.number().int(),
  call_id: z.string(),
  site: z.string(),
  joined_at: z.number(),
  left_at: z.number().nullable(),
  left_reason: z.enum(['disconnected', 'no_data']).nullable(),
  source: z.enum(['mcu_port', 'codec', 'mcu_record']),
  unregistered_site: z.boolean(),
  /** the MCU's call record (history / CDR log) this leg follows */
  record_id: z.string().nullable(),
  /** why it ended as the MCU recorded it; labels: core/vocabulary.ts DISCONNECT_CAUSE_NAMES */
  left_cause: z.enum(DISCONNECT_CAUSES).nullable(),
  /** the MCU's own words */
  left_cause_vendor: z.string().nullable(),
});

export const ObservedCallSchema = z
  .object({
    id: z.string(),
    kind: z.enum(CALL_KINDS),
    meeting_id: z.string().nullable(),
    started_at: z.number(),
    ended_at: z.number().nullable(),
    host_org: z.string().nullable(),
    title: z.string().nullable(),
    classified_by: z.string().nullable(),
    classified_at: z.number().nullable(),
    note: z.string().nullable(),
    legs: z.array(Leg),
  })
  .openapi('ObservedCall');

const CallQuery = z
  .object({
    from: QueryTime.optional(),
    to: QueryTime.optional(),
    kind: z.enum(CALL_KINDS).optional(),
    meeting: z.string().max(100).optional(),
    /** only calls with a site still connected */
    live: z.enum(['true', 'false']).optional(),
  })
  .strict();

const Classify = z
  .object({
    kind: z.enum(['registered', 'central', 'district_hosted', 'unregistered']),
    /** with kind "registered": the registration this call was */
    meeting_id: z.string().min(1).max(100).optional(),
    host_org: z.string().min(1).max(100).optional(),
    title: z.string().trim().min(1).max(300).optional(),
    note: z.string().trim().max(2000).optional(),
  })
  .strict();

const CallId = z.object({ id: z.string().min(1).max(100) });

export function callRoutes(d: Deps, opts: { now?: () => number } = {}) {
  const { rt } = d;
  const { meetings } = meetingsParts(d, opts);
  const calls = new CallLog(rt.state, rt.inventory, meetings);
  const now = opts.now ?? Date.now;
  const app = subApp();

  /** hosts see the calls of their meetings; technicians the calls their sites were in; others all */
  const canRead = (user: UserRecord, c: ObservedCall) => {
    if (user.role === 'technician') return c.legs.some((l) => user.sites.includes(l.site));
    if (user.role === 'host') {
      const m = c.meeting_id ? meetings.get(c.meeting_id) : undefined;
      return m !== undefined && canReadMeeting(user, m);
    }
    return true;
  };

  /** the call of a restricted meeting without its title and note, unless the user may read them (Điều 14.1.g) */
  const view = (user: UserRecord, x: ObservedCall): ObservedCall => {
    const m = x.meeting_id ? meetings.get(x.meeting_id) : undefined;
    return m?.restricted && !seesRestricted(user, m) ? { ...x, title: RESTRICTED_TITLE.vi, note: null } : x;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/calls',
      summary:
        'Các cuộc gọi MCU đã thực hiện (điểm cầu vào, ra, lý do), kể cả cuộc gọi chưa đăng ký / calls the MCU carried, as observed',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { query: CallQuery },
      responses: ok(z.object({ items: z.array(ObservedCallSchema) }), 'Theo thời gian bắt đầu / by start'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const q = c.req.valid('query');
      const items = calls
        .list({
          ...(q.from !== undefined && { from: q.from }),
          ...(q.to !== undefined && { to: q.to }),
          ...(q.kind && { kind: q.kind }),
          ...(q.meeting && { meeting: q.meeting }),
          live: q.live === 'true',
        })
        .filter((x) => canRead(a.user, x))
        .map((x) => view(a.user, x));
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/calls/{id}',
      summary: 'Một cuộc gọi MCU / one observed call',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: CallId },
      responses: okOr404(ObservedCallSchema, 'Cuộc gọi / the call'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const { id } = c.req.valid('param');
      const call = calls.get(id);
      if (!call || !canRead(a.user, call)) throw notFound(`cuộc gọi "${id}"`);
      return c.json(view(a.user, call), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/calls/{id}/classify',
      summary:
        'Phân loại cuộc gọi chưa đăng ký: gắn vào cuộc họp đã đăng ký, hoặc hội nghị Trung ương / cấp huyện chủ trì (admin, noc) / classify an unregistered call',
      security: SECURITY,
      ...roles('admin', 'noc'),
      request: { params: CallId, body: jsonBody(Classify) },
      responses: okOr404(ObservedCallSchema, 'Đã phân loại / classified'),
    }),
    async (c) => {
      const a = allow(c, 'admin', 'noc');
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const before = calls.get(id);
      if (!before) throw notFound(`cuộc gọi "${id}"`);
      const after = await guard(() => calls.classify(id, body, a.user.name, now()));
      auditFrom(c, rt, 'call.classify', id, { from: before.kind, to: after.kind, meeting: after.meeting_id });
      return c.json(after, 200);
    },
  );

  return app;
}
