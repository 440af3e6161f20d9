// The six-month and yearly reports list the feedback of their period with the NOC's answers
// (Điều 11.4, 15.2): filed and answered through the API, the report built by the real report code
// and read back from its Word file and its printable page.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { feedbackRoutes } from '../api/routes/feedback.ts';
import { parseLocalTime } from '../meetings/time.ts';
import { wordTables } from '../test/helpers/documents.ts';
import type { TestApi } from '../test/helpers/meetings-api.ts';
import { reportApi, reportDocx } from '../test/helpers/report-api.ts';
import { type World, world } from '../test/helpers/world.ts';

let w: World;
let api: TestApi;
beforeEach(async () => {
  w = await world(parseLocalTime('2026-03-02T08:00')!);
  api = await reportApi(w, (deps) => [feedbackRoutes(deps, { now: w.clock.now })], [
    ['u-noc', 'noc', {}],
    ['u-host', 'host', { org: 'vp-ubnd-tinh' }],
    ['u-tech', 'technician', { sites: ['xa-bang-thanh'] }],
  ]);
});
afterEach(() => w.stop());

const DIFFICULTY = 'Phòng họp thiếu điều hòa, thiết bị quá nhiệt vào mùa hè.';
const ANSWER = 'Sở sẽ đề xuất bổ sung kinh phí lắp điều hòa trong dự toán năm 2027.';
const PROPOSAL = 'Đề nghị tổ chức tập huấn vận hành codec cho cán bộ xã.';

describe('feedback in the period reports', () => {
  it("the yearly report lists a host's difficulty with the NOC's answer, and one still awaiting an answer", async () => {
    const filed = await api.call('u-host', 'POST', '/feedback', {
      kind: 'difficulty',
      category: 'room',
      text: DIFFICULTY,
    });
    expect(filed.status).toBe(201);
    w.clock.t += 86_400_000;
    expect(
      (await api.call('u-noc', 'POST', `/feedback/${filed.json.id}/answer`, { text: ANSWER })).status,
    ).toBe(200);
    w.clock.t += 86_400_000;
    const other = await api.call('u-tech', 'POST', '/feedback', {
      kind: 'proposal',
      category: 'training',
      site: 'xa-bang-thanh',
      text: PROPOSAL,
    });
    expect(other.status).toBe(201);

    const json = await api.call('u-noc', 'GET', '/reports/yearly?year=2026');
    expect(json.json.feedback).toMatchObject({ total: 2, answered: 1 });
    expect(json.json.feedback.items[0]).toMatchObject({ from: 'Văn phòng UBND tỉnh', answer: ANSWER });

    const { xml, text } = await reportDocx(api, 'u-noc', '/reports/yearly?year=2026&format=docx');
    expect(text).toContain('Khó khăn, vướng mắc và đề xuất, kiến nghị của các đơn vị (Điều 11.4, 15.2)');
    expect(text).toContain('gửi 2 ý kiến');
    const table = wordTables(xml).find((t) => t[0]!.includes('Trả lời của Trung tâm'))!;
    expect(table).toHaveLength(3);
    expect(table[1]).toContain('Văn phòng UBND tỉnh');
    expect(table[1]).toContain(DIFFICULTY);
    expect(table[1]).toContain(ANSWER);
    expect(table[1]).toContain('Khó khăn, vướng mắc; phòng họp');
    expect(table[2]).toContain('u-tech (Hội trường UBND xã Bằng Thành)');
    expect(table[2]).toContain('Chờ trả lời');

    const html = await (await api.request('u-noc', 'GET', '/reports/yearly?year=2026&format=html')).text();
    expect(html).toContain(DIFFICULTY);
    expect(html).toContain(ANSWER);
    // the second half of the year has none of it
    const later = await api.call('u-noc', 'GET', '/reports/six-month?from=2026-07-01');
    expect(later.json.feedback).toEqual({ total: 0, answered: 0, items: [] });
  });
});
