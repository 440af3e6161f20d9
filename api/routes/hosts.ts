// /api/v1/hosts: the host catalogue (Điều 2.3) — Tỉnh ủy, HĐND, UBND, Đoàn ĐBQH, provincial departments,
// district hosts and central bodies, each with its type, sites, main site and contacts. Every role that
// reads meetings reads it (a host office only its own entry); admin and NOC add, change and delete
// entries, each change written to the audit log with what it was and what it became.
import { createRoute, z } from '@hono/zod-openapi';
import type { UserRecord } from '../../api/accounts.ts';
import { DbHosts, HOST_TYPES, type Host, HostPatch, NewHost } from '../../meetings/hosts.ts';
import { allow, auditFrom, type Deps, READ_ROLES } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import { ERRORS, jsonBody, ok, okOr404, roles, SECURITY, subApp } from '../openapi.ts';
import { guard } from './meetings.ts';

const Id = z.object({ id: z.string().min(1).max(100) });

export const HostSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    name_en: z.string().nullable(),
    /** tinh_uy, hdnd, ubnd, doan_dbqh, department (sở, ban, ngành), district (Huyện ủy, UBND huyện), central */
    type: z.enum(HOST_TYPES),
    /** district hosts: their district */
    district: z.string().nullable(),
    /** its sites (a district host: its district's hall and communes by default) */
    sites: z.array(z.string()),
    /** the main site (điểm cầu chính) its meetings default to */
    main_site: z.string().nullable(),
    contacts: z.array(
      z.object({
        person: z.string().optional(),
        name: z.string().optional(),
        title: z.string().optional(),
        email: z.string().optional(),
      }),
    ),
    created_at: z.number(),
    updated_at: z.number(),
  })
  .openapi('Host');

const HostQuery = z.object({ type: z.enum(HOST_TYPES).optional() }).strict();

const MANAGE = ['admin', 'noc'] as const;

export function hostRoutes(d: Deps) {
  const { rt } = d;
  const hosts = new DbHosts(rt.state, rt.inventory);
  const app = subApp();
  const visible = (user: UserRecord, h: Host) => user.role !== 'host' || h.id === user.org;
  const readable = (user: UserRecord, id: string) => {
    const h = hosts.get(id);
    if (!h || !visible(user, h))
      throw new ApiFailure(
        404,
        'not_found',
        `Không tìm thấy cơ quan chủ trì "${id}" / Not found: host "${id}"`,
      );
    return h;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/hosts',
      summary: 'Danh mục cơ quan chủ trì (Điều 2.3) / the host catalogue',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { query: HostQuery },
      responses: ok(z.object({ items: z.array(HostSchema) }), 'Danh sách / list'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const { type } = c.req.valid('query');
      const items = hosts.list().filter((h) => visible(a.user, h) && (type === undefined || h.type === type));
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/hosts/{id}',
      summary: 'Một cơ quan chủ trì / one host',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: Id },
      responses: okOr404(HostSchema, 'Cơ quan chủ trì / the host'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      return c.json(readable(a.user, c.req.valid('param').id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/hosts',
      summary:
        'Thêm cơ quan chủ trì (cấp huyện: mặc định hội trường huyện và các xã) / add a host (a district host gets its hall and communes)',
      security: SECURITY,
      ...roles(...MANAGE),
      request: { body: jsonBody(NewHost) },
      responses: {
        201: { description: 'Đã thêm / added', content: { 'application/json': { schema: HostSchema } } },
        ...ERRORS,
      },
    }),
    async (c) => {
      allow(c, ...MANAGE);
      const h = await guard(() => hosts.create(c.req.valid('json')));
      auditFrom(c, rt, 'host.create', h.id, h);
      return c.json(h, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/hosts/{id}',
      summary: 'Sửa cơ quan chủ trì / change a host',
      security: SECURITY,
      ...roles(...MANAGE),
      request: { params: Id, body: jsonBody(HostPatch) },
      responses: okOr404(HostSchema, 'Đã cập nhật / updated'),
    }),
    async (c) => {
      allow(c, ...MANAGE);
      const { before, after } = await guard(() => hosts.update(c.req.valid('param').id, c.req.valid('json')));
      auditFrom(c, rt, 'host.update', after.id, { before, after });
      return c.json(after, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/hosts/{id}',
      summary:
        'Xóa cơ quan chủ trì chưa có cuộc họp nào / delete a host that has no meetings (409 otherwise)',
      security: SECURITY,
      ...roles(...MANAGE),
      request: { params: Id },
      responses: okOr404(HostSchema, 'Đã xóa / deleted'),
    }),
    async (c) => {
      allow(c, ...MANAGE);
      const h = await guard(() => hosts.delete(c.req.valid('param').id));
      auditFrom(c, rt, 'host.delete', h.id, h);
      return c.json(h, 200);
    },
  );

  return app;
}
