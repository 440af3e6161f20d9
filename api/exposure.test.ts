// Issue 18, over real HTTP: what a proxy in front of diemcau changes. Without http.trust_proxy a
// reverse proxy on the same host must not make /metrics and /readyz's details public, and diemcau
// says at start that requests come through a proxy; /readyz shows the present, not a past error.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApi, TEST_PASSWORD, type TestEnv } from '../test/helpers/api.ts';
import { createApiToken, createUser } from './accounts.ts';

let env: TestEnv;
let adminToken: string;
let viewerToken: string;
const viaProxy = { 'x-forwarded-for': '203.0.113.7' };

beforeAll(async () => {
  env = await startTestApi({ sites: 4, base: 59 });
  await createUser(env.rt.state, { name: 'quan-tri', role: 'admin', password: TEST_PASSWORD });
  await createUser(env.rt.state, { name: 'man-hinh', role: 'viewer', password: TEST_PASSWORD });
  adminToken = createApiToken(env.rt.state, 'quan-tri', 't').token;
  viewerToken = createApiToken(env.rt.state, 'man-hinh', 't').token;
});
afterAll(async () => {
  await env?.stop();
});

type Ready = { status: string; checks: { name: string; ok: boolean; detail?: string }[]; alerts?: boolean };

describe('/readyz', () => {
  it('details for this host; through a proxy only the verdicts, unless an admin asks', async () => {
    const local = (await (await fetch(`${env.url}/readyz`)).json()) as Ready;
    expect(local.checks.find((c) => c.name === 'store')?.detail).toMatch(/sqlite/);

    const res = await fetch(`${env.url}/readyz`, { headers: viaProxy });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const remote = (await res.json()) as Ready;
    expect(remote.checks.map((c) => Object.keys(c).sort())).toEqual([
      ['name', 'ok'],
      ['name', 'ok'],
      ['name', 'ok'],
    ]);
    expect(remote.alerts).toBeUndefined();

    const viewer = (await (
      await fetch(`${env.url}/readyz`, { headers: { ...viaProxy, authorization: `Bearer ${viewerToken}` } })
    ).json()) as Ready;
    expect(viewer.checks[1]!.detail).toBeUndefined();
    const admin = (await (
      await fetch(`${env.url}/readyz`, { headers: { ...viaProxy, authorization: `Bearer ${adminToken}` } })
    ).json()) as Ready;
    expect(admin.checks[1]!.detail).toMatch(/sqlite/);
  });

  it('after the store recovers, its old error is no longer shown', async () => {
    const real = env.store.health.bind(env.store);
    // what a store reports once a failure has passed: healthy, its last error still remembered
    const spy = vi.spyOn(env.store, 'health').mockImplementation(() => ({
      ...real(),
      ok: true,
      lastError: 'SQLITE_FULL: database or disk is full',
    }));
    try {
      const r = (await (await fetch(`${env.url}/readyz`)).json()) as Ready;
      expect(r.checks[1]).toMatchObject({ name: 'store', ok: true });
      expect(r.checks[1]!.detail).not.toMatch(/SQLITE_FULL/);
      spy.mockImplementation(() => ({
        ...real(),
        ok: false,
        lastError: 'SQLITE_FULL: database or disk is full',
      }));
      const failing = (await (await fetch(`${env.url}/readyz`)).json()) as Ready;
      expect(failing.checks[1]).toMatchObject({ ok: false, detail: 'SQLITE_FULL: database or disk is full' });
    } finally {
      spy.mockRestore();
    }
  });
});

describe('/metrics and a proxy on the same host', () => {
  it('open to this host, but a forwarded request needs a session or token', async () => {
    expect((await fetch(`${env.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${env.url}/metrics`, { headers: viaProxy })).status).toBe(401);
    expect((await fetch(`${env.url}/metrics`, { headers: { forwarded: 'for=203.0.113.7' } })).status).toBe(
      401,
    );
    expect(
      (
        await fetch(`${env.url}/metrics`, {
          headers: { ...viaProxy, authorization: `Bearer ${viewerToken}` },
        })
      ).status,
    ).toBe(200);
  });
});

describe('trust_proxy', () => {
  it('without it, the first forwarded request logs a warning that names the setting, once', async () => {
    const other = await startTestApi({ sites: 2, base: 59 });
    const warn = vi.spyOn(other.rt.log, 'warn');
    try {
      await fetch(`${other.url}/api/v1/sites`, { headers: viaProxy });
      await fetch(`${other.url}/api/v1/sites`, { headers: viaProxy });
      const calls = warn.mock.calls.filter((c) => String(c[1]).includes('trust_proxy'));
      expect(calls).toHaveLength(1);
      expect(calls[0]![1]).toMatch(/share one address for sign-in limits/);
    } finally {
      warn.mockRestore();
      await other.stop();
    }
  });

  it('an https public_url without it: a warning at start', async () => {
    const warn = vi.spyOn(env.rt.log, 'warn');
    try {
      const other = await startTestApi({
        sites: 2,
        base: 59,
        http: { public_url: 'https://noc.example.gov.vn' },
      });
      await other.stop();
      expect(warn.mock.calls.filter((c) => String(c[1]).includes('http.public_url is https'))).toHaveLength(
        1,
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('with it, the address is the proxy’s X-Forwarded-For entry, and no warning', async () => {
    const other = await startTestApi({ sites: 2, base: 59, http: { trust_proxy: true } });
    const warn = vi.spyOn(other.rt.log, 'warn');
    try {
      await createUser(other.rt.state, { name: 'sau-proxy', role: 'viewer', password: TEST_PASSWORD });
      const res = await fetch(`${other.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...viaProxy },
        body: JSON.stringify({ name: 'sau-proxy', password: TEST_PASSWORD }),
      });
      expect(res.status).toBe(200);
      const row = other.rt.state
        .prepare("SELECT ip FROM audit_log WHERE action = 'auth.login' AND actor = 'sau-proxy'")
        .get() as { ip: string };
      expect(row.ip).toBe('203.0.113.7');
      expect(warn.mock.calls.filter((c) => String(c[1]).includes('trust_proxy'))).toHaveLength(0);
    } finally {
      warn.mockRestore();
      await other.stop();
    }
  });
});
