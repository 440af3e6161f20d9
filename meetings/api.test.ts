// The HTTP routes (api/routes/meetings.ts, reports.ts) mounted as the API server mounts them, with
// real accounts and tokens, the real state DB, metrics store and alert engine.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { meetingRoutes } from '../api/routes/meetings.ts';
import { reportRoutes } from '../api/routes/reports.ts';
import {
  type Json,
  meetingRequest,
  STAFF,
  type TestApi,
  testApi,
  worldDeps,
} from '../test/helpers/meetings-api.ts';
import { type World, world } from '../test/helpers/world.ts';
import { parseLocalTime } from './time.ts';

const T0 = parseLocalTime('2026-03-02T08:00')!;
const HOUR = 3600_000;
let w: World;
let request: TestApi['request'];

beforeEach(async () => {
  w = await world(T0);
  const d = worldDeps(w);
  // as api/server.ts mounts every area
  ({ request } = await testApi(
    w.rt,
    [
      meetingRoutes(d, { readiness: w.readiness, now: w.clock.now }),
      reportRoutes(d, { readiness: w.readiness, now: w.clock.now }),
    ],
    STAFF,
    { openapi: true },
  ));
});
afterEach(() => w.stop());

/** the answer's status, its body as text and as JSON (null if it is not), and its Content-Type */
async function call(user: string, method: string, path: string, body?: unknown) {
  const res = await request(user, method, path, body);
  const text = await res.text();
  let json: Json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json, text, type: res.headers.get('content-type') ?? '' };
}

const meeting = (extra: object = {}) =>
  meetingRequest({ sites: ['tinh-uy', 'huyen-ba-be', 'xa-bang-thanh'], ...extra });

describe('dates are strict (issue 18)', () => {
  it('an impossible date or one outside 2000-2099 is refused, never rolled over', async () => {
    for (const start of ['2026-02-30T08:00', '2026-04-31T08:00', '2026-03-10T24:00', '1970-01-01T08:00']) {
      const r = await call('u-noc', 'POST', '/meetings', meeting({ start }));
      expect([start, r.status, r.json.error.issues[0].path]).toEqual([start, 400, 'body.start']);
      expect(r.json.error.issues[0].message).toMatch(/2000.*2099/);
    }
    for (const start of [0, 1e308, -1])
      expect((await call('u-noc', 'POST', '/meetings', meeting({ start }))).status).toBe(400);
    // was a 500: the year passed the pattern, then the period could not be computed
    const y = await call('u-noc', 'GET', '/reports/yearly?year=1970');
    expect([y.status, y.json.error.issues[0].path]).toEqual([400, 'query.year']);
    expect((await call('u-noc', 'GET', '/reports/six-month?from=2026-02-30')).status).toBe(400);
    expect((await call('u-noc', 'GET', '/meetings?from=1e308')).status).toBe(400);
    expect((await call('u-noc', 'GET', '/meetings?from=99999999999999999')).status).toBe(400);
  });
});

describe('meeting routes', () => {
  it('hosts register for their own office only; the 3-day rule answers with the regulation', async () => {
    const ok = await call('u-host', 'POST', '/meetings', meeting());
    expect(ok.status).toBe(201);
    expect(ok.json.meeting.sites).toEqual(['huyen-ba-be', 'tinh-uy', 'xa-bang-thanh']);
    expect(ok.json.meeting.registered_by).toBe('u-host');

    const other = await call('u-host', 'POST', '/meetings', meeting({ host_org: 'vp-tinh-uy' }));
    expect(other.status).toBe(403);
    expect(other.json.error.code).toBe('forbidden');

    const late = await call(
      'u-host',
      'POST',
      '/meetings',
      meeting({ start: '2026-03-04T08:00', end: '2026-03-04T09:00' }),
    );
    expect(late.status).toBe(400);
    expect(late.json.error.code).toBe('invalid_request');
    expect(late.json.error.issues[0].path).toBe('body.start');
    expect(late.json.error.issues[0].message).toContain('Theo Điều 6');

    const unknown = await call('u-noc', 'POST', '/meetings', meeting({ sites: ['xa-khong-co'] }));
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.issues).toEqual([
      {
        path: 'body.sites.0',
        message: 'điểm cầu "xa-khong-co" không có trong danh mục / unknown site "xa-khong-co"',
      },
    ]);
    const badTime = await call('u-noc', 'POST', '/meetings', meeting({ start: 'sáng mai' }));
    expect(badTime.status).toBe(400);
    expect(badTime.json.error.issues[0].path).toBe('body.start');

    expect((await call('u-viewer', 'POST', '/meetings', meeting())).status).toBe(403);
    expect((await call('u-tech', 'POST', '/meetings', meeting())).status).toBe(403);

    const overlap = await call(
      'u-noc',
      'POST',
      '/meetings',
      meeting({ host_org: 'so-tttt', sites: ['tinh-uy'] }),
    );
    // issue 16: a site cannot be in two calls at once: refused with the other meeting named
    expect(overlap.status).toBe(409);
    expect(overlap.json.error.code).toBe('clash');
    expect(overlap.json.error.message).toContain(`"Hội nghị sơ kết quý I" (${ok.json.meeting.id}`);
    expect(overlap.json.error.issues[0].message).toContain('tinh-uy');
  });

  it('each role sees the meetings it should; only the host office or the NOC cancels', async () => {
    const mine = (await call('u-host', 'POST', '/meetings', meeting())).json.meeting;
    const theirs = (
      await call(
        'u-host2',
        'POST',
        '/meetings',
        meeting({
          host_org: 'vp-tinh-uy',
          sites: ['tinh-uy'],
          start: '2026-03-10T13:00',
          end: '2026-03-10T15:00',
        }),
      )
    ).json.meeting;
    const ids = async (user: string) =>
      (await call(user, 'GET', '/meetings')).json.items.map((m: Json) => m.id);
    expect(await ids('u-host')).toEqual([mine.id]);
    expect(await ids('u-host2')).toEqual([theirs.id]);
    expect(await ids('u-tech')).toEqual([mine.id]); // xa-bang-thanh is only in the first
    expect((await ids('u-viewer')).sort()).toEqual([mine.id, theirs.id].sort());
    expect((await call('u-host', 'GET', `/meetings/${theirs.id}`)).status).toBe(404);
    expect((await call('u-noc', 'GET', '/meetings?from=2026-03-11')).json.total).toBe(0);
    expect((await call('u-noc', 'GET', '/meetings?from=hôm-qua')).status).toBe(400);

    const renamed = await call('u-host', 'PATCH', `/meetings/${mine.id}`, {
      title: 'Hội nghị sơ kết quý I (đổi phòng)',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json.meeting.title).toBe('Hội nghị sơ kết quý I (đổi phòng)');
    expect((await call('u-host2', 'PATCH', `/meetings/${mine.id}`, { title: 'x' })).status).toBe(404);
    expect((await call('u-tech', 'PATCH', `/meetings/${mine.id}`, { title: 'x' })).status).toBe(403);
    const bad = await call('u-noc', 'PATCH', `/meetings/${mine.id}`, { start: 'x' });
    expect(bad.json.error.issues[0].path).toBe('body.start');
    expect((await call('u-host', 'POST', `/meetings/${theirs.id}/cancel`, { reason: 'x' })).status).toBe(404);
    expect((await call('u-viewer', 'POST', `/meetings/${theirs.id}/cancel`, { reason: 'x' })).status).toBe(
      403,
    );
    const c = await call('u-host2', 'POST', `/meetings/${theirs.id}/cancel`, { reason: 'Lãnh đạo bận' });
    expect(c.status).toBe(200);
    expect(c.json.cancelled_by).toBe('u-host2');
    expect((await call('u-noc', 'POST', `/meetings/${theirs.id}/cancel`, { reason: 'x' })).status).toBe(409);
    expect(await ids('u-viewer')).toEqual([mine.id]);
  });

  it('runs a readiness test on demand and lists the runs', async () => {
    const m = (await call('u-host', 'POST', '/meetings', meeting())).json.meeting;
    expect((await call('u-host', 'GET', `/reports/meetings/${m.id}/readiness`)).status).toBe(404);
    w.clock.t = m.start - 2 * HOUR;
    w.drive(60, (t) => [
      ...w.fleet.healthy('tinh-uy', t, { ups: { ups_runtime_min: 200 } }),
      ...w.fleet.healthy('xa-bang-thanh', t, { codec: 'down', ups: { ups_runtime_min: 200 } }),
    ]);
    const run = await call('u-tech', 'POST', `/meetings/${m.id}/readiness`);
    expect(run.status).toBe(200);
    expect(run.json.total).toBe(3);
    const bySite = Object.fromEntries(run.json.results.map((r: Json) => [r.site, r]));
    expect(bySite['tinh-uy'].reasons).toEqual([]);
    expect(bySite['xa-bang-thanh'].reasons.map((r: Json) => r.code)).toEqual(['codec_not_answering']);
    const page = await call('u-host', 'GET', `/reports/meetings/${m.id}/readiness?format=html`);
    expect(page.type).toContain('text/html');
    expect(page.text).toContain('Kết quả vận hành thử trước cuộc họp (Điều 7.1.b)');
    expect(page.text).toContain('Chưa sẵn sàng');
    expect(page.text).toContain('Thiết bị codec xa-bang-thanh-codec không trả lời');
    const list = await call('u-host', 'GET', `/meetings/${m.id}/readiness`);
    expect(list.json.items).toHaveLength(1);
    expect(list.json.items[0].requested_by).toBe('u-tech');
  });
});

describe('incident routes', () => {
  it('logs an incident prefilled from a real alert; technicians only for their sites', async () => {
    w.drive(60, (t) => w.fleet.healthy('xa-bang-thanh', t));
    w.drive(90, (t) => w.fleet.healthy('xa-bang-thanh', t, { probe: { reachable: 0 } }));
    const alert = w.alerts.list({ site: 'xa-bang-thanh' }).find((a) => a.rule === 'site-unreachable')!;
    const draft = await call('u-tech', 'GET', `/incidents/draft?alert_id=${alert.id}`);
    expect(draft.status).toBe(200);
    expect(draft.json.sites).toEqual(['xa-bang-thanh']);
    expect(draft.json.cause_class).toBe('link');

    const created = await call('u-tech', 'POST', '/incidents', {
      alert_id: alert.id,
      fix: 'Thay bộ chuyển đổi quang',
    });
    expect(created.status).toBe(201);
    expect(created.json.started_at).toBe(alert.started_at);
    expect(created.json.reported_by).toBe('u-tech');
    expect((await call('u-tech', 'POST', '/incidents', { sites: ['tinh-uy'], cause: 'x' })).status).toBe(403);
    expect((await call('u-viewer', 'POST', '/incidents', { sites: ['tinh-uy'], cause: 'x' })).status).toBe(
      403,
    );
    const noCause = await call('u-noc', 'POST', '/incidents', { sites: ['tinh-uy'] });
    expect(noCause.status).toBe(400);
    expect(noCause.json.error.issues[0].path).toBe('body.cause');

    const patched = await call('u-tech', 'PATCH', `/incidents/${created.json.id}`, {
      restored_at: alert.started_at + 15 * 60_000,
    });
    expect(patched.status).toBe(200);
    expect(patched.json.time_to_restore_ms).toBe(15 * 60_000);
    const bad = await call('u-noc', 'PATCH', `/incidents/${created.json.id}`, {
      restored_at: alert.started_at - 1,
    });
    expect(bad.status).toBe(400);
    expect((await call('u-noc', 'GET', '/incidents?open=false')).json.total).toBe(1);
    expect((await call('u-host', 'GET', '/incidents')).json.total).toBe(0); // not during their meeting
  });
});

describe('report routes', () => {
  it('serves the post-meeting report as JSON and as a printable page; periodic reports to noc/viewer', async () => {
    const m = (await call('u-host', 'POST', '/meetings', meeting())).json.meeting;
    w.clock.t = m.start - 10_000;
    w.drive(2 * 3600, (t) => w.fleet.healthy('tinh-uy', t), 30);
    const json = await call('u-host', 'GET', `/reports/meetings/${m.id}`);
    expect(json.status).toBe(200);
    expect(json.json.summary).toMatchObject({ sites: 3, present: 1, unknown: 2 });
    const html = await call('u-host', 'GET', `/reports/meetings/${m.id}?format=html`);
    expect(html.type).toContain('text/html');
    expect(html.text).toContain('Kết quả tổ chức hội nghị truyền hình trực tuyến');
    expect((await call('u-host2', 'GET', `/reports/meetings/${m.id}`)).status).toBe(404);

    const six = await call('u-viewer', 'GET', '/reports/six-month?from=2026-01-01&format=html');
    expect(six.status).toBe(200);
    expect(six.text).toContain('Định kỳ 06 tháng đầu năm 2026');
    const sixJson = await call('u-noc', 'GET', '/reports/six-month?from=2026-01-01');
    expect(sixJson.json.meetings.total).toBe(1);
    expect((await call('u-noc', 'GET', '/reports/yearly?year=2026')).json.kind).toBe('yearly');
    expect((await call('u-noc', 'GET', '/reports/yearly')).status).toBe(400);
    expect((await call('u-noc', 'GET', '/reports/six-month?from=01/01/2026')).status).toBe(400);
    expect((await call('u-host', 'GET', '/reports/six-month?from=2026-01-01')).status).toBe(403);
    const bad = await call('u-noc', 'GET', '/reports/period?from=2026-03-01&to=2026-02-01');
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues[0].path).toBe('query.to');
    expect((await call('u-noc', 'GET', '/reports/period?from=2026-03-01&to=2026-03-02')).status).toBe(200);
  });

  it('documents every route in the OpenAPI document', async () => {
    const doc = await call('u-noc', 'GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining(['/meetings', '/meetings/{id}/readiness', '/incidents', '/reports/six-month']),
    );
  });
});
