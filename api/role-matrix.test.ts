// The role × route matrix, derived from the OpenAPI document (issue 18): every operation of
// /api/v1/openapi.json is called by every role (API tokens, so nothing here ends a session) and
// anonymously, over real HTTP. Who may call an operation is what the document says: its `x-roles`
// (api/openapi.ts `roles()`); the handler's `allow(…)` must agree. An operation that declares no
// roles yet is held to what holds for the whole API: any signed-in role may read, admin and noc may
// write, host and viewer may not. A route added later is covered without touching this file; only a
// write whose refusal needs a well-formed request needs a sample below (the test says which).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestEnv } from '../test/helpers/api.ts';
import { EVERY_AREA } from '../test/helpers/api-areas.ts';
import { createApiToken, createUser } from './accounts.ts';
import type { ApiError, Role } from './contract.ts';

const ROLES: Role[] = ['admin', 'noc', 'technician', 'host', 'viewer'];
const HOST_ORG = 'vp-ubnd-tinh';

interface Operation {
  method: string;
  path: string;
  secured: boolean;
  roles: Role[] | null;
}

let env: TestEnv;
let operations: Operation[] = [];
const tokens = {} as Record<Role, string>;
let own = '';
let meetingId = 'none';
let incidentId = 'none';
let alertId = 'none';
let seq = 0;

async function call(role: Role | null, method: string, path: string, body?: unknown) {
  const res = await fetch(`${env.url}/api/v1${path}`, {
    method,
    headers: {
      ...(role && { authorization: `Bearer ${tokens[role]}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  let error: ApiError['error'] | null = null;
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) await res.body?.cancel();
  else error = ((await res.json().catch(() => null)) as ApiError | null)?.error ?? null;
  return { status: res.status, code: error?.code ?? null, message: error?.message ?? '' };
}

beforeAll(async () => {
  env = await startTestApi({
    sites: 6,
    base: 54,
    alerts: true,
    deps: {
      // every area, as `diemcau serve` mounts them
      routes: EVERY_AREA,
    },
  });
  own = [...env.rt.inventory.sites.keys()].find((s) => env.rt.inventory.sites.get(s)!.tier === 'commune')!;
  for (const role of ROLES) {
    await createUser(env.rt.state, {
      name: `m-${role}`,
      role,
      password: TEST_PASSWORD,
      ...(role === 'technician' && { sites: [own] }),
      ...(role === 'host' && { org: HOST_ORG }),
    });
    tokens[role] = createApiToken(env.rt.state, `m-${role}`, 'matrix').token;
  }
  await createUser(env.rt.state, { name: 'reset-me', role: 'viewer' });
  // things the operations act on, where cheap: a meeting of the host's office at the technician's
  // site, an incident there, an alert if the engine raises one
  const start = Date.now() + 5 * 86400_000;
  const m = await fetch(`${env.url}/api/v1/meetings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'Họp thử',
      host_org: HOST_ORG,
      start,
      end: start + 3600_000,
      sites: [own],
    }),
  });
  if (m.ok) meetingId = ((await m.json()) as { meeting: { id: string } }).meeting.id;
  const i = await fetch(`${env.url}/api/v1/incidents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sites: [own], cause: 'thử' }),
  });
  if (i.ok) incidentId = ((await i.json()) as { id: string }).id;
  alertId = env.alerts?.list({ site: own }).at(0)?.id ?? 'none';

  const doc = (await (await fetch(`${env.url}/api/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { security?: unknown[]; 'x-roles'?: Role[] }>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        secured: (op.security?.length ?? 0) > 0,
        roles: op['x-roles'] ?? null,
      })),
  );
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

/** Path parameters: things that exist where cheap (the technician's site, the host's meeting). */
function fill(path: string): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (path.startsWith('/sites/') || name === 'site') return own;
    if (path.startsWith('/meetings/') || path.startsWith('/reports/meetings/')) return meetingId;
    if (path.startsWith('/incidents/')) return incidentId;
    if (path.startsWith('/alerts/')) return alertId;
    if (path.startsWith('/auth/tokens/')) return '0123456789ab';
    if (name === 'name') return 'reset-me';
    return 'khong-co';
  });
}

/** A well-formed query and body, so that a refusal is the role's and not the schema's. */
function sample(method: string, path: string): { query?: string; body?: unknown } {
  const n = ++seq;
  const key = `${method} ${path}`;
  const future = Date.now() + 6 * 86400_000;
  const samples: Record<string, { query?: string; body?: unknown }> = {
    'POST /auth/tokens': { body: { label: 'matrix' } },
    'POST /auth/password': { body: {} }, // refused as malformed: the matrix changes no password
    'POST /auth/totp/setup': { body: { password: 'khong-phai-mat-khau' } },
    'POST /auth/totp/enable': { body: { code: '000000' } },
    'POST /auth/totp/disable': { body: { password: 'khong-phai-mat-khau', code: '000000' } },
    'POST /users': { body: { name: `matrix-${n}`, role: 'viewer' } },
    'PATCH /users/{name}': { body: { disabled: false } },
    'POST /alerts/{id}/ack': { body: { comment: 'đang xử lý' } },
    'POST /silences': { body: { matchers: { site: own }, duration_min: 30, comment: 'bảo trì' } },
    'POST /maintenance': {
      body: {
        id: `bt-${n}`,
        scope: { site: own },
        weekdays: [7],
        start: '02:00',
        duration_min: 60,
        comment: 'x',
      },
    },
    'POST /episodes/{id}/ack': { body: { comment: 'x' } },
    'POST /episodes/{id}/reassign': { body: { cause: 'power', reason: 'x' } },
    'POST /calls/{id}/classify': { body: { kind: 'central' } },
    'POST /meetings': {
      body: { title: `Họp ${n}`, host_org: HOST_ORG, start: future, end: future + 3600_000, sites: [own] },
    },
    'PATCH /meetings/{id}': { body: { note: `ghi chú ${n}` } },
    'POST /meetings/{id}/cancel': { body: { reason: 'thử' } },
    'POST /meetings/{id}/reject': { body: { reason: 'thử' } },
    'POST /meetings/series/{id}/cancel': { body: { reason: 'thử' } },
    'POST /hosts': { body: { id: `matrix-host-${n}`, name: `Cơ quan ${n}`, type: 'central' } },
    'PATCH /hosts/{id}': { body: { name: `Cơ quan ${n}` } },
    'POST /incidents': { body: { sites: [own], cause: 'thử' } },
    'PATCH /incidents/{id}': { body: { fix: 'đã thay' } },
    'GET /incidents/draft': { query: `alert_id=${alertId}` },
    'POST /maintenance-plans': {
      body: {
        kind: 'once',
        scope: { kind: 'site', value: own },
        starts_at: future,
        ends_at: future + 3600_000,
        work: `bảo trì ${n}`,
        by_text: 'thử',
      },
    },
    'POST /maintenance-log': { body: { site: own, done: `đã kiểm tra ${n}`, by_text: 'thử' } },
    'POST /feedback': { body: { kind: 'difficulty', category: 'other', text: `Ý kiến thử ${n}` } },
    'POST /feedback/{id}/answer': { body: { text: 'trả lời thử' } },
    'POST /people': { body: { id: `matrix-person-${n}`, name: `Người ${n}`, org: HOST_ORG } },
    'PATCH /people/{id}': { body: { title: `chức danh ${n}` } },
    'POST /people/{id}/trainings': { body: { course: 'Vận hành codec', date: '2026-03-01' } },
    'POST /sites/{id}/technician': { body: { person: 'khong-co', reason: 'thử thay' } },
    'PUT /org-technicians/{org}/{site}': { body: { person: 'khong-co' } },
    'PUT /roster': { body: { org: 'khong-co', date: '2026-03-02', person: 'khong-co' } },
    'GET /reports/six-month': { query: 'from=2026-01-01' },
    'GET /reports/yearly': { query: 'year=2026' },
    'GET /reports/period': { query: 'from=2026-01-01&to=2026-02-01' },
  };
  return samples[key] ?? (method === 'GET' || method === 'DELETE' ? {} : { body: {} });
}

/** The roles an operation lets in: its x-roles, or the rule every area follows. */
function allowedRoles(op: Operation): { roles: Role[]; declared: boolean } {
  if (op.roles) return { roles: op.roles, declared: true };
  if (op.method === 'GET') return { roles: ROLES, declared: false };
  return { roles: ['admin', 'noc'], declared: false };
}

describe('role × route matrix from the OpenAPI document', () => {
  it('lists the operations of every area, and every signed-in operation declares who may call it', () => {
    expect(operations.length).toBeGreaterThanOrEqual(40);
    const paths = new Set(operations.map((o) => o.path));
    for (const p of ['/auth/me', '/sites', '/alerts', '/users', '/audit', '/meetings', '/reports/yearly'])
      expect(paths, p).toContain(p);
    const undeclared = operations.filter((o) => o.secured && !o.roles).map((o) => `${o.method} ${o.path}`);
    expect(undeclared).toEqual([]);
  });

  it('anonymous: 401 on every signed-in operation', async () => {
    const wrong: string[] = [];
    for (const op of operations.filter((o) => o.secured)) {
      const s = sample(op.method, op.path);
      const r = await call(null, op.method, `${fill(op.path)}${s.query ? `?${s.query}` : ''}`, s.body);
      if (r.status !== 401) wrong.push(`${op.method} ${op.path} → ${r.status} ${r.code}`);
    }
    expect(wrong).toEqual([]);
  });

  for (const role of ROLES)
    it(`${role}: exactly the operations the document allows`, async () => {
      const wrong: string[] = [];
      for (const op of operations.filter((o) => o.secured)) {
        const { roles, declared } = allowedRoles(op);
        // without a declaration, a technician's writes depend on the site: not judged here
        if (!declared && role === 'technician' && op.method !== 'GET') continue;
        const s = sample(op.method, op.path);
        const r = await call(role, op.method, `${fill(op.path)}${s.query ? `?${s.query}` : ''}`, s.body);
        const label = `${op.method} ${op.path} as ${role} → ${r.status} ${r.code ?? ''}`;
        if (r.status >= 500) wrong.push(`${label} (server error: ${r.message})`);
        else if (roles.includes(role)) {
          if (r.status === 401 || r.status === 403) wrong.push(`${label}, expected allowed`);
        } else if (r.status !== 403 || r.code !== 'forbidden')
          wrong.push(
            `${label}, expected 403 forbidden${r.status === 400 ? ' (give it a well-formed sample in role-matrix.test.ts)' : ''}`,
          );
      }
      expect(wrong).toEqual([]);
    });

  it('a refusal of the matrix is in the audit log with the route and the role', async () => {
    const r = await call('viewer', 'GET', '/users');
    expect(r.status).toBe(403);
    const row = env.rt.state
      .prepare(
        "SELECT * FROM audit_log WHERE actor = 'm-viewer' AND action = 'request.denied' ORDER BY id DESC",
      )
      .get() as { target: string; detail: string };
    expect(row.target).toBe('GET /api/v1/users');
    expect(JSON.parse(row.detail)).toMatchObject({ reason: 'forbidden', role: 'viewer' });
  });
});
