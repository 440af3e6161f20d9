// /api/v1/episodes over real HTTP against the real alert engine: faults are samples on the bus,
// shaped as the collector publishes them (test/helpers/alerts.ts Fleet). Who sees which episode, one
// acknowledge for an episode and its member alerts, re-attribution (admin, noc only), refusals in
// the one error format, the live stream's `episode` events and snapshot, meeting attendance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../test/helpers/alerts.ts';
import { Client, clientsByRole, readEvents, startTestApi, type TestEnv } from '../test/helpers/api.ts';
import { listAudit } from './accounts.ts';
import type { Alert, ApiError, AttendanceEvent, Episode, EpisodeDetail, Role } from './contract.ts';
import { meetingRoutes } from './routes/meetings.ts';

let env: TestEnv;
let fleet: Fleet;
let c: Record<Role, Client>;
/** a commune of huyen-1: the technician's site */
let own: string;
/** a commune of huyen-2 (another power branch, another district) */
let other: string;
/** a province site (the province's power company): acknowledged by the NOC */
let third: string;
const onBattery = new Set<string>();

/** One poll round of every site, as the collector would publish it; `onBattery` sites on UPS battery. */
function round(t = Date.now()): void {
  const samples = [...env.rt.inventory.sites.keys()].flatMap((s) =>
    fleet.healthy(s, t, onBattery.has(s) ? { ups: { ups_on_battery: 1, ups_runtime_min: 40 } } : {}),
  );
  env.rt.bus.publish(samples);
  env.alerts!.tickNow();
}

/** The open episode touching `site`, once the engine has opened it (rounds keep coming meanwhile). */
async function episodeAt(site: string, timeoutMs = 20_000): Promise<Episode> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    round();
    const e = env.alerts!.episodes().find((x) => x.sites.includes(site) && x.state !== 'resolved');
    if (e) return e;
    if (Date.now() > end) throw new Error(`no episode for ${site} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function json<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

const error = async (res: Response, status: number) => (await json<ApiError>(res, status)).error;

beforeAll(async () => {
  env = await startTestApi({
    sites: 30,
    base: 57,
    alerts: true,
    deps: { routes: [(d) => meetingRoutes(d)] },
  });
  fleet = new Fleet(env.rt.inventory);
  const sites = [...env.rt.inventory.sites.values()];
  own = sites.find((s) => s.tier === 'commune' && s.district === 'huyen-1')!.id;
  other = sites.find((s) => s.tier === 'commune' && s.district === 'huyen-2')!.id;
  third = sites.find((s) => s.tier === 'province')!.id;
  c = await clientsByRole(env, [own]);
  round();
  for (const s of [own, other, third]) onBattery.add(s);
});
afterAll(async () => {
  await env?.stop();
});

describe('who may call the episode routes', () => {
  it('answers an anonymous caller 401 on every route, whatever it sends', async () => {
    const anon = new Client(env.url);
    for (const [method, path, body] of [
      ['GET', '/api/v1/episodes', undefined],
      ['GET', '/api/v1/episodes?state=nonsense', undefined],
      ['GET', '/api/v1/episodes/x', undefined],
      ['POST', '/api/v1/episodes/x/ack', { comment: 'x' }],
      ['POST', '/api/v1/episodes/x/ack', { nonsense: 1 }],
      ['POST', '/api/v1/episodes/x/reassign', { cause: 'link', reason: 'x' }],
      ['GET', '/api/v1/meetings/x/attendance', undefined],
    ] as const) {
      const res = await anon.request(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(((await res.json()) as ApiError).error.code).toBe('unauthenticated');
    }
  });

  it('answers 404 for an unknown episode, in the one error format', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/v1/episodes/khong-co', undefined],
      ['POST', '/api/v1/episodes/khong-co/ack', { comment: 'đang xử lý' }],
      ['POST', '/api/v1/episodes/khong-co/reassign', { cause: 'link', reason: 'nhầm' }],
    ] as const) {
      const e = await error(await c.admin.request(method, path, body), 404);
      expect(e.code).toBe('not_found');
      expect(e.message).toContain('khong-co');
    }
  });

  it('refuses a bad query or body with 400 and the field at fault', async () => {
    let e = await error(await c.noc.get('/api/v1/episodes?state=burning'), 400);
    expect(e.code).toBe('invalid_request');
    expect(e.issues?.map((i) => i.path)).toContain('query.state');
    e = await error(await c.noc.get('/api/v1/episodes?limit=0'), 400);
    expect(e.issues?.map((i) => i.path)).toContain('query.limit');
    e = await error(await c.noc.request('POST', '/api/v1/episodes/x/ack', { comment: '   ' }), 400);
    expect(e.issues).toEqual([{ path: 'body.comment', message: 'cần ghi chú / a comment is required' }]);
    e = await error(await c.noc.request('POST', '/api/v1/episodes/x/ack', { comment: 'ok', by: 'me' }), 400);
    expect(e.issues?.map((i) => i.path)).toEqual(['body.by']);
    e = await error(
      await c.admin.request('POST', '/api/v1/episodes/x/reassign', { cause: 'weather', reason: 'mưa' }),
      400,
    );
    expect(e.issues?.map((i) => i.path)).toEqual(['body.cause']);
    e = await error(await c.admin.request('POST', '/api/v1/episodes/x/reassign', { cause: 'link' }), 400);
    expect(e.issues?.map((i) => i.path)).toEqual(['body.reason']);
  });

  it('lists episodes (possibly none) for every role', async () => {
    for (const role of ['admin', 'noc', 'technician', 'host', 'viewer'] as const) {
      const body = await json<{ items: Episode[]; total: number; limit: number; offset: number }>(
        await c[role].get('/api/v1/episodes'),
      );
      expect(body).toMatchObject({ limit: 100, offset: 0 });
      expect(body.total).toBe(body.items.length);
    }
  });
});

// These need the engine to open episodes (issue 12's engine).
describe('episodes of UPS-on-battery faults', () => {
  let ownEp: Episode;
  let otherEp: Episode;
  let thirdEp: Episode;

  beforeAll(async () => {
    ownEp = await episodeAt(own);
    otherEp = await episodeAt(other);
    thirdEp = await episodeAt(third);
  }, 60_000);

  it('lists the open episodes, newest first, with members, cause history and notifications', async () => {
    const body = await json<{ items: Episode[]; total: number }>(await c.noc.get('/api/v1/episodes'));
    const ids = body.items.map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining([ownEp.id, otherEp.id, thirdEp.id]));
    const starts = body.items.map((e) => e.started_at);
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    const e = body.items.find((x) => x.id === ownEp.id)!;
    expect(e.sites[0]).toBe(own);
    expect(e.cause).toBe('power');
    expect(e.state).not.toBe('resolved');
    expect(e.members.length).toBeGreaterThan(0);
    expect(e.members.some((m) => m.role === 'root' && m.site === own)).toBe(true);
    expect(e.cause_history[0]).toMatchObject({ by: 'onset', cause: 'power' });
    expect(Array.isArray(e.notifications)).toBe(true);
    // filters
    const bySite = await json<{ items: Episode[] }>(await c.noc.get(`/api/v1/episodes?site=${other}`));
    expect(bySite.items.map((x) => x.id)).toEqual([otherEp.id]);
    const byDistrict = await json<{ items: Episode[] }>(await c.noc.get('/api/v1/episodes?district=huyen-2'));
    expect(byDistrict.items.map((x) => x.id)).toContain(otherEp.id);
    expect(byDistrict.items.map((x) => x.id)).not.toContain(ownEp.id);
    const paged = await json<{ items: Episode[]; total: number }>(
      await c.noc.get('/api/v1/episodes?limit=1'),
    );
    expect(paged.items).toHaveLength(1);
    expect(paged.total).toBe(body.total);
    const resolved = await json<{ items: Episode[] }>(await c.noc.get('/api/v1/episodes?state=resolved'));
    expect(resolved.items.every((x) => x.state === 'resolved')).toBe(true);
    const all = await json<{ total: number }>(await c.noc.get('/api/v1/episodes?all=true'));
    expect(all.total).toBeGreaterThanOrEqual(body.total);
  });

  it('shows a technician only the episodes touching their own sites', async () => {
    const body = await json<{ items: Episode[] }>(await c.technician.get('/api/v1/episodes?all=true'));
    expect(body.items.map((e) => e.id)).toContain(ownEp.id);
    expect(body.items.every((e) => e.sites.includes(own))).toBe(true);
    const none = await json<{ items: Episode[] }>(await c.technician.get(`/api/v1/episodes?site=${other}`));
    expect(none.items).toEqual([]);
    expect((await error(await c.technician.get(`/api/v1/episodes/${otherEp.id}`), 403)).code).toBe(
      'forbidden',
    );
    const mine = await json<EpisodeDetail>(await c.technician.get(`/api/v1/episodes/${ownEp.id}`));
    expect(mine.id).toBe(ownEp.id);
    // nor may they act on another site's episode
    expect(
      (
        await error(
          await c.technician.request('POST', `/api/v1/episodes/${otherEp.id}/ack`, { comment: 'x' }),
          403,
        )
      ).code,
    ).toBe('forbidden');
  });

  it('gives one episode with its member alerts in full; deliveries for the NOC only', async () => {
    const d = await json<EpisodeDetail>(await c.noc.get(`/api/v1/episodes/${thirdEp.id}`));
    expect(d.id).toBe(thirdEp.id);
    expect(d.alerts.map((a) => a.id).sort()).toEqual(d.members.map((m) => m.alert).sort());
    expect(d.alerts.every((a) => a.episode === thirdEp.id)).toBe(true);
    expect(d.alerts.some((a) => a.rule === 'ups-on-battery' && a.site === third)).toBe(true);
    // the engine keeps the outbox rows of an episode's messages (none here: no channel is configured)
    expect(Array.isArray(d.deliveries)).toBe(true);
    const about = new Set([thirdEp.id, ...d.members.map((m) => m.alert)]);
    expect(d.deliveries!.every((x) => x.about !== null && about.has(x.about))).toBe(true);
    const v = await json<EpisodeDetail>(await c.viewer.get(`/api/v1/episodes/${thirdEp.id}`));
    expect(v.alerts.length).toBe(d.alerts.length);
    expect(v).not.toHaveProperty('deliveries');
  });

  it('acknowledges an episode and with it every member alert; audited', async () => {
    const res = await c.noc.request('POST', `/api/v1/episodes/${thirdEp.id}/ack`, {
      comment: 'Đã báo Điện lực, đang xử lý',
    });
    const e = await json<Episode>(res);
    expect(e).toMatchObject({
      id: thirdEp.id,
      state: 'acknowledged',
      acknowledged_by: 'u-noc',
      ack_comment: 'Đã báo Điện lực, đang xử lý',
    });
    const d = await json<EpisodeDetail>(await c.noc.get(`/api/v1/episodes/${thirdEp.id}`));
    expect(d.state).toBe('acknowledged');
    expect(d.alerts.length).toBeGreaterThan(0);
    for (const m of d.members) {
      const a = await json<Alert>(await c.noc.get(`/api/v1/alerts/${m.alert}`));
      if (a.state !== 'resolved') expect(a.state, a.id).toBe('acknowledged');
      expect(a.acknowledged_by, a.id).toBe('u-noc');
    }
    const audit = listAudit(env.rt.state, { action: 'episode.ack', limit: 100, offset: 0 }).items;
    expect(audit.some((x) => x.target === thirdEp.id && x.actor === 'u-noc')).toBe(true);
  });

  it('lets a technician acknowledge the episode of their own site', async () => {
    const e = await json<Episode>(
      await c.technician.request('POST', `/api/v1/episodes/${ownEp.id}/ack`, { comment: 'Tôi đang đến' }),
    );
    expect(e).toMatchObject({ state: 'acknowledged', acknowledged_by: 'u-technician' });
  });

  it('re-attributes the cause for admin and noc only, logged in the cause history', async () => {
    for (const role of ['viewer', 'host', 'technician'] as const) {
      const e = await error(
        await c[role].request('POST', `/api/v1/episodes/${otherEp.id}/reassign`, {
          cause: 'link',
          reason: 'x',
        }),
        403,
      );
      expect(e.code, role).toBe('forbidden');
    }
    // the same cause again is a conflict, not a message to anyone
    const same = await error(
      await c.admin.request('POST', `/api/v1/episodes/${otherEp.id}/reassign`, {
        cause: 'power',
        reason: 'x',
      }),
      409,
    );
    expect(same.code).toBe('conflict');
    const e = await json<Episode>(
      await c.admin.request('POST', `/api/v1/episodes/${otherEp.id}/reassign`, {
        cause: 'equipment',
        reason: 'UPS báo sai, điện lưới vẫn có',
      }),
    );
    expect(e.cause).toBe('equipment');
    expect(e.cause_history.length).toBeGreaterThan(otherEp.cause_history.length);
    expect(e.cause_history.at(-1)).toMatchObject({
      cause: 'equipment',
      by: 'u-admin',
      reason: 'UPS báo sai, điện lưới vẫn có',
    });
    const audit = listAudit(env.rt.state, { action: 'episode.reassign', limit: 100, offset: 0 }).items;
    expect(audit.find((x) => x.target === otherEp.id)).toMatchObject({ actor: 'u-admin' });
  });

  it('streams open episodes in the snapshot and every change as an `episode` event', async () => {
    const res = await fetch(`${env.url}/api/v1/live`, { headers: { cookie: c.noc.cookie! } });
    let acked = false;
    const evs = await readEvents(res, (evs) => {
      if (!acked && evs.some((e) => e.event === 'snapshot')) {
        acked = true;
        void c.noc.request('POST', `/api/v1/episodes/${otherEp.id}/ack`, { comment: 'Đã nhận' });
      }
      return evs.some(
        (e) =>
          e.event === 'episode' &&
          (JSON.parse(e.data) as Episode).id === otherEp.id &&
          (JSON.parse(e.data) as Episode).state === 'acknowledged',
      );
    });
    const snap = JSON.parse(evs.find((e) => e.event === 'snapshot')!.data) as { episodes: Episode[] };
    expect(snap.episodes.map((e) => e.id)).toEqual(expect.arrayContaining([ownEp.id, otherEp.id]));
    expect(snap.episodes.every((e) => e.state !== 'resolved')).toBe(true);

    // a technician's snapshot carries only the episodes touching their sites
    const tech = await fetch(`${env.url}/api/v1/live`, { headers: { cookie: c.technician.cookie! } });
    const t = await readEvents(tech, (evs) => evs.some((e) => e.event === 'snapshot'));
    const tsnap = JSON.parse(t.find((e) => e.event === 'snapshot')!.data) as { episodes: Episode[] };
    expect(tsnap.episodes.map((e) => e.id)).toContain(ownEp.id);
    expect(tsnap.episodes.every((e) => e.sites.includes(own))).toBe(true);
  });
});

describe('meeting attendance', () => {
  let meetingId: string;

  beforeAll(async () => {
    const now = Date.now();
    const res = await c.admin.request('POST', '/api/v1/meetings', {
      title: 'Giao ban thử',
      host_org: 'vp-ubnd-tinh',
      start: now + 3600_000,
      end: now + 7200_000,
      sites: [own, other],
      emergency: true,
      emergency_reason: 'thử nghiệm',
    });
    meetingId = (await json<{ meeting: { id: string } }>(res, 201)).meeting.id;
  });

  it("passes the engine's attendance events through; a technician sees their sites' only", async () => {
    const all = await json<{ items: AttendanceEvent[] }>(
      await c.noc.get(`/api/v1/meetings/${meetingId}/attendance`),
    );
    expect(all.items).toEqual(env.alerts!.attendance(meetingId));
    const mine = await json<{ items: AttendanceEvent[] }>(
      await c.technician.get(`/api/v1/meetings/${meetingId}/attendance`),
    );
    expect(mine.items).toEqual(all.items.filter((x) => x.site === own));
    expect((await error(await c.noc.get('/api/v1/meetings/khong-co/attendance'), 404)).code).toBe(
      'not_found',
    );
  });
});
