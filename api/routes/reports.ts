// /api/v1/reports: the post-meeting quality report, the 6-month report (Điều 14.1.c), the yearly report
// (Điều 11.3) and any period — JSON by default; format=html the document as a printable page (the filed layout, lang=vi|en),
// and the document an office files (Nghị định 30/2020) with format=docx|pdf|csv, lang=vi|en.
import { createRoute, z } from '@hono/zod-openapi';
import { FeedbackStore } from '../../feedback/store.ts';
import { maintenanceRecords } from '../../maintenance/records.ts';
import { CallLog } from '../../meetings/observed.ts';
import type { Readiness } from '../../meetings/readiness.ts';
import { isoLocal, parseLocalTime } from '../../meetings/time.ts';
import { directoryFor } from '../../people/directory.ts';
import type { AdminDocument } from '../../reports/document.ts';
import { documentHtml } from '../../reports/document-html.ts';
import { meetingDocument, periodDocument } from '../../reports/documents.ts';
import {
  CONTENT_TYPES,
  contentDisposition,
  FILE_NAMES,
  type FileFormat,
  officeFrom,
  renderFile,
  UnknownTable,
} from '../../reports/files.ts';
import {
  dbEpisodes,
  meetingReport,
  periodBounds,
  periodReport,
  type ReportDeps,
  readinessHtml,
} from '../../reports/index.ts';
import type { LogbookRow, NotHeld } from '../../reports/logbook.ts';
import { documentNumber } from '../../reports/numbering.ts';
import { PdfError } from '../../reports/pdf.ts';
import type { UserRecord } from '../accounts.ts';
import { allow, type Ctx, type Deps, READ_ROLES } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import { ERRORS, NOT_FOUND, roles, SECURITY, subApp } from '../openapi.ts';
import { guard, meetingFor, meetingsParts, QueryTime, readableMeeting } from './meetings.ts';

const Format = z.enum(['json', 'html']).default('json');
/** the reports: also the filed document as Word, PDF or its tables as CSV */
const DocFormat = z
  .enum(['json', 'html', 'docx', 'pdf', 'csv'], {
    error: 'một trong json, html, docx, pdf, csv / one of json, html, docx, pdf, csv',
  })
  .default('json');
type DocFormat = z.infer<typeof DocFormat>;
/** the document's language: vi (the filed version) or en (a separate English rendering) */
const Lang = z.enum(['vi', 'en'], { error: 'vi hoặc en / vi or en' }).default('vi');
/** format=csv: one table of the document by its id (default: every table) */
const CsvTable = z
  .string()
  .regex(/^[a-z0-9-]{1,40}$/, 'mã bảng, ví dụ diem-cau / a table id such as diem-cau')
  .optional();
const DocQuery = { format: DocFormat, lang: Lang, table: CsvTable };
const PERIOD_ROLES = ['admin', 'noc', 'viewer'] as const;
const MAX_PERIOD_MS = 367 * 86400_000;

const LocalDate = z.string().transform((s, ctx) => {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(s) ? parseLocalTime(s) : null;
  if (t === null) {
    ctx.addIssue({
      code: 'custom',
      message: `"${s}" không phải ngày dạng 2026-01-01 / not a date like 2026-01-01`,
    });
    return z.NEVER;
  }
  return s;
});

const report = (description: string) =>
  ({
    200: {
      description,
      content: {
        'application/json': { schema: z.record(z.string(), z.unknown()) },
        'text/html': { schema: z.string() },
      },
    },
    ...ERRORS,
  }) as const;

/** The reports that are also filed documents: Word, PDF and CSV besides JSON and HTML. */
const documentReport = (description: string) =>
  ({
    200: {
      description: `${description}; format=docx|pdf|csv: văn bản theo Nghị định 30/2020 / the filed document (Content-Disposition: attachment)`,
      content: {
        'application/json': { schema: z.record(z.string(), z.unknown()) },
        'text/html': { schema: z.string() },
        [CONTENT_TYPES.docx]: { schema: z.string().openapi({ format: 'binary' }) },
        'application/pdf': { schema: z.string().openapi({ format: 'binary' }) },
        'text/csv': { schema: z.string() },
      },
    },
    ...ERRORS,
  }) as const;

const isFile = (f: DocFormat): f is FileFormat => f === 'docx' || f === 'pdf' || f === 'csv';
/** "2026-03-10" (Bắc Kạn) */
const localDay = (t: number) => isoLocal(t).slice(0, 10);

/** JSON, or the printable page; typed `never` because the route documents both bodies as one 200. */
function send(c: Ctx, format: 'json' | 'html', json: object, html: () => string, file: string): never {
  if (format === 'html')
    return c.body(html(), 200, {
      'content-type': 'text/html; charset=utf-8',
      'content-disposition': `inline; filename="${file}.html"`,
    }) as never;
  return c.json(json, 200) as never;
}

export function reportRoutes(d: Deps, opts: { readiness?: Readiness; now?: () => number } = {}) {
  const parts = meetingsParts(d, opts);
  const settings = d.rt.config.reports;
  const office = officeFrom(settings);
  /** The filed document as a download; the number (numbering: auto) is given once per document key. */
  const sendDocument = async (
    c: Ctx,
    q: { format: FileFormat; lang: 'vi' | 'en'; table?: string | undefined },
    make: (o: { number: number | null; date?: number }) => AdminDocument,
    name: string,
    key: string | null,
  ): Promise<never> => {
    if (q.table !== undefined && q.format !== 'csv')
      throw new ApiFailure(
        400,
        'invalid_request',
        'table chỉ dùng với format=csv / table is for format=csv only',
        [{ path: 'query.table', message: 'chỉ dùng với format=csv / only with format=csv' }],
      );
    const now = (opts.now ?? Date.now)();
    const issued =
      key && q.format !== 'csv' ? documentNumber(d.rt.state, settings.numbering, key, now) : { number: null };
    try {
      const f = await renderFile(make(issued), q.format, name, {
        chromium: settings.chromium,
        table: q.table,
      });
      return c.body(new Uint8Array(f.body), 200, {
        'content-type': f.contentType,
        'content-disposition': contentDisposition(f.filename),
        'cache-control': 'no-store',
      }) as never;
    } catch (err) {
      if (err instanceof UnknownTable)
        throw new ApiFailure(
          400,
          'invalid_request',
          `Không có bảng "${err.table}"; có: ${err.known.join(', ')} / No table "${err.table}"; the document has: ${err.known.join(', ')}`,
          [{ path: 'query.table', message: `one of ${err.known.join(', ')}` }],
        );
      if (err instanceof PdfError)
        throw new ApiFailure(503, 'unavailable', `Không in được PDF / PDF unavailable: ${err.message}`);
      throw err;
    }
  };
  const deps: ReportDeps = {
    inventory: d.rt.inventory,
    store: d.store,
    meetings: parts.meetings,
    incidents: parts.incidents,
    readiness: parts.readiness,
    calls: new CallLog(d.rt.state, d.rt.inventory, parts.meetings),
    episodes: dbEpisodes(d.rt.state),
    feedback: new FeedbackStore(d.rt.state),
    maintenance: maintenanceRecords(d.rt.state),
    people: directoryFor(d.rt.state, d.rt.inventory),
    ...(opts.now && { now: opts.now }),
  };
  const app = subApp();
  /** the logbook's rows with a restricted meeting's title as this user may read it (Điều 14.1.g) */
  const redactPeriod = <R extends { meetings: { logbook: LogbookRow[]; not_held: NotHeld[] } }>(
    user: UserRecord,
    r: R,
  ): R => {
    const title = <T extends { meeting_id: string | null; title: string }>(row: T): T => {
      const m = row.meeting_id ? parts.meetings.get(row.meeting_id) : undefined;
      return m ? { ...row, title: meetingFor(user, m).title } : row;
    };
    return {
      ...r,
      meetings: {
        ...r.meetings,
        logbook: r.meetings.logbook.map(title),
        not_held: r.meetings.not_held.map(title),
      },
    };
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reports/meetings/{id}',
      summary:
        'Báo cáo chất lượng sau cuộc họp: tham dự, mất gói, trễ, MOS, sự cố / post-meeting quality report',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: {
        params: z.object({ id: z.string().min(1).max(100) }),
        query: z.object(DocQuery).strict(),
      },
      responses: { ...documentReport('Báo cáo / the report'), ...NOT_FOUND },
    }),
    async (c) => {
      const a = allow(c, ...READ_ROLES);
      const { id } = c.req.valid('param');
      readableMeeting(parts.meetings, a.user, id);
      const q = c.req.valid('query');
      const full = await guard(() => meetingReport(deps, id));
      // a restricted meeting's title, note and reasons only for those the meetings API shows them to
      const r = { ...full, meeting: { ...full.meeting, ...meetingFor(a.user, full.meeting) } };
      if (isFile(q.format))
        return sendDocument(
          c,
          { ...q, format: q.format },
          (o) => meetingDocument(r, office, q.lang, o),
          FILE_NAMES.meeting(id, q.lang),
          `meeting/${id}`,
        );
      return send(
        c,
        q.format,
        r,
        () => documentHtml(meetingDocument(r, office, q.lang)),
        `bao-cao-cuoc-hop-${id}`,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reports/meetings/{id}/readiness',
      summary: 'Kết quả vận hành thử gần nhất (Điều 7.1.b) / the latest readiness test run',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: {
        params: z.object({ id: z.string().min(1).max(100) }),
        query: z.object({ format: Format }).strict(),
      },
      responses: { ...report('Kết quả / the run'), ...NOT_FOUND },
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const { id } = c.req.valid('param');
      const m = readableMeeting(parts.meetings, a.user, id);
      const run = parts.readiness.runs(id).at(-1);
      if (!run)
        throw new ApiFailure(
          404,
          'not_found',
          'Chưa có lần vận hành thử nào cho cuộc họp này / No readiness test run for this meeting yet',
        );
      const inv = d.rt.inventory;
      const host = inv.organisations.get(m.host_org)?.name ?? m.host_org;
      return send(
        c,
        c.req.valid('query').format,
        run,
        () => readinessHtml(run, { ...m, host_org_name: host }, (s) => inv.sites.get(s)?.name ?? s),
        `van-hanh-thu-${id}`,
      );
    },
  );

  const periodic = (
    path: string,
    kind: 'six-month' | 'yearly',
    summary: string,
    query: z.ZodType<{ from: string; format: DocFormat; lang: 'vi' | 'en'; table?: string | undefined }>,
  ) =>
    app.openapi(
      createRoute({
        method: 'get',
        path,
        summary,
        security: SECURITY,
        ...roles(...PERIOD_ROLES),
        request: { query: query as never },
        responses: documentReport('Báo cáo / the report'),
      }),
      async (c) => {
        const a = allow(c, ...PERIOD_ROLES);
        const q = query.parse(c.req.query());
        const { from, to } = periodBounds(kind, q.from);
        const r = redactPeriod(a.user, await periodReport(deps, kind, from, to));
        if (isFile(q.format))
          return sendDocument(
            c,
            { ...q, format: q.format },
            (o) => periodDocument(r, office, q.lang, o),
            FILE_NAMES[kind](q.from, q.lang),
            `${kind}/${q.from}`,
          );
        return send(
          c,
          q.format,
          r,
          () => documentHtml(periodDocument(r, office, q.lang)),
          `bao-cao-${kind}-${q.from}`,
        );
      },
    );

  periodic(
    '/reports/six-month',
    'six-month',
    'Báo cáo 06 tháng: số cuộc họp theo cơ quan và cấp, sự cố, tỷ lệ sẵn sàng (Điều 14.1.c) / six-month report',
    z.object({ from: LocalDate, ...DocQuery }).strict(),
  );
  periodic(
    '/reports/yearly',
    'yearly',
    'Báo cáo năm (Điều 11.3); year=2026 hoặc from=2026-01-01 / yearly report',
    z
      .object({
        year: z
          .string()
          .regex(/^\d{4}$/, 'năm dạng 2026 / a year like 2026')
          .optional(),
        from: LocalDate.optional(),
        ...DocQuery,
      })
      .strict()
      .transform((q, ctx) => {
        const from = q.from ?? (q.year ? `${q.year}-01-01` : undefined);
        if (!from) {
          ctx.addIssue({ code: 'custom', path: ['year'], message: 'cần year hoặc from / give year or from' });
          return z.NEVER;
        }
        if (parseLocalTime(from) === null) {
          ctx.addIssue({
            code: 'custom',
            path: ['year'],
            message: 'năm từ 2000 đến 2099 / a year from 2000 to 2099',
          });
          return z.NEVER;
        }
        return { from, format: q.format, lang: q.lang, table: q.table };
      }),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/reports/period',
      summary:
        'Báo cáo theo khoảng thời gian tùy chọn (tối đa 1 năm) / report over any period (at most a year)',
      security: SECURITY,
      ...roles(...PERIOD_ROLES),
      request: { query: z.object({ from: QueryTime, to: QueryTime, ...DocQuery }).strict() },
      responses: documentReport('Báo cáo / the report'),
    }),
    async (c) => {
      const a = allow(c, ...PERIOD_ROLES);
      const q = c.req.valid('query');
      const bad = (message: string) =>
        new ApiFailure(
          400,
          'invalid_request',
          `Dữ liệu không hợp lệ / Invalid request: query.to: ${message}`,
          [{ path: 'query.to', message }],
        );
      if (q.to <= q.from) throw bad('phải sau from / must be after from');
      if (q.to - q.from > MAX_PERIOD_MS) throw bad('tối đa 1 năm / at most one year');
      const r = redactPeriod(a.user, await periodReport(deps, 'period', q.from, q.to));
      if (isFile(q.format)) {
        const range = `${localDay(q.from)} ${localDay(q.to - 1)}`;
        // a period of one's choosing is not registered: its number is left for the clerk
        return sendDocument(
          c,
          { ...q, format: q.format },
          (o) => periodDocument(r, office, q.lang, o),
          FILE_NAMES.period(range, q.lang),
          null,
        );
      }
      return send(c, q.format, r, () => documentHtml(periodDocument(r, office, q.lang)), 'bao-cao');
    },
  );

  return app;
}
