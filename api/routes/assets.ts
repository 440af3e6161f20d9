// /api/v1: the equipment register: identity read by the collector, purchase data entered by hand, fault and maintenance history, the budget export (Điều 12, 13.5).
// Technicians read their own sites' devices; admin and NOC enter the hand fields, each change audited.
import { createRoute, z } from '@hono/zod-openapi';
import { budgetDocument } from '../../assets/budget.ts';
import { AssetRegister, type AssetRow, parseDay } from '../../assets/register.ts';
import type { DetailsPatch } from '../../assets/store.ts';
import { IDENTITY_FIELDS, WARRANTY_STATES } from '../../core/identity.ts';
import type { DeviceRef } from '../../inventory/load.ts';
import { CONTENT_TYPES, contentDisposition, officeFrom, renderFile } from '../../reports/files.ts';
import type { UserRecord } from '../accounts.ts';
import { allow, auditFrom, canReadSite, type Deps } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import { ERRORS, jsonBody, ok, okOr404, roles, SECURITY, subApp } from '../openapi.ts';

const READ = ['admin', 'noc', 'technician', 'viewer'] as const;
const MANAGE = ['admin', 'noc'] as const;

const Identity = z.object(
  Object.fromEntries(IDENTITY_FIELDS.map((f) => [f, z.string().optional()])) as Record<
    (typeof IDENTITY_FIELDS)[number],
    z.ZodOptional<z.ZodString>
  >,
);

export const AssetSchema = z
  .object({
    device: z.string(),
    kind: z.enum(['codec', 'ups', 'router', 'mcu']),
    profile: z.string(),
    site: z.string().nullable(),
    site_name: z.string().nullable(),
    district: z.string().nullable(),
    district_name: z.string().nullable(),
    identity: Identity,
    first_seen: z.number().nullable(),
    last_seen: z.number().nullable(),
    identity_problem: z.string().nullable(),
    install_date: z.string().nullable().openapi({ description: 'YYYY-MM-DD' }),
    warranty_end: z.string().nullable().openapi({ description: 'YYYY-MM-DD' }),
    supplier: z.string().nullable(),
    purchase_price: z.number().nullable().openapi({ description: 'đồng' }),
    notes: z.string().nullable(),
    updated_at: z.number().nullable(),
    updated_by: z.string().nullable(),
    age_years: z.number().nullable(),
    warranty: z.enum(WARRANTY_STATES),
    warranty_days_left: z.number().nullable(),
    faults_12m: z.number(),
  })
  .openapi('Asset');

const HistoryItem = z
  .object({
    kind: z.enum(['identity', 'episode', 'maintenance']),
    at: z.number(),
    change: z.record(z.string(), z.unknown()).optional(),
    episode: z.record(z.string(), z.unknown()).optional(),
    entry: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('AssetHistoryItem');

const Device = z.object({ device: z.string().min(1).max(100) });

const ListQuery = z
  .object({
    district: z.string().max(100).optional(),
    kind: z
      .enum(['codec', 'ups', 'router', 'mcu'], {
        error: 'codec, ups, router hoặc mcu / codec, ups, router or mcu',
      })
      .optional(),
    warranty: z
      .enum(WARRANTY_STATES, {
        error: `một trong ${WARRANTY_STATES.join(', ')} / one of ${WARRANTY_STATES.join(', ')}`,
      })
      .optional(),
  })
  .strict();

/** a date as typed (dd/mm/yyyy or yyyy-mm-dd) → YYYY-MM-DD; null clears it */
const Day = z
  .string()
  .max(20)
  .transform((s, ctx) => {
    const d = parseDay(s);
    if (d === null) {
      ctx.addIssue({
        code: 'custom',
        message: `"${s}" không phải ngày hợp lệ dạng dd/mm/yyyy (ví dụ 15/03/2021) / not a valid date like 15/03/2021 or 2021-03-15`,
      });
      return z.NEVER;
    }
    return d;
  })
  .nullable()
  .optional();

const Patch = z
  .object({
    install_date: Day,
    warranty_end: Day,
    supplier: z.string().trim().max(200, 'tối đa 200 ký tự / at most 200 characters').nullable().optional(),
    purchase_price: z
      .number({ error: 'số đồng, ví dụ 125000000 / a number of đồng' })
      .int('số nguyên đồng / whole đồng')
      .min(0, 'không âm / not negative')
      .max(1e12, 'tối đa 1.000 tỷ đồng / at most 10^12 đồng')
      .nullable()
      .optional(),
    notes: z.string().trim().max(2000, 'tối đa 2.000 ký tự / at most 2,000 characters').nullable().optional(),
  })
  .strict()
  .openapi('AssetPatch');

const ExportQuery = z
  .object({
    format: z.enum(['csv', 'docx'], { error: 'csv hoặc docx / csv or docx' }).default('csv'),
  })
  .strict();

export function assetRoutes(d: Deps, opts: { now?: () => number } = {}) {
  const { rt } = d;
  const now = opts.now ?? Date.now;
  const register = new AssetRegister(rt.state, rt.inventory, d.alerts, now);
  const app = subApp();

  /** technicians: their sites' devices only (the MCU is no site's) */
  const visible = (user: UserRecord, dev: DeviceRef) =>
    user.role !== 'technician' || (!!dev.site && canReadSite(user, dev.site.id));
  const readable = (user: UserRecord, device: string): DeviceRef => {
    const dev = register.device(device);
    if (!dev || !visible(user, dev))
      throw new ApiFailure(
        404,
        'not_found',
        `Không tìm thấy thiết bị "${device}" / Not found: device "${device}"`,
      );
    return dev;
  };
  const rows = (user: UserRecord, q: z.infer<typeof ListQuery>): AssetRow[] =>
    register
      .list((dev) => visible(user, dev) && (q.kind === undefined || dev.kind === q.kind))
      .filter(
        (r) =>
          (q.district === undefined || r.district === q.district) &&
          (q.warranty === undefined || r.warranty === q.warranty),
      );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/assets',
      summary:
        'Danh mục thiết bị: nhận dạng, bảo hành, tuổi, số sự cố 12 tháng (Điều 12, 13.5) / the equipment register',
      security: SECURITY,
      ...roles(...READ),
      request: { query: ListQuery },
      responses: ok(z.object({ items: z.array(AssetSchema), total: z.number() }), 'Danh sách / list'),
    }),
    (c) => {
      const a = allow(c, ...READ);
      const items = rows(a.user, c.req.valid('query'));
      return c.json({ items, total: items.length }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/assets/export',
      summary:
        'Danh mục thiết bị cho đề xuất kinh phí hằng năm: CSV hoặc Word (Nghị định 30/2020) / the register for the yearly budget proposal',
      security: SECURITY,
      ...roles(...READ),
      request: { query: ExportQuery },
      responses: {
        200: {
          description: 'Tệp / the file (Content-Disposition: attachment)',
          content: {
            'text/csv': { schema: z.string() },
            [CONTENT_TYPES.docx]: { schema: z.string().openapi({ format: 'binary' }) },
          },
        },
        ...ERRORS,
      },
    }),
    async (c) => {
      const a = allow(c, ...READ);
      const { format } = c.req.valid('query');
      const t = now();
      const doc = budgetDocument(rows(a.user, {}), { office: officeFrom(rt.config.reports), now: t });
      const f = await renderFile(
        doc,
        format,
        `Danh mục thiết bị ${doc.subtitle?.slice(-10).replace(/\//g, '-')}`,
        {
          ...(format === 'csv' && { table: 'thiet-bi' }),
        },
      );
      return c.body(new Uint8Array(f.body), 200, {
        'content-type': f.contentType,
        'content-disposition': contentDisposition(f.filename),
        'cache-control': 'no-store',
      }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/assets/{device}',
      summary: 'Một thiết bị trong danh mục / one device of the register',
      security: SECURITY,
      ...roles(...READ),
      request: { params: Device },
      responses: okOr404(AssetSchema, 'Thiết bị / the device'),
    }),
    (c) => {
      const a = allow(c, ...READ);
      const dev = readable(a.user, c.req.valid('param').device);
      return c.json(register.get(dev.id)!, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/assets/{device}/history',
      summary:
        'Lịch sử thiết bị: thay đổi firmware/thay thiết bị, sự cố, bảo trì (mới nhất trước) / the device history, newest first',
      security: SECURITY,
      ...roles(...READ),
      request: { params: Device },
      responses: okOr404(z.object({ items: z.array(HistoryItem) }), 'Lịch sử / history'),
    }),
    (c) => {
      const a = allow(c, ...READ);
      const dev = readable(a.user, c.req.valid('param').device);
      return c.json({ items: register.history(dev.id) as z.infer<typeof HistoryItem>[] }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/assets/{device}',
      summary:
        'Nhập ngày lắp đặt, hạn bảo hành, nhà cung cấp, giá mua, ghi chú (ngày dd/mm/yyyy) / enter the hand fields',
      security: SECURITY,
      ...roles(...MANAGE),
      request: { params: Device, body: jsonBody(Patch) },
      responses: okOr404(AssetSchema, 'Đã cập nhật / updated'),
    }),
    (c) => {
      const a = allow(c, ...MANAGE);
      const dev = readable(a.user, c.req.valid('param').device);
      const patch = c.req.valid('json') as DetailsPatch;
      const current = register.store.details(dev.id);
      const install = patch.install_date !== undefined ? patch.install_date : (current?.install_date ?? null);
      const warranty =
        patch.warranty_end !== undefined ? patch.warranty_end : (current?.warranty_end ?? null);
      if (install && warranty && warranty <= install)
        throw new ApiFailure(
          400,
          'invalid_request',
          'Hạn bảo hành phải sau ngày lắp đặt / The warranty must end after the install date',
          [
            {
              path: 'body.warranty_end',
              message: `phải sau ngày lắp đặt ${install.split('-').reverse().join('/')} / must be after the install date`,
            },
          ],
        );
      const { before, after } = register.store.updateDetails(dev.id, patch, a.user.name, now());
      auditFrom(c, rt, 'asset.update', dev.id, { before, after });
      return c.json(register.get(dev.id)!, 200);
    },
  );

  return app;
}
