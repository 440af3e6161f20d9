// diemcau report: the regulation's reports from the command line, as JSON, printable HTML or the filed document (Word, PDF, CSV).
//   diemcau report six-month --from 2026-01-01 [--html] [-o FILE]
//   diemcau report yearly --year 2026
//   diemcau report meeting ID
//   diemcau report period --from 2026-01-01 --to 2026-03-31
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import { log } from '../core/log.ts';
import { localParts } from '../core/time.ts';
import { FeedbackStore } from '../feedback/store.ts';
import { loadInventory } from '../inventory/load.ts';
import { maintenanceRecords } from '../maintenance/records.ts';
import { IncidentLog } from '../meetings/incidents.ts';
import { CallLog } from '../meetings/observed.ts';
import { Readiness } from '../meetings/readiness.ts';
import { DbMeetings } from '../meetings/store.ts';
import { parseLocalTime } from '../meetings/time.ts';
import { directoryFor } from '../people/directory.ts';
import { createMetricsStore } from '../storage/metrics/index.ts';
import { openStateDb } from '../storage/state-db.ts';
import type { AdminDocument } from './document.ts';
import { documentHtml } from './document-html.ts';
import { meetingDocument, periodDocument } from './documents.ts';
import { officeFrom, renderFile } from './files.ts';
import { dbEpisodes, meetingReport, periodBounds, periodReport } from './index.ts';
import { documentNumber } from './numbering.ts';

const USAGE = `diemcau report — báo cáo theo Quy chế / the regulation's reports

  diemcau report six-month --from 2026-01-01     báo cáo 06 tháng (Điều 14.1.c)
  diemcau report yearly --year 2026              báo cáo năm (Điều 11.3)
  diemcau report period --from DATE --to DATE    khoảng thời gian tùy chọn (to: không tính / exclusive)
  diemcau report meeting ID                      báo cáo chất lượng sau cuộc họp

Options: --html (trang in được / printable page; default JSON)  -o, --out FILE
         --format json|html|docx|pdf|csv   văn bản Word, PDF, bảng CSV (Nghị định 30/2020) / the filed document
         --lang vi|en        bản tiếng Việt (nộp) hoặc tiếng Anh / Vietnamese (filed) or English
         --table ID          với csv: một bảng / with csv: one table (e.g. diem-cau, theo-thang)
         -c, --config FILE   diemcau.yaml (default ./diemcau.yaml or DIEMCAU_CONFIG)
`;

export async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (e) {
    process.stderr.write(`diemcau report: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const [kind, id] = positionals;
  if (!kind || v.help) {
    process.stdout.write(USAGE);
    return v.help ? 0 : 2;
  }
  const fail = (msg: string) => {
    process.stderr.write(`diemcau report: ${msg}\n`);
    return 2;
  };
  const date = (s: string | undefined, what: string) => {
    const t = s && /^\d{4}-\d{2}-\d{2}$/.test(s) ? parseLocalTime(s) : null;
    if (t === null) throw new Error(`--${what} cần ngày dạng 2026-01-01 / needs a date like 2026-01-01`);
    return t;
  };
  if (!['six-month', 'yearly', 'period', 'meeting'].includes(kind))
    return fail(`không có loại báo cáo "${kind}" / unknown report "${kind}"\n\n${USAGE}`);
  const format = v.format ?? (v.html ? 'html' : 'json');
  if (!['json', 'html', 'docx', 'pdf', 'csv'].includes(format))
    return fail(
      `--format: một trong json, html, docx, pdf, csv / one of json, html, docx, pdf, csv (not "${format}")`,
    );
  const lang = v.lang ?? 'vi';
  if (lang !== 'vi' && lang !== 'en') return fail(`--lang: vi hoặc en / vi or en (not "${lang}")`);
  if ((format === 'docx' || format === 'pdf') && !v.out)
    return fail(`--format ${format} cần --out FILE / needs --out FILE`);

  const config = loadConfig(v.config);
  const inventory = loadInventory(config.inventory);
  const state = openStateDb(join(config.data_dir, 'state.db'));
  // the report goes to stdout: keep routine log lines out of it
  const store = await createMetricsStore({ config, log: log.child({}, { level: 'warn' }) });
  try {
    const meetings = new DbMeetings(state, inventory);
    const incidents = new IncidentLog(state, inventory, meetings);
    const readiness = new Readiness(state, inventory, { meetings, store, alerts: null });
    const calls = new CallLog(state, inventory, meetings);
    const deps = {
      inventory,
      store,
      meetings,
      incidents,
      readiness,
      calls,
      episodes: dbEpisodes(state),
      feedback: new FeedbackStore(state),
      maintenance: maintenanceRecords(state),
      people: directoryFor(state, inventory),
    };
    let json: object;
    // the filed document, its number (numbering: auto) kept per document key; null: not a filed kind
    let document: ((o: { number: number | null; date?: number }) => AdminDocument) | null = null;
    let docKey: string | null = null;
    const office = officeFrom(config.reports);
    if (kind === 'meeting') {
      if (!id) return fail('cần mã cuộc họp / give the meeting id');
      if (!meetings.get(id)) return fail(`không có cuộc họp "${id}" / no meeting "${id}"`);
      const r = await meetingReport(deps, id);
      document = (o) => meetingDocument(r, office, lang, o);
      json = r;
      docKey = `meeting/${id}`;
    } else {
      let from: number;
      let to: number;
      try {
        if (kind === 'period') {
          from = date(v.from, 'from');
          to = date(v.to, 'to');
          if (to <= from) return fail('--to phải sau --from / --to must be after --from');
        } else {
          const start = kind === 'yearly' && v.year && !v.from ? `${v.year}-01-01` : v.from;
          date(start, kind === 'yearly' ? 'year' : 'from');
          ({ from, to } = periodBounds(kind as 'six-month' | 'yearly', start!));
        }
      } catch (e) {
        return fail((e as Error).message);
      }
      const r = await periodReport(deps, kind as 'six-month' | 'yearly' | 'period', from, to);
      document = (o) => periodDocument(r, office, lang, o);
      json = r;
      if (kind !== 'period')
        docKey = `${kind}/${localParts(from).y}-${localParts(from).mo}-${localParts(from).d}`;
    }
    if (format === 'docx' || format === 'pdf' || format === 'csv') {
      const issued =
        docKey && format !== 'csv'
          ? documentNumber(state, config.reports.numbering, docKey, Date.now())
          : { number: null };
      let f: Awaited<ReturnType<typeof renderFile>>;
      try {
        f = await renderFile(document!(issued), format, 'report', {
          chromium: config.reports.chromium,
          table: v.table,
        });
      } catch (e) {
        return fail((e as Error).message);
      }
      if (v.out) {
        writeFileSync(v.out, f.body);
        process.stderr.write(`đã ghi / written: ${v.out}\n`);
      } else process.stdout.write(f.body);
      return 0;
    }
    const text =
      format === 'html' ? documentHtml(document!({ number: null })) : `${JSON.stringify(json, null, 2)}\n`;
    if (v.out) {
      writeFileSync(v.out, text);
      process.stderr.write(`đã ghi / written: ${v.out}\n`);
    } else process.stdout.write(text);
    return 0;
  } finally {
    await store.close();
    state.close();
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      from: { type: 'string' },
      to: { type: 'string' },
      year: { type: 'string' },
      html: { type: 'boolean' },
      format: { type: 'string' },
      lang: { type: 'string' },
      table: { type: 'string' },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
