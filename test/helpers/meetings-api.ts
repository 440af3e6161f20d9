// Test support for the meetings, reports and readiness tests.
// The HTTP API as `diemcau serve` mounts it (errors as the server answers them, sign-in on /api/*, the
// validation hook, the given route areas under /api/v1), with real accounts and API tokens in the state
// DB, and a way to call it as one of those users; and a runtime whose e-mail goes to a real SMTP server
// on loopback, for the tests that read the mails the durable outbox delivered.
import { rmSync } from 'node:fs';
import { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { type AlertService, startAlerts } from '../../alerts/index.ts';
import { createApiToken, createUser } from '../../api/accounts.ts';
import { type AppEnv, authenticate, type Deps } from '../../api/context.ts';
import type { Role } from '../../api/contract.ts';
import { errorResponse, validationFailure } from '../../api/errors.ts';
import type { Runtime } from '../../core/runtime.ts';
import { DbMeetings } from '../../meetings/store.ts';
import { Clock, testRuntime } from './alerts.ts';
import { type SmtpSink, startSmtp } from './servers.ts';
import type { World } from './world.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies of many shapes, checked field by field
export type Json = any;

/**
 * A meeting as POST /meetings takes it: the provincial people's committee's quarterly review on
 * 10 March 2026, 08:00–10:00 Bắc Kạn time, over its hall, Ba Bể and Bằng Thành; `extra` over that.
 */
export const meetingRequest = (extra: object = {}) => ({
  title: 'Hội nghị sơ kết quý I',
  host_org: 'vp-ubnd-tinh',
  start: '2026-03-10T08:00',
  end: '2026-03-10T10:00',
  sites: ['ubnd-tinh', 'huyen-ba-be', 'xa-bang-thanh'],
  ...extra,
});

/** an account: name, role and its extra fields (`org` of a host, `sites` of a technician) */
export type TestUser = readonly [name: string, role: Role, extra: object];

export const PASSWORD = 'mật-khẩu-thử-nghiệm-12';

/** an admin, the NOC, two host offices, a technician of xa-bang-thanh and a viewer */
export const STAFF: readonly TestUser[] = [
  ['u-admin', 'admin', {}],
  ['u-noc', 'noc', {}],
  ['u-host', 'host', { org: 'vp-ubnd-tinh' }],
  ['u-host2', 'host', { org: 'vp-tinh-uy' }],
  ['u-tech', 'technician', { sites: ['xa-bang-thanh'] }],
  ['u-viewer', 'viewer', {}],
];

/** the route deps of a test world (no live hub) */
export const worldDeps = (w: World): Deps => ({
  rt: w.rt,
  store: w.store,
  alerts: w.alerts,
  meetings: w.meetings,
  live: null as never,
});

/** `routes` under /api/v1 as the server mounts them; with `openapi`, the document at /api/v1/openapi.json */
export function mountApi(
  rt: Runtime,
  routes: OpenAPIHono<AppEnv>[],
  opts: { openapi?: boolean } = {},
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError((err, c) =>
    errorResponse(err, c, (e) => {
      throw e;
    }),
  );
  app.use('/api/*', authenticate(rt));
  const api = new OpenAPIHono<AppEnv>({
    defaultHook: (r) => {
      if (!r.success) throw validationFailure(r.error, r.target);
    },
  });
  for (const r of routes) api.route('/', r);
  if (opts.openapi) api.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 't', version: '1' } });
  app.route('/api/v1', api);
  return app;
}

/** the accounts, created with PASSWORD, and an API token of each by name */
export async function createUsers(rt: Runtime, users: readonly TestUser[]): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const [name, role, extra] of users) {
    await createUser(rt.state, { name, role, password: PASSWORD, ...extra });
    tokens[name] = createApiToken(rt.state, name, 'test').token;
  }
  return tokens;
}

export interface TestApi {
  app: Hono<AppEnv>;
  tokens: Record<string, string>;
  /** `method` `/api/v1${path}` as `user` (a bearer token; none for null), a JSON body if given */
  request(user: string | null, method: string, path: string, body?: unknown): Promise<Response>;
  /** the same, the answer's status and JSON body */
  call(user: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }>;
}

/** mountApi with the accounts of createUsers, and calls as them */
export async function testApi(
  rt: Runtime,
  routes: OpenAPIHono<AppEnv>[],
  users: readonly TestUser[],
  opts: { openapi?: boolean } = {},
): Promise<TestApi> {
  const app = mountApi(rt, routes, opts);
  const tokens = await createUsers(rt, users);
  const request = async (user: string | null, method: string, path: string, body?: unknown) =>
    app.request(`/api/v1${path}`, {
      method,
      headers: {
        ...(user !== null && { authorization: `Bearer ${tokens[user]}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const call = async (user: string, method: string, path: string, body?: unknown) => {
    const res = await request(user, method, path, body);
    return { status: res.status, json: (await res.json()) as Json };
  };
  return { app, tokens, request, call };
}

/** what a test undoes after it, last first */
export type Cleanup = (() => Promise<void> | void)[];

/**
 * A real SMTP server on loopback and a test runtime (real inventory, temp state DB) whose alerts'
 * outbox retries quickly and whose e-mail goes to that server; `groupWait` sets alerts.group_wait.
 * Both are closed and removed through `cleanup`.
 */
export async function smtpRuntime(
  cleanup: Cleanup,
  opts: { groupWait?: string } = {},
): Promise<{ smtp: SmtpSink; rt: Runtime & { dir: string } }> {
  const smtp = await startSmtp();
  cleanup.push(() => smtp.close());
  const rt = testRuntime(`alerts:
${opts.groupWait ? `  group_wait: ${opts.groupWait}\n` : ''}  outbox: { retry_base: 100ms, retry_max: 1s, poll: 50ms, send_timeout: 3s }
notify:
  email: { host: 127.0.0.1, port: ${smtp.port}, from: "diemcau NOC <noc@diemcau.example>" }
`);
  cleanup.push(() => {
    rt.state.close();
    rmSync(rt.dir, { recursive: true, force: true });
  });
  return { smtp, rt };
}

/**
 * smtpRuntime with the meetings (`policy`) on a virtual clock from `t0` and the real alert engine
 * (hourly ticks, ticked by the test), stopped through `cleanup`.
 */
export async function mailedAlerts(
  cleanup: Cleanup,
  opts: { t0: number; groupWait?: string; policy?: ConstructorParameters<typeof DbMeetings>[3] },
) {
  const { smtp, rt } = await smtpRuntime(cleanup, opts);
  const clock = new Clock(opts.t0);
  const meetings = new DbMeetings(rt.state, rt.inventory, clock.now, opts.policy);
  const engine: AlertService = await startAlerts(rt, {
    meetings,
    now: clock.now,
    tickMs: 3_600_000,
    env: {},
  });
  cleanup.push(() => engine.stop());
  return { smtp, rt, clock, meetings, engine };
}
