// Issue 16 (h7) through the HTTP routes as the API server mounts them (real accounts and tokens, state DB,
// alert engine, the durable outbox): the host catalogue and a district host's meeting over its hall and
// communes (Điều 2.3, 6.3), the registration fields (Điều 2.5–2.6, 6.1), the clash policy (refused with
// the other meeting named, or pending for the NOC), recurring meetings, the configurable 3-day rule and
// maximum length, and a restricted meeting's title kept out of the reports for a viewer.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outbox } from '../alerts/outbox.ts';
import { hostRoutes } from '../api/routes/hosts.ts';
import { meetingRoutes } from '../api/routes/meetings.ts';
import { reportRoutes } from '../api/routes/reports.ts';
import {
  type Json,
  meetingRequest as meeting,
  STAFF,
  type TestApi,
  type TestUser,
  testApi,
  worldDeps,
} from '../test/helpers/meetings-api.ts';
import { queueOnlyOutbox, type World, world } from '../test/helpers/world.ts';
import { audience } from './audience.ts';
import { noticeMessage } from './notices.ts';
import { parseLocalTime } from './time.ts';

const T0 = parseLocalTime('2026-03-02T08:00')!;
let w: World;
let outbox: Outbox;
let app: TestApi['app'];
let call: TestApi['call'];
/** STAFF with a district host (Ba Bể's people's committee) after the two host offices */
const USERS: TestUser[] = [
  ...STAFF.slice(0, 4),
  ['u-district', 'host', { org: 'ubnd-ba-be' }],
  ...STAFF.slice(4),
];

beforeEach(async () => {
  w = await world(T0);
  outbox = queueOnlyOutbox(w.rt);
  const d = worldDeps(w);
  ({ app, call } = await testApi(
    w.rt,
    [
      meetingRoutes(d, { readiness: w.readiness, now: w.clock.now, outbox }),
      reportRoutes(d, { readiness: w.readiness, now: w.clock.now }),
      hostRoutes(d),
    ],
    USERS,
    { openapi: true },
  ));
});
afterEach(() => w.stop());

const audits = (action: string) =>
  w.rt.state
    .prepare('SELECT actor, target, detail FROM audit_log WHERE action = ? ORDER BY id')
    .all(action) as {
    actor: string;
    target: string;
    detail: string;
  }[];

const queued = () =>
  w.rt.state.prepare('SELECT recipient, subject, body FROM outbox ORDER BY id').all() as {
    recipient: string;
    subject: string;
    body: string;
  }[];

const baBe = () =>
  [...w.rt.inventory.sites.values()]
    .filter((s) => s.district === 'ba-be' && s.tier !== 'province')
    .map((s) => s.id)
    .sort();

describe('host catalogue (Điều 2.3)', () => {
  it('is seeded from the inventory with every kind of host; a district host registers over its hall and communes (Điều 6.3)', async () => {
    const all = (await call('u-noc', 'GET', '/hosts')).json.items as Json[];
    const byId = Object.fromEntries(all.map((h) => [h.id, h]));
    expect(byId['vp-tinh-uy'].type).toBe('tinh_uy');
    expect(byId['vp-ubnd-tinh'].type).toBe('ubnd');
    expect(byId['vp-ubnd-tinh'].main_site).toBe('ubnd-tinh');
    expect(byId['so-tttt'].type).toBe('department');
    expect(byId['ubnd-ba-be']).toMatchObject({
      type: 'district',
      district: 'ba-be',
      main_site: 'huyen-ba-be',
      sites: baBe(),
    });
    expect(byId['huyen-uy-ba-be'].type).toBe('district');
    expect(byId['thanh-uy-bac-kan'].name).toBe('Thành ủy Bắc Kạn');
    // a host office reads only its own entry
    expect((await call('u-district', 'GET', '/hosts')).json.items.map((h: Json) => h.id)).toEqual([
      'ubnd-ba-be',
    ]);
    expect((await call('u-district', 'GET', '/hosts/vp-tinh-uy')).status).toBe(404);

    // before issue 16: 400 on host_org, no district organisation could host
    const r = await call(
      'u-district',
      'POST',
      '/meetings',
      meeting({
        title: 'Giao ban UBND huyện Ba Bể với các xã',
        host_org: 'ubnd-ba-be',
        sites: [],
        host_sites: true,
      }),
    );
    expect(r.status).toBe(201);
    expect(r.json.meeting.sites).toEqual(baBe());
    expect(r.json.meeting.main_site).toBe('huyen-ba-be');
    expect(r.json.meeting.status).toBe('confirmed');
    const byDistrict = await call(
      'u-district',
      'POST',
      '/meetings',
      meeting({
        host_org: 'ubnd-ba-be',
        sites: [],
        districts: ['ba-be'],
        start: '2026-03-11T08:00',
        end: '2026-03-11T09:00',
      }),
    );
    expect(byDistrict.status).toBe(201);
    expect(byDistrict.json.meeting.sites).toEqual(baBe());
    // still only for its own office
    expect(
      (await call('u-district', 'POST', '/meetings', meeting({ host_org: 'vp-ubnd-tinh' }))).status,
    ).toBe(403);
    expect((await call('u-host', 'GET', '/meetings/host-orgs')).json.items).toEqual([
      { id: 'vp-ubnd-tinh', name: 'Văn phòng UBND tỉnh' },
    ]);
  });

  it('admin and NOC add, change and delete hosts, every change audited; other roles are refused', async () => {
    const soYTe = {
      id: 'so-y-te',
      name: 'Sở Y tế tỉnh Bắc Kạn',
      type: 'department',
      sites: ['so-tttt'],
      contacts: [{ name: 'Văn phòng Sở Y tế', email: 'vanphong@soyte.diemcau.example' }],
    };
    for (const u of ['u-viewer', 'u-host', 'u-tech'])
      expect((await call(u, 'POST', '/hosts', soYTe)).status, u).toBe(403);
    const created = await call('u-noc', 'POST', '/hosts', soYTe);
    expect(created.status).toBe(201);
    expect(created.json.main_site).toBe('so-tttt');
    expect((await call('u-noc', 'POST', '/hosts', soYTe)).status).toBe(409);
    const bad = await call('u-admin', 'POST', '/hosts', {
      id: 'huyen-uy-x',
      name: 'Huyện ủy X',
      type: 'district',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues[0].path).toBe('body.district');
    const central = await call('u-admin', 'POST', '/hosts', {
      id: 'van-phong-chinh-phu',
      name: 'Văn phòng Chính phủ',
      type: 'central',
    });
    expect(central.json).toMatchObject({ type: 'central', sites: [], main_site: null });
    const district = await call('u-admin', 'POST', '/hosts', {
      id: 'ubnd-cho-don-2',
      name: 'Phòng Văn hóa huyện Chợ Đồn',
      type: 'district',
      district: 'cho-don',
    });
    expect(district.json.main_site).toBe('huyen-cho-don');
    expect(district.json.sites).toContain('huyen-cho-don');

    const renamed = await call('u-noc', 'PATCH', '/hosts/so-y-te', {
      name: 'Sở Y tế',
      main_site: 'ubnd-tinh',
    });
    expect(renamed.status).toBe(400); // not one of its sites
    expect((await call('u-noc', 'PATCH', '/hosts/so-y-te', { name: 'Sở Y tế' })).json.name).toBe('Sở Y tế');
    expect((await call('u-host', 'PATCH', '/hosts/so-y-te', { name: 'x' })).status).toBe(403);

    // a host with meetings keeps its entry (the records name it)
    const m = await call(
      'u-noc',
      'POST',
      '/meetings',
      meeting({ host_org: 'so-y-te', sites: ['so-tttt', 'huyen-na-ri'] }),
    );
    expect(m.status).toBe(201);
    expect(m.json.meeting.main_site).toBe('so-tttt');
    expect((await call('u-noc', 'DELETE', '/hosts/so-y-te')).status).toBe(409);
    expect((await call('u-viewer', 'DELETE', '/hosts/van-phong-chinh-phu')).status).toBe(403);
    expect((await call('u-admin', 'DELETE', '/hosts/van-phong-chinh-phu')).status).toBe(200);
    expect((await call('u-admin', 'GET', '/hosts/van-phong-chinh-phu')).status).toBe(404);

    expect(audits('host.create').map((a) => [a.actor, a.target])).toEqual([
      ['u-noc', 'so-y-te'],
      ['u-admin', 'van-phong-chinh-phu'],
      ['u-admin', 'ubnd-cho-don-2'],
    ]);
    const upd = audits('host.update');
    expect(upd).toHaveLength(1);
    expect(JSON.parse(upd[0]!.detail)).toMatchObject({
      before: { name: 'Sở Y tế tỉnh Bắc Kạn' },
      after: { name: 'Sở Y tế' },
    });
    expect(audits('host.delete').map((a) => a.target)).toEqual(['van-phong-chinh-phu']);
    // the routes are described in the OpenAPI document
    const doc = await app.request('/api/v1/openapi.json');
    const paths = Object.keys(((await doc.json()) as Json).paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/hosts', '/hosts/{id}', '/meetings/{id}/approve', '/meetings/series/{id}']),
    );
  });
});

describe('registration fields (Điều 2.5–2.6, 6.1)', () => {
  it('main site, scale, room and document number are stored, returned and the main site is in the notices', async () => {
    const r = await call(
      'u-host',
      'POST',
      '/meetings',
      meeting({ attendees: 120, room: 'Hội trường tầng 3', document_no: '125/GM-UBND' }),
    );
    expect(r.status).toBe(201);
    const got = (await call('u-noc', 'GET', `/meetings/${r.json.meeting.id}`)).json.meeting;
    expect(got).toMatchObject({
      main_site: 'ubnd-tinh', // the host's own site, by default
      attendees: 120,
      room: 'Hội trường tầng 3',
      document_no: '125/GM-UBND',
    });
    const chosen = await call(
      'u-host',
      'POST',
      '/meetings',
      meeting({
        sites: ['ubnd-tinh', 'huyen-na-ri'],
        main_site: 'huyen-na-ri',
        start: '2026-03-12T08:00',
        end: '2026-03-12T09:00',
      }),
    );
    expect(chosen.json.meeting.main_site).toBe('huyen-na-ri');
    const outside = await call(
      'u-host',
      'POST',
      '/meetings',
      meeting({ main_site: 'huyen-na-ri', start: '2026-03-13T08:00', end: '2026-03-13T09:00' }),
    );
    expect(outside.status).toBe(400);
    expect(outside.json.error.issues[0].path).toBe('body.main_site');
    const m = w.meetings.get(r.json.meeting.id)!;
    const party = audience(w.rt.inventory, m).get('org:viettel')!;
    expect(noticeMessage(w.rt.inventory, { kind: 'registered', meeting: m, party }).body).toContain(
      '- Điểm cầu chính (Điều 2.5): Văn phòng UBND tỉnh',
    );
  });

  it('a meeting of several days is accepted (the regulation sets no 24-hour cap), up to the configured maximum', async () => {
    const three = await call('u-host', 'POST', '/meetings', meeting({ end: '2026-03-12T17:00' }));
    expect(three.status).toBe(201);
    w.meetings.configure({ maxDurationMs: 2 * 86400_000 });
    const long = await call(
      'u-host',
      'POST',
      '/meetings',
      meeting({ start: '2026-03-20T08:00', end: '2026-03-23T08:00' }),
    );
    expect(long.status).toBe(400);
    expect(long.json.error.issues[0].message).toContain('tối đa 2 ngày');
  });

  it('the 3-day rule applies to the configured host types only (Điều 6.1)', async () => {
    const soon = { start: '2026-03-03T14:00', end: '2026-03-03T15:00' };
    expect(
      (
        await call(
          'u-noc',
          'POST',
          '/meetings',
          meeting({ host_org: 'so-tttt', sites: ['so-tttt'], ...soon }),
        )
      ).status,
    ).toBe(400);
    w.meetings.configure({ noticeHostTypes: ['tinh_uy', 'hdnd', 'ubnd', 'doan_dbqh'] });
    const dept = await call(
      'u-noc',
      'POST',
      '/meetings',
      meeting({ host_org: 'so-tttt', sites: ['so-tttt'], ...soon }),
    );
    expect(dept.status).toBe(201);
    const ubnd = await call('u-host', 'POST', '/meetings', meeting(soon));
    expect(ubnd.status).toBe(400);
    expect(ubnd.json.error.issues[0].message).toContain('Điều 6');
  });
});

describe('clash policy', () => {
  it('refuses a clash on a site with the other meeting named (its title hidden from a host that may not read it)', async () => {
    const first = await call(
      'u-host',
      'POST',
      '/meetings',
      meeting({ restricted: true, title: 'Họp về nhân sự' }),
    );
    const clash = await call(
      'u-host2',
      'POST',
      '/meetings',
      meeting({ host_org: 'vp-tinh-uy', title: 'Giao ban', sites: ['tinh-uy', 'xa-bang-thanh'] }),
    );
    expect(clash.status).toBe(409);
    expect(clash.json.error.code).toBe('clash');
    expect(clash.json.error.message).toContain(`"Cuộc họp (hạn chế)" (${first.json.meeting.id}`);
    expect(clash.json.error.issues).toEqual([
      expect.objectContaining({ path: 'body.sites', message: expect.stringContaining('xa-bang-thanh') }),
    ]);
    expect(JSON.stringify(clash.json)).not.toContain('nhân sự');
    // the NOC reads the title
    const noc = await call(
      'u-noc',
      'POST',
      '/meetings',
      meeting({ host_org: 'so-tttt', sites: ['huyen-ba-be'] }),
    );
    expect(noc.json.error.message).toContain('"Họp về nhân sự"');
    // an emergency (Điều 6.4) is never held back by a clash: accepted, the other meeting in overlaps
    const urgent = await call(
      'u-noc',
      'POST',
      '/meetings',
      meeting({
        host_org: 'so-tttt',
        sites: ['huyen-ba-be'],
        emergency: true,
        emergency_reason: 'Ứng phó lũ quét',
      }),
    );
    expect(urgent.status).toBe(201);
    expect(urgent.json.overlaps.map((o: Json) => o.id)).toEqual([first.json.meeting.id]);
    // and a room: the same room at the same main site at the same time
    await call(
      'u-host2',
      'POST',
      '/meetings',
      meeting({ host_org: 'vp-tinh-uy', sites: ['tinh-uy'], room: 'Phòng họp trực tuyến' }),
    );
    const room = await call(
      'u-noc',
      'POST',
      '/meetings',
      meeting({
        host_org: 'so-tttt',
        sites: ['tinh-uy', 'huyen-na-ri'],
        main_site: 'tinh-uy',
        room: 'phòng họp trực tuyến',
        start: '2026-03-10T09:30',
        end: '2026-03-10T11:00',
      }),
    );
    expect(room.status).toBe(409);
  });

  it("with 'pending', a clash is accepted as chờ duyệt; only the NOC approves or rejects, audited, and the host is told", async () => {
    w.meetings.configure({ clash: 'pending' });
    const first = await call('u-host', 'POST', '/meetings', meeting());
    const b = await call(
      'u-host2',
      'POST',
      '/meetings',
      meeting({ host_org: 'vp-tinh-uy', title: 'Giao ban Tỉnh ủy', sites: ['tinh-uy', 'huyen-ba-be'] }),
    );
    expect(b.status).toBe(201);
    expect(b.json.meeting.status).toBe('pending');
    expect(b.json.overlaps[0]).toMatchObject({ id: first.json.meeting.id, shared_sites: ['huyen-ba-be'] });
    expect(b.json.warnings.join(' ')).toContain('chờ Sở Thông tin và Truyền thông duyệt');
    const id = b.json.meeting.id;
    expect(
      (await call('u-noc', 'GET', '/meetings?status=pending')).json.items.map((m: Json) => m.id),
    ).toEqual([id]);
    // the NOC is told one waits
    expect(
      queued()
        .filter((q) => q.subject.includes('chờ duyệt'))
        .map((q) => q.recipient)
        .sort(),
    ).toEqual(['truc-ban-1@noc.diemcau.example', 'truc-ban-2@noc.diemcau.example']);
    for (const u of ['u-host2', 'u-viewer', 'u-tech'])
      expect((await call(u, 'POST', `/meetings/${id}/approve`)).status, u).toBe(403);
    // approving while the clashing meeting stands is refused, naming it
    const early = await call('u-noc', 'POST', `/meetings/${id}/approve`);
    expect(early.status).toBe(409);
    expect(early.json.error.message).toContain(first.json.meeting.id);
    await call('u-host', 'POST', `/meetings/${first.json.meeting.id}/cancel`, { reason: 'Lùi lịch' });
    const ok = await call('u-noc', 'POST', `/meetings/${id}/approve`);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ status: 'confirmed', decided_by: 'u-noc' });
    expect(
      w.meetings.forSite('huyen-ba-be', parseLocalTime('2026-03-10T09:00')!, 0).map((m) => m.id),
    ).toEqual([id]);

    const c = await call('u-host', 'POST', '/meetings', meeting({ title: 'Họp trùng', sites: ['tinh-uy'] }));
    expect(c.json.meeting.status).toBe('pending');
    expect((await call('u-noc', 'POST', `/meetings/${c.json.meeting.id}/reject`, {})).status).toBe(400);
    const no = await call('u-noc', 'POST', `/meetings/${c.json.meeting.id}/reject`, {
      reason: 'Điểm cầu Tỉnh ủy đã có lịch',
    });
    expect(no.json).toMatchObject({ status: 'rejected', cancel_reason: 'Điểm cầu Tỉnh ủy đã có lịch' });
    expect((await call('u-noc', 'POST', `/meetings/${c.json.meeting.id}/approve`)).status).toBe(409);

    const toHost = queued().filter((q) => q.recipient.endsWith('@host.diemcau.example'));
    expect(toHost.map((q) => [q.recipient, q.subject])).toEqual([
      ['vp-tinh-uy@host.diemcau.example', '[diemcau] Cuộc họp đã được duyệt: Giao ban Tỉnh ủy'],
      ['vp-ubnd-tinh@host.diemcau.example', '[diemcau] Cuộc họp không được duyệt: Họp trùng'],
    ]);
    expect(toHost[1]!.body).toContain('Điểm cầu Tỉnh ủy đã có lịch');
    expect(audits('meeting.approve').map((a) => [a.actor, a.target])).toEqual([['u-noc', id]]);
    expect(audits('meeting.reject').map((a) => a.target)).toEqual([c.json.meeting.id]);
  });
});

describe('recurring meetings', () => {
  it('a weekly meeting creates its occurrences; an exception skips one; cancelling one records an exception', async () => {
    const r = await call(
      'u-host',
      'POST',
      '/meetings',
      meeting({
        title: 'Giao ban sáng thứ Ba',
        recurrence: { freq: 'weekly', count: 5, exceptions: ['2026-03-17'] },
      }),
    );
    expect(r.status).toBe(201);
    const s = r.json.series;
    expect(s.occurrences.map((m: Json) => m.series_date)).toEqual([
      '2026-03-10',
      '2026-03-24',
      '2026-03-31',
      '2026-04-07',
    ]);
    expect(s.occurrences.map((m: Json) => m.start)).toEqual(
      ['2026-03-10', '2026-03-24', '2026-03-31', '2026-04-07'].map((d) => parseLocalTime(`${d}T08:00`)),
    );
    expect(r.json.meeting.id).toBe(s.occurrences[0].id);
    // each occurrence is an ordinary meeting
    expect((await call('u-tech', 'GET', '/meetings')).json.total).toBe(4);
    const second = s.occurrences[1];
    await call('u-host', 'POST', `/meetings/${second.id}/cancel`, { reason: 'Nghỉ lễ' });
    const after = (await call('u-host', 'GET', `/meetings/series/${s.id}`)).json;
    expect(after.rule.exceptions).toEqual(['2026-03-17', '2026-03-24']);
    expect(after.occurrences.filter((m: Json) => m.cancelled_at === null)).toHaveLength(3);
    expect((await call('u-host2', 'GET', `/meetings/series/${s.id}`)).status).toBe(404);
    // a second weekly series on the same sites clashes on every shared date: refused, with the dates
    const again = await call(
      'u-host2',
      'POST',
      '/meetings',
      meeting({
        host_org: 'vp-tinh-uy',
        sites: ['xa-bang-thanh'],
        start: '2026-03-24T09:00',
        end: '2026-03-24T09:30',
        recurrence: { freq: 'weekly', until: '2026-04-07' },
      }),
    );
    expect(again.status).toBe(409);
    expect(again.json.error.issues.map((i: Json) => i.message.match(/ngày (\S+):/)?.[1])).toEqual([
      '2026-03-31',
      '2026-04-07',
    ]);
    const cancelled = await call('u-host', 'POST', `/meetings/series/${s.id}/cancel`, { reason: 'Thôi họp' });
    expect(cancelled.json.cancelled).toHaveLength(3);
  });

  it('the 3-day rule applies to the first occurrence only; monthly by day of month', async () => {
    const soon = await call(
      'u-host',
      'POST',
      '/meetings',
      meeting({
        start: '2026-03-04T08:00',
        end: '2026-03-04T09:00',
        recurrence: { freq: 'weekly', count: 3 },
      }),
    );
    expect(soon.status).toBe(400);
    expect(soon.json.error.issues[0].path).toBe('body.start');
    const monthly = await call(
      'u-host',
      'POST',
      '/meetings',
      meeting({
        start: '2026-03-31T14:00',
        end: '2026-03-31T16:00',
        recurrence: { freq: 'monthly', count: 3 },
      }),
    );
    expect(monthly.status).toBe(201);
    expect(monthly.json.series.occurrences.map((m: Json) => m.series_date)).toEqual([
      '2026-03-31',
      '2026-04-30',
      '2026-05-31',
    ]);
  });
});

describe('restricted meetings in the reports (Điều 14.1.g)', () => {
  it('the meeting report and the logbook show "Cuộc họp (hạn chế)" to a viewer, the title to the NOC', async () => {
    const r = await call(
      'u-host',
      'POST',
      '/meetings',
      meeting({ title: 'Họp về công tác cán bộ', restricted: true }),
    );
    const id = r.json.meeting.id;
    w.clock.t = parseLocalTime('2026-03-10T11:00')!;
    const viewer = await call('u-viewer', 'GET', `/reports/meetings/${id}`);
    expect(viewer.status).toBe(200);
    expect(viewer.json.meeting.title).toBe('Cuộc họp (hạn chế)');
    expect(JSON.stringify(viewer.json)).not.toContain('công tác cán bộ');
    expect((await call('u-noc', 'GET', `/reports/meetings/${id}`)).json.meeting.title).toBe(
      'Họp về công tác cán bộ',
    );
    // the logbook of the period: the meeting was never seen connected (not held), listed by title
    const period = '/reports/period?from=2026-03-01&to=2026-03-20';
    const logV = await call('u-viewer', 'GET', period);
    expect(logV.json.meetings.not_held.map((x: Json) => x.title)).toEqual(['Cuộc họp (hạn chế)']);
    expect(JSON.stringify(logV.json)).not.toContain('công tác cán bộ');
    const logN = await call('u-noc', 'GET', period);
    expect(logN.json.meetings.not_held.map((x: Json) => x.title)).toEqual(['Họp về công tác cán bộ']);
  });
});
