// Authentication comes before validation: every /api/v1 operation the OpenAPI document lists, except
// signing in, answers an anonymous caller 401 whatever its body and query — never 400 with the schema's
// complaint (which told a stranger the shape of every request). The list of operations is read from
// /api/v1/openapi.json, so a route added later is covered without touching this test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestEnv } from '../test/helpers/api.ts';
import { EVERY_AREA } from '../test/helpers/api-areas.ts';
import type { ApiError } from './contract.ts';

let env: TestEnv;
let operations: { method: string; path: string }[] = [];

beforeAll(async () => {
  env = await startTestApi({
    sites: 6,
    base: 58,
    deps: {
      // every area, as `diemcau serve` mounts them
      routes: EVERY_AREA,
    },
  });
  const doc = (await (await fetch(`${env.url}/api/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((method) => ({ method: method.toUpperCase(), path })),
  );
});
afterAll(async () => {
  await env?.stop();
});

describe('an anonymous caller', () => {
  it('the OpenAPI document lists every area (auth, sites, alerts, users, meetings, reports)', () => {
    const paths = new Set(operations.map((o) => o.path));
    for (const p of ['/auth/login', '/sites', '/alerts', '/users', '/meetings', '/live'])
      expect(paths, p).toContain(p);
    expect(operations.length).toBeGreaterThanOrEqual(40);
  });

  it('gets 401 from every operation but login, whatever the body and query', async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      if (op.path === '/auth/login') continue;
      // path parameters filled with nonsense, a query and a body no schema accepts
      const path = op.path.replace(/\{[^}]+\}/g, '%00bad');
      const url = `${env.url}/api/v1${path}?limit=-7&from=yesterday&bogus=1`;
      const res = await fetch(url, {
        method: op.method,
        headers: { 'content-type': 'application/json' },
        ...(op.method !== 'GET' && { body: '{"bogus": [1, 2], "name": 42}' }),
      });
      const body = (await res.json().catch(() => null)) as ApiError | null;
      if (res.status !== 401 || body?.error.code !== 'unauthenticated')
        wrong.push(`${op.method} ${op.path} → ${res.status} ${body?.error.code ?? ''}`);
    }
    expect(wrong).toEqual([]);
  });

  it('also with a body that is not JSON at all', async () => {
    for (const op of operations.filter((o) => o.method !== 'GET' && o.path !== '/auth/login')) {
      const res = await fetch(`${env.url}/api/v1${op.path.replace(/\{[^}]+\}/g, 'x')}`, {
        method: op.method,
        headers: { 'content-type': 'application/json' },
        body: '{not json',
      });
      expect(res.status, `${op.method} ${op.path}`).toBe(401);
    }
  });

  it('may still sign in (a bad body there is 400) and read the API description', async () => {
    const bad = await fetch(`${env.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": 42}',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ApiError).error.code).toBe('invalid_request');
    expect((await fetch(`${env.url}/api/v1/openapi.json`)).status).toBe(200);
  });
});
