// The filed documents through the HTTP API: format=docx|pdf|csv (and json/html as before), lang=vi|en,
// the right Content-Type and Content-Disposition, 400 with the reason for a bad format; mounted as the
// API server mounts the reports, with real tokens, the state DB, the metrics store and Chromium.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reportRoutes } from '../api/routes/reports.ts';
import { parseLocalTime } from '../meetings/time.ts';
import { type TestApi, testApi, worldDeps } from '../test/helpers/meetings-api.ts';
import { type World, world } from '../test/helpers/world.ts';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
let w: World;
let request: TestApi['request'];

beforeEach(async () => {
  w = await world(parseLocalTime('2026-03-02T08:00')!);
  ({ request } = await testApi(
    w.rt,
    [reportRoutes(worldDeps(w), { readiness: w.readiness, now: w.clock.now })],
    [
      ['u-noc', 'noc', {}],
      ['u-host', 'host', { org: 'vp-ubnd-tinh' }],
    ],
    { openapi: true },
  ));
});
afterEach(() => w.stop());

const get = (user: string | null, path: string) => request(user, 'GET', path);

function docxText(bytes: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-api-docx-'));
  try {
    writeFileSync(join(dir, 'a.docx'), bytes);
    return execFileSync('unzip', ['-p', join(dir, 'a.docx'), 'word/document.xml'], { encoding: 'utf8' })
      .replace(/<\/w:p>/g, '\n')
      .replace(/<[^>]+>/g, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function registerHeld() {
  const start = parseLocalTime('2026-03-10T08:00')!;
  const m = w.meetings.register(
    {
      title: 'Hội nghị sơ kết quý I',
      host_org: 'vp-ubnd-tinh',
      start,
      end: start + 3600_000,
      sites: ['tinh-uy', 'huyen-ba-be'],
    },
    'u-noc',
  ).meeting;
  w.clock.t = start + 2 * 3600_000;
  return m;
}

describe('reports as files through the API', () => {
  it('the post-meeting report as Word, PDF and CSV, Vietnamese and English', async () => {
    const m = registerHeld();
    const docx = await get('u-host', `/reports/meetings/${m.id}?format=docx`);
    expect(docx.status).toBe(200);
    expect(docx.headers.get('content-type')).toBe(DOCX);
    const name = encodeURIComponent(`Báo cáo cuộc họp ${m.id}.docx`);
    expect(docx.headers.get('content-disposition')).toBe(
      `attachment; filename="Bao-cao-cuoc-hop-${m.id}.docx"; filename*=UTF-8''${name}`,
    );
    const text = docxText(Buffer.from(await docx.arrayBuffer()));
    expect(text).toContain('Kết quả tổ chức hội nghị truyền hình trực tuyến “Hội nghị sơ kết quý I”');
    expect(text).toMatch(/Số: {8}\/BC-STTTT/); // numbering: blank (the default)

    const pdf = await get('u-host', `/reports/meetings/${m.id}?format=pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toMatch(
      /^attachment; filename=".*\.pdf"; filename\*=UTF-8''/,
    );
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');

    const csv = await get('u-host', `/reports/meetings/${m.id}?format=csv&table=diem-cau`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent(`Báo cáo cuộc họp ${m.id} diem-cau.csv`)}`,
    );
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('Hội trường UBND huyện Ba Bể');

    const en = await get('u-host', `/reports/meetings/${m.id}?format=docx&lang=en`);
    expect(en.headers.get('content-disposition')).toContain(`filename="Meeting-report-${m.id}-en.docx"`);
    expect(docxText(Buffer.from(await en.arrayBuffer()))).toContain('SOCIALIST REPUBLIC OF VIETNAM');

    // JSON and the printable page as before
    expect((await get('u-host', `/reports/meetings/${m.id}`)).headers.get('content-type')).toMatch(/json/);
    expect(
      (await get('u-host', `/reports/meetings/${m.id}?format=html`)).headers.get('content-type'),
    ).toMatch(/text\/html/);
  });

  it('the six-month, yearly and any-period reports; numbered once with numbering: auto', async () => {
    w.rt.config.reports.numbering = 'auto';
    const six = await get('u-noc', '/reports/six-month?from=2026-01-01&format=docx');
    expect(six.status).toBe(200);
    expect(six.headers.get('content-disposition')).toContain('filename="Bao-cao-06-thang-2026-01-01.docx"');
    const first = docxText(Buffer.from(await six.arrayBuffer()));
    expect(first).toContain('Số: 1/BC-STTTT');
    expect(first).toContain('Định kỳ 06 tháng đầu năm 2026');
    // the same document keeps its number; the yearly report gets the next
    const again = await get('u-noc', '/reports/six-month?from=2026-01-01&format=docx');
    expect(docxText(Buffer.from(await again.arrayBuffer()))).toContain('Số: 1/BC-STTTT');
    const year = await get('u-noc', '/reports/yearly?year=2026&format=docx');
    expect(docxText(Buffer.from(await year.arrayBuffer()))).toContain('Số: 2/BC-STTTT');

    const csv = await get('u-noc', '/reports/yearly?year=2026&format=csv&table=theo-thang');
    expect(csv.status).toBe(200);
    const lines = (await csv.text())
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('Tháng;Số cuộc họp');
    expect(lines).toHaveLength(1 + 12 + 1);
    expect(lines.at(-1)).toMatch(/^Tổng cộng;\d+$/);

    const period = await get('u-noc', '/reports/period?from=2026-03-01&to=2026-03-02&format=pdf');
    expect(period.status).toBe(200);
    expect(period.headers.get('content-disposition')).toContain(
      'filename="Bao-cao-2026-03-01-2026-03-01.pdf"',
    );
  });

  it('refuses a bad format, language or table with the reason; the role first', async () => {
    const m = registerHeld();
    for (const path of [
      `/reports/meetings/${m.id}?format=xlsx`,
      '/reports/six-month?from=2026-01-01&format=doc',
    ]) {
      const r = await get('u-noc', path);
      expect(r.status).toBe(400);
      const body = (await r.json()) as { error: { message: string } };
      expect(body.error.message).toContain('json, html, docx, pdf, csv');
    }
    const lang = await get('u-noc', '/reports/yearly?year=2026&format=docx&lang=fr');
    expect(lang.status).toBe(400);
    expect(((await lang.json()) as { error: { message: string } }).error.message).toContain('vi hoặc en');
    const table = await get('u-noc', '/reports/yearly?year=2026&format=csv&table=khong-co');
    expect(table.status).toBe(400);
    expect(((await table.json()) as { error: { message: string } }).error.message).toContain('theo-thang');
    expect((await get('u-noc', '/reports/yearly?year=2026&format=docx&table=theo-thang')).status).toBe(400);
    // a host may not read the period reports in any format (anonymous callers: api/auth-first.test.ts)
    expect((await get('u-host', '/reports/six-month?from=2026-01-01&format=docx')).status).toBe(403);
  });

  it('documents the formats in the OpenAPI description', async () => {
    const doc = (await (await get('u-noc', '/openapi.json')).json()) as {
      paths: Record<
        string,
        { get: { parameters: { name: string }[]; responses: Record<string, { content: object }> } }
      >;
    };
    const op = doc.paths['/reports/six-month']!.get;
    expect(op.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['format', 'lang', 'table']));
    expect(Object.keys(op.responses['200']!.content)).toEqual(
      expect.arrayContaining([DOCX, 'application/pdf', 'text/csv']),
    );
  });
});
