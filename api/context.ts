// What every route sees: who is asking (session cookie or API token), from where, and what
// their role lets them do. Routes call `allow(...)` and `canReadSite/canOperateSite`.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AlertEngine, MeetingSource, MetricsStore } from '../core/ports.ts';
import type { Runtime } from '../core/runtime.ts';
import { audit, findSession, findToken, type UserRecord } from './accounts.ts';
import type { Alert, Role, Silence } from './contract.ts';
import { ApiFailure, forbidden, unauthenticated } from './errors.ts';
import type { LiveHub } from './live.ts';

export const SESSION_COOKIE = 'diemcau_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Auth {
  user: UserRecord;
  via: 'session' | 'token';
  /** session only: the token state-changing requests must echo in X-CSRF-Token */
  csrf?: string;
  sessionHash?: string;
  tokenId?: string;
}

export interface Deps {
  rt: Runtime;
  store: MetricsStore;
  alerts: AlertEngine | null;
  meetings: MeetingSource | undefined;
  live: LiveHub;
}

export type AppEnv = {
  Variables: {
    auth: Auth | null;
    ip: string;
  };
};

export type Ctx = Context<AppEnv>;

/** The client's address: the socket peer, or with trust_proxy the proxy's X-Forwarded-For entry. */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = c.req.header('x-forwarded-for');
    const last = xff?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

const FORWARD_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

/** The request carries a proxy's forwarding header. */
export function isForwarded(c: Context): boolean {
  return FORWARD_HEADERS.some((h) => c.req.header(h) !== undefined);
}

/**
 * A request from this host itself: a loopback peer that is not a proxy passing someone else's
 * request on (without trust_proxy a reverse proxy on the same host would otherwise look local).
 */
export function isLocalRequest(c: Ctx, trustProxy: boolean): boolean {
  return isLoopback(c.get('ip')) && (trustProxy || !isForwarded(c));
}

/** Whether the browser reached us over TLS (directly, through a trusted proxy, or per public_url). */
export function isSecure(c: Context, rt: Runtime): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  if (rt.config.http.trust_proxy && c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https')
    return true;
  return rt.config.http.public_url?.startsWith('https:') ?? false;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Reads the session cookie or the Bearer token; sets `auth` (or null). A bad or expired credential
 * is the same as none. For cookie sessions, state-changing requests must carry X-CSRF-Token.
 */
export function authenticate(rt: Runtime): MiddlewareHandler<AppEnv> {
  let warnedProxy = false;
  return async (c, next) => {
    c.set('ip', clientIp(c, rt.config.http.trust_proxy));
    if (!warnedProxy && !rt.config.http.trust_proxy && isForwarded(c)) {
      // every user behind the proxy shares its address: one address's sign-in limit for all of them
      warnedProxy = true;
      rt.log.warn(
        { peer: c.get('ip'), header: FORWARD_HEADERS.find((h) => c.req.header(h) !== undefined) },
        'requests arrive through a proxy but http.trust_proxy is false: all its users share one address for sign-in limits and the audit log; set http.trust_proxy: true when diemcau is only reachable through that proxy',
      );
    }
    let auth: Auth | null = null;
    const header = c.req.header('authorization');
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const found = m ? findToken(rt.state, m[1]!) : null;
      if (!found)
        throw new ApiFailure(
          401,
          'invalid_token',
          'Mã truy cập API không hợp lệ, đã thu hồi hoặc hết hạn / API token invalid, revoked or expired',
          undefined,
          { 'WWW-Authenticate': 'Bearer' },
        );
      auth = { user: found.user, via: 'token', tokenId: found.id };
    } else {
      const sid = getCookie(c, SESSION_COOKIE);
      const s = sid ? findSession(rt.state, sid) : null;
      if (s) auth = { user: s.user, via: 'session', csrf: s.csrf, sessionHash: s.idHash };
    }
    c.set('auth', auth);
    // signing in needs no CSRF token (there is no session yet); the Origin check covers it
    if (auth?.via === 'session' && UNSAFE.has(c.req.method) && c.req.path !== '/api/v1/auth/login') {
      const sent = c.req.header(CSRF_HEADER);
      if (sent !== auth.csrf) {
        audit(rt.state, {
          actor: auth.user.name,
          action: 'csrf.reject',
          target: `${c.req.method} ${c.req.path}`,
          detail: { reason: sent === undefined ? 'csrf_missing' : 'csrf_wrong' },
          ip: c.get('ip'),
          userAgent: c.req.header('user-agent') ?? null,
          outcome: 'denied',
        });
        throw new ApiFailure(
          403,
          'csrf',
          'Thiếu hoặc sai mã chống giả mạo (X-CSRF-Token) / Missing or wrong X-CSRF-Token header',
          [
            {
              path: `header.${CSRF_HEADER}`,
              message: 'phải bằng csrf_token từ /api/v1/auth/me / must equal csrf_token',
            },
          ],
        ).markAudited();
      }
    }
    await next();
  };
}

/** The signed-in user, or 401. */
export function requireAuth(c: Ctx): Auth {
  const a = c.get('auth');
  if (!a) throw unauthenticated();
  return a;
}

/** The signed-in user if their role is one of `roles`; 401 / 403 otherwise. */
export function allow(c: Ctx, ...roles: Role[]): Auth {
  const a = requireAuth(c);
  if (!roles.includes(a.user.role)) throw forbidden();
  return a;
}

export const READ_ROLES: Role[] = ['admin', 'noc', 'technician', 'host', 'viewer'];
export const OPERATE_ROLES: Role[] = ['admin', 'noc', 'technician'];

export function canReadSite(user: UserRecord, site: string): boolean {
  return user.role !== 'technician' || user.sites.includes(site);
}

export function canOperateSite(user: UserRecord, site: string): boolean {
  if (user.role === 'admin' || user.role === 'noc') return true;
  return user.role === 'technician' && user.sites.includes(site);
}

/** Technicians see alerts about their sites only; everyone else sees all. */
export function canReadAlert(user: UserRecord, a: Alert): boolean {
  if (user.role !== 'technician') return true;
  return (a.site !== null && user.sites.includes(a.site)) || a.sites.some((s) => user.sites.includes(s));
}

export function canOperateAlert(user: UserRecord, a: Alert): boolean {
  if (user.role === 'admin' || user.role === 'noc') return true;
  if (user.role !== 'technician') return false;
  const sites = a.site ? [a.site, ...a.sites] : a.sites;
  return sites.length > 0 && sites.every((s) => user.sites.includes(s));
}

export function canReadSilence(user: UserRecord, s: Silence): boolean {
  if (user.role !== 'technician') return true;
  return s.matchers.site !== undefined && user.sites.includes(s.matchers.site);
}

/** Audit helper bound to the request: who, from where, with which client. */
export function auditFrom(
  c: Ctx,
  rt: Runtime,
  action: string,
  target: string | null,
  detail?: unknown,
  outcome: 'ok' | 'denied' | 'failed' = 'ok',
): void {
  audit(rt.state, {
    actor: c.get('auth')?.user.name ?? '-',
    action,
    target,
    detail,
    ip: c.get('ip'),
    userAgent: c.req.header('user-agent') ?? null,
    outcome,
  });
}

/**
 * Every refused request leaves an audit row (403 forbidden or CSRF, 429 rate-limited): who, which
 * route, why. Called by the app's error handler; refusals audited where they happen are skipped.
 */
export function auditRefusal(c: Context<AppEnv>, rt: Runtime, err: unknown): void {
  if (!(err instanceof ApiFailure) || err.audited) return;
  if (err.status !== 403 && err.status !== 429) return;
  try {
    // refused before authentication ran (a foreign Origin): who the session cookie belongs to
    let user = c.get('auth')?.user ?? null;
    if (user === null && c.get('auth') === undefined) {
      const sid = getCookie(c, SESSION_COOKIE);
      user = (sid && findSession(rt.state, sid)?.user) || null;
    }
    audit(rt.state, {
      actor: user?.name ?? '-',
      action: 'request.denied',
      target: `${c.req.method} ${c.req.path}`,
      detail: { status: err.status, reason: err.code, role: user?.role ?? null },
      ip: c.get('ip') ?? clientIp(c, rt.config.http.trust_proxy),
      userAgent: c.req.header('user-agent') ?? null,
      outcome: 'denied',
    });
  } catch (e) {
    rt.log.error({ err: e }, 'audit of a refused request failed');
  }
}
