// Issue 18 (optional item): a TOTP second factor for admin and noc, over real HTTP with the real
// state database. Codes come from the same RFC 6238 computation an authenticator app does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startTestApi, TEST_PASSWORD, type TestEnv } from '../test/helpers/api.ts';
import { createApiToken, createUser, listAudit } from './accounts.ts';
import type { ApiError } from './contract.ts';
import { totpCode } from './totp.ts';

let env: TestEnv;
let secret = '';

beforeAll(async () => {
  env = await startTestApi({ sites: 2, base: 53 });
  await createUser(env.rt.state, { name: 'truc-ca', role: 'noc', password: TEST_PASSWORD });
  await createUser(env.rt.state, { name: 'quan-tri', role: 'admin', password: TEST_PASSWORD });
  await createUser(env.rt.state, { name: 'xem', role: 'viewer', password: TEST_PASSWORD });
});
afterAll(async () => {
  await env?.stop();
});

const login = (name: string, totp?: string) =>
  new Client(env.url).request('POST', '/api/v1/auth/login', {
    name,
    password: TEST_PASSWORD,
    ...(totp !== undefined && { totp }),
  });

describe('TOTP second factor', () => {
  it('a noc user turns it on: the password again, then a first code from the app', async () => {
    const me = new Client(env.url);
    await me.login('truc-ca', TEST_PASSWORD);
    expect(
      (await me.request('POST', '/api/v1/auth/totp/setup', { password: 'sai-mat-khau-nay' })).status,
    ).toBe(400);
    const setup = await me.request('POST', '/api/v1/auth/totp/setup', { password: TEST_PASSWORD });
    expect(setup.status).toBe(200);
    const body = (await setup.json()) as { secret: string; otpauth_uri: string };
    secret = body.secret;
    expect(body.otpauth_uri).toMatch(/^otpauth:\/\/totp\/diemcau:truc-ca\?.*secret=/);
    // not on until confirmed: signing in still needs only the password
    expect((await login('truc-ca')).status).toBe(200);
    expect((await me.request('POST', '/api/v1/auth/totp/enable', { code: '000000' })).status).toBe(400);
    const on = await me.request('POST', '/api/v1/auth/totp/enable', { code: totpCode(secret) });
    expect(on.status, await on.clone().text()).toBe(200);
  });

  it('signing in then needs the code; a wrong one or one used before is refused', async () => {
    const without = await login('truc-ca');
    expect(without.status).toBe(401);
    expect(((await without.json()) as ApiError).error.code).toBe('totp_required');
    const wrong = await login('truc-ca', '123456');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as ApiError).error.issues?.[0]?.path).toBe('body.totp');
    // the code of the next 30 s step (within the ±1 step window), then the same code again
    const code = totpCode(secret, Date.now() + 30_000);
    expect((await login('truc-ca', code)).status).toBe(200);
    expect((await login('truc-ca', code)).status).toBe(401);
    const reasons = listAudit(env.rt.state, {
      actor: 'truc-ca',
      action: 'auth.login',
      outcome: 'failed',
      limit: 10,
      offset: 0,
    }).items.map((r) => (r.detail as { reason: string }).reason);
    expect(reasons).toEqual(['bad_totp', 'bad_totp', 'totp_required']);
  });

  it('the wrong codes count against the sign-in limits like wrong passwords', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => login('truc-ca', `00000${i}`)));
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    const admin = new Client(env.url);
    await admin.login('quan-tri', TEST_PASSWORD);
    expect((await admin.request('POST', '/api/v1/users/truc-ca/unlock')).status).toBe(200);
  });

  it('only admin and noc may turn it on', async () => {
    const v = new Client(env.url);
    await v.login('xem', TEST_PASSWORD);
    const r = await v.request('POST', '/api/v1/auth/totp/setup', { password: TEST_PASSWORD });
    expect(r.status).toBe(403);
  });

  it('an admin turns it off for a lost phone; API tokens were never asked for a code', async () => {
    const t = new Client(env.url);
    t.bearer = createApiToken(env.rt.state, 'truc-ca', 'grafana').token;
    expect((await t.get('/api/v1/sites')).status).toBe(200);
    const admin = new Client(env.url);
    await admin.login('quan-tri', TEST_PASSWORD);
    const r = await admin.request('POST', '/api/v1/users/truc-ca/totp/reset');
    expect(await r.json()).toEqual({ ok: true, was_on: true });
    expect((await login('truc-ca')).status).toBe(200);
    expect(listAudit(env.rt.state, { action: 'totp.reset', limit: 1, offset: 0 }).items[0]).toMatchObject({
      actor: 'quan-tri',
      target: 'truc-ca',
    });
  });
});
