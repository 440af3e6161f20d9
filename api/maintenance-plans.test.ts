// /api/v1/maintenance-plans and /maintenance-log with real parts: the Bắc Kạn inventory, the state DB,
// the alert engine (its durable outbox, e-mail to a real SMTP server on loopback), the meetings routes.
// A plan over a registered meeting mails that meeting's host office; a registration inside a plan is
// warned with the plan named; the log filters by device; bad input gets a 4xx with its reason.
import { afterEach, describe, expect, it } from 'vitest';
import { parseLocalTime } from '../meetings/time.ts';
import { type Json, mailedAlerts, STAFF, testApi } from '../test/helpers/meetings-api.ts';
import type { Deps } from './context.ts';
import { maintenancePlanRoutes } from './routes/maintenance-plans.ts';
import { meetingRoutes } from './routes/meetings.ts';

const T0 = parseLocalTime('2026-03-02T08:00')!; // a Monday
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup() {
  const { smtp, rt, clock, meetings, engine } = await mailedAlerts(cleanup, { t0: T0 });
  const deps: Deps = { rt, store: null as never, alerts: engine, meetings, live: null as never };
  const api = await testApi(
    rt,
    [meetingRoutes(deps, { now: clock.now }), maintenancePlanRoutes(deps, { now: clock.now })],
    STAFF,
  );
  return { smtp, rt, clock, engine, api };
}

const once = (extra: object = {}) => ({
  kind: 'once',
  scope: { kind: 'site', value: 'xa-bang-thanh' },
  starts_at: '2026-03-10T07:00',
  ends_at: '2026-03-10T09:00',
  work: 'Thay ắc quy UPS và kiểm tra nguồn điện',
  by_person: 'kt-xa-bang-thanh',
  by_text: 'Công ty TNHH Kỹ thuật Hưng Thịnh',
  ...extra,
});

describe('maintenance plans API', () => {
  it('a plan over a registered meeting mails its host office; a registration inside a plan is warned', async () => {
    const { smtp, engine, api } = await setup();
    const reg = await api.call('u-host', 'POST', '/meetings', {
      title: 'Hội nghị sơ kết quý I',
      host_org: 'vp-ubnd-tinh',
      start: '2026-03-10T08:00',
      end: '2026-03-10T10:00',
      sites: ['ubnd-tinh', 'huyen-ba-be', 'xa-bang-thanh'],
    });
    expect(reg.status).toBe(201);
    // another host's meeting elsewhere and one of the same host at another time: not touched
    expect(
      (
        await api.call('u-host2', 'POST', '/meetings', {
          title: 'Giao ban Tỉnh ủy',
          host_org: 'vp-tinh-uy',
          start: '2026-03-10T08:00',
          end: '2026-03-10T09:00',
          sites: ['tinh-uy', 'huyen-pac-nam'],
        })
      ).status,
    ).toBe(201);

    const created = await api.call('u-noc', 'POST', '/maintenance-plans', once());
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const plan = created.json;
    expect(plan.status).toBe('upcoming');
    expect(plan.sites).toEqual(['xa-bang-thanh']);
    expect(plan.meetings.map((m: Json) => [m.meeting, m.sites])).toEqual([
      [reg.json.meeting.id, ['xa-bang-thanh']],
    ]);
    expect(plan.notified_hosts).toEqual(['vp-ubnd-tinh']);

    expect(await engine.outbox.idle(10_000)).toBe(true);
    const mails = smtp.mails.filter((m) => m.key.startsWith(`maintenance-plan/${plan.id}/`));
    expect(mails.map((m) => m.to)).toEqual(['vp-ubnd-tinh@host.diemcau.example']);
    const mail = mails[0]!;
    expect(mail.subject).toContain('Kế hoạch bảo trì trùng cuộc họp "Hội nghị sơ kết quý I"');
    expect(mail.text).toContain('Kính gửi: Văn phòng UBND tỉnh');
    expect(mail.text).toContain('Thay ắc quy UPS và kiểm tra nguồn điện');
    expect(mail.text).toContain('Bảo trì: 07:00 ngày 10/03/2026 đến 09:00 ngày 10/03/2026');
    expect(mail.text).toMatch(/Điểm cầu bị ảnh hưởng \(1\): .*Bằng Thành/);
    expect(mail.text).toContain(
      'Người thực hiện: Cán bộ kỹ thuật UBND xã Bằng Thành (kt-xa-bang-thanh@site.diemcau.example)',
    );
    expect(mail.text).toContain('Trực ban');
    // Vietnamese first, English after
    expect(mail.text.indexOf('Kế hoạch bảo trì:')).toBeLessThan(mail.text.indexOf('Plan:'));

    // a change tells again (a new revision), the same request twice does not send twice
    const moved = await api.call('u-noc', 'PATCH', `/maintenance-plans/${plan.id}`, {
      ends_at: '2026-03-10T11:00',
    });
    expect(moved.status).toBe(200);
    expect(moved.json.revision).toBe(2);
    expect(await engine.outbox.idle(10_000)).toBe(true);
    const again = smtp.mails.filter((m) => m.key.startsWith(`maintenance-plan/${plan.id}/`));
    expect(again.map((m) => m.subject)).toEqual([
      mail.subject,
      expect.stringContaining('Điều chỉnh kế hoạch bảo trì'),
    ]);

    // registering inside the plan: accepted, the plan named in the warnings
    const inside = await api.call('u-host', 'POST', '/meetings', {
      title: 'Họp chuyên đề',
      host_org: 'vp-ubnd-tinh',
      start: '2026-03-10T10:00',
      end: '2026-03-10T10:30',
      sites: ['ubnd-tinh', 'xa-bang-thanh'],
    });
    expect(inside.status).toBe(201);
    expect(inside.json.maintenance.map((x: Json) => [x.window, x.sites])).toEqual([
      [plan.id, ['xa-bang-thanh']],
    ]);
    expect(inside.json.warnings.join('\n')).toContain(`Trùng lịch bảo trì "${plan.id}" (Thay ắc quy UPS`);

    // cancelled: the host is told it no longer applies; listed as such, no longer changeable
    const cancelled = await api.call('u-noc', 'PATCH', `/maintenance-plans/${plan.id}`, { cancelled: true });
    expect(cancelled.json.status).toBe('cancelled');
    expect(cancelled.json.notified_hosts).toEqual(['vp-ubnd-tinh']);
    expect(await engine.outbox.idle(10_000)).toBe(true);
    const last = smtp.mails.filter((m) => m.key.startsWith(`maintenance-plan/${plan.id}/r3/`));
    expect(last.map((m) => m.subject)).toEqual([expect.stringContaining('Hủy kế hoạch bảo trì trùng')]);
    expect(last[0]!.text).toContain('không còn lịch bảo trì');
    const twice = await api.call('u-noc', 'PATCH', `/maintenance-plans/${plan.id}`, { cancelled: true });
    expect(twice.status).toBe(409);
    expect(twice.json.error.message).toContain('đã bị hủy');
    expect((await api.call('u-viewer', 'GET', '/maintenance-plans')).json.items).toEqual([]);
    const all = await api.call('u-viewer', 'GET', '/maintenance-plans?status=all');
    expect(all.json.items.map((p: Json) => [p.id, p.status])).toEqual([[plan.id, 'cancelled']]);
  });

  it('refuses bad plans with the reason, and a technician outside their sites', async () => {
    const { api } = await setup();
    const bad = async (user: string, body: object, status: number, text: string) => {
      const r = await api.call(user, 'POST', '/maintenance-plans', body);
      expect(r.status, JSON.stringify(r.json)).toBe(status);
      expect(r.json.error.message).toContain(text);
    };
    await bad('u-noc', once({ ends_at: '2026-03-10T06:00' }), 400, 'kết thúc trước khi bắt đầu');
    await bad(
      'u-noc',
      once({ scope: { kind: 'device', value: 'xa-bang-thanh-may-chieu' } }),
      400,
      'thiết bị "xa-bang-thanh-may-chieu" không có trong danh mục',
    );
    await bad('u-noc', once({ scope: { kind: 'district', value: 'khong-co' } }), 400, 'huyện "khong-co"');
    await bad('u-noc', once({ by_person: 'nguoi-la' }), 400, 'người "nguoi-la"');
    await bad('u-noc', once({ work: '  ' }), 400, 'nội dung công việc');
    await bad('u-noc', once({ starts_at: '2026-02-30T07:00' }), 400, 'không hợp lệ');
    await bad(
      'u-noc',
      { ...once(), kind: 'recurring', start_local: '25:00', duration_min: 60 },
      400,
      'HH:MM',
    );
    await bad('u-noc', { ...once(), kind: 'recurring', start_local: '07:00' }, 400, 'thời lượng');
    await bad(
      'u-tech',
      once({ scope: { kind: 'site', value: 'huyen-ba-be' } }),
      403,
      'không do mình phụ trách',
    );
    await bad('u-tech', once({ scope: { kind: 'district', value: 'ba-be' } }), 403, 'cả huyện');
    await bad('u-viewer', once(), 403, '');
    // a technician plans for a device of their own site
    const own = await api.call(
      'u-tech',
      'POST',
      '/maintenance-plans',
      once({ scope: { kind: 'device', value: 'xa-bang-thanh-codec' } }),
    );
    expect(own.status).toBe(201);
    expect(own.json.sites).toEqual(['xa-bang-thanh']);
    // a recurring plan: Saturdays 07:00 for 2 hours, its next windows listed
    const weekly = await api.call('u-noc', 'POST', '/maintenance-plans', {
      ...once({ scope: { kind: 'tier', value: 'commune' } }),
      kind: 'recurring',
      starts_at: '2026-03-02',
      ends_at: null,
      weekdays: [6],
      start_local: '07:00',
      duration_min: 120,
    });
    expect(weekly.status, JSON.stringify(weekly.json)).toBe(201);
    expect(weekly.json.windows.slice(0, 2)).toEqual([
      { from: parseLocalTime('2026-03-07T07:00'), to: parseLocalTime('2026-03-07T09:00') },
      { from: parseLocalTime('2026-03-14T07:00'), to: parseLocalTime('2026-03-14T09:00') },
    ]);
    const r = await api.call('u-tech', 'PATCH', `/maintenance-plans/${weekly.json.id}`, { cancelled: true });
    expect(r.status).toBe(403);
  });

  it('logs maintenance done, planned or not, and filters the log by device', async () => {
    const { api } = await setup();
    const plan = (await api.call('u-noc', 'POST', '/maintenance-plans', once())).json;
    const log = (user: string, body: object) => api.call(user, 'POST', '/maintenance-log', body);
    const codec = await log('u-tech', {
      plan_id: plan.id,
      at: '2026-03-10T08:30',
      devices: ['xa-bang-thanh-codec'],
      done: 'Cập nhật firmware codec',
      findings: 'Quạt tản nhiệt kêu',
      parts: 'Quạt 40 mm',
      by_person: 'kt-xa-bang-thanh',
    });
    expect(codec.status, JSON.stringify(codec.json)).toBe(201);
    expect(codec.json).toMatchObject({
      site: 'xa-bang-thanh',
      devices: ['xa-bang-thanh-codec'],
      plan_id: plan.id,
      by: 'Cán bộ kỹ thuật UBND xã Bằng Thành',
      at: parseLocalTime('2026-03-10T08:30'),
    });
    const ups = await log('u-noc', {
      at: '2026-03-11T09:00',
      devices: ['xa-bang-thanh-ups'],
      done: 'Thay ắc quy',
      by_text: 'Điện lực Pác Nặm',
    });
    expect(ups.status).toBe(201);
    const site = await log('u-noc', {
      at: '2026-03-12T09:00',
      site: 'xa-bang-thanh',
      done: 'Vệ sinh phòng họp, kiểm tra cáp',
      by_text: 'NOC',
    });
    expect(site.status).toBe(201);
    const other = await log('u-noc', {
      at: '2026-03-12T10:00',
      site: 'huyen-ba-be',
      done: 'Kiểm tra định kỳ',
      by_text: 'NOC',
    });
    expect(other.status).toBe(201);

    const byDevice = await api.call('u-viewer', 'GET', '/maintenance-log?device=xa-bang-thanh-codec');
    expect(byDevice.json.items.map((e: Json) => e.id)).toEqual([site.json.id, codec.json.id]);
    const bySite = await api.call('u-viewer', 'GET', '/maintenance-log?site=xa-bang-thanh&from=2026-03-11');
    expect(bySite.json.items.map((e: Json) => e.id)).toEqual([site.json.id, ups.json.id]);
    const detail = await api.call('u-host', 'GET', `/maintenance-plans/${plan.id}`);
    expect(detail.json.log.map((e: Json) => e.id)).toEqual([codec.json.id]);

    const refused = async (user: string, body: object, status: number, text: string) => {
      const r = await log(user, body);
      expect(r.status, JSON.stringify(r.json)).toBe(status);
      expect(r.json.error.message).toContain(text);
    };
    await refused('u-tech', { site: 'huyen-ba-be', done: 'x' }, 403, 'không do mình phụ trách');
    await refused(
      'u-noc',
      { devices: ['khong-co-codec'], done: 'x' },
      400,
      'thiết bị "khong-co-codec" không có',
    );
    await refused(
      'u-noc',
      { site: 'huyen-ba-be', devices: ['xa-bang-thanh-codec'], done: 'x' },
      400,
      'thuộc điểm cầu "xa-bang-thanh"',
    );
    await refused('u-noc', { done: 'x' }, 400, 'cần điểm cầu hoặc thiết bị');
    await refused('u-noc', { site: 'xa-bang-thanh', done: '' }, 400, 'việc đã làm');
    await refused('u-host', { site: 'xa-bang-thanh', done: 'x' }, 403, '');
    const q = await api.call('u-noc', 'GET', '/maintenance-log?device=khong-co');
    expect(q.status).toBe(400);
    expect(q.json.error.message).toContain('không có trong danh mục');
  });
});
