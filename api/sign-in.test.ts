// Issue 18, over real HTTP and the real state database: sign-in limits that hold against parallel
// bursts and cannot be turned into a lockout of the right password from another address; the
// password policy; refusals in the audit log; API tokens that die with a password change.
// Other addresses are real: clients bind 127.0.0.2, 127.0.0.3 … (all loopback) as their source.

import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateDb } from '../storage/state-db.ts';
import { Client, startTestApi, TEST_PASSWORD, type TestEnv } from '../test/helpers/api.ts';
import { createApiToken, createUser, listAudit } from './accounts.ts';
import type { ApiError } from './contract.ts';
import { LOGIN_LIMITS, LoginGuard } from './login-guard.ts';

let env: TestEnv;
let admin: Client;

beforeAll(async () => {
  env = await startTestApi({ sites: 4, base: 57 });
  await createUser(env.rt.state, { name: 'quan-tri', role: 'admin', password: TEST_PASSWORD });
  admin = new Client(env.url);
  expect((await admin.login('quan-tri', TEST_PASSWORD)).status).toBe(200);
});
afterAll(async () => {
  await env?.stop();
});

/** POST /api/v1/auth/login from a given loopback source address. */
function loginFrom(from: string, name: string, password: string): Promise<{ status: number; body: string }> {
  const url = new URL('/api/v1/auth/login', env.url);
  const payload = JSON.stringify({ name, password });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const audits = (q: { actor?: string; action?: string; outcome?: 'ok' | 'denied' | 'failed' }) =>
  listAudit(env.rt.state, { ...q, limit: 1000, offset: 0 }).items;

describe('sign-in limits', () => {
  it('40 parallel wrong passwords: at most 5 are checked, the rest get 429 without hashing', async () => {
    await createUser(env.rt.state, { name: 'bi-tan-cong', role: 'noc', password: TEST_PASSWORD });
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => loginFrom('127.0.0.1', 'bi-tan-cong', `doan-sai-${i}-mat-khau`)),
    );
    const checked = results.filter((r) => r.status === 401).length;
    const limited = results.filter((r) => r.status === 429).length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(checked + limited).toBe(40);
    // the hash ran for the checked ones only: the failures on record are those
    expect(audits({ actor: 'bi-tan-cong', outcome: 'failed' })).toHaveLength(checked);
    expect(audits({ actor: 'bi-tan-cong', outcome: 'denied' })).toHaveLength(limited);
    expect(JSON.parse(results.find((r) => r.status === 429)!.body).error.code).toBe('rate_limited');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('the right password from another address still signs in during the attack', async () => {
    // the attacker keeps going from 127.0.0.1 …
    expect((await loginFrom('127.0.0.1', 'bi-tan-cong', TEST_PASSWORD)).status).toBe(429);
    // … and from two more addresses, 5 tries each
    for (const from of ['127.0.0.3', '127.0.0.4'])
      await Promise.all(
        Array.from({ length: 8 }, (_, i) => loginFrom(from, 'bi-tan-cong', `khong-dung-${i}-mat-khau`)),
      );
    const ok = await loginFrom('127.0.0.2', 'bi-tan-cong', TEST_PASSWORD);
    expect(ok.status, ok.body).toBe(200);
  });

  it('an admin lifts the lockout: the right password works again from the attacked address', async () => {
    expect((await loginFrom('127.0.0.1', 'bi-tan-cong', TEST_PASSWORD)).status).toBe(429);
    const res = await admin.request('POST', '/api/v1/users/bi-tan-cong/unlock');
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { cleared: number }).cleared).toBeGreaterThan(0);
    expect((await loginFrom('127.0.0.1', 'bi-tan-cong', TEST_PASSWORD)).status).toBe(200);
    expect(audits({ action: 'user.unlock' })[0]).toMatchObject({ actor: 'quan-tri', target: 'bi-tan-cong' });
  });

  it('an address that fails 20 times for any names waits, for every name', async () => {
    await Promise.all(
      Array.from({ length: 25 }, (_, i) => loginFrom('127.0.0.9', `ten-${i % 5}`, 'mat-khau-sai-nhe-12')),
    );
    const r = await loginFrom('127.0.0.9', 'quan-tri', TEST_PASSWORD);
    expect(r.status).toBe(429);
    expect((JSON.parse(r.body) as ApiError).error.message).toMatch(/địa chỉ này.*this address/);
    expect((await loginFrom('127.0.0.10', 'quan-tri', TEST_PASSWORD)).status).toBe(200);
  });
});

describe('lockouts grow exponentially', () => {
  it('each lockout of the same pair within a day waits twice as long', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-guard-'));
    const state = openStateDb(join(dir, 'state.db'));
    try {
      const guard = new LoginGuard(state, {
        perPair: 2,
        perAddress: 100,
        windowS: 60,
        pairLockoutS: 1,
        pairLockoutMaxS: 4,
        addressLockoutS: 60,
        addressLockoutMaxS: 60,
        attackThreshold: 100,
      });
      const fail = async () => {
        const r = await guard.reserve('lan', '10.0.0.1');
        if (r.ok) await r.finish(false);
        return r;
      };
      const lockout = async () => {
        expect((await fail()).ok).toBe(true);
        expect((await fail()).ok).toBe(true);
        const r = await fail();
        expect(r.ok).toBe(false);
        return r.ok ? 0 : r.retryMs;
      };
      expect(await lockout()).toBe(1000);
      await new Promise((r) => setTimeout(r, 1100));
      expect(await lockout()).toBe(2000);
      await new Promise((r) => setTimeout(r, 2100));
      expect(await lockout()).toBe(4000);
      // a success resets the pair's allowance
      const other = await guard.reserve('lan', '10.0.0.2');
      expect(other.ok).toBe(true);
    } finally {
      state.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 15_000);
});

describe('a name attacked from many addresses', () => {
  it('is reported once as an attack (audited auth.attack), without locking the name out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-guard-'));
    const state = openStateDb(join(dir, 'state.db'));
    try {
      const guard = new LoginGuard(state, { ...LOGIN_LIMITS, attackThreshold: 6 });
      const attacks: boolean[] = [];
      for (let i = 0; i < 9; i++) {
        const r = await guard.reserve('admin', `10.0.${i}.1`);
        expect(r.ok).toBe(true);
        if (r.ok) attacks.push((await r.finish(false)).attack);
      }
      expect(attacks).toEqual([false, false, false, false, false, false, true, false, false]);
      // a new address still gets its tries
      expect((await guard.reserve('admin', '10.0.99.1')).ok).toBe(true);
    } finally {
      state.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('numbers in queries are told their real bounds', () => {
  it('1e308 as a page size, offset or time: the field, the bound, no zod safe-integer limit', async () => {
    const cases: [string, string, RegExp][] = [
      ['/api/v1/audit?limit=1e308', 'query.limit', /tối đa 1000 \/ at most 1000/],
      ['/api/v1/audit?offset=1e308', 'query.offset', /at most 10000000/],
      ['/api/v1/audit?since=1e308', 'query.since', /between 2000 and 2099/],
      ['/api/v1/audit?since=0', 'query.since', /between 2000 and 2099/],
      ['/api/v1/audit?limit=2.5', 'query.limit', /a whole number/],
    ];
    for (const [path, field, message] of cases) {
      const res = await admin.get(path);
      expect(res.status, path).toBe(400);
      const issues = ((await res.json()) as ApiError).error.issues ?? [];
      expect(issues.map((i) => i.path)).toEqual([field]);
      expect(issues[0]!.message).toMatch(message);
      expect(issues[0]!.message).not.toMatch(/9007199254740991/);
    }
  });
});

describe('password policy (ASVS 2.1)', () => {
  const WEAK: [string, RegExp][] = [
    ['aaaaaaaaaaaa', /dễ đoán.*too easy to guess/],
    ['123456789012', /dễ đoán.*too easy to guess/],
    ['password1234', /dễ đoán.*too easy to guess/],
    ['            ', /dễ đoán.*too easy to guess/],
    ['matkhau2026!', /dễ đoán.*too easy to guess/],
    ['ngan-son-diemcau-77', /tên hệ thống.*name of this site/],
    ['Bắc-Kạn-mùa-lúa-chín', /tên hệ thống.*name of this site/],
    ['doi-mk-nguoi-dung-1-vui', /tên đăng nhập.*user name/],
    ['short', /ít nhất 12 ký tự.*at least 12 characters/],
  ];

  it.each(WEAK)('refuses %j with a reason when I change my password', async (pw, reason) => {
    await createUser(env.rt.state, { name: 'nguoi-dung-1', role: 'viewer', password: TEST_PASSWORD }).catch(
      () => {},
    );
    const me = new Client(env.url);
    expect((await me.login('nguoi-dung-1', TEST_PASSWORD)).status).toBe(200);
    const res = await me.request('POST', '/api/v1/auth/password', { current: TEST_PASSWORD, new: pw });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ApiError;
    expect(body.error.issues?.[0]?.path).toBe('body.new');
    expect(body.error.message).toMatch(reason);
    // the refusal is on record as failed, not ok
    const last = audits({ actor: 'nguoi-dung-1', action: 'user.passwd' })[0]!;
    expect(last.outcome).toBe('failed');
    expect(last.detail).toMatchObject({ reason: 'policy' });
    // and the password did not change
    expect((await new Client(env.url).login('nguoi-dung-1', TEST_PASSWORD)).status).toBe(200);
  });

  it('refuses the current password as the new one', async () => {
    const current = 'ba-con-voi-di-qua-cau-go';
    await createUser(env.rt.state, { name: 'nguoi-dung-2', role: 'viewer', password: current });
    const me = new Client(env.url);
    await me.login('nguoi-dung-2', current);
    const res = await me.request('POST', '/api/v1/auth/password', { current, new: current });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ApiError).error.message).toMatch(/khác mật khẩu hiện tại.*differ/);
  });

  it('an admin cannot create an account with a weak password either', async () => {
    const res = await admin.request('POST', '/api/v1/users', {
      name: 'yeu-qua',
      role: 'viewer',
      password: 'password1234',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ApiError).error.issues?.[0]?.path).toBe('body.password');
  });

  it('a wrong current password is audited as failed', async () => {
    await createUser(env.rt.state, { name: 'nguoi-dung-3', role: 'viewer', password: TEST_PASSWORD });
    const me = new Client(env.url);
    await me.login('nguoi-dung-3', TEST_PASSWORD);
    const res = await me.request('POST', '/api/v1/auth/password', {
      current: 'khong-phai-mat-khau-nay',
      new: 'ba-con-voi-di-qua-cau-go',
    });
    expect(res.status).toBe(400);
    const rows = audits({ actor: 'nguoi-dung-3', action: 'user.passwd' });
    expect(rows.map((r) => r.outcome)).toEqual(['failed']);
    expect(rows[0]!.detail).toMatchObject({ reason: 'bad_current' });
  });
});

describe('a password change and API tokens', () => {
  it('revokes my API tokens, unless I ask to keep them', async () => {
    await createUser(env.rt.state, { name: 'tich-hop', role: 'viewer', password: TEST_PASSWORD });
    const { token } = createApiToken(env.rt.state, 'tich-hop', 'grafana');
    const t = new Client(env.url);
    t.bearer = token;
    expect((await t.get('/api/v1/sites')).status).toBe(200);

    const me = new Client(env.url);
    await me.login('tich-hop', TEST_PASSWORD);
    const next = 'ba-con-voi-di-qua-cau-go';
    const res = await me.request('POST', '/api/v1/auth/password', { current: TEST_PASSWORD, new: next });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await t.get('/api/v1/sites')).status).toBe(401);
    expect(audits({ actor: 'tich-hop', action: 'user.passwd', outcome: 'ok' })[0]!.detail).toMatchObject({
      tokens_revoked: 1,
    });

    const { token: kept } = createApiToken(env.rt.state, 'tich-hop', 'scrape');
    t.bearer = kept;
    const me2 = new Client(env.url);
    await me2.login('tich-hop', next);
    const res2 = await me2.request('POST', '/api/v1/auth/password', {
      current: next,
      new: 'con-meo-trèo-cây-cau-hai',
      keep_tokens: true,
    });
    expect(res2.status, await res2.clone().text()).toBe(200);
    expect((await t.get('/api/v1/sites')).status).toBe(200);
  });

  it('an admin reset revokes the tokens too', async () => {
    await createUser(env.rt.state, { name: 'tich-hop-2', role: 'viewer', password: TEST_PASSWORD });
    const t = new Client(env.url);
    t.bearer = createApiToken(env.rt.state, 'tich-hop-2', 'x').token;
    expect((await admin.request('POST', '/api/v1/users/tich-hop-2/password')).status).toBe(200);
    expect((await t.get('/api/v1/sites')).status).toBe(401);
  });
});

describe('refusals are audited with actor, route and reason', () => {
  it('a 403 of the role, a CSRF refusal, a foreign Origin and a rate limit each leave a row', async () => {
    await createUser(env.rt.state, { name: 'xem', role: 'viewer', password: TEST_PASSWORD });
    const v = new Client(env.url);
    await v.login('xem', TEST_PASSWORD);
    expect((await v.get('/api/v1/users')).status).toBe(403);
    expect(
      (await v.request('POST', '/api/v1/auth/tokens', { label: 'x' }, { 'x-csrf-token': 'sai' })).status,
    ).toBe(403);
    expect(
      (await v.request('POST', '/api/v1/auth/tokens', { label: 'x' }, { origin: 'https://evil.example' }))
        .status,
    ).toBe(403);
    const rows = audits({ actor: 'xem', outcome: 'denied' });
    expect(rows.map((r) => [r.action, r.target, (r.detail as { reason: string }).reason])).toEqual([
      ['request.denied', 'POST /api/v1/auth/tokens', 'csrf'],
      ['csrf.reject', 'POST /api/v1/auth/tokens', 'csrf_wrong'],
      ['request.denied', 'GET /api/v1/users', 'forbidden'],
    ]);
    const limited = audits({ actor: 'bi-tan-cong', outcome: 'denied' })[0]!;
    expect(limited).toMatchObject({ action: 'auth.login', target: 'POST /api/v1/auth/login' });
    expect(limited.detail).toMatchObject({ reason: 'rate_limited' });
  });
});
