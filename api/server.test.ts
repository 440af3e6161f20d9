// The API's rules, over real HTTP: what a technician may not see,
// bad inputs are refused with a reason and change nothing, sessions, CSRF, tokens, rate limiting.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertService } from '../alerts/index.ts';
import {
  Client,
  clientsByRole,
  sample,
  startTestApi,
  TEST_PASSWORD,
  type TestEnv,
  upsOnBattery,
} from '../test/helpers/api.ts';
import { createApiToken, createUser, listAudit } from './accounts.ts';
import type { ApiError, Role } from './contract.ts';

let env: TestEnv;
let alerts: AlertService;
let c: Record<Role, Client>;
let own: string;
let other: string;
let ownAlert: string;
let otherAlert: string;
/** an alert that only refused requests touch: it must stay firing */
let badAlert: string;

beforeAll(async () => {
  // the real alert engine; alerts are raised by putting a UPS on battery through the bus
  // 30 sites: two districts, so the three sites put on battery below have three different Điện lực
  // branches — power cuts of one branch are one fault episode, acknowledged as one
  env = await startTestApi({ sites: 30, base: 52, alerts: true });
  alerts = env.alerts!;
  const ids = [...env.rt.inventory.sites.keys()];
  const sites = [...env.rt.inventory.sites.values()];
  own = ids[4]!;
  other = sites.find((x) => x.power !== sites[4]!.power && x.tier === 'commune')!.id;
  const bad = sites.find((x) => x.tier === 'province')!.id;
  c = await clientsByRole(env, [own]);
  await createUser(env.rt.state, { name: 'reset-me', role: 'viewer' });
  ownAlert = upsOnBattery(env, own).id;
  otherAlert = upsOnBattery(env, other).id;
  badAlert = upsOnBattery(env, bad).id;
});
afterAll(async () => {
  await env?.stop();
});

// The role × route matrix is api/role-matrix.test.ts: derived from the OpenAPI document.

describe('a technician and other sites', () => {
  it('cannot read another site, its metrics or its alerts', async () => {
    expect((await c.technician.get(`/api/v1/sites/${other}`)).status).toBe(403);
    expect((await c.technician.get(`/api/v1/sites/${other}/metrics`)).status).toBe(403);
    expect((await c.technician.get(`/api/v1/alerts/${otherAlert}`)).status).toBe(403);
  });

  it('lists only their own sites, inventory sites and alerts', async () => {
    const sites = (await (await c.technician.get('/api/v1/sites')).json()) as { items: { id: string }[] };
    expect(sites.items.map((s) => s.id)).toEqual([own]);
    const inv = (await (await c.technician.get('/api/v1/inventory')).json()) as { sites: { id: string }[] };
    expect(inv.sites.map((s) => s.id)).toEqual([own]);
    const al = (await (await c.technician.get('/api/v1/alerts')).json()) as { items: { site: string }[] };
    expect(al.items.length).toBeGreaterThan(0);
    expect(al.items.every((a) => a.site === own)).toBe(true);
  });

  it('cannot acknowledge, silence or unsilence another site, and nothing changes', async () => {
    const changes = () => listAudit(env.rt.state, { outcome: 'ok', limit: 1, offset: 0 }).total;
    const refusals = () => listAudit(env.rt.state, { outcome: 'denied', limit: 1, offset: 0 }).total;
    const before = changes();
    const refusedBefore = refusals();
    const ack = await c.technician.request('POST', `/api/v1/alerts/${otherAlert}/ack`, {
      comment: 'không phải của tôi',
    });
    expect(ack.status).toBe(403);
    expect(alerts.get(otherAlert)!.state).toBe('firing');
    const nSil = alerts.silences().length;
    const sil = await c.technician.request('POST', '/api/v1/silences', {
      matchers: { site: other },
      duration_min: 10,
      comment: 'x',
    });
    expect(sil.status).toBe(403);
    const wide = await c.technician.request('POST', '/api/v1/silences', {
      matchers: { district: env.rt.inventory.sites.get(own)!.district },
      duration_min: 10,
      comment: 'x',
    });
    expect(wide.status).toBe(403);
    expect(alerts.silences().length).toBe(nSil);
    const s = alerts.addSilence({
      matchers: { site: other },
      starts_at: Date.now(),
      ends_at: Date.now() + 60_000,
      comment: 'noc',
      created_by: 'u-noc',
    });
    expect((await c.technician.request('DELETE', `/api/v1/silences/${s.id}`)).status).toBe(403);
    expect(alerts.silences().some((x) => x.id === s.id)).toBe(true);
    expect(changes()).toBe(before);
    // each refusal is on record: who, which route, why
    expect(refusals()).toBe(refusedBefore + 4);
    const last = listAudit(env.rt.state, { outcome: 'denied', limit: 1, offset: 0 }).items[0]!;
    expect(last).toMatchObject({
      actor: 'u-technician',
      action: 'request.denied',
      target: `DELETE /api/v1/silences/${s.id}`,
      detail: { status: 403, reason: 'forbidden', role: 'technician' },
    });
  });
});

describe('bad inputs get a 4xx with the field and the problem, and change nothing', () => {
  const unchanged = async (run: () => Promise<Response>, status: number, path?: string) => {
    const audits = listAudit(env.rt.state, { limit: 1, offset: 0 }).total;
    const silences = alerts.silences().length;
    const res = await run();
    expect(res.status).toBe(status);
    const body = (await res.json()) as ApiError;
    expect(body.error.message.length).toBeGreaterThan(5);
    if (path) expect(body.error.issues?.map((i) => i.path)).toContain(path);
    expect(alerts.get(badAlert)!.state).toBe('firing');
    expect(alerts.silences().length).toBe(silences);
    expect(listAudit(env.rt.state, { limit: 1, offset: 0 }).total).toBe(audits);
    return { body };
  };

  it('wrong type', async () => {
    await unchanged(
      () => c.noc.request('POST', `/api/v1/alerts/${badAlert}/ack`, { comment: 42 }),
      400,
      'body.comment',
    );
    await unchanged(
      () =>
        c.noc.request('POST', '/api/v1/silences', {
          matchers: { site: own },
          ends_at: 'tomorrow',
          comment: 'x',
        }),
      400,
      'body.ends_at',
    );
  });

  it('unknown field', async () => {
    const { body } = await unchanged(
      () => c.noc.request('POST', `/api/v1/alerts/${badAlert}/ack`, { comment: 'ok', force: true }),
      400,
      'body.force',
    );
    expect(body.error.code).toBe('invalid_request');
    await unchanged(
      () =>
        c.noc.request('POST', '/api/v1/silences', {
          matchers: { site: own, colour: 'red' },
          duration_min: 5,
          comment: 'x',
        }),
      400,
      'body.matchers.colour',
    );
  });

  it('missing field, empty comment, unknown site', async () => {
    await unchanged(() => c.noc.request('POST', `/api/v1/alerts/${badAlert}/ack`, {}), 400, 'body.comment');
    await unchanged(
      () => c.noc.request('POST', `/api/v1/alerts/${badAlert}/ack`, { comment: '   ' }),
      400,
      'body.comment',
    );
    await unchanged(
      () =>
        c.noc.request('POST', '/api/v1/silences', {
          matchers: { site: 'xa-khong-co' },
          duration_min: 5,
          comment: 'x',
        }),
      400,
      'body.matchers.site',
    );
    await unchanged(
      () => c.noc.request('POST', '/api/v1/silences', { matchers: { site: own }, comment: 'x' }),
      400,
      'body.ends_at',
    );
  });

  it('malformed JSON', async () => {
    const { body } = await unchanged(
      () =>
        c.noc.request('POST', `/api/v1/alerts/${badAlert}/ack`, '{"comment": "x"', {
          'content-type': 'application/json',
        }),
      400,
      'body',
    );
    expect(body.error.code).toBe('malformed_json');
  });

  it('not JSON at all', async () => {
    await unchanged(
      () =>
        c.noc.request('POST', `/api/v1/alerts/${badAlert}/ack`, 'comment=x', {
          'content-type': 'text/plain',
        }),
      415,
    );
  });

  it('oversized body', async () => {
    const { body } = await unchanged(
      () => c.noc.request('POST', `/api/v1/alerts/${badAlert}/ack`, { comment: 'x'.repeat(100 * 1024) }),
      413,
      'body',
    );
    expect(body.error.code).toBe('payload_too_large');
  });

  it('bad query parameters', async () => {
    for (const [q, path] of [
      ['tier=moon', 'query.tier'],
      ['limit=abc', 'query.limit'],
      ['state=ok,broken', 'query.state'],
      ['colour=red', 'query.colour'],
    ] as const) {
      const res = await c.noc.get(`/api/v1/sites?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as ApiError).error.issues?.map((i) => i.path)).toContain(path);
    }
    const m = await c.noc.get(`/api/v1/sites/${own}/metrics?from=2000&to=1000`);
    expect(m.status).toBe(400);
    const u = await c.noc.get(`/api/v1/sites/${own}/metrics?metric=temperature`);
    expect(((await u.json()) as ApiError).error.issues?.[0]?.path).toBe('query.metric');
  });

  it('a user with an invalid name or a too short password is not created', async () => {
    const before = (await (await c.admin.get('/api/v1/users')).json()) as { items: unknown[] };
    expect(
      (await c.admin.request('POST', '/api/v1/users', { name: 'Bad Name!', role: 'viewer' })).status,
    ).toBe(400);
    expect(
      (await c.admin.request('POST', '/api/v1/users', { name: 'ok-name', role: 'viewer', password: 'short' }))
        .status,
    ).toBe(400);
    expect(
      (await c.admin.request('POST', '/api/v1/users', { name: 'tech2', role: 'technician', sites: ['nope'] }))
        .status,
    ).toBe(400);
    expect((await c.admin.request('POST', '/api/v1/users', { name: 'x2', role: 'superuser' })).status).toBe(
      400,
    );
    const after = (await (await c.admin.get('/api/v1/users')).json()) as { items: unknown[] };
    expect(after.items.length).toBe(before.items.length);
  });
});

describe('sessions, CSRF, tokens, rate limiting, audit', () => {
  it('a cookie session without X-CSRF-Token cannot change anything', async () => {
    const a = alerts.get(badAlert)!;
    const res = await c.noc.request(
      'POST',
      `/api/v1/alerts/${a.id}/ack`,
      { comment: 'x' },
      { 'x-csrf-token': 'wrong' },
    );
    expect(res.status).toBe(403);
    expect(((await res.json()) as ApiError).error.code).toBe('csrf');
    expect(alerts.get(a.id)!.state).toBe('firing');
  });

  it('a write from a foreign Origin is refused', async () => {
    const a = alerts.get(badAlert)!;
    const res = await c.noc.request(
      'POST',
      `/api/v1/alerts/${a.id}/ack`,
      { comment: 'x' },
      { origin: 'https://evil.example' },
    );
    expect(res.status).toBe(403);
    expect(alerts.get(a.id)!.state).toBe('firing');
  });

  it('the session cookie is HttpOnly and SameSite=Strict; logout ends the session', async () => {
    await createUser(env.rt.state, { name: 'cookie-test', role: 'viewer', password: TEST_PASSWORD });
    const cl = new Client(env.url);
    const res = await cl.login('cookie-test', TEST_PASSWORD);
    const set = res.headers.getSetCookie().join('\n');
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).not.toMatch(/Secure/); // plain http on loopback; Secure behind TLS
    expect((await cl.get('/api/v1/auth/me')).status).toBe(200);
    expect((await cl.request('POST', '/api/v1/auth/logout')).status).toBe(200);
    expect((await cl.get('/api/v1/auth/me')).status).toBe(401);
  });

  it('an API token works without CSRF and acts with its user’s role; revoked it stops working', async () => {
    const { token, info } = createApiToken(env.rt.state, 'u-noc', 'integration');
    const t = new Client(env.url);
    t.bearer = token;
    const a = alerts.get(otherAlert)!;
    const res = await t.request('POST', `/api/v1/alerts/${a.id}/ack`, { comment: 'qua API' });
    expect(res.status).toBe(200);
    expect(alerts.get(a.id)).toMatchObject({
      state: 'acknowledged',
      acknowledged_by: 'u-noc',
      ack_comment: 'qua API',
    });
    expect((await c.noc.request('DELETE', `/api/v1/auth/tokens/${info.id}`)).status).toBe(200);
    expect((await t.get('/api/v1/sites')).status).toBe(401);
    const bad = new Client(env.url);
    bad.bearer = 'dmc_000000000000_nope';
    expect((await bad.get('/api/v1/sites')).status).toBe(401);
  });

  it('after 5 wrong passwords from one address that address waits (Retry-After), even with the right one', async () => {
    await createUser(env.rt.state, { name: 'rate-test', role: 'viewer', password: TEST_PASSWORD });
    const cl = new Client(env.url);
    for (let i = 0; i < 5; i++) expect((await cl.login('rate-test', 'sai-mat-khau-123')).status).toBe(401);
    const res = await cl.login('rate-test', TEST_PASSWORD);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('audits every change: who, what, when, from where', async () => {
    const a = alerts.get(ownAlert)!;
    await c.technician.request('POST', `/api/v1/alerts/${a.id}/ack`, { comment: 'đã gọi VNPT' });
    const log = (await (await c.noc.get('/api/v1/audit?action=alert.ack')).json()) as {
      items: {
        actor: string;
        action: string;
        target: string;
        ip: string;
        time: number;
        detail: { comment: string };
      }[];
    };
    const entry = log.items.find((x) => x.target === a.id)!;
    expect(entry).toMatchObject({
      actor: 'u-technician',
      action: 'alert.ack',
      detail: { comment: 'đã gọi VNPT' },
    });
    expect(entry.ip).toMatch(/127\.0\.0\.1/);
    expect(entry.time).toBeGreaterThan(0);
    const logins = (await (await c.admin.get('/api/v1/audit?action=auth.login&actor=rate-test')).json()) as {
      items: { outcome: string }[];
    };
    expect(logins.items.map((x) => x.outcome)).toContain('failed');
  });
});

describe('read models', () => {
  it('site detail names the technician, the carrier on-call and the power branch', async () => {
    const res = await c.noc.get(`/api/v1/sites/${own}`);
    const d = (await res.json()) as {
      site: { id: string };
      contacts: {
        technician: { id: string };
        carrier: { id: string; people: unknown[] };
        power: { id: string };
      };
      devices: { kind: string }[];
    };
    const site = env.rt.inventory.sites.get(own)!;
    expect(d.site.id).toBe(own);
    expect(d.contacts.technician.id).toBe(site.technician);
    expect(d.contacts.carrier.id).toBe(site.link.carrier);
    expect(d.contacts.carrier.people.length).toBeGreaterThan(0);
    expect(d.contacts.power.id).toBe(site.power);
    expect(d.devices.map((x) => x.kind).sort()).toEqual(['codec', 'router', 'ups']);
  });

  it('filters sites by tier, district and state', async () => {
    const list = async (q: string) =>
      (await (await c.viewer.get(`/api/v1/sites?${q}`)).json()) as {
        items: { tier: string; district: string }[];
        total: number;
      };
    const province = await list('tier=province');
    expect(province.total).toBe(4);
    expect(province.items.every((s) => s.tier === 'province')).toBe(true);
    const d = env.rt.inventory.sites.get(other)!.district;
    const byDistrict = await list(`district=${d}&tier=commune`);
    expect(byDistrict.items.every((s) => s.district === d)).toBe(true);
    const paged = await list('limit=5&offset=5');
    expect(paged.items).toHaveLength(5);
    expect(paged.total).toBe(30);
  });

  it('serves a metric over a range downsampled to at most `points` buckets', async () => {
    const t0 = Date.now() - 3600_000;
    const batch = Array.from({ length: 360 }, (_, i) => sample(own, 'rtt_ms', 20 + (i % 7), t0 + i * 10_000));
    env.rt.bus.publish(batch);
    await env.store.flush();
    const res = await c.noc.get(
      `/api/v1/sites/${own}/metrics?metric=rtt_ms&from=${t0}&to=${t0 + 3600_000}&points=20`,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      series: { metric: string; buckets: { mean: number; count: number }[] }[];
    };
    expect(body.series).toHaveLength(1);
    expect(body.series[0]!.buckets.length).toBeLessThanOrEqual(20);
    expect(body.series[0]!.buckets.length).toBeGreaterThan(10);
    expect(body.series[0]!.buckets.reduce((n, b) => n + b.count, 0)).toBe(360);
    expect(body.series[0]).not.toHaveProperty('states');
  });

  it('names the values of a state metric with its series (an enum, not a measurement)', async () => {
    const t0 = Date.now() - 600_000;
    env.rt.bus.publish([sample(own, 'ups_on_battery', 0, t0), sample(own, 'ups_on_battery', 1, t0 + 60_000)]);
    await env.store.flush();
    const res = await c.noc.get(
      `/api/v1/sites/${own}/metrics?metric=ups_on_battery&from=${t0}&to=${t0 + 600_000}&points=10`,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { series: { label: string; states?: Record<string, string> }[] };
    expect(body.series[0]).toMatchObject({
      label: 'UPS chạy pin / UPS on battery',
      states: { '0': 'Điện lưới / on mains', '1': 'Chạy pin / on battery' },
    });
  });

  it('serves the OpenAPI document from the same schemas', async () => {
    const doc = (await (await fetch(`${env.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, unknown> };
    };
    for (const p of [
      '/auth/login',
      '/sites',
      '/sites/{id}',
      '/sites/{id}/metrics',
      '/alerts/{id}/ack',
      '/silences',
      '/live',
    ])
      expect(doc.paths).toHaveProperty([p]);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'cookie']);
  });
});

describe('the server around the API', () => {
  it('sends security headers and no CORS headers when none are configured', async () => {
    const res = await fetch(`${env.url}/api/v1/sites`, { headers: { origin: 'https://elsewhere.example' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the dashboard with the SPA fallback, and unknown API paths as JSON 404', async () => {
    const dist = join(env.dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>diemcau</title>');
    writeFileSync(join(dist, 'assets', 'app-abc123.js'), 'console.log(1)');
    const index = await fetch(`${env.url}/`);
    expect(await index.text()).toContain('<title>diemcau</title>');
    const deep = await fetch(`${env.url}/sites/xa-bang-thanh`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<title>diemcau</title>');
    const js = await fetch(`${env.url}/assets/app-abc123.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toMatch(/immutable/);
    expect((await fetch(`${env.url}/assets/missing.js`)).status).toBe(404);
    // an unknown API path is 404 to a signed-in caller (401 to an anonymous one, as every API path)
    expect((await fetch(`${env.url}/api/v1/nope`)).status).toBe(401);
    const api = await c.viewer.get('/api/v1/nope');
    expect(api.status).toBe(404);
    expect(((await api.json()) as ApiError).error.code).toBe('not_found');
  });

  it('/healthz answers; /readyz names what is not ready', async () => {
    expect((await fetch(`${env.url}/healthz`)).status).toBe(200);
    const r = await fetch(`${env.url}/readyz`);
    const body = (await r.json()) as { checks: { name: string; ok: boolean }[] };
    expect(body.checks.map((x) => x.name)).toEqual(['inventory', 'store', 'collector']);
    expect(body.checks.find((x) => x.name === 'inventory')!.ok).toBe(true);
  });

  it('/metrics carries per-site gauges labelled site, tier, district and carrier', async () => {
    env.rt.bus.publish([sample(own, 'rtt_ms', 33)]);
    const text = await (await fetch(`${env.url}/metrics`)).text();
    const s = env.rt.inventory.sites.get(own)!;
    expect(text).toContain(
      `diemcau_site_rtt_ms{site="${own}",tier="${s.tier}",district="${s.district}",carrier="${s.link.carrier}",source="path"} 33`,
    );
    expect(text).toMatch(/diemcau_site_state\{[^}]*state="ok"\}/);
    expect(text).toMatch(/diemcau_http_requests_total\{method="GET",route="\/api\/v1\/sites"/);
  });
});
