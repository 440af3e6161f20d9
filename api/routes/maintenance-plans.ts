// /api/v1: maintenance plans (one-off and recurring windows with their plan) and the maintenance log (Điều 11.5, 13.3, 14.1.b).
// Every role reads plans and the log (a host office sees when its sites are held). Admin and NOC create,
// change and cancel any plan; a technician those whose every covered site is one of theirs (a site or
// a device there: a district or tier plan is the NOC's). Admin, NOC and a technician for their own
// sites file log entries. A plan created or changed over registered meetings tells their host offices
// (meetings/maintenance-notices.ts). Every change is audited.
import { createRoute, z } from '@hono/zod-openapi';
import type { Outbox } from '../../alerts/outbox.ts';
import { addLogEntry, listLog, syncInventoryDevices } from '../../maintenance/log.ts';
import {
  cancelPlan,
  createPlan,
  getPlan,
  listPlans,
  type MaintenancePlan,
  PLAN_KINDS,
  PLAN_SCOPES,
  PlanError,
  planActiveAt,
  planOccurrences,
  planOver,
  planSites,
  updatePlan,
} from '../../maintenance/plans.ts';
import { DbHosts } from '../../meetings/hosts.ts';
import { meetingsTouched, notifyPlanHosts } from '../../meetings/maintenance-notices.ts';
import { DbMeetings } from '../../meetings/store.ts';
import { TimeInput } from '../../meetings/time.ts';
import type { UserRecord } from '../accounts.ts';
import { allow, auditFrom, type Deps, READ_ROLES } from '../context.ts';
import { ApiFailure, forbidden } from '../errors.ts';
import { created, jsonBody, ok, okOr404, roles, SECURITY, subApp } from '../openapi.ts';

const CHANGE = ['admin', 'noc', 'technician'] as const;
const Id = z.object({ id: z.string().min(1).max(100) });
const DAY = 86_400_000;

const Scope = z
  .object({
    kind: z.enum(PLAN_SCOPES, 'phạm vi: site, district, tier hoặc device / scope kind'),
    value: z
      .string()
      .min(1, 'cần mã điểm cầu, huyện, cấp hoặc thiết bị / the scope value is required')
      .max(100),
  })
  .strict();

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'giờ dạng HH:MM, ví dụ 07:30 / time as HH:MM');
const Weekdays = z
  .array(
    z
      .number()
      .int()
      .min(1, 'thứ từ 1 (thứ Hai) / ISO weekday 1..7')
      .max(7, 'đến 7 (Chủ nhật) / ISO weekday 1..7'),
  )
  .max(7);

const PlanFields = {
  kind: z.enum(PLAN_KINDS, 'loại: once (một lần) hoặc recurring (định kỳ) / once or recurring'),
  scope: Scope,
  /** once: the start; recurring: from when (default now) */
  starts_at: TimeInput.optional(),
  /** once: the end; recurring: until when (optional) */
  ends_at: TimeInput.nullable().optional(),
  weekdays: Weekdays.optional(),
  start_local: HHMM.nullable().optional(),
  duration_min: z.number().int().min(1).max(1440).nullable().optional(),
  work: z.string().trim().min(1, 'cần ghi nội dung công việc / what will be done is required').max(2000),
  by_person: z.string().max(100).nullable().optional(),
  by_text: z.string().trim().max(300).optional(),
};

const NewPlan = z.object(PlanFields).strict().openapi('NewMaintenancePlan');
const PlanPatch = z
  .object({
    ...Object.fromEntries(Object.entries(PlanFields).map(([k, v]) => [k, v.optional()])),
    /** true: cancel the plan */
    cancelled: z.literal(true).optional(),
  })
  .strict()
  .openapi('MaintenancePlanPatch') as unknown as z.ZodType<
  Partial<z.infer<typeof NewPlan>> & { cancelled?: true }
>;

const Window = z.object({ from: z.number(), to: z.number() });

const PlanSchema = z
  .object({
    id: z.string(),
    kind: z.enum(PLAN_KINDS),
    scope: z.object({ kind: z.enum(PLAN_SCOPES), value: z.string() }),
    starts_at: z.number(),
    ends_at: z.number().nullable(),
    weekdays: z.array(z.number()),
    start_local: z.string().nullable(),
    duration_min: z.number().nullable(),
    work: z.string(),
    by_person: z.string().nullable(),
    by_text: z.string(),
    created_by: z.string(),
    created_at: z.number(),
    updated_at: z.number(),
    revision: z.number(),
    cancelled_at: z.number().nullable(),
    cancelled_by: z.string().nullable(),
    /** upcoming, active (a window is open now), past (over) or cancelled */
    status: z.enum(['upcoming', 'active', 'past', 'cancelled']),
    /** the sites it covers (a device plan: the device's site; the MCU: every site) */
    sites: z.array(z.string()),
    /** its next windows (the open one first), up to 5 within 60 days */
    windows: z.array(Window),
  })
  .openapi('MaintenancePlan');

const TouchedSchema = z.object({
  meeting: z.string(),
  title: z.string(),
  host_org: z.string(),
  start: z.number(),
  end: z.number(),
  sites: z.array(z.string()),
});

const PlanAnswer = PlanSchema.extend({
  /** registered meetings still ahead that its windows touch, and the host offices told */
  meetings: z.array(TouchedSchema),
  notified_hosts: z.array(z.string()),
});

const PlanQuery = z
  .object({
    status: z.enum(['upcoming', 'active', 'past', 'cancelled', 'all']).optional(),
    site: z.string().max(100).optional(),
  })
  .strict();

const LogSchema = z
  .object({
    id: z.string(),
    at: z.number(),
    plan_id: z.string().nullable(),
    site: z.string().nullable(),
    devices: z.array(z.string()),
    done: z.string(),
    findings: z.string(),
    parts: z.string(),
    by: z.string(),
  })
  .openapi('MaintenanceLogEntry');

const NewLog = z
  .object({
    /** when it was done (default now) */
    at: TimeInput.optional(),
    plan_id: z.string().max(100).nullable().optional(),
    site: z.string().max(100).nullable().optional(),
    devices: z.array(z.string().max(100)).max(20).optional(),
    done: z.string().trim().min(1, 'cần ghi việc đã làm / what was done is required').max(2000),
    findings: z.string().trim().max(2000).optional(),
    parts: z.string().trim().max(1000).optional(),
    by_person: z.string().max(100).nullable().optional(),
    by_text: z.string().trim().max(300).optional(),
  })
  .strict()
  .openapi('NewMaintenanceLogEntry');

const LogQuery = z
  .object({
    site: z.string().max(100).optional(),
    device: z.string().max(100).optional(),
    plan_id: z.string().max(100).optional(),
    from: TimeInput.optional(),
    to: TimeInput.optional(),
  })
  .strict();

function invalid(field: string, message: string, status: 400 | 404 | 409 = 400): never {
  const what =
    status === 409
      ? 'Xung đột / Conflict'
      : status === 404
        ? 'Không tìm thấy / Not found'
        : 'Dữ liệu không hợp lệ / Invalid request';
  throw new ApiFailure(
    status,
    status === 409 ? 'conflict' : status === 404 ? 'not_found' : 'invalid_request',
    `${what}: ${field}: ${message}`,
    [{ path: `body.${field}`, message }],
  );
}

function guardPlan<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PlanError) invalid(err.field, err.message, err.status);
    throw err;
  }
}

export function maintenancePlanRoutes(d: Deps, opts: { now?: () => number } = {}) {
  const clock = opts.now ?? Date.now;
  const { rt } = d;
  const inv = rt.inventory;
  const db = rt.state;
  const app = subApp();
  // the device → site copy the device histories read (maintenance/log.ts)
  syncInventoryDevices(db, inv);
  const meetings = d.meetings instanceof DbMeetings ? d.meetings : new DbMeetings(db, inv);
  const hosts = new DbHosts(db, inv);
  const outbox = () => (d.alerts && 'outbox' in d.alerts ? (d.alerts.outbox as Outbox) : undefined);

  const status = (p: MaintenancePlan, now: number) =>
    p.cancelled_at !== null
      ? ('cancelled' as const)
      : planActiveAt(p, now)
        ? ('active' as const)
        : planOver(p, now)
          ? ('past' as const)
          : ('upcoming' as const);
  const wire = (p: MaintenancePlan, now: number) => ({
    ...p,
    status: status(p, now),
    sites: planSites(inv, p),
    windows: planOccurrences(p, now, now + 60 * DAY).slice(0, 5),
  });

  /** a technician may change a plan only when every site it covers is theirs */
  const mayChange = (user: UserRecord, p: Pick<MaintenancePlan, 'scope'>) => {
    if (user.role === 'admin' || user.role === 'noc') return;
    if (p.scope.kind === 'district' || p.scope.kind === 'tier')
      throw forbidden('lập kế hoạch bảo trì cho cả huyện hoặc cả cấp (việc của NOC)');
    const sites = planSites(inv, p);
    if (sites.length === 0 || sites.some((s) => !user.sites.includes(s)))
      throw forbidden(
        `lập kế hoạch bảo trì cho điểm cầu không do mình phụ trách (${
          sites
            .filter((s) => !user.sites.includes(s))
            .slice(0, 3)
            .join(', ') || p.scope.value
        })`,
      );
  };

  /** the meetings it touches, and their host offices told (once per plan revision); a cancelled plan: as it was */
  const tell = (p: MaintenancePlan, now: number, was?: MaintenancePlan) => {
    const touched = meetingsTouched(inv, meetings, was ?? p, now);
    const box = outbox();
    const told =
      box && touched.length
        ? notifyPlanHosts(box, inv, hosts, p, touched, was ? 'cancelled' : undefined)
        : { hosts: [], messages: 0 };
    if (told.messages)
      rt.log.info(
        { plan: p.id, hosts: told.hosts, messages: told.messages },
        'maintenance plan notices queued',
      );
    return {
      meetings: touched.map((t) => ({
        meeting: t.meeting.id,
        title: t.meeting.title,
        host_org: t.meeting.host_org,
        start: t.meeting.start,
        end: t.meeting.end,
        sites: t.sites,
      })),
      notified_hosts: told.hosts,
    };
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/maintenance-plans',
      summary: 'Kế hoạch bảo trì (sắp tới, đang diễn ra, đã qua) / maintenance plans',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { query: PlanQuery },
      responses: ok(z.object({ items: z.array(PlanSchema) }), 'Danh sách / list'),
    }),
    (c) => {
      allow(c, ...READ_ROLES);
      const q = c.req.valid('query');
      const now = clock();
      const items = listPlans(db, { include_cancelled: q.status === 'cancelled' || q.status === 'all' })
        .map((p) => wire(p, now))
        .filter((p) => !q.status || q.status === 'all' || p.status === q.status)
        .filter((p) => !q.site || p.sites.includes(q.site));
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/maintenance-plans/{id}',
      summary: 'Một kế hoạch bảo trì, các cuộc họp bị ảnh hưởng và nhật ký của nó / one plan',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: Id },
      responses: okOr404(
        PlanSchema.extend({ meetings: z.array(TouchedSchema), log: z.array(LogSchema) }),
        'Kế hoạch / the plan',
      ),
    }),
    (c) => {
      allow(c, ...READ_ROLES);
      const { id } = c.req.valid('param');
      const p = getPlan(db, id);
      if (!p) invalid('id', `không tìm thấy kế hoạch bảo trì "${id}" / plan not found`, 404);
      const now = clock();
      const touched = meetingsTouched(inv, meetings, p, now).map((t) => ({
        meeting: t.meeting.id,
        title: t.meeting.title,
        host_org: t.meeting.host_org,
        start: t.meeting.start,
        end: t.meeting.end,
        sites: t.sites,
      }));
      return c.json({ ...wire(p, now), meetings: touched, log: listLog(db, { plan_id: id }) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/maintenance-plans',
      summary:
        'Lập kế hoạch bảo trì (một lần hoặc định kỳ); cảnh báo trong phạm vi bị tạm giữ, cơ quan chủ trì cuộc họp bị ảnh hưởng được báo / create a plan',
      security: SECURITY,
      ...roles(...CHANGE),
      request: { body: jsonBody(NewPlan) },
      responses: created(PlanAnswer, 'Đã lập / created'),
    }),
    (c) => {
      const a = allow(c, ...CHANGE);
      const b = c.req.valid('json');
      const now = clock();
      mayChange(a.user, b);
      const p = guardPlan(() =>
        createPlan(db, inv, { ...b, starts_at: b.starts_at ?? now }, a.user.name, now),
      );
      const told = tell(p, now);
      auditFrom(c, rt, 'maintenance_plan.create', p.id, { plan: b, ...told });
      return c.json({ ...wire(p, now), ...told }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/maintenance-plans/{id}',
      summary: 'Sửa hoặc hủy kế hoạch bảo trì ({"cancelled": true}) / change or cancel a plan',
      security: SECURITY,
      ...roles(...CHANGE),
      request: { params: Id, body: jsonBody(PlanPatch) },
      responses: okOr404(PlanAnswer, 'Đã cập nhật / updated'),
    }),
    (c) => {
      const a = allow(c, ...CHANGE);
      const { id } = c.req.valid('param');
      const { cancelled, ...patch } = c.req.valid('json');
      const now = clock();
      const before = getPlan(db, id);
      if (!before) invalid('id', `không tìm thấy kế hoạch bảo trì "${id}" / plan not found`, 404);
      mayChange(a.user, before);
      if (cancelled) {
        if (Object.keys(patch).length)
          invalid('cancelled', 'hủy kế hoạch không kèm sửa đổi khác / cancel alone, without other changes');
        const p = guardPlan(() => cancelPlan(db, id, a.user.name, now));
        const told = tell(p, now, before);
        auditFrom(c, rt, 'maintenance_plan.cancel', id, { scope: p.scope, work: p.work, ...told });
        return c.json({ ...wire(p, now), ...told }, 200);
      }
      if (patch.scope) mayChange(a.user, { scope: patch.scope });
      const { after } = guardPlan(() => updatePlan(db, inv, id, patch, now));
      const told = tell(after, now);
      auditFrom(c, rt, 'maintenance_plan.update', id, { before, after, ...told });
      return c.json({ ...wire(after, now), ...told }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/maintenance-devices',
      summary:
        'Thiết bị có thể lập kế hoạch hoặc ghi nhật ký bảo trì (codec, UPS, router, MCU) / the devices a plan or log entry may name',
      security: SECURITY,
      ...roles(...READ_ROLES),
      responses: ok(
        z.object({
          items: z.array(z.object({ id: z.string(), kind: z.string(), site: z.string().nullable() })),
        }),
        'Danh sách / list',
      ),
    }),
    (c) => {
      allow(c, ...READ_ROLES);
      const items = [...inv.devices.values()].map((x) => ({
        id: x.id,
        kind: x.kind,
        site: x.site?.id ?? null,
      }));
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/maintenance-log',
      summary: 'Nhật ký bảo trì (mới nhất trước) / the maintenance log, newest first',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { query: LogQuery },
      responses: ok(z.object({ items: z.array(LogSchema) }), 'Danh sách / list'),
    }),
    (c) => {
      allow(c, ...READ_ROLES);
      const q = c.req.valid('query');
      if (q.device !== undefined && !inv.devices.has(q.device))
        throw new ApiFailure(
          400,
          'invalid_request',
          `Dữ liệu không hợp lệ / Invalid request: device: thiết bị "${q.device}" không có trong danh mục / unknown device`,
          [{ path: 'query.device', message: 'unknown device' }],
        );
      return c.json({ items: listLog(db, { ...q, limit: 1000 }) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/maintenance-log',
      summary: 'Ghi nhật ký bảo trì (theo kế hoạch hoặc sửa chữa đột xuất) / log maintenance done',
      security: SECURITY,
      ...roles(...CHANGE),
      request: { body: jsonBody(NewLog) },
      responses: created(LogSchema, 'Đã ghi / logged'),
    }),
    (c) => {
      const a = allow(c, ...CHANGE);
      const b = c.req.valid('json');
      const plan = b.plan_id ? getPlan(db, b.plan_id) : undefined;
      if (b.plan_id && !plan)
        invalid('plan_id', `không tìm thấy kế hoạch bảo trì "${b.plan_id}" / plan not found`);
      const devices = [...new Set(b.devices ?? [])];
      for (const id of devices)
        if (!inv.devices.has(id))
          invalid('devices', `thiết bị "${id}" không có trong danh mục / unknown device`);
      // the site: as given, else the devices' one, else the plan's when it covers one site
      const deviceSites = new Set(devices.map((id) => inv.devices.get(id)!.site?.id ?? null));
      const planSite = plan ? planSites(inv, plan) : [];
      let site = b.site ?? null;
      if (site === null && deviceSites.size === 1) site = [...deviceSites][0]!;
      if (site === null && !devices.length && planSite.length === 1) site = planSite[0]!;
      if (site !== null && !inv.sites.has(site))
        invalid('site', `điểm cầu "${site}" không có trong danh mục / unknown site`);
      if (site === null && !devices.length)
        invalid('site', 'cần điểm cầu hoặc thiết bị đã bảo trì / a site or a device is required');
      for (const id of devices) {
        const at = inv.devices.get(id)!.site?.id ?? null;
        if (at !== null && at !== site)
          invalid(
            'devices',
            `thiết bị "${id}" thuộc điểm cầu "${at}", không phải "${site ?? 'MCU'}" / the device is at another site`,
          );
      }
      if (a.user.role === 'technician' && (site === null || !a.user.sites.includes(site)))
        throw forbidden(
          `ghi nhật ký bảo trì cho ${site ? `điểm cầu "${site}"` : 'MCU'} không do mình phụ trách`,
        );
      if (b.by_person && !inv.people.has(b.by_person))
        invalid('by_person', `người "${b.by_person}" không có trong danh mục / unknown person`);
      const person = b.by_person ? inv.people.get(b.by_person)!.name : '';
      const by = [person, b.by_text ?? ''].filter(Boolean).join(', ') || a.user.name;
      const entry = addLogEntry(db, {
        at: b.at ?? clock(),
        plan_id: b.plan_id ?? null,
        site,
        devices,
        done: b.done,
        findings: b.findings,
        parts: b.parts,
        by_person: b.by_person ?? null,
        by,
        created_by: a.user.name,
      });
      auditFrom(c, rt, 'maintenance_log.create', entry.id, entry);
      return c.json(entry, 201);
    },
  );

  return app;
}
