// /api/v1: people, site technicians and their history, trainings, carrier and power duty rosters (Điều 10, 13.2, 14.1.e, 14.2.b).
// Every role reads the directory (channels: admin, NOC, and a host office for its own staff); admin and
// NOC change it, a host office its own staff and their trainings. Every change is in the audit log.
import { dirname } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { toDateInput } from '../../core/time.ts';
import { readSecret } from '../../inventory/load.ts';
import { directoryFor, PeopleError, type PersonRecord } from '../../people/directory.ts';
import {
  DateText,
  NewPerson,
  NewTraining,
  OrgTechnicianInput,
  PersonPatch,
  Replacement,
  RosterInput,
} from '../../people/input.ts';
import type { UserRecord } from '../accounts.ts';
import { allow, auditFrom, canReadSite, type Deps, READ_ROLES } from '../context.ts';
import type { Role } from '../contract.ts';
import { ApiFailure, forbidden } from '../errors.ts';
import { created, jsonBody, NOT_FOUND, ok, okOr404, roles, SECURITY, subApp } from '../openapi.ts';

const MANAGE: Role[] = ['admin', 'noc'];
/** people and trainings: admin, NOC, and a host office for its own staff */
const STAFF: Role[] = ['admin', 'noc', 'host'];

const Id = z.object({ id: z.string().min(1).max(100) });

const Channels = z
  .object({
    email: z.string().nullable(),
    /** the number (a secret reference resolved as the pager resolves it) */
    phone: z.string().nullable(),
    /** the number is kept as a secret reference in the inventory file */
    phone_secret: z.boolean(),
    telegram: z.boolean(),
    zalo: z.boolean(),
  })
  .openapi('PersonChannels');

const PersonSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    title: z.string().nullable(),
    org: z.string().nullable(),
    /** sites whose technician this person is now */
    sites: z.array(z.string()),
    /** from the inventory file, never edited */
    from_inventory: z.boolean(),
    edited_at: z.number().nullable(),
    edited_by: z.string().nullable(),
    /** null for roles that do not see channels */
    channels: Channels.nullable(),
  })
  .openapi('Person');

const TechnicianRow = z
  .object({
    id: z.number(),
    site: z.string(),
    person: z.string(),
    person_name: z.string().nullable(),
    valid_from: z.number(),
    valid_to: z.number().nullable(),
    reason: z.string(),
    by: z.string(),
    at: z.number(),
  })
  .openapi('SiteTechnician');

const Technicians = z
  .object({ site: z.string(), current: TechnicianRow.nullable(), history: z.array(TechnicianRow) })
  .openapi('SiteTechnicians');

const Training = z
  .object({
    id: z.number(),
    person: z.string(),
    course: z.string(),
    date: z.string(),
    provider: z.string().nullable(),
    notes: z.string().nullable(),
    by: z.string(),
    at: z.number(),
  })
  .openapi('Training');

const OrgTechnician = z
  .object({ org: z.string(), site: z.string(), person: z.string(), by: z.string(), at: z.number() })
  .openapi('OrgSiteTechnician');

const RosterEntry = z
  .object({
    id: z.number(),
    org: z.string(),
    date: z.string(),
    person: z.string(),
    sites: z.array(z.string()).nullable(),
    by: z.string(),
    at: z.number(),
  })
  .openapi('RosterEntry');

const PeopleQuery = z.object({ org: z.string().max(100).optional() }).strict();
const RosterQuery = z
  .object({
    from: DateText.optional(),
    to: DateText.optional(),
    org: z.string().max(100).optional(),
  })
  .strict();
const OrgQuery = z.object({ org: z.string().max(100).optional() }).strict();
const OrgSite = z.object({ org: z.string().min(1).max(100), site: z.string().min(1).max(100) });

/** PeopleError → ApiFailure (same status, code and reason) */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PeopleError) throw new ApiFailure(err.status, err.code, err.message, err.issues);
    throw err;
  }
}

export function peopleRoutes(d: Deps) {
  const { rt } = d;
  const inv = rt.inventory;
  const dir = () => directoryFor(rt.state, inv);
  const inventoryDir = dirname(inv.file);
  const app = subApp();

  /** admin and NOC see every person's channels, a host office its own staff's */
  const sees = (user: UserRecord, p: PersonRecord) =>
    user.role === 'admin' ||
    user.role === 'noc' ||
    (user.role === 'host' && p.org !== null && p.org === user.org);
  const view = (user: UserRecord, p: PersonRecord): z.infer<typeof PersonSchema> => ({
    id: p.id,
    name: p.name,
    title: p.title,
    org: p.org,
    sites: p.sites,
    from_inventory: p.from_inventory,
    edited_at: p.edited_at,
    edited_by: p.edited_by,
    channels: sees(user, p)
      ? {
          email: p.email,
          phone: p.phone ?? (p.phone_secret ? (readSecret(p.phone_secret, inventoryDir) ?? null) : null),
          phone_secret: p.phone_secret !== null,
          telegram: p.telegram !== null,
          zalo: p.zalo !== null,
        }
      : null,
  });
  /** a host office changes only its own staff */
  const ownStaff = (user: UserRecord, org: string | null | undefined) => {
    if (user.role === 'host' && (org === null || org === undefined || org !== user.org))
      throw forbidden('thay đổi người ngoài cơ quan mình (a host office changes only its own staff)');
  };
  const techRow = <T extends { person: string }>(r: T) => ({
    ...r,
    person_name: inv.people.get(r.person)?.name ?? null,
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/people',
      summary: 'Danh bạ: người, tổ chức, điểm cầu phụ trách / the directory of people',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { query: PeopleQuery },
      responses: ok(z.object({ items: z.array(PersonSchema) }), 'Danh sách / list'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const { org } = c.req.valid('query');
      const items = dir()
        .people()
        .filter((p) => org === undefined || p.org === org)
        .map((p) => view(a.user, p));
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/people/{id}',
      summary: 'Một người / one person',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: Id },
      responses: okOr404(PersonSchema, 'Người / the person'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      return c.json(
        view(
          a.user,
          guard(() => dir().person(c.req.valid('param').id)),
        ),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/people',
      summary:
        'Thêm người (cơ quan chủ trì: chỉ người của cơ quan mình) / add a person (a host office: its own staff)',
      security: SECURITY,
      ...roles(...STAFF),
      request: { body: jsonBody(NewPerson) },
      responses: created(PersonSchema, 'Đã thêm / added'),
    }),
    (c) => {
      const a = allow(c, ...STAFF);
      const body = c.req.valid('json');
      ownStaff(a.user, body.org);
      const p = guard(() => dir().createPerson(body, a.user.name));
      auditFrom(c, rt, 'person.create', p.id, body);
      return c.json(view(a.user, p), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/people/{id}',
      summary: 'Sửa thông tin một người / change a person',
      security: SECURITY,
      ...roles(...STAFF),
      request: { params: Id, body: jsonBody(PersonPatch) },
      responses: okOr404(PersonSchema, 'Đã cập nhật / updated'),
    }),
    (c) => {
      const a = allow(c, ...STAFF);
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      if (a.user.role === 'host') {
        ownStaff(a.user, guard(() => dir().person(id)).org);
        if (patch.org !== undefined) ownStaff(a.user, patch.org);
      }
      const { before, after } = guard(() => dir().updatePerson(id, patch, a.user.name));
      auditFrom(c, rt, 'person.update', id, { before, after });
      return c.json(view(a.user, after), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/people/{id}/trainings',
      summary: 'Các lần tập huấn của một người / a person’s training records',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: Id },
      responses: okOr404(z.object({ items: z.array(Training) }), 'Danh sách / list'),
    }),
    (c) => {
      allow(c, ...READ_ROLES);
      return c.json({ items: guard(() => dir().trainings(c.req.valid('param').id)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/people/{id}/trainings',
      summary: 'Ghi một lần tập huấn (khóa, ngày, đơn vị) / record a training (course, date, provider)',
      security: SECURITY,
      ...roles(...STAFF),
      request: { params: Id, body: jsonBody(NewTraining) },
      responses: { ...created(Training, 'Đã ghi / recorded'), ...NOT_FOUND },
    }),
    (c) => {
      const a = allow(c, ...STAFF);
      const { id } = c.req.valid('param');
      if (a.user.role === 'host') ownStaff(a.user, guard(() => dir().person(id)).org);
      const t = guard(() => dir().addTraining(id, c.req.valid('json'), a.user.name));
      auditFrom(c, rt, 'person.training', id, t);
      return c.json(t, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sites/{id}/technicians',
      summary: 'Cán bộ kỹ thuật của điểm cầu: hiện tại và các lần thay / a site’s technician and its history',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: Id },
      responses: okOr404(Technicians, 'Cán bộ kỹ thuật / technicians'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const { id } = c.req.valid('param');
      if (!canReadSite(a.user, id))
        throw new ApiFailure(404, 'not_found', `Không có điểm cầu "${id}" / Unknown site "${id}"`);
      const t = guard(() => dir().technicians(id));
      return c.json(
        { site: t.site, current: t.current && techRow(t.current), history: t.history.map(techRow) },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/sites/{id}/technician',
      summary:
        'Thay cán bộ kỹ thuật của điểm cầu (giữ lịch sử, báo Sở TT&TT) / replace a site’s technician (history kept, Sở TT&TT told)',
      security: SECURITY,
      ...roles(...MANAGE),
      request: { params: Id, body: jsonBody(Replacement) },
      responses: okOr404(
        z.object({ previous: TechnicianRow.nullable(), current: TechnicianRow, notified: z.number() }),
        'Đã thay / replaced',
      ),
    }),
    (c) => {
      const a = allow(c, ...MANAGE);
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const from = body.from === undefined ? undefined : parseTime(body.from);
      const r = guard(() => dir().replaceTechnician(id, { ...body, from }, a.user.name));
      auditFrom(c, rt, 'site.technician', id, {
        before: r.previous?.person ?? null,
        after: r.current.person,
        reason: r.current.reason,
        from: r.current.valid_from,
        notified: r.notified,
      });
      return c.json(
        { previous: r.previous && techRow(r.previous), current: techRow(r.current), notified: r.notified },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/org-technicians',
      summary:
        'Cán bộ kỹ thuật nhà mạng, điện lực cử cho từng điểm cầu (Điều 14) / per-site technicians named by carriers and power',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { query: OrgQuery },
      responses: ok(z.object({ items: z.array(OrgTechnician) }), 'Danh sách / list'),
    }),
    (c) => {
      allow(c, ...READ_ROLES);
      return c.json({ items: dir().orgTechnicians(c.req.valid('query').org) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/org-technicians/{org}/{site}',
      summary:
        'Nhà mạng, điện lực cử cán bộ kỹ thuật cho một điểm cầu / a carrier or power organisation names a site’s technician',
      security: SECURITY,
      ...roles(...MANAGE),
      request: { params: OrgSite, body: jsonBody(OrgTechnicianInput) },
      responses: ok(OrgTechnician, 'Đã lưu / saved'),
    }),
    (c) => {
      const a = allow(c, ...MANAGE);
      const { org, site } = c.req.valid('param');
      const r = guard(() => dir().setOrgTechnician(org, site, c.req.valid('json').person, a.user.name));
      auditFrom(c, rt, 'org.technician', `${org}/${site}`, r);
      return c.json(r.after, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/org-technicians/{org}/{site}',
      summary: 'Bỏ cán bộ kỹ thuật đã cử / remove a named per-site technician',
      security: SECURITY,
      ...roles(...MANAGE),
      request: { params: OrgSite },
      responses: okOr404(OrgTechnician, 'Đã bỏ / removed'),
    }),
    (c) => {
      allow(c, ...MANAGE);
      const { org, site } = c.req.valid('param');
      const r = guard(() => dir().deleteOrgTechnician(org, site));
      auditFrom(c, rt, 'org.technician.delete', `${org}/${site}`, r);
      return c.json(r, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/roster',
      summary:
        'Lịch trực của nhà mạng, điện lực theo ngày (mặc định: hôm nay và 30 ngày tới) / duty rosters by day (default: today and the next 30 days)',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { query: RosterQuery },
      responses: ok(z.object({ items: z.array(RosterEntry) }), 'Danh sách / list'),
    }),
    (c) => {
      allow(c, ...READ_ROLES);
      const q = c.req.valid('query');
      const from = q.from ?? toDateInput(Date.now());
      const to = q.to ?? toDateInput(Date.now() + 30 * 86_400_000);
      if (to < from)
        throw new ApiFailure(400, 'invalid_request', 'Ngày "to" trước ngày "from" / "to" is before "from"', [
          { path: 'query.to', message: 'trước from / before from' },
        ]);
      return c.json({ items: dir().roster(from, to, q.org) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/roster',
      summary:
        'Xếp một người trực cho một ngày (các điểm cầu hoặc mọi điểm cầu của tổ chức) / put a person on duty for a day',
      security: SECURITY,
      ...roles(...MANAGE),
      request: { body: jsonBody(RosterInput) },
      responses: ok(RosterEntry, 'Đã lưu / saved'),
    }),
    (c) => {
      const a = allow(c, ...MANAGE);
      const r = guard(() => dir().putRoster(c.req.valid('json'), a.user.name));
      auditFrom(c, rt, 'roster.put', `${r.after.org}/${r.after.date}/${r.after.person}`, r);
      return c.json(r.after, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/roster/{id}',
      summary: 'Bỏ một ca trực / remove a roster entry',
      security: SECURITY,
      ...roles(...MANAGE),
      request: { params: Id },
      responses: okOr404(RosterEntry, 'Đã bỏ / removed'),
    }),
    (c) => {
      allow(c, ...MANAGE);
      const raw = c.req.valid('param').id;
      const id = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isSafeInteger(id))
        throw new ApiFailure(404, 'not_found', `Không có ca trực "${raw}" / No roster entry "${raw}"`);
      const r = guard(() => dir().deleteRoster(id));
      auditFrom(c, rt, 'roster.delete', `${r.org}/${r.date}/${r.person}`, r);
      return c.json(r, 200);
    },
  );

  return app;
}

/** A replacement's `from`: ms, or "2026-03-10T08:00" read as Bắc Kạn time. */
function parseTime(v: number | string): number {
  const t =
    typeof v === 'number'
      ? v
      : /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/.test(v)
        ? Date.parse(`${v.length === 10 ? `${v}T00:00` : v}${v.length > 16 ? '' : ':00'}+07:00`)
        : Date.parse(v);
  if (!Number.isFinite(t) || t < Date.UTC(2000, 0, 1) || t >= Date.UTC(2100, 0, 1))
    throw new ApiFailure(
      400,
      'invalid_request',
      `Thời điểm "${v}" không hợp lệ: ví dụ 2026-03-10T08:00 (giờ Việt Nam) / not a valid time, e.g. 2026-03-10T08:00 (Vietnam time)`,
      [{ path: 'body.from', message: 'thời gian không hợp lệ / not a valid time' }],
    );
  return t;
}
