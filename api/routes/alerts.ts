// /api/v1/alerts, /api/v1/silences and /api/v1/maintenance: what the alert engine decided,
// acknowledging with a comment, silences (list, create, end) and recurring maintenance windows
// (Điều 13.3). Technicians see and act on their own sites only; maintenance plans are the NOC's.
import { createRoute, z } from '@hono/zod-openapi';
import type { AlertEngine, MaintenanceWindow as EngineWindow } from '../../core/ports.ts';
import { TIERS } from '../../inventory/schema.ts';
import {
  allow,
  auditFrom,
  canOperateAlert,
  canReadAlert,
  canReadSilence,
  type Deps,
  OPERATE_ROLES,
  READ_ROLES,
} from '../context.ts';
import { ALERT_STATES, Alert, MaintenanceWindow, SEVERITIES, Silence } from '../contract.ts';
import { ApiFailure, forbidden, notFound } from '../errors.ts';
import { jsonBody, ok, okOr404, page, pageQuery, roles, SECURITY, subApp } from '../openapi.ts';

const AlertQuery = z
  .object({
    state: z.enum(ALERT_STATES).optional(),
    /** include resolved alerts (default: only firing, acknowledged and suppressed) */
    all: z.enum(['true', 'false']).optional(),
    site: z.string().max(100).optional(),
    district: z.string().max(100).optional(),
    severity: z.enum(SEVERITIES).optional(),
    ...pageQuery(500, 100),
  })
  .strict();

const AlertId = z.object({ id: z.string().min(1).max(100) });

export const Ack = z
  .object({ comment: z.string().trim().min(1, 'cần ghi chú / a comment is required').max(1000) })
  .strict();

const NewSilence = z
  .object({
    matchers: z
      .object({
        site: z.string().max(100).optional(),
        district: z.string().max(100).optional(),
        tier: z.enum(TIERS).optional(),
        rule: z.string().max(100).optional(),
      })
      .strict()
      .refine((m) => Object.keys(m).length > 0, 'cần ít nhất một điều kiện / at least one matcher'),
    /** ms since epoch; default now */
    starts_at: z.number().int().min(0).optional(),
    /** ms since epoch; or give duration_min */
    ends_at: z.number().int().min(0).optional(),
    duration_min: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 60)
      .optional(),
    comment: z.string().trim().min(1, 'cần lý do / a reason is required').max(1000),
  })
  .strict();

const MAX_SILENCE_MS = 30 * 86400_000;

const NewMaintenance = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'mã gồm a-z, 0-9, "-" / a slug of a-z, 0-9 and "-"'),
    scope: z
      .object({
        site: z.string().max(100).optional(),
        district: z.string().max(100).optional(),
        tier: z.enum(TIERS).optional(),
      })
      .strict()
      .refine(
        (m) => Object.keys(m).length === 1,
        'chọn đúng một: site, district hoặc tier / exactly one of them',
      ),
    weekdays: z.array(z.number().int().min(1).max(7)).max(7).default([]),
    start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'giờ địa phương HH:MM / local time HH:MM'),
    duration_min: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    comment: z.string().trim().min(1, 'cần nội dung bảo trì / say what the maintenance is').max(1000),
  })
  .strict();

const toWire = (w: EngineWindow): MaintenanceWindow => ({
  id: w.id,
  scope: w.scope,
  weekdays: w.weekdays,
  start: w.start,
  duration_min: Math.round(w.duration / 60_000),
  comment: w.comment,
  source: w.source,
  ...(w.created_by && { created_by: w.created_by }),
});

/** A 400 (or 409) naming the field and the problem, in the API's one error format. */
function bad(path: string, message: string, status: 400 | 409 = 400): never {
  const what = status === 409 ? 'Xung đột / Conflict' : 'Dữ liệu không hợp lệ / Invalid request';
  throw new ApiFailure(
    status,
    status === 409 ? 'conflict' : 'invalid_request',
    `${what}: ${path}: ${message}`,
    [{ path, message }],
  );
}

/** The alert engine, or 503 when it is not running. */
export function engine(d: Deps): AlertEngine {
  if (!d.alerts)
    throw new ApiFailure(
      503,
      'alerts_unavailable',
      'Bộ xử lý cảnh báo chưa chạy / The alert engine is not running',
    );
  return d.alerts;
}

export function alertRoutes(d: Deps) {
  const { rt } = d;
  const inv = rt.inventory;
  const app = subApp();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/alerts',
      summary: 'Cảnh báo / alerts (active by default; filters state, site, district, severity)',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { query: AlertQuery },
      responses: ok(
        z.object({ items: z.array(Alert), total: z.number().int(), limit: z.number(), offset: z.number() }),
        'Danh sách / list',
      ),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const q = c.req.valid('query');
      const list = (d.alerts?.list(q.state ? { state: q.state } : undefined) ?? [])
        .filter(
          (x) =>
            canReadAlert(a.user, x) &&
            (q.state || q.all === 'true' || x.state !== 'resolved') &&
            (!q.site || x.site === q.site || x.sites.includes(q.site)) &&
            (!q.district || x.district === q.district) &&
            (!q.severity || x.severity === q.severity),
        )
        .sort((x, y) => y.started_at - x.started_at);
      return c.json(page(list, q), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/alerts/{id}',
      summary: 'Một cảnh báo / one alert',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: AlertId },
      responses: okOr404(Alert, 'Cảnh báo / the alert'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const { id } = c.req.valid('param');
      const found = engine(d).get(id);
      if (!found) throw notFound(`cảnh báo "${id}"`);
      if (!canReadAlert(a.user, found)) throw forbidden('xem cảnh báo này');
      return c.json(found, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/alerts/{id}/ack',
      summary: 'Xác nhận cảnh báo kèm ghi chú (dừng leo thang) / acknowledge with a comment',
      security: SECURITY,
      ...roles(...OPERATE_ROLES),
      request: { params: AlertId, body: jsonBody(Ack) },
      responses: okOr404(Alert, 'Đã xác nhận / acknowledged'),
    }),
    (c) => {
      const a = allow(c, ...OPERATE_ROLES);
      const { id } = c.req.valid('param');
      const { comment } = c.req.valid('json');
      const e = engine(d);
      const found = e.get(id);
      if (!found) throw notFound(`cảnh báo "${id}"`);
      if (!canOperateAlert(a.user, found)) throw forbidden('xác nhận cảnh báo của điểm cầu khác');
      if (found.state === 'resolved')
        throw new ApiFailure(409, 'conflict', 'Cảnh báo đã kết thúc / The alert is already resolved');
      const updated = e.acknowledge(id, a.user.name, comment);
      auditFrom(c, rt, 'alert.ack', id, { comment, site: found.site });
      return c.json(updated, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/silences',
      summary: 'Các lệnh tạm im cảnh báo / silences',
      security: SECURITY,
      ...roles(...READ_ROLES),
      responses: ok(z.object({ items: z.array(Silence) }), 'Danh sách / list'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const items = (d.alerts?.silences() ?? []).filter((s) => canReadSilence(a.user, s));
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/silences',
      summary: 'Tạm im cảnh báo theo điều kiện / create a silence (technicians: own site only)',
      security: SECURITY,
      ...roles(...OPERATE_ROLES),
      request: { body: jsonBody(NewSilence) },
      responses: ok(Silence, 'Đã tạo / created'),
    }),
    (c) => {
      const a = allow(c, ...OPERATE_ROLES);
      const b = c.req.valid('json');
      const m = b.matchers;
      if (m.site && !inv.sites.has(m.site))
        bad('body.matchers.site', `điểm cầu "${m.site}" không có trong danh mục / unknown site`);
      if (m.district && !inv.districts.has(m.district))
        bad('body.matchers.district', `huyện "${m.district}" không có trong danh mục / unknown district`);
      if (a.user.role === 'technician' && (!m.site || !a.user.sites.includes(m.site) || m.district || m.tier))
        throw forbidden('tạm im cảnh báo ngoài điểm cầu của mình');
      const now = Date.now();
      const starts = b.starts_at ?? now;
      if (b.ends_at !== undefined && b.duration_min !== undefined)
        bad(
          'body.duration_min',
          'chỉ dùng ends_at hoặc duration_min / give ends_at or duration_min, not both',
        );
      const ends =
        b.ends_at ??
        (b.duration_min !== undefined
          ? starts + b.duration_min * 60_000
          : bad('body.ends_at', 'cần ends_at hoặc duration_min / required'));
      if (ends <= starts) bad('body.ends_at', 'phải sau starts_at / must be after starts_at');
      if (ends <= now) bad('body.ends_at', 'đã qua / is in the past');
      if (ends - starts > MAX_SILENCE_MS) bad('body.ends_at', 'tối đa 30 ngày / at most 30 days');
      const s = engine(d).addSilence({
        matchers: m,
        starts_at: starts,
        ends_at: ends,
        comment: b.comment,
        created_by: a.user.name,
      });
      auditFrom(c, rt, 'silence.create', s.id, {
        matchers: m,
        starts_at: starts,
        ends_at: ends,
        comment: b.comment,
      });
      return c.json(s, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/silences/{id}',
      summary: 'Kết thúc lệnh tạm im / end a silence',
      security: SECURITY,
      ...roles(...OPERATE_ROLES),
      request: { params: AlertId },
      responses: okOr404(z.object({ ok: z.literal(true) }), 'Đã kết thúc / ended'),
    }),
    (c) => {
      const a = allow(c, ...OPERATE_ROLES);
      const { id } = c.req.valid('param');
      const e = engine(d);
      const s = e.silences().find((x) => x.id === id);
      if (!s) throw notFound(`lệnh tạm im "${id}"`);
      if (a.user.role === 'technician' && !(s.matchers.site && a.user.sites.includes(s.matchers.site)))
        throw forbidden('kết thúc lệnh tạm im của điểm cầu khác');
      e.endSilence(id, a.user.name);
      auditFrom(c, rt, 'silence.end', id, { matchers: s.matchers });
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/maintenance',
      summary: 'Lịch bảo trì định kỳ / recurring maintenance windows',
      security: SECURITY,
      ...roles(...READ_ROLES),
      responses: ok(z.object({ items: z.array(MaintenanceWindow) }), 'Danh sách / list'),
    }),
    (c) => {
      allow(c, ...READ_ROLES);
      return c.json({ items: (d.alerts?.maintenanceWindows() ?? []).map(toWire) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/maintenance',
      summary: 'Thêm lịch bảo trì (cảnh báo trong giờ bảo trì bị tạm im) / add a maintenance window',
      security: SECURITY,
      ...roles('admin', 'noc'),
      request: { body: jsonBody(NewMaintenance) },
      responses: ok(MaintenanceWindow, 'Đã tạo / created'),
    }),
    (c) => {
      const a = allow(c, 'admin', 'noc');
      const b = c.req.valid('json');
      const e = engine(d);
      if (b.scope.site && !inv.sites.has(b.scope.site))
        bad('body.scope.site', `điểm cầu "${b.scope.site}" không có trong danh mục / unknown site`);
      if (b.scope.district && !inv.districts.has(b.scope.district))
        bad('body.scope.district', `huyện "${b.scope.district}" không có trong danh mục / unknown district`);
      if (e.maintenanceWindows().some((w) => w.id === b.id))
        bad('body.id', `lịch bảo trì "${b.id}" đã có / already exists`, 409);
      const w = e.addMaintenance(
        {
          id: b.id,
          scope: b.scope,
          weekdays: b.weekdays,
          start: b.start,
          duration: b.duration_min * 60_000,
          comment: b.comment,
        },
        a.user.name,
      );
      auditFrom(c, rt, 'maintenance.create', w.id, b);
      return c.json(toWire(w), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/maintenance/{id}',
      summary: 'Xoá lịch bảo trì / remove a maintenance window',
      security: SECURITY,
      ...roles('admin', 'noc'),
      request: { params: AlertId },
      responses: okOr404(z.object({ ok: z.literal(true) }), 'Đã xoá / removed'),
    }),
    (c) => {
      allow(c, 'admin', 'noc');
      const { id } = c.req.valid('param');
      const e = engine(d);
      const w = e.maintenanceWindows().find((x) => x.id === id);
      if (!w) throw notFound(`lịch bảo trì "${id}"`);
      if (w.source === 'rules')
        throw new ApiFailure(
          409,
          'conflict',
          `lịch bảo trì "${id}" nằm trong tệp quy tắc; sửa tệp đó / "${id}" is defined in the rules file; edit that file`,
        );
      e.endMaintenance(id);
      auditFrom(c, rt, 'maintenance.delete', id, { scope: w.scope });
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}
