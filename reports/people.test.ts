// The six-month and yearly reports list the site technicians replaced and the trainings held in their
// period (Điều 10, 13.2): changed through the API, the report built by the real report code and read
// back from its JSON, its Word file and its printable page.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { peopleRoutes } from '../api/routes/people.ts';
import { parseLocalTime } from '../meetings/time.ts';
import { wordTables } from '../test/helpers/documents.ts';
import type { TestApi } from '../test/helpers/meetings-api.ts';
import { reportApi, reportDocx } from '../test/helpers/report-api.ts';
import { type World, world } from '../test/helpers/world.ts';

let w: World;
let api: TestApi;
beforeEach(async () => {
  w = await world(parseLocalTime('2026-03-02T08:00')!);
  api = await reportApi(w, (deps) => [peopleRoutes(deps)], [['u-noc', 'noc', {}]]);
});
afterEach(() => w.stop());

describe('technician changes and trainings in the period reports', () => {
  it('the six-month report lists a replacement and a training of its half, the next half neither', async () => {
    w.clock.t = parseLocalTime('2026-03-10T09:00')!;
    const r = await api.call('u-noc', 'POST', '/sites/xa-bang-thanh/technician', {
      person: 'kt-xa-phuc-loc',
      reason: 'Cán bộ cũ nghỉ thai sản',
      from: '2026-03-09T07:30',
    });
    expect(r.status).toBe(200);
    const t = await api.call('u-noc', 'POST', '/people/kt-xa-phuc-loc/trainings', {
      course: 'Vận hành thiết bị hội nghị truyền hình',
      date: '2026-04-15',
      provider: 'Sở Thông tin và Truyền thông',
    });
    expect(t.status).toBe(201);
    // a training in the second half: not in the first half's report
    await api.call('u-noc', 'POST', '/people/kt-xa-bang-thanh/trainings', {
      course: 'An toàn điện',
      date: '2026-07-01',
    });

    const json = await api.call('u-noc', 'GET', '/reports/six-month?from=2026-01-01');
    expect(json.json.people.technician_changes).toEqual([
      {
        site: 'xa-bang-thanh',
        site_name: 'Hội trường UBND xã Bằng Thành',
        previous: 'kt-xa-bang-thanh',
        previous_name: 'Cán bộ kỹ thuật UBND xã Bằng Thành',
        person: 'kt-xa-phuc-loc',
        person_name: 'Cán bộ kỹ thuật UBND xã Phúc Lộc',
        from: parseLocalTime('2026-03-09T07:30'),
        reason: 'Cán bộ cũ nghỉ thai sản',
        by: 'u-noc',
      },
    ]);
    expect(json.json.people.trainings).toHaveLength(1);

    const { xml, text } = await reportDocx(api, 'u-noc', '/reports/six-month?from=2026-01-01&format=docx');
    expect(text).toContain('Cán bộ kỹ thuật điểm cầu: thay đổi và tập huấn (Điều 10, khoản 2 Điều 13)');
    expect(text).toContain('thay cán bộ kỹ thuật tại 1 lượt điểm cầu');
    const changes = wordTables(xml).find((x) => x[0]!.includes('Cán bộ mới'))!;
    expect(changes).toHaveLength(2);
    expect(changes[1]).toBe(
      [
        '1',
        'Hội trường UBND xã Bằng Thành',
        'Cán bộ kỹ thuật UBND xã Bằng Thành',
        'Cán bộ kỹ thuật UBND xã Phúc Lộc',
        '07:30 ngày 09/03/2026',
        'Cán bộ cũ nghỉ thai sản',
      ].join(' '),
    );
    const trainings = wordTables(xml).find((x) => x[0]!.includes('Khóa tập huấn'))!;
    expect(trainings[1]).toBe(
      [
        '1',
        '15/04/2026',
        'Cán bộ kỹ thuật UBND xã Phúc Lộc',
        'Vận hành thiết bị hội nghị truyền hình',
        'Sở Thông tin và Truyền thông',
      ].join(' '),
    );
    const html = await (
      await api.request('u-noc', 'GET', '/reports/six-month?from=2026-01-01&format=html')
    ).text();
    expect(html).toContain('Cán bộ cũ nghỉ thai sản');

    const later = await api.call('u-noc', 'GET', '/reports/six-month?from=2026-07-01');
    expect(later.json.people.technician_changes).toEqual([]);
    expect(later.json.people.trainings.map((x: { course: string }) => x.course)).toEqual(['An toàn điện']);
    const { text: laterDoc } = await reportDocx(
      api,
      'u-noc',
      '/reports/six-month?from=2026-07-01&format=docx',
    );
    expect(laterDoc).toContain('Trong kỳ không thay cán bộ kỹ thuật điểm cầu nào.');
  });
});
