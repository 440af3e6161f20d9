// /api/v1/calls over real HTTP: calls the MCU carried, recorded from samples on the real bus into the
// real state database; who sees which; the NOC classifying an unregistered call; refusals with reasons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObservedCalls } from '../meetings/observed.ts';
import { DbMeetings } from '../meetings/store.ts';
import { Fleet } from '../test/helpers/alerts.ts';
import { Client, clientsByRole, startTestApi, type TestEnv } from '../test/helpers/api.ts';
import type { ApiError, Role } from './contract.ts';
import { callRoutes } from './routes/calls.ts';

interface Call {
  id: string;
  kind: string;
  title: string | null;
  host_org: string | null;
  legs: { site: string; joined_at: number; left_at: number | null }[];
}

let env: TestEnv;
let c: Record<Role, Client>;
let commune: string;
let other: string;

async function json<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

beforeAll(async () => {
  env = await startTestApi({ sites: 12, base: 61, deps: { routes: [(d) => callRoutes(d)] } });
  const sites = [...env.rt.inventory.sites.values()].filter((s) => s.tier === 'commune');
  commune = sites[0]!.id;
  other = sites[1]!.id;
  c = await clientsByRole(env, [commune]);
  // a commune hall dials in on its own for three minutes: nobody registered it
  const calls = new ObservedCalls(
    env.rt.state,
    env.rt.inventory,
    new DbMeetings(env.rt.state, env.rt.inventory),
    {
      intervalMs: 10_000,
    },
  );
  env.rt.bus.onSamples((b) => calls.observe(b));
  const fleet = new Fleet(env.rt.inventory);
  const t0 = Date.now() - 10 * 60_000;
  for (let t = t0; t <= t0 + 4 * 60_000; t += 10_000)
    env.rt.bus.publish([fleet.mcuPort(commune, t, t < t0 + 3 * 60_000 ? 1 : 0), fleet.mcuPort(other, t, 0)]);
});
afterAll(async () => {
  await env?.stop();
});

describe('/api/v1/calls', () => {
  it('lists the unregistered call with its leg to the NOC and the site’s technician, not to a host', async () => {
    const list = await json<{ items: Call[] }>(await c.noc.get('/api/v1/calls'));
    expect(list.items).toHaveLength(1);
    const call = list.items[0]!;
    expect(call.kind).toBe('unregistered');
    expect(call.legs.map((l) => [l.site, l.left_at! - l.joined_at])).toEqual([[commune, 3 * 60_000]]);
    expect((await json<{ items: Call[] }>(await c.technician.get('/api/v1/calls'))).items).toHaveLength(1);
    expect((await json<{ items: Call[] }>(await c.host.get('/api/v1/calls'))).items).toHaveLength(0);
    expect((await json<{ items: Call[] }>(await c.noc.get('/api/v1/calls?kind=central'))).items).toHaveLength(
      0,
    );
    const bad = await json<ApiError>(await c.noc.get('/api/v1/calls?kind=nonsense'), 400);
    expect(bad.error.message).toMatch(/kind/);
    expect((await new Client(env.url).get('/api/v1/calls')).status).toBe(401);
  });

  it('lets the NOC classify it, with a reason for every refusal', async () => {
    const [call] = (await json<{ items: Call[] }>(await c.noc.get('/api/v1/calls'))).items;
    const path = `/api/v1/calls/${call!.id}/classify`;
    expect((await c.technician.request('POST', path, { kind: 'central' })).status).toBe(403);
    const unknown = await json<ApiError>(
      await c.noc.request('POST', path, { kind: 'central', host_org: 'nope' }),
      400,
    );
    expect(unknown.error.message).toContain('nope');
    const noMeeting = await json<ApiError>(await c.noc.request('POST', path, { kind: 'registered' }), 400);
    expect(noMeeting.error.message).toMatch(/meeting_id/);
    const missing = await json<ApiError>(
      await c.noc.request('POST', path, { kind: 'registered', meeting_id: 'meeting-nope' }),
      404,
    );
    expect(missing.error.code).toBe('not_found');
    const done = await json<Call>(
      await c.noc.request('POST', path, {
        kind: 'central',
        title: 'Hội nghị trực tuyến toàn quốc',
        note: 'Văn phòng Chính phủ',
      }),
    );
    expect([done.kind, done.title]).toEqual(['central', 'Hội nghị trực tuyến toàn quốc']);
    expect((await c.noc.get('/api/v1/calls/nope')).status).toBe(404);
  });
});
