// The six-month and yearly reports list the maintenance of their period (Điều 11.5, 13.3): plans and
// log entries made through the API, the report built by the real report code and read back from its
// JSON and its Word file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maintenancePlanRoutes } from '../api/routes/maintenance-plans.ts';
import { parseLocalTime } from '../meetings/time.ts';
import { wordTables } from '../test/helpers/documents.ts';
import type { Json, TestApi } from '../test/helpers/meetings-api.ts';
import { reportApi, reportDocx } from '../test/helpers/report-api.ts';
import { type World, world } from '../test/helpers/world.ts';

let w: World;
let api: TestApi;
beforeEach(async () => {
  w = await world(parseLocalTime('2026-03-02T08:00')!);
  api = await reportApi(w, (deps) => [maintenancePlanRoutes(deps, { now: w.clock.now })], [
    ['u-noc', 'noc', {}],
  ]);
});
afterEach(() => w.stop());

describe('maintenance in the period reports', () => {
  it('the six-month report lists the plans of the period and the maintenance done, planned or not', async () => {
    const plan = await api.call('u-noc', 'POST', '/maintenance-plans', {
      kind: 'once',
      scope: { kind: 'site', value: 'xa-bang-thanh' },
      starts_at: '2026-03-10T07:00',
      ends_at: '2026-03-10T11:00',
      work: 'Thay ắc quy UPS',
      by_text: 'Công ty TNHH Kỹ thuật Hưng Thịnh',
    });
    expect(plan.status).toBe(201);
    // Saturdays 07:00 for 2 hours, March only: 4 windows (7, 14, 21, 28 March)
    const weekly = await api.call('u-noc', 'POST', '/maintenance-plans', {
      kind: 'recurring',
      scope: { kind: 'district', value: 'ba-be' },
      starts_at: '2026-03-01',
      ends_at: '2026-04-01',
      weekdays: [6],
      start_local: '07:00',
      duration_min: 120,
      work: 'Kiểm tra định kỳ đường truyền',
      by_person: 'vnpt-truc-1',
    });
    expect(weekly.status).toBe(201);
    const dropped = await api.call('u-noc', 'POST', '/maintenance-plans', {
      kind: 'once',
      scope: { kind: 'device', value: 'huyen-ba-be-codec' },
      starts_at: '2026-04-02T07:00',
      ends_at: '2026-04-02T08:00',
      work: 'Nâng cấp firmware codec',
      by_text: 'NOC',
    });
    await api.call('u-noc', 'PATCH', `/maintenance-plans/${dropped.json.id}`, { cancelled: true });
    const log = (body: object) => api.call('u-noc', 'POST', '/maintenance-log', body);
    expect(
      (
        await log({
          plan_id: plan.json.id,
          at: '2026-03-10T09:00',
          devices: ['xa-bang-thanh-ups'],
          done: 'Thay 2 ắc quy UPS',
          findings: 'Ắc quy phồng',
          parts: 'Ắc quy 12 V 9 Ah × 2',
          by_text: 'Công ty TNHH Kỹ thuật Hưng Thịnh',
        })
      ).status,
    ).toBe(201);
    expect(
      (await log({ at: '2026-04-20T15:00', site: 'huyen-ba-be', done: 'Thay cáp HDMI', by_text: 'NOC' }))
        .status,
    ).toBe(201);
    // outside the period: not listed
    expect(
      (await log({ at: '2026-08-01T09:00', site: 'huyen-ba-be', done: 'Ngoài kỳ', by_text: 'NOC' })).status,
    ).toBe(201);

    const json = (await api.call('u-noc', 'GET', '/reports/six-month?from=2026-01-01')).json;
    expect(json.maintenance.plans.map((x: Json) => [x.work, x.windows, x.cancelled])).toEqual([
      ['Kiểm tra định kỳ đường truyền', 4, false],
      ['Thay ắc quy UPS', 1, false],
      ['Nâng cấp firmware codec', 0, true],
    ]);
    expect(json.maintenance.done.map((x: Json) => x.done)).toEqual(['Thay 2 ắc quy UPS', 'Thay cáp HDMI']);

    const { xml, text } = await reportDocx(api, 'u-noc', '/reports/six-month?from=2026-01-01&format=docx');
    expect(text).toContain('Công tác bảo trì, bảo dưỡng thiết bị (Điều 11.5, 13.3)');
    expect(text).toContain('Trong kỳ có 3 kế hoạch bảo trì (thực hiện 2, hủy 1), với 5 đợt bảo trì.');
    expect(text).toContain(
      'ghi nhận 2 lượt bảo trì, sửa chữa (theo kế hoạch: 1; đột xuất: 1) tại 2 điểm cầu; 1 lượt có thay thế vật tư',
    );
    const plans = wordTables(xml).find((t) => t[0]!.includes('Số đợt trong kỳ'))!;
    expect(plans).toHaveLength(4);
    expect(plans[1]).toContain('Định kỳ thứ Bảy, 07:00, 120 phút');
    expect(plans[1]).toContain('Trực đường truyền VNPT 1');
    expect(plans[3]).toContain('Đã hủy');
    const done = wordTables(xml).find((t) => t[0]!.includes('Vật tư thay thế'))!;
    expect(done[1]).toContain('Ắc quy 12 V 9 Ah × 2');
    expect(done[1]).toContain('xa-bang-thanh-ups');
    expect(done[2]).toContain('Thay cáp HDMI (đột xuất)');
  });
});
