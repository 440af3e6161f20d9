// The six-month report counts meetings held, never registrations: real bus, observed calls, state DB.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReportsConfig } from '../config/config.ts';
import type { CallEvent } from '../meetings/observed.ts';
import { parseLocalTime, viDate } from '../meetings/time.ts';
import { documentXml, pdfText, wordTables, xmlText } from '../test/helpers/documents.ts';
import { type World, world } from '../test/helpers/world.ts';
import { documentCsv } from './csv.ts';
import { documentHtml } from './document-html.ts';
import { periodDocument } from './documents.ts';
import { documentDocx } from './docx.ts';
import { officeFrom } from './files.ts';
import { periodBounds, periodReport } from './index.ts';
import { HELD_KINDS } from './logbook.ts';
import { htmlToPdf } from './pdf.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (d: string) => parseLocalTime(d)!;
let w: World;
beforeEach(async () => {
  w = await world(at('2026-01-02T07:00'));
});
afterEach(() => w.stop());

function reg(title: string, start: string, sites: string[], extra: object = {}) {
  return w.meetings.register(
    { title, host_org: 'vp-ubnd-tinh', start: at(start), end: at(start) + HOUR, sites, ...extra },
    'u-host',
  ).meeting;
}

/** the MCU's ports of `sites` up from `start` for `minutes`, then down */
function connect(sites: string[], start: number, minutes: number): void {
  w.clock.t = start - 10_000;
  w.drive(minutes * 60, (t) => sites.map((s) => w.fleet.mcuPort(s, t, 1)));
  w.drive(60, (t) => sites.map((s) => w.fleet.mcuPort(s, t, 0)));
}

describe('the logbook of meetings held', () => {
  it('counts what took place: not a future, cancelled or never-connected registration; unregistered calls flagged and counted', async () => {
    const held = reg('Giao ban quý I', '2026-01-10T08:00', ['tinh-uy', 'huyen-ba-be', 'xa-bang-thanh']);
    const emergency = reg('Phòng chống rét', '2026-01-04T14:00', ['tinh-uy', 'huyen-na-ri'], {
      emergency: true,
      emergency_reason: 'Rét đậm, rét hại',
    });
    const cancelled = reg('Họp hoãn', '2026-02-03T08:00', ['tinh-uy']);
    w.meetings.cancel(cancelled.id, 'u-noc', 'Hoãn');
    const silent = reg('Không ai kết nối', '2026-02-10T08:00', ['huyen-ba-be']);
    const events: CallEvent[] = [];
    w.calls.onEvent((e) => events.push(e));

    connect(['tinh-uy', 'huyen-na-ri'], emergency.start, 50);
    connect(['tinh-uy', 'huyen-ba-be', 'xa-bang-thanh'], held.start + 2 * MIN, 60);
    // a central meeting with Bắc Kạn sites as branches, nobody registered it
    connect(['tinh-uy', 'huyen-cho-don'], at('2026-03-05T09:00'), 90);
    // a commune hall dialled in on its own
    connect(['xa-boc-bo'], at('2026-03-20T15:00'), 20);
    expect(events.filter((e) => e.kind === 'call_started')).toHaveLength(2);

    // classify the first as central; the second stays unregistered
    const central = w.calls.list({ kind: 'unregistered' })[0]!;
    w.calls.classify(
      central.id,
      { kind: 'central', title: 'Hội nghị trực tuyến toàn quốc' },
      'u-noc',
      w.clock.t,
    );

    // "today" is 30/06 16:56; a meeting registered for 17:00 today has not happened
    w.clock.t = at('2026-06-30T16:56');
    const soon = reg('Họp cuối kỳ', '2026-06-30T17:00', ['tinh-uy'], {
      emergency: true,
      emergency_reason: 'Gấp',
    });

    const { from, to } = periodBounds('six-month', '2026-01-01');
    const r = await periodReport(w.reportDeps(), 'six-month', from, to);
    const mt = r.meetings;
    expect(mt.partial).toBe(true);
    expect(mt.counted_until).toBe(w.clock.t);
    expect(mt.logbook.map((x) => [x.kind, x.title])).toEqual([
      ['emergency', 'Phòng chống rét'],
      ['registered', 'Giao ban quý I'],
      ['central', 'Hội nghị trực tuyến toàn quốc'],
      ['unregistered', 'Cuộc gọi chưa đăng ký'],
    ]);
    expect(mt.logbook.map((x) => x.meeting_id)).not.toContain(soon.id);
    expect(mt.total).toBe(4);
    expect(mt.by_kind).toMatchObject({
      registered: 1,
      emergency: 1,
      unregistered: 1,
      central: 1,
      district_hosted: 0,
    });
    expect(mt.emergency).toBe(1);
    expect(mt.cancelled).toBe(1);
    expect(mt.not_observed).toBe(1);
    expect(mt.not_held.map((x) => [x.meeting_id, x.reason])).toEqual([
      [cancelled.id, 'cancelled'],
      [silent.id, 'not_observed'],
    ]);
    expect(mt.upcoming).toBe(1);
    // as held: the meeting of 10/01 began when its sites connected, 2 minutes late, and lasted an hour
    const q1 = mt.logbook[1]!;
    expect([q1.start - held.start, q1.minutes]).toEqual([2 * MIN, 60]);
    expect(q1.sites).toEqual({ province: 1, district: 1, commune: 1, total: 3 });
    expect(mt.logbook[3]!.sites).toEqual({ province: 0, district: 0, commune: 1, total: 1 });

    // the totals are the sum of the rows
    expect(mt.total).toBe(mt.logbook.length);
    expect(HELD_KINDS.reduce((a, k) => a + mt.by_kind[k], 0)).toBe(mt.logbook.length);
    expect(mt.by_host.reduce((a, h) => a + h.count, 0)).toBe(mt.logbook.length);
    expect(mt.by_month.reduce((a, h) => a + h.count, 0)).toBe(mt.logbook.length);
    for (const tier of ['province', 'district', 'commune'] as const) {
      const t = mt.by_tier.find((x) => x.tier === tier)!;
      expect(t.site_sessions).toBe(mt.logbook.reduce((a, x) => a + x.sites[tier], 0));
      expect(t.meetings).toBe(mt.logbook.filter((x) => x.sites[tier] > 0).length);
    }
    expect(mt.minutes).toBe(mt.logbook.reduce((a, x) => a + x.minutes, 0));

    // the filed document: the logbook table in Word, the same meeting rows in the PDF, the CSV
    const doc = periodDocument(r, officeFrom(ReportsConfig.parse({})), 'vi', { number: 7 });
    const xml = documentXml(await documentDocx(doc));
    const text = xmlText(xml);
    expect(text).toContain('Số liệu tính đến 16:56 ngày 30/06/2026 (kỳ báo cáo chưa kết thúc).');
    expect(text).toContain('Tổng số cuộc họp đã diễn ra trên hệ thống: 4,');
    const book = wordTables(xml).find((t) => t[0]!.startsWith('STT Ngày Bắt đầu'))!;
    expect(book).toHaveLength(1 + 4 + 1);
    expect(book[1]).toContain('Phòng chống rét');
    expect(book.at(-1)).toContain('4 cuộc họp');
    // in the PDF's layout each meeting is a line "N  dd/mm/yyyy  hh:mm  hh:mm  host  title …"
    const pdf = pdfText(await htmlToPdf(documentHtml(doc)), { layout: true });
    const section = pdf.slice(pdf.indexOf('Nhật ký cuộc họp đã tổ chức'));
    const rows = [...section.matchAll(/^\s*(\d+)\s+(\d{2}\/\d{2}\/\d{4})\s+\d{2}:\d{2}/gm)].map((m) => [
      Number(m[1]),
      m[2],
    ]);
    expect(rows).toEqual(mt.logbook.map((x, i) => [i + 1, viDate(x.start)]));
    const csv = documentCsv(doc, 'nhat-ky')!.slice(1).trimEnd().split('\r\n');
    expect(csv).toHaveLength(1 + 4 + 1);
    expect(csv[3]).toContain('Hội nghị trực tuyến toàn quốc');
    expect(csv[3]).toContain('Trung ương chủ trì');
  });
});
