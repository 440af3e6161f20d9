// /api/v1/users (admin) and /api/v1/audit (admin, noc): accounts and the record of every change.
import { createRoute, z } from '@hono/zod-openapi';
import { hostExists } from '../../meetings/hosts.ts';
import {
  AccountError,
  audit,
  createUser,
  getUser,
  listAudit,
  listUsers,
  setPassword,
  updateUser,
} from '../accounts.ts';
import { allow, type Deps } from '../context.ts';
import { ROLES, User } from '../contract.ts';
import { ApiFailure, notFound } from '../errors.ts';
import { unlockUser } from '../login-guard.ts';
import { jsonBody, ok, okOr404, pageQuery, roles, SECURITY, subApp } from '../openapi.ts';
import { resetTotp } from '../totp.ts';
import { publicUser } from './auth.ts';
import { QueryTime } from './meetings.ts';

const UserRow = User.extend({ disabled: z.boolean(), created_at: z.number(), updated_at: z.number() });

const NewUser = z
  .object({
    name: z.string().min(2).max(64),
    role: z.enum(ROLES),
    sites: z.array(z.string().max(100)).max(500).optional(),
    org: z.string().max(100).optional(),
    /** omitted: a random password is generated and returned once */
    password: z.string().min(12).max(1024).optional(),
  })
  .strict();

const PatchUser = z
  .object({
    role: z.enum(ROLES).optional(),
    sites: z.array(z.string().max(100)).max(500).optional(),
    org: z.string().max(100).nullable().optional(),
    disabled: z.boolean().optional(),
  })
  .strict();

const UserName = z.object({ name: z.string().min(1).max(64) });

const AuditQuery = z
  .object({
    actor: z.string().max(64).optional(),
    action: z.string().max(64).optional(),
    /** ok: done; denied: refused (403, CSRF, rate limit); failed: tried and did not succeed */
    outcome: z.enum(['ok', 'denied', 'failed']).optional(),
    /** ms since 1970 or a date(-time), between 2000 and 2099 */
    since: QueryTime.optional(),
    ...pageQuery(1000, 100),
  })
  .strict();

const AuditRecord = z.object({
  id: z.number(),
  time: z.number(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  detail: z.unknown(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  outcome: z.string(),
});

export function adminRoutes(d: Deps) {
  const { rt } = d;
  const app = subApp();
  const row = (u: NonNullable<ReturnType<typeof getUser>>) => ({
    ...publicUser(u),
    disabled: u.disabled,
    created_at: u.created_at,
    updated_at: u.updated_at,
  });
  const checkSites = (sites: string[] | undefined) => {
    const unknown = sites?.find((s) => !rt.inventory.sites.has(s));
    if (unknown)
      throw new ApiFailure(
        400,
        'invalid_request',
        `Điểm cầu "${unknown}" không có trong danh mục / unknown site`,
        [{ path: 'body.sites', message: `không có điểm cầu "${unknown}" / unknown site "${unknown}"` }],
      );
  };
  const accountFailure = (e: unknown): never => {
    if (e instanceof AccountError)
      throw new ApiFailure(400, 'invalid_request', e.message, [
        { path: `body.${e.field}`, message: e.message },
      ]);
    throw e;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users',
      summary: 'Người dùng (quản trị) / users (admin)',
      security: SECURITY,
      ...roles('admin'),
      responses: ok(z.object({ items: z.array(UserRow) }), 'Danh sách / list'),
    }),
    (c) => {
      allow(c, 'admin');
      return c.json({ items: listUsers(rt.state).map(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users',
      summary:
        'Tạo người dùng; mật khẩu ngẫu nhiên trả về một lần / create a user (random password shown once)',
      security: SECURITY,
      ...roles('admin'),
      request: { body: jsonBody(NewUser) },
      responses: ok(z.object({ user: UserRow, password: z.string().nullable() }), 'Đã tạo / created'),
    }),
    async (c) => {
      const a = allow(c, 'admin');
      const b = c.req.valid('json');
      checkSites(b.sites);
      if (b.org && !(rt.inventory.organisations.has(b.org) || hostExists(rt.state, b.org)))
        throw new ApiFailure(
          400,
          'invalid_request',
          `Cơ quan "${b.org}" không có trong danh mục / unknown organisation`,
          [{ path: 'body.org', message: 'không có trong danh mục / unknown organisation' }],
        );
      const created = await createUser(rt.state, b, {
        actor: a.user.name,
        ip: c.get('ip'),
        siteWords: [rt.inventory.inventory.network.name],
      }).catch(accountFailure);
      return c.json({ user: row(created.user), password: b.password ? null : created.password }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/users/{name}',
      summary: 'Đổi vai trò, điểm cầu, cơ quan, khóa tài khoản / change role, sites, org, disable',
      security: SECURITY,
      ...roles('admin'),
      request: { params: UserName, body: jsonBody(PatchUser) },
      responses: okOr404(UserRow, 'Đã cập nhật / updated'),
    }),
    (c) => {
      const a = allow(c, 'admin');
      const { name } = c.req.valid('param');
      const b = c.req.valid('json');
      if (!getUser(rt.state, name)) throw notFound(`người dùng "${name}"`);
      checkSites(b.sites);
      if (name === a.user.name && (b.disabled || (b.role && b.role !== 'admin')))
        throw new ApiFailure(
          409,
          'conflict',
          'Không thể tự khóa hoặc tự hạ quyền / You cannot disable or demote yourself',
        );
      const { org, ...rest } = b;
      const u = updateUser(
        rt.state,
        name,
        { ...rest, ...(org !== undefined && { org }) },
        { actor: a.user.name, ip: c.get('ip') },
      );
      return c.json(row(u), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users/{name}/password',
      summary: 'Đặt mật khẩu ngẫu nhiên mới (trả về một lần) / reset to a random password (shown once)',
      security: SECURITY,
      ...roles('admin'),
      request: { params: UserName },
      responses: okOr404(z.object({ password: z.string() }), 'Mật khẩu mới / the new password'),
    }),
    async (c) => {
      const a = allow(c, 'admin');
      const { name } = c.req.valid('param');
      if (!getUser(rt.state, name)) throw notFound(`người dùng "${name}"`);
      const password = await setPassword(rt.state, name, undefined, { actor: a.user.name, ip: c.get('ip') });
      return c.json({ password }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users/{name}/unlock',
      summary:
        'Mở khóa đăng nhập (xóa mọi lần chờ sau nhiều lần sai mật khẩu) / lift sign-in lockouts of a user',
      security: SECURITY,
      ...roles('admin'),
      request: { params: UserName },
      responses: okOr404(z.object({ ok: z.literal(true), cleared: z.number().int() }), 'Đã mở / unlocked'),
    }),
    (c) => {
      const a = allow(c, 'admin');
      const { name } = c.req.valid('param');
      if (!getUser(rt.state, name)) throw notFound(`người dùng "${name}"`);
      const cleared = unlockUser(rt.state, name);
      audit(rt.state, {
        actor: a.user.name,
        action: 'user.unlock',
        target: name,
        detail: { cleared },
        ip: c.get('ip'),
        userAgent: c.req.header('user-agent') ?? null,
      });
      return c.json({ ok: true as const, cleared }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users/{name}/totp/reset',
      summary:
        'Tắt xác thực hai lớp của người dùng (mất điện thoại) / turn a user’s TOTP second factor off (lost phone)',
      security: SECURITY,
      ...roles('admin'),
      request: { params: UserName },
      responses: okOr404(z.object({ ok: z.literal(true), was_on: z.boolean() }), 'Đã tắt / off'),
    }),
    (c) => {
      const a = allow(c, 'admin');
      const { name } = c.req.valid('param');
      if (!getUser(rt.state, name)) throw notFound(`người dùng "${name}"`);
      const wasOn = resetTotp(rt.state, name);
      audit(rt.state, {
        actor: a.user.name,
        action: 'totp.reset',
        target: name,
        detail: { was_on: wasOn },
        ip: c.get('ip'),
        userAgent: c.req.header('user-agent') ?? null,
      });
      return c.json({ ok: true as const, was_on: wasOn }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      summary: 'Nhật ký thay đổi: ai, làm gì, khi nào, từ đâu / audit log',
      security: SECURITY,
      ...roles('admin', 'noc'),
      request: { query: AuditQuery },
      responses: ok(z.object({ items: z.array(AuditRecord), total: z.number().int() }), 'Nhật ký / log'),
    }),
    (c) => {
      allow(c, 'admin', 'noc');
      const q = c.req.valid('query');
      return c.json(listAudit(rt.state, q), 200);
    },
  );

  return app;
}
