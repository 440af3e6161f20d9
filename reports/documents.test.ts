// The reports as documents an office files (Nghị định 30/2020): real reports from the state database and
// the metrics store, rendered to Word (parsed back from word/document.xml with unzip), PDF (printed by
// the real Chromium, read back with pdftotext), CSV (read back) and the printable page.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReportsConfig } from '../config/config.ts';
import type { Sample } from '../core/bus.ts';
import { parseLocalTime } from '../meetings/time.ts';
import { documentXml, pdfText, rowNumbers, wordTables, xmlText } from '../test/helpers/documents.ts';
import { type World, world } from '../test/helpers/world.ts';
import { CSV_BOM, documentCsv } from './csv.ts';
import { type AdminDocument, dateLine, tables } from './document.ts';
import { documentHtml } from './document-html.ts';
import { meetingDocument, periodDocument } from './documents.ts';
import { documentDocx } from './docx.ts';
import { asciiName, contentDisposition, officeFrom } from './files.ts';
import { meetingReport, periodBounds, periodReport } from './index.ts';
import { documentNumber } from './numbering.ts';
import { htmlToPdf } from './pdf.ts';

const HOUR = 3600_000;

let w: World;
beforeEach(async () => {
  w = await world(parseLocalTime('2026-01-02T07:00')!);
});
afterEach(() => w.stop());

const office = officeFrom(
  ReportsConfig.parse({
    signer: { authority: 'KT. GIÁM ĐỐC', title: 'PHÓ GIÁM ĐỐC', name: 'Hoàng Văn Thái' },
    recipients: ['Như trên;', 'Lãnh đạo Sở;', 'Lưu: VT, BCVT-CNTT.'],
  }),
);

async function meetingHeld() {
  const start = parseLocalTime('2026-01-06T08:00')!;
  const m = w.meetings.register(
    {
      title: 'Giao ban trực tuyến quý I & triển khai nhiệm vụ',
      host_org: 'vp-ubnd-tinh',
      start,
      end: start + HOUR,
      sites: ['tinh-uy', 'huyen-ba-be', 'xa-bang-thanh'],
    },
    'u-host',
  ).meeting;
  w.clock.t = start - 60_000;
  w.drive(HOUR / 1000 + 60, (t) => {
    const out: Sample[] = [
      ...w.fleet.healthy('tinh-uy', t),
      ...w.fleet.healthy('huyen-ba-be', t, { probe: { loss_pct: 1.5 } }),
      ...w.fleet.healthy('xa-bang-thanh', t, { codec: { in_call: 0 }, mcu: 0 }),
    ];
    return out;
  });
  await w.store.flush();
  w.clock.t = start + 2 * HOUR;
  return { m, report: await meetingReport(w.reportDeps(), m.id) };
}

describe('the post-meeting report as a filed document', () => {
  it('is a Word document with every part Nghị định 30 asks for, Vietnamese only', async () => {
    const { report } = await meetingHeld();
    const issued = documentNumber(w.rt.state, 'auto', `meeting/${report.meeting.id}`, w.clock.t);
    const doc = meetingDocument(report, office, 'vi', issued);
    const xml = documentXml(await documentDocx(doc));
    const text = xmlText(xml);
    // A4, margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(xml).toMatch(/<w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701"/);
    expect(xml).toContain('w:ascii="Times New Roman"');
    for (const part of [
      'UBND TỈNH BẮC KẠN',
      'SỞ THÔNG TIN VÀ TRUYỀN THÔNG',
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'Số: 1/BC-STTTT',
      'Bắc Kạn, ngày 06 tháng 01 năm 2026',
      'BÁO CÁO',
      'Kết quả tổ chức hội nghị truyền hình trực tuyến “Giao ban trực tuyến quý I & triển khai nhiệm vụ” ngày 06/01/2026',
      'Kính gửi: Ủy ban nhân dân tỉnh Bắc Kạn',
      'Nơi nhận:',
      '- Như trên;',
      '- Lưu: VT, BCVT-CNTT.',
      'KT. GIÁM ĐỐC',
      'PHÓ GIÁM ĐỐC',
      'Hoàng Văn Thái',
    ])
      expect(text).toContain(part);
    // the header and the signature block are borderless two-column tables around the body's tables
    const tbls = wordTables(xml);
    expect(tbls[0]![0]).toContain('UBND TỈNH BẮC KẠN');
    expect(tbls.at(-1)![0]).toContain('Nơi nhận:');
    const sites = tbls.find((t) => t[0]!.startsWith('STT Điểm cầu Tham dự'))!;
    // header, one row per site, the totals
    expect(sites).toHaveLength(1 + report.sites.length + 1);
    for (const s of report.sites) expect(sites.some((r) => r.includes(s.name))).toBe(true);
    expect(sites.at(-1)).toMatch(/^Tổng cộng/);
    // the filed version carries no English
    for (const en of ['Site', 'Attendance', 'Total', 'REPORT', 'Recipients']) expect(text).not.toContain(en);

    // the same document keeps its number and date; the next one gets the next number
    expect(
      documentNumber(w.rt.state, 'auto', `meeting/${report.meeting.id}`, w.clock.t + 86_400_000),
    ).toEqual(issued);
    expect(documentNumber(w.rt.state, 'auto', 'six-month/2026-01-01', w.clock.t).number).toBe(2);
    // a new year starts again at 1; blank numbering leaves the line for the clerk
    expect(
      documentNumber(w.rt.state, 'auto', 'yearly/2027-01-01', parseLocalTime('2028-01-01T09:00')!).number,
    ).toBe(1);
    const blank = meetingDocument(report, office, 'vi', documentNumber(w.rt.state, 'blank', 'x', w.clock.t));
    expect(xmlText(documentXml(await documentDocx(blank)))).toMatch(/Số: {8}\/BC-STTTT/);
  });

  it('has a separate English rendering', async () => {
    const { report } = await meetingHeld();
    const text = xmlText(documentXml(await documentDocx(meetingDocument(report, office, 'en'))));
    expect(text).toContain('SOCIALIST REPUBLIC OF VIETNAM');
    expect(text).toContain('Independence - Freedom - Happiness');
    expect(text).toContain('Bắc Kạn, 6 January 2026');
    expect(text).toContain("To: Bắc Kạn Provincial People's Committee");
    expect(text).toContain('Recipients:');
    expect(text).not.toContain('Kính gửi');
    expect(text).not.toContain('CỘNG HÒA');
  });

  it('prints to PDF with Chromium, with every row of the site table', async () => {
    const { report } = await meetingHeld();
    const doc = meetingDocument(report, office, 'vi', { number: 12 });
    const pdf = await htmlToPdf(documentHtml(doc));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toContain('Số: 12/BC-STTTT');
    expect(text).toContain('Bắc Kạn, ngày 06 tháng 01 năm 2026');
    expect(text).toContain('Nơi nhận:');
    expect(rowNumbers(text, 'Kết nối và chất lượng theo điểm cầu')).toEqual(
      report.sites.map((_, i) => i + 1),
    );
  });

  it('gives its tables as CSV that Excel opens with Vietnamese intact', async () => {
    const { report } = await meetingHeld();
    const doc = meetingDocument(report, office, 'vi');
    const csv = documentCsv(doc, 'diem-cau')!;
    expect(csv.startsWith(CSV_BOM)).toBe(true);
    // round trip through bytes: UTF-8 with the BOM (EF BB BF)
    const bytes = Buffer.from(csv, 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'STT;Điểm cầu;Tham dự;Vào lúc;Rời lúc;Số phút kết nối;Số phút không có số liệu;Số lần rớt;Mất gói TB (%);Trễ khứ hồi TB (ms);MOS',
    );
    expect(lines).toHaveLength(1 + report.sites.length + 1);
    const hall = lines.find((l) => l.includes('Hội trường UBND huyện Ba Bể'))!.split(';');
    // numbers bare, with the Vietnamese decimal comma: Excel in vi-VN sums them
    expect(hall[8]).toMatch(/^\d+,\d{2}$/);
    expect(lines.at(-1)).toMatch(/^;Tổng cộng;/);
    // every table at once, each under its caption; an unknown table is null
    expect(documentCsv(doc)).toContain('BÁO CÁO Kết quả tổ chức hội nghị');
    expect(documentCsv(doc, 'nope')).toBeNull();
    // the English rendering is comma-separated with decimal points
    const en = documentCsv(meetingDocument(report, office, 'en'), 'diem-cau')!;
    expect(en.split('\r\n')[0]).toBe(
      `${CSV_BOM}No.,Site,Attendance,Joined,Left,Minutes connected,Minutes without data,Drops,Mean loss (%),Mean RTT (ms),MOS`,
    );
  });
});

describe('the six-month and yearly reports as filed documents', () => {
  it('six-month: title, period, the tables in Word and the same rows in the PDF', async () => {
    w.clock.t = parseLocalTime('2026-07-01T09:00')!;
    const { from, to } = periodBounds('six-month', '2026-01-01');
    const r = await periodReport(w.reportDeps(), 'six-month', from, to);
    const doc: AdminDocument = periodDocument(r, office, 'vi', { number: 5, date: w.clock.t });
    expect(dateLine(doc)).toBe('Bắc Kạn, ngày 01 tháng 7 năm 2026');
    const xml = documentXml(await documentDocx(doc));
    const text = xmlText(xml);
    expect(text).toContain(
      'Định kỳ 06 tháng đầu năm 2026 về sử dụng hệ thống hội nghị truyền hình trực tuyến',
    );
    expect(text).toContain('(Từ ngày 01/01/2026 đến hết ngày 30/06/2026)');
    expect(text).toContain('Số: 5/BC-STTTT');
    const sites = tables(doc).find((t) => t.id === 'san-sang')!;
    expect(sites.rows).toHaveLength(r.availability.sites.length);
    const wordSites = wordTables(xml).find((t) => t[0]!.startsWith('STT Điểm cầu Cấp'))!;
    expect(wordSites).toHaveLength(1 + sites.rows.length);

    const pdfStarted = Date.now();
    const pdf = await htmlToPdf(documentHtml(doc));
    const pdfMs = Date.now() - pdfStarted;
    // Chromium may put a row split by a page break out of order in the text: compare as sets
    const pdfRows = rowNumbers(pdfText(pdf), 'Tỷ lệ sẵn sàng theo điểm cầu').sort((a, b) => a - b);
    expect(pdfRows).toEqual(sites.rows.map((_, i) => i + 1));
    console.log(`six-month PDF: ${r.availability.sites.length} site rows, ${pdf.length} bytes, ${pdfMs} ms`);
  });

  it('yearly: titled for the year, citing Điều 11.3', async () => {
    w.clock.t = parseLocalTime('2027-01-01T09:00')!;
    const { from, to } = periodBounds('yearly', '2026-01-01');
    const r = await periodReport(w.reportDeps(), 'yearly', from, to);
    const text = xmlText(documentXml(await documentDocx(periodDocument(r, office, 'vi'))));
    expect(text).toContain(
      'Tình hình quản lý, vận hành và sử dụng hệ thống hội nghị truyền hình trực tuyến năm 2026',
    );
    expect(text).toContain('Thực hiện Điều 11.3 Quy chế');
  });
});

describe('files', () => {
  it('names them in Vietnamese with an ASCII fallback', () => {
    expect(asciiName('Báo cáo 06 tháng 2026-01-01.docx')).toBe('Bao-cao-06-thang-2026-01-01.docx');
    expect(asciiName('Báo cáo năm 2026 (đơn vị).pdf')).toBe('Bao-cao-nam-2026-don-vi.pdf');
    expect(contentDisposition('Báo cáo năm 2026.docx')).toBe(
      `attachment; filename="Bao-cao-nam-2026.docx"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20n%C4%83m%202026.docx`,
    );
  });

  it('says clearly when Chromium is missing', async () => {
    await expect(htmlToPdf('<p>x</p>', { chromium: '/nonexistent/chromium' })).rejects.toThrow(
      /Chromium not found at \/nonexistent\/chromium/,
    );
  });
});
