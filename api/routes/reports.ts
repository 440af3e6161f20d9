// /api/v1/reports: the post-meeting quality report, the 6-month report (Điều 14.1.c), the yearly report
// (Điều 11.3) and any period — JSON by default, a self-contained printable HTML page with format=html.
import { createRoute, z } from '@hono/zod-openapi';
import { CallLog } from '../../meetings/observed.ts';
import type { Readiness } from '../../meetings/readiness.ts';
import { parseLocalTime } from '../../meetings/time.ts';
import {
  dbEpisodes,
  meetingReport,
  meetingReportHtml,
  periodBounds,
  periodReport,
  periodReportHtml,
  type ReportDeps,
  readinessHtml,
} from '../../reports/index.ts';
import { allow, type Ctx, type Deps, READ_ROLES } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import { ERRORS, NOT_FOUND, roles, SECURITY, subApp } from '../openapi.ts';
import { guard, meetingsParts, QueryTime, readableMeeting } from './meetings.ts';

const Format = z.enum(['json', 'html']).default('json');
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
  const deps: ReportDeps = {
    inventory: d.rt.inventory,
    store: d.store,
    meetings: parts.meetings,
    incidents: parts.incidents,
    readiness: parts.readiness,
    calls: new CallLog(d.rt.state, d.rt.inventory, parts.meetings),
    episodes: dbEpisodes(d.rt.state),
    ...(opts.now && { now: opts.now }),
  };
  const app = subApp();

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
        query: z.object({ format: Format }).strict(),
      },
      responses: { ...report('Báo cáo / the report'), ...NOT_FOUND },
    }),
    async (c) => {
      const a = allow(c, ...READ_ROLES);
      const { id } = c.req.valid('param');
      readableMeeting(parts.meetings, a.user, id);
      const r = await guard(() => meetingReport(deps, id));
      return send(c, c.req.valid('query').format, r, () => meetingReportHtml(r), `bao-cao-cuoc-hop-${id}`);
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
    query: z.ZodType<{ from: string; format: 'json' | 'html' }>,
  ) =>
    app.openapi(
      createRoute({
        method: 'get',
        path,
        summary,
        security: SECURITY,
        ...roles(...PERIOD_ROLES),
        request: { query: query as never },
        responses: report('Báo cáo / the report'),
      }),
      async (c) => {
        allow(c, ...PERIOD_ROLES);
        const q = query.parse(c.req.query());
        const { from, to } = periodBounds(kind, q.from);
        const r = await periodReport(deps, kind, from, to);
        return send(c, q.format, r, () => periodReportHtml(r), `bao-cao-${kind}-${q.from}`);
      },
    );

  periodic(
    '/reports/six-month',
    'six-month',
    'Báo cáo 06 tháng: số cuộc họp theo cơ quan và cấp, sự cố, tỷ lệ sẵn sàng (Điều 14.1.c) / six-month report',
    z.object({ from: LocalDate, format: Format }).strict(),
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
        format: Format,
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
        return { from, format: q.format };
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
      request: { query: z.object({ from: QueryTime, to: QueryTime, format: Format }).strict() },
      responses: report('Báo cáo / the report'),
    }),
    async (c) => {
      allow(c, ...PERIOD_ROLES);
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
      const r = await periodReport(deps, 'period', q.from, q.to);
      return send(c, q.format, r, () => periodReportHtml(r), 'bao-cao');
    },
  );

  return app;
}
