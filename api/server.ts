// The HTTP server: the API under /api/v1 (one sub-app per area), /metrics, /healthz, /readyz and the
// built dashboard at /. Security headers, a body size limit and CORS closed unless configured.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { parseDuration } from '../config/config.ts';
import { ListenError } from '../core/listen-error.ts';
import type { AlertEngine, MeetingSource, MetricsStore } from '../core/ports.ts';
import { fromRoot } from '../core/root.ts';
import type { Runtime, Service } from '../core/runtime.ts';
import { housekeep } from './accounts.ts';
import { compression } from './compression.ts';
import {
  type AppEnv,
  auditRefusal,
  authenticate,
  type Deps,
  isLocalRequest,
  SESSION_COOKIE,
} from './context.ts';
import {
  ApiFailure,
  errorBody,
  errorResponse,
  payloadTooLarge,
  unauthenticated,
  validationFailure,
} from './errors.ts';
import { LiveHub, type LiveOptions } from './live.ts';
import { registerApiMetrics } from './prom.ts';
import { adminRoutes } from './routes/admin.ts';
import { alertRoutes } from './routes/alerts.ts';
import { assetRoutes } from './routes/assets.ts';
import { authRoutes } from './routes/auth.ts';
import { episodeRoutes } from './routes/episodes.ts';
import { feedbackRoutes } from './routes/feedback.ts';
import { hostRoutes } from './routes/hosts.ts';
import { inventoryRoutes } from './routes/inventory.ts';
import { liveRoutes } from './routes/live.ts';
import { maintenancePlanRoutes } from './routes/maintenance-plans.ts';
import { peopleRoutes } from './routes/people.ts';
import { siteRoutes } from './routes/sites.ts';
import { staticHandler } from './static.ts';

export { createUser } from './accounts.ts';
export type { LiveHub } from './live.ts';

export interface ApiDeps {
  store: MetricsStore;
  alerts: AlertEngine | null;
  meetings?: MeetingSource;
  /** the built SPA to serve at / (default dashboard/dist) */
  dashboardDir?: string;
  live?: LiveOptions;
  /** bytes a live client may have queued before it is dropped */
  liveQueueBytes?: number;
  /**
   * More areas' route files (meetings, reports …): each builds a sub-app with `subApp()` from
   * api/openapi.ts, mounted under /api/v1 with the same authentication, errors and OpenAPI document.
   */
  routes?: RouteFactory[];
  /** pages outside /api that need no sign-in (e.g. a signed link's page, api/routes/readiness.ts) */
  pages?: PageFactory[];
  /** two servers (issue 21): this one's role, on /healthz; engine writes refused on the standby */
  standby?: () => StandbyView;
}

export type PageFactory = (d: Deps) => Hono<AppEnv>;

export type RouteFactory = (d: Deps) => OpenAPIHono<AppEnv>;

export type ApiService = Service & { url: string; live: LiveHub; app: Hono<AppEnv> };

const DEFAULT_DASHBOARD = fromRoot('dashboard', 'dist');

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * What a standby server still accepts (bus/standby.ts): signing in and out. Every other change —
 * the engine's (alerts, episodes, silences, maintenance) and the records replicated from the active
 * server (meetings, users, people, incidents …: storage/replication.ts) — is made on the active one.
 */
const STANDBY_ACCEPTS = /^\/api\/v1\/auth\/(login|logout)$/;

/** a two-server deployment: this server's role and who holds the lease (bus/standby.ts) */
export interface StandbyView {
  role: 'active' | 'standby';
  instance: string;
  holder: string | null;
}

/** the only /api routes an anonymous caller may reach */
export const PUBLIC_API = new Set(['/api/v1/auth/login', '/api/v1/openapi.json']);

export function parseListen(listen: string): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(listen);
  if (v6) return { host: v6[1]!, port: Number(v6[2]) };
  const i = listen.lastIndexOf(':');
  if (i < 0) return { host: '127.0.0.1', port: Number(listen) };
  return { host: listen.slice(0, i) || '127.0.0.1', port: Number(listen.slice(i + 1)) };
}

/** Builds the whole Hono app (no listening): used by startApi and by tests that call app.request. */
export function buildApp(
  d: Deps,
  opts: {
    dashboardDir?: string;
    liveQueueBytes?: number;
    routes?: RouteFactory[];
    pages?: PageFactory[];
    standby?: () => StandbyView;
  } = {},
): Hono<AppEnv> {
  const { rt } = d;
  const http = rt.config.http;
  const app = new Hono<AppEnv>();
  const onUnexpected = (err: unknown) => rt.log.error({ err }, 'api request failed');
  app.onError((err, c) => {
    auditRefusal(c, rt, err);
    return errorResponse(err, c, onUnexpected);
  });

  app.use('*', registerApiMetrics(rt.registry, d.live, d.store));
  // gzip/deflate for JSON and text from 1 kB (never the live stream); api/compression.ts
  app.use('*', compression());
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: 'same-origin',
      crossOriginResourcePolicy: 'same-origin',
    }),
  );
  if (http.cors_origins.length > 0) {
    app.use(
      '/api/*',
      cors({
        origin: http.cors_origins,
        credentials: true,
        allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
        allowHeaders: ['content-type', 'authorization', 'x-csrf-token', 'last-event-id'],
        maxAge: 600,
      }),
    );
  }
  const limitKb = http.body_limit_kb;
  app.use(
    '/api/*',
    bodyLimit({ maxSize: limitKb * 1024, onError: (c) => c.json(payloadTooLarge(limitKb), 413) }),
  );
  // browsers send Origin on cross-site writes: refuse those from origins we do not know
  app.use('/api/*', async (c, next) => {
    const origin = c.req.header('origin');
    if (origin && UNSAFE.has(c.req.method)) {
      const allowed = new Set([new URL(c.req.url).origin, ...http.cors_origins]);
      if (http.public_url) allowed.add(new URL(http.public_url).origin);
      if (!allowed.has(origin))
        throw new ApiFailure(
          403,
          'csrf',
          `Nguồn gốc yêu cầu không được phép / Origin ${origin} not allowed`,
          [{ path: 'header.origin', message: 'không được phép / not allowed' }],
        );
    }
    await next();
  });
  app.use('/api/*', authenticate(rt));
  // who is asking comes before what they sent: an anonymous caller gets 401 on every route but
  // signing in and the API's description, whatever its body or query (never the schema's complaint)
  app.use('/api/*', async (c, next) => {
    if (!c.get('auth') && !PUBLIC_API.has(c.req.path)) throw unauthenticated();
    await next();
  });
  // the standby server (issue 21, docs/backbone.md) shows the active's episodes and records (replicated
  // to it) but changes nothing: its copy would be overwritten by the active's
  if (opts.standby) {
    const view = opts.standby;
    const message = () =>
      `Máy chủ dự phòng: thao tác này làm trên máy chủ chính (${view().holder ?? 'chưa rõ'}) / This server is the standby: do this on the active server (${view().holder ?? 'unknown'})`;
    app.use('/api/*', async (c, next) => {
      if (UNSAFE.has(c.req.method) && !STANDBY_ACCEPTS.test(c.req.path) && view().role === 'standby')
        throw new ApiFailure(503, 'standby', message());
      await next();
    });
    // a technician's signed "Đã kiểm tra" link (api/routes/readiness.ts) is confirmed on the active
    app.use('/kiem-tra/*', async (c, next) => {
      if (UNSAFE.has(c.req.method) && view().role === 'standby') return c.text(message(), 503);
      await next();
    });
  }
  app.use('/metrics', authenticate(rt));
  app.use('/readyz', authenticate(rt));

  const api = new OpenAPIHono<AppEnv>({
    defaultHook: (r) => {
      if (!r.success) throw validationFailure(r.error, r.target);
    },
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'cookie', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'Phiên đăng nhập (POST /auth/login); ghi cần header X-CSRF-Token / session cookie',
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'Mã truy cập API dmc_… (diemcau user token create) / API token',
  });
  api.route('/', authRoutes(d));
  api.route('/', inventoryRoutes(d));
  api.route('/', siteRoutes(d));
  api.route('/', alertRoutes(d));
  api.route('/', episodeRoutes(d));
  api.route('/', adminRoutes(d));
  api.route('/', hostRoutes(d));
  api.route('/', peopleRoutes(d));
  api.route('/', maintenancePlanRoutes(d));
  api.route('/', assetRoutes(d));
  api.route('/', feedbackRoutes(d));
  for (const more of opts.routes ?? []) api.route('/', more(d));
  api.route('/', liveRoutes(d, opts.liveQueueBytes !== undefined ? { queueBytes: opts.liveQueueBytes } : {}));
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'diemcau API',
      version: '1',
      description:
        'NOC hệ thống hội nghị truyền hình tỉnh Bắc Kạn / NOC for the Bắc Kạn video-conference network. Every error is an ApiError.',
    },
    servers: [{ url: '/api/v1' }],
  });
  api.notFound((c) =>
    c.json(errorBody('not_found', `Không có đường dẫn API này / No such API route: ${c.req.path}`), 404),
  );
  app.route('/api/v1', api);
  app.all('/api/*', (c) =>
    c.json(errorBody('not_found', `Không có đường dẫn API này / No such API route: ${c.req.path}`), 404),
  );

  app.get('/healthz', (c) => {
    const ha = opts.standby?.();
    return c.json({ status: 'ok', time: Date.now(), ...(ha && { role: ha.role, ha }) });
  });
  // the short link an SMS carries: /e/<episode id> → the episode on the dashboard (which signs in)
  app.get('/e/:id{[a-z0-9-]{1,40}}', (c) => c.redirect(`/alerts?episode=${c.req.param('id')}`, 302));
  app.get('/readyz', (c) => {
    const health = d.store.health();
    const last = d.live.lastSampleTime();
    const checks = [
      { name: 'inventory', ok: rt.inventory.sites.size > 0, detail: `${rt.inventory.sites.size} sites` },
      {
        name: 'store',
        ok: health.ok,
        // the current state: an error that has passed is not shown once the store is healthy again
        detail: health.ok
          ? `${health.kind}, ${health.spooled} spooled`
          : (health.lastError ?? `${health.kind} failing`),
      },
      {
        name: 'collector',
        ok: !d.live.isStale(last),
        detail:
          last === null ? 'no sample yet' : `last sample ${Math.round((Date.now() - last) / 1000)} s ago`,
      },
    ];
    const ready = checks.every((x) => x.ok);
    // details (store address and errors) only to this host or a signed-in admin
    const detailed = isLocalRequest(c, http.trust_proxy) || c.get('auth')?.user.role === 'admin';
    c.header('cache-control', 'no-store');
    return c.json(
      {
        status: ready ? 'ready' : 'not_ready',
        checks: detailed ? checks : checks.map(({ name, ok }) => ({ name, ok })),
        ...(detailed && { alerts: d.alerts !== null }),
      },
      ready ? 200 : 503,
    );
  });
  app.get('/metrics', async (c) => {
    // open to loopback (a Prometheus on the same host); elsewhere an admin/noc/viewer token or session
    const a = c.get('auth');
    if (!isLocalRequest(c, http.trust_proxy)) {
      if (!a) throw new ApiFailure(401, 'unauthenticated', 'Cần đăng nhập / Authentication required');
      if (!['admin', 'noc', 'viewer'].includes(a.user.role))
        throw new ApiFailure(403, 'forbidden', 'Tài khoản không có quyền / Your role does not allow this');
    }
    return c.text(await rt.registry.metrics(), 200, { 'content-type': rt.registry.contentType });
  });

  for (const pages of opts.pages ?? []) app.route('/', pages(d));
  const dashboard = staticHandler(opts.dashboardDir ?? DEFAULT_DASHBOARD);
  app.get('*', dashboard);
  app.on('HEAD', '*', dashboard);
  app.notFound((c) => c.json(errorBody('not_found', `Không tìm thấy / Not found: ${c.req.path}`), 404));
  return app;
}

export async function startApi(rt: Runtime, deps: ApiDeps): Promise<ApiService> {
  const live = new LiveHub(rt, deps.alerts, deps.meetings, {
    maxQueuedBytes: rt.config.http.live_queue_total_mb * 1024 * 1024,
    ...deps.live,
  });
  live.start();
  const d: Deps = { rt, store: deps.store, alerts: deps.alerts, meetings: deps.meetings, live };
  const app = buildApp(d, {
    ...(deps.dashboardDir !== undefined && { dashboardDir: deps.dashboardDir }),
    ...(deps.liveQueueBytes !== undefined && { liveQueueBytes: deps.liveQueueBytes }),
    ...(deps.routes && { routes: deps.routes }),
    ...(deps.pages && { pages: deps.pages }),
    ...(deps.standby && { standby: deps.standby }),
  });
  const { host, port } = parseListen(rt.config.http.listen);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', (err) => {
      live.stop();
      reject(new ListenError('http.listen', rt.config.http.listen, err));
    });
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  rt.log.info({ url }, 'api listening');
  // diemcau speaks plain HTTP: an https public_url means a TLS proxy in front of it
  if (!rt.config.http.trust_proxy && rt.config.http.public_url?.startsWith('https:'))
    rt.log.warn(
      { public_url: rt.config.http.public_url, listen: rt.config.http.listen },
      'http.public_url is https, so a proxy terminates TLS in front of diemcau, but http.trust_proxy is false: all users behind it share one address for sign-in limits and the audit log; set http.trust_proxy: true if diemcau is reachable only through that proxy (see deploy/diemcau.yaml.example)',
    );
  const keep = () => {
    try {
      const n = housekeep(rt.state, Date.now(), parseDuration(rt.config.http.audit_retention));
      if (n.sessions + n.audit + n.limits > 0)
        rt.log.info(n, 'api housekeeping: expired sessions and old audit entries deleted');
    } catch (err) {
      rt.log.error({ err }, 'api housekeeping failed');
    }
  };
  keep();
  const keeper = setInterval(keep, 3600_000);
  keeper.unref();
  return {
    name: 'api',
    url,
    live,
    app,
    async stop() {
      clearInterval(keeper);
      live.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
    },
  };
}
