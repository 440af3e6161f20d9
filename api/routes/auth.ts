// /api/v1/auth: sign in and out, who am I, my API tokens, my password.
import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie, setCookie } from 'hono/cookie';
import {
  AccountError,
  audit,
  createApiToken,
  createSession,
  deleteSession,
  dummyPasswordHash,
  getUserWithHash,
  listTokens,
  revokeApiToken,
  setPassword,
  type UserRecord,
  verifyPassword,
} from '../accounts.ts';
import {
  allow,
  auditFrom,
  type Ctx,
  type Deps,
  isSecure,
  READ_ROLES,
  requireAuth,
  SESSION_COOKIE,
} from '../context.ts';
import { User } from '../contract.ts';
import { ApiFailure, notFound } from '../errors.ts';
import { LoginGuard } from '../login-guard.ts';
import { ERRORS, jsonBody, ok, okOr404, roles, SECURITY, subApp } from '../openapi.ts';
import {
  checkTotp,
  enableTotp,
  getTotp,
  newTotpSecret,
  resetTotp,
  setTotpPending,
  TOTP_CODE,
  TOTP_ROLES,
  totpUri,
  useTotpStep,
} from '../totp.ts';

export function publicUser(u: UserRecord): User {
  return {
    name: u.name,
    role: u.role,
    ...(u.role === 'technician' && { sites: u.sites }),
    ...(u.org && { org: u.org }),
  };
}

const Login = z
  .object({
    name: z.string().min(1).max(64),
    password: z.string().min(1).max(1024),
    /** the 6-digit code of the authenticator app, for an account with a second factor */
    totp: z.string().max(16).optional(),
  })
  .strict();

const TotpSetup = z.object({ password: z.string().min(1).max(1024) }).strict();
const TotpCode = z.object({ code: z.string().regex(TOTP_CODE, '6 chữ số / 6 digits') }).strict();
const TotpDisable = z
  .object({ password: z.string().min(1).max(1024), code: z.string().regex(TOTP_CODE, '6 chữ số / 6 digits') })
  .strict();

const Me = z.object({
  user: User,
  via: z.enum(['session', 'token']),
  /** send back in the X-CSRF-Token header on POST/PUT/PATCH/DELETE (cookie sessions only) */
  csrf_token: z.string().nullable(),
});

const Token = z.object({
  id: z.string(),
  label: z.string(),
  created_at: z.number(),
  expires_at: z.number().nullable(),
  last_used: z.number().nullable(),
  revoked_at: z.number().nullable(),
});

const NewToken = z
  .object({
    label: z.string().min(1).max(100),
    expires_days: z.number().int().min(1).max(3650).optional(),
  })
  .strict();

const PasswordChange = z
  .object({
    current: z.string().min(1).max(1024),
    new: z.string().min(1).max(1024),
    /** keep my API tokens working (default: a new password revokes them) */
    keep_tokens: z.boolean().optional(),
  })
  .strict();

export function authRoutes(d: Deps) {
  const { rt } = d;
  const app = subApp();
  const guard = new LoginGuard(rt.state);

  /** The signed-in user's password again, under the sign-in limits; 400 (audited) when wrong. */
  const currentPasswordOrFail = async (c: Ctx, name: string, password: string, action: string) => {
    const slot = await guard.reserve(name, c.get('ip'));
    if (!slot.ok) {
      auditFrom(c, rt, action, name, { reason: 'rate_limited' }, 'denied');
      const s = Math.ceil(slot.retryMs / 1000);
      throw new ApiFailure(
        429,
        'rate_limited',
        `Sai mật khẩu quá nhiều lần, thử lại sau ${s} giây / Too many wrong passwords, retry in ${s} s`,
        undefined,
        { 'Retry-After': String(s) },
      ).markAudited();
    }
    const u = getUserWithHash(rt.state, name)!;
    const right = await verifyPassword(password, u.hash);
    await slot.finish(right);
    if (!right) {
      auditFrom(c, rt, action, name, { reason: 'bad_password' }, 'failed');
      throw new ApiFailure(400, 'invalid_request', 'Mật khẩu không đúng / Wrong password', [
        { path: 'body.password', message: 'không khớp / does not match' },
      ]);
    }
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/login',
      summary: 'Đăng nhập / sign in (sets an HttpOnly session cookie)',
      request: { body: jsonBody(Login) },
      // 429 (ApiError, Retry-After) after too many failed attempts
      responses: ok(Me, 'Đã đăng nhập / signed in'),
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { name, password } = body;
      const ip = c.get('ip');
      const ua = c.req.header('user-agent') ?? null;
      // the attempt is reserved before the password is hashed: parallel guesses each count
      const slot = await guard.reserve(name, ip);
      if (!slot.ok) {
        audit(rt.state, {
          actor: name,
          action: 'auth.login',
          target: 'POST /api/v1/auth/login',
          ip,
          userAgent: ua,
          outcome: 'denied',
          detail: { reason: 'rate_limited', scope: slot.scope },
        });
        const s = Math.ceil(slot.retryMs / 1000);
        throw new ApiFailure(
          429,
          'rate_limited',
          slot.scope === 'address'
            ? `Quá nhiều lần đăng nhập sai từ địa chỉ này, thử lại sau ${s} giây / Too many failed sign-ins from this address, retry in ${s} s`
            : `Sai mật khẩu quá nhiều lần từ địa chỉ này, thử lại sau ${s} giây (hoặc nhờ quản trị mở khóa) / Too many failed sign-ins for this user from this address, retry in ${s} s (or ask an admin to unlock)`,
          undefined,
          { 'Retry-After': String(s) },
        ).markAudited();
      }
      const u = getUserWithHash(rt.state, name);
      const good = await verifyPassword(password, u?.hash ?? (await dummyPasswordHash()));
      if (!u || !good || u.disabled) {
        const { attack } = await slot.finish(false);
        if (attack) {
          rt.log.warn({ user: name }, 'many failed sign-ins for one user name from several addresses');
          audit(rt.state, {
            actor: '-',
            action: 'auth.attack',
            target: name,
            ip,
            outcome: 'denied',
            detail: { failures_per_hour: guard.limits.attackThreshold },
          });
        }
        audit(rt.state, {
          actor: name,
          action: 'auth.login',
          ip,
          userAgent: ua,
          outcome: 'failed',
          detail: { reason: !u ? 'unknown_user' : u.disabled ? 'disabled' : 'bad_password' },
        });
        throw new ApiFailure(
          401,
          'bad_credentials',
          'Sai tên đăng nhập hoặc mật khẩu / Wrong user name or password',
          [{ path: 'body.password', message: 'không khớp / does not match' }],
        );
      }
      // a second factor, where the account has one: the code must be right and not used before
      const second = getTotp(rt.state, u.name);
      if (second.secret) {
        const step = body.totp === undefined ? null : checkTotp(second.secret, body.totp, second.step);
        if (step === null) {
          await slot.finish(false);
          const reason = body.totp === undefined ? 'totp_required' : 'bad_totp';
          audit(rt.state, {
            actor: name,
            action: 'auth.login',
            ip,
            userAgent: ua,
            outcome: 'failed',
            detail: { reason },
          });
          throw new ApiFailure(
            401,
            reason === 'totp_required' ? 'totp_required' : 'bad_credentials',
            reason === 'totp_required'
              ? 'Cần mã xác thực 6 số từ ứng dụng xác thực / The 6-digit code of your authenticator app is required'
              : 'Mã xác thực sai hoặc đã dùng / Wrong or already used authenticator code',
            [{ path: 'body.totp', message: reason === 'totp_required' ? 'cần / required' : 'sai / wrong' }],
          );
        }
        useTotpStep(rt.state, u.name, step);
      }
      await slot.finish(true);
      const s = createSession(rt.state, u.name, { ip, userAgent: ua });
      setCookie(c, SESSION_COOKIE, s.id, {
        httpOnly: true,
        sameSite: 'Strict',
        secure: isSecure(c, rt),
        path: '/',
      });
      audit(rt.state, { actor: u.name, action: 'auth.login', ip, userAgent: ua });
      return c.json({ user: publicUser(u), via: 'session' as const, csrf_token: s.csrf }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/logout',
      summary: 'Đăng xuất / sign out (ends this session)',
      security: SECURITY,
      ...roles(...READ_ROLES),
      responses: ok(z.object({ ok: z.literal(true) }), 'Đã đăng xuất / signed out'),
    }),
    (c) => {
      const a = requireAuth(c);
      if (a.sessionHash) deleteSession(rt.state, a.sessionHash);
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isSecure(c, rt) });
      auditFrom(c, rt, 'auth.logout', a.user.name);
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/auth/me',
      summary: 'Tài khoản đang đăng nhập / the signed-in user and the CSRF token',
      security: SECURITY,
      ...roles(...READ_ROLES),
      responses: ok(Me, 'Tài khoản / the user'),
    }),
    (c) => {
      const a = requireAuth(c);
      return c.json({ user: publicUser(a.user), via: a.via, csrf_token: a.csrf ?? null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/password',
      summary:
        'Đổi mật khẩu của mình: kết thúc mọi phiên, thu hồi mã API trừ khi keep_tokens / change my password (ends all my sessions, revokes my API tokens unless keep_tokens)',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { body: jsonBody(PasswordChange) },
      responses: ok(z.object({ ok: z.literal(true) }), 'Đã đổi / changed'),
    }),
    async (c) => {
      const a = requireAuth(c);
      const body = c.req.valid('json');
      const u = getUserWithHash(rt.state, a.user.name)!;
      // a stolen session must not become a password oracle: the same limits as signing in
      const slot = await guard.reserve(u.name, c.get('ip'));
      if (!slot.ok) {
        auditFrom(c, rt, 'user.passwd', u.name, { reason: 'rate_limited' }, 'denied');
        const s = Math.ceil(slot.retryMs / 1000);
        throw new ApiFailure(
          429,
          'rate_limited',
          `Sai mật khẩu quá nhiều lần, thử lại sau ${s} giây / Too many wrong passwords, retry in ${s} s`,
          undefined,
          { 'Retry-After': String(s) },
        ).markAudited();
      }
      const right = await verifyPassword(body.current, u.hash);
      await slot.finish(right);
      if (!right) {
        auditFrom(c, rt, 'user.passwd', u.name, { reason: 'bad_current' }, 'failed');
        throw new ApiFailure(
          400,
          'invalid_request',
          'Mật khẩu hiện tại không đúng / Current password is wrong',
          [{ path: 'body.current', message: 'không khớp / does not match' }],
        );
      }
      try {
        await setPassword(rt.state, u.name, body.new, {
          actor: u.name,
          ip: c.get('ip'),
          siteWords: [rt.inventory.inventory.network.name],
          keepTokens: body.keep_tokens === true,
        });
      } catch (e) {
        if (e instanceof AccountError) {
          auditFrom(c, rt, 'user.passwd', u.name, { reason: 'policy', problem: e.message }, 'failed');
          throw new ApiFailure(400, 'invalid_request', e.message, [{ path: 'body.new', message: e.message }]);
        }
        throw e;
      }
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isSecure(c, rt) });
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/totp/setup',
      summary:
        'Bắt đầu bật xác thực hai lớp (TOTP): bí mật và địa chỉ otpauth:// cho ứng dụng xác thực / start a TOTP second factor',
      security: SECURITY,
      ...roles(...TOTP_ROLES),
      request: { body: jsonBody(TotpSetup) },
      responses: ok(
        z.object({ secret: z.string(), otpauth_uri: z.string() }),
        'Bí mật (một lần) / the secret, once',
      ),
    }),
    async (c) => {
      const a = allow(c, ...TOTP_ROLES);
      const { password } = c.req.valid('json');
      await currentPasswordOrFail(c, a.user.name, password, 'totp.setup');
      const secret = newTotpSecret();
      setTotpPending(rt.state, a.user.name, secret);
      auditFrom(c, rt, 'totp.setup', a.user.name);
      return c.json({ secret, otpauth_uri: totpUri(a.user.name, secret) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/totp/enable',
      summary: 'Xác nhận mã đầu tiên, bật TOTP / confirm the first code and turn TOTP on',
      security: SECURITY,
      ...roles(...TOTP_ROLES),
      request: { body: jsonBody(TotpCode) },
      responses: ok(z.object({ ok: z.literal(true) }), 'Đã bật / on'),
    }),
    (c) => {
      const a = allow(c, ...TOTP_ROLES);
      const { code } = c.req.valid('json');
      const t = getTotp(rt.state, a.user.name);
      const step = t.pending ? checkTotp(t.pending, code, null) : null;
      if (step === null) {
        auditFrom(
          c,
          rt,
          'totp.enable',
          a.user.name,
          { reason: t.pending ? 'bad_code' : 'no_setup' },
          'failed',
        );
        throw new ApiFailure(
          400,
          'invalid_request',
          t.pending
            ? 'Mã không đúng: kiểm tra giờ của điện thoại / Wrong code: check the phone’s clock'
            : 'Chưa bắt đầu: gọi /auth/totp/setup trước / Call /auth/totp/setup first',
          [{ path: 'body.code', message: 'sai / wrong' }],
        );
      }
      enableTotp(rt.state, a.user.name, step);
      auditFrom(c, rt, 'totp.enable', a.user.name);
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/totp/disable',
      summary: 'Tắt TOTP (cần mật khẩu và mã) / turn TOTP off (password and a code)',
      security: SECURITY,
      ...roles(...TOTP_ROLES),
      request: { body: jsonBody(TotpDisable) },
      responses: ok(z.object({ ok: z.literal(true) }), 'Đã tắt / off'),
    }),
    async (c) => {
      const a = allow(c, ...TOTP_ROLES);
      const { password, code } = c.req.valid('json');
      await currentPasswordOrFail(c, a.user.name, password, 'totp.disable');
      const t = getTotp(rt.state, a.user.name);
      if (!t.secret || checkTotp(t.secret, code, t.step) === null) {
        auditFrom(c, rt, 'totp.disable', a.user.name, { reason: 'bad_code' }, 'failed');
        throw new ApiFailure(400, 'invalid_request', 'Mã không đúng / Wrong code', [
          { path: 'body.code', message: 'sai / wrong' },
        ]);
      }
      resetTotp(rt.state, a.user.name);
      auditFrom(c, rt, 'totp.disable', a.user.name);
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/auth/tokens',
      summary: 'Mã truy cập API của tôi / my API tokens',
      security: SECURITY,
      ...roles(...READ_ROLES),
      responses: ok(z.object({ items: z.array(Token) }), 'Danh sách / list'),
    }),
    (c) => {
      const a = requireAuth(c);
      const items = listTokens(rt.state, a.user.name).map(({ user: _u, ...t }) => t);
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/tokens',
      summary: 'Tạo mã truy cập API (chỉ hiện một lần) / create an API token (shown once)',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { body: jsonBody(NewToken) },
      responses: ok(z.object({ token: z.string(), info: Token }), 'Mã mới / the new token'),
    }),
    (c) => {
      const a = requireAuth(c);
      const body = c.req.valid('json');
      const { token, info } = createApiToken(rt.state, a.user.name, body.label, {
        ...(body.expires_days && { expiresInDays: body.expires_days }),
        actor: a.user.name,
        ip: c.get('ip'),
      });
      const { user: _u, ...rest } = info;
      return c.json({ token, info: rest }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/auth/tokens/{id}',
      summary: 'Thu hồi mã truy cập API / revoke an API token',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: z.object({ id: z.string().regex(/^[0-9a-f]{12}$/) }) },
      responses: okOr404(z.object({ ok: z.literal(true) }), 'Đã thu hồi / revoked'),
    }),
    (c) => {
      const a = requireAuth(c);
      const { id } = c.req.valid('param');
      const mine = listTokens(rt.state, a.user.name).find((t) => t.id === id);
      const adminAny = a.user.role === 'admin' && listTokens(rt.state).some((t) => t.id === id);
      if (!mine && !adminAny) throw notFound(`mã truy cập ${id}`);
      const changed = revokeApiToken(rt.state, id);
      auditFrom(c, rt, 'token.revoke', id, { already_revoked: !changed });
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}

export { ERRORS };
