// /api/v1: difficulties and proposals filed by host offices and technicians, answered by the NOC (Điều 11.4, 15.2).
// A host office files for its organisation and sees its organisation's; a technician files about its own
// sites and sees its own; the NOC and admin see all and answer; a viewer reads all. The filer is told of
// the answer by e-mail through the durable outbox when the inventory or the host catalogue has an address.
import { createRoute, z } from '@hono/zod-openapi';
import type { Outbox } from '../../alerts/outbox.ts';
import { answerRecipients, enqueueAnswer } from '../../feedback/notify.ts';
import { type Feedback, FeedbackStore } from '../../feedback/store.ts';
import {
  FEEDBACK_CATEGORIES,
  FEEDBACK_CATEGORY_NAMES,
  FEEDBACK_KINDS,
  FEEDBACK_STATUSES,
} from '../../feedback/vocabulary.ts';
import { DbHosts } from '../../meetings/hosts.ts';
import type { UserRecord } from '../accounts.ts';
import { allow, auditFrom, type Deps, READ_ROLES } from '../context.ts';
import { ApiFailure, forbidden } from '../errors.ts';
import { created, jsonBody, ok, okOr404, roles, SECURITY, subApp } from '../openapi.ts';

const FILE_ROLES = ['admin', 'noc', 'technician', 'host'] as const;
const ANSWER_ROLES = ['admin', 'noc'] as const;

export const FeedbackSchema = z
  .object({
    id: z.number().int(),
    /** difficulty (khó khăn, vướng mắc) or proposal (đề xuất, kiến nghị) */
    kind: z.enum(FEEDBACK_KINDS),
    category: z.enum(FEEDBACK_CATEGORIES),
    site: z.string().nullable(),
    text: z.string(),
    filed_by: z.string(),
    filed_role: z.string(),
    /** the filer's organisation (a host office: its host catalogue id) */
    org: z.string().nullable(),
    filed_at: z.number(),
    /** pending (chờ trả lời) or answered (đã trả lời) */
    status: z.enum(FEEDBACK_STATUSES),
    answer: z.string().nullable(),
    answered_by: z.string().nullable(),
    answered_at: z.number().nullable(),
    /** the addresses the answer was e-mailed to (empty for a viewer) */
    notified: z.array(z.string()),
  })
  .openapi('Feedback');

const text = (what: string, max: number) =>
  z
    .string({ error: `${what}: cần nhập nội dung / required` })
    .trim()
    .min(5, `${what}: ít nhất 5 ký tự / at least 5 characters`)
    .max(max, `${what}: tối đa ${max} ký tự / at most ${max} characters`);

const NewFeedbackBody = z
  .object({
    kind: z.enum(FEEDBACK_KINDS, {
      error: 'loại: "difficulty" (khó khăn) hoặc "proposal" (đề xuất) / kind: difficulty or proposal',
    }),
    category: z.enum(FEEDBACK_CATEGORIES, {
      error: `lĩnh vực: một trong ${FEEDBACK_CATEGORIES.map((c) => `${c} (${FEEDBACK_CATEGORY_NAMES[c].vi})`).join(', ')} / category`,
    }),
    site: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'mã điểm cầu, ví dụ "xa-bang-thanh" / a site id')
      .nullable()
      .optional(),
    text: text('nội dung', 4000),
  })
  .strict();

const AnswerBody = z.object({ text: text('nội dung trả lời', 4000) }).strict();

const ListQuery = z
  .object({
    status: z
      .enum(FEEDBACK_STATUSES, {
        error: 'trạng thái: "pending" (chờ trả lời) hoặc "answered" (đã trả lời) / status',
      })
      .optional(),
    year: z.coerce
      .number({ error: 'năm, ví dụ 2026 / a year' })
      .int('năm, ví dụ 2026 / a year')
      .min(2000, 'năm từ 2000 / from 2000')
      .max(2099, 'năm đến 2099 / up to 2099')
      .optional(),
  })
  .strict();

const Id = z.object({ id: z.string().max(20) });

export function feedbackRoutes(d: Deps, opts: { now?: () => number } = {}) {
  const now = opts.now ?? Date.now;
  const { rt } = d;
  const inv = rt.inventory;
  const store = new FeedbackStore(rt.state);
  const hosts = new DbHosts(rt.state, inv);
  const outbox = () => (d.alerts && 'outbox' in d.alerts ? (d.alerts.outbox as Outbox) : undefined);
  const app = subApp();

  /** host and technician: their own; everyone else: all */
  const visible = (u: UserRecord, f: Feedback) =>
    u.role === 'host' ? f.org === u.org : u.role === 'technician' ? f.filed_by === u.name : true;
  const find = (u: UserRecord, raw: string): Feedback => {
    const f = /^\d{1,12}$/.test(raw) ? store.get(Number(raw)) : null;
    if (!f || !visible(u, f))
      throw new ApiFailure(404, 'not_found', `Không tìm thấy ý kiến số ${raw} / Not found: feedback ${raw}`);
    return f;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/feedback',
      summary:
        'Ý kiến phản ánh, kiến nghị (Điều 11.4, 15.2): cơ quan chủ trì, kỹ thuật viên thấy ý kiến của mình / feedback: a host office and a technician see their own',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { query: ListQuery },
      responses: ok(z.object({ items: z.array(FeedbackSchema) }), 'Danh sách, mới nhất trước / newest first'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const q = c.req.valid('query');
      const u = a.user;
      const items = store.list({
        status: q.status,
        year: q.year,
        ...(u.role === 'host' && { org: u.org ?? '-' }),
        ...(u.role === 'technician' && { filed_by: u.name }),
      });
      // e-mail addresses are not a viewer's (as GET /inventory hides them)
      return c.json({ items: u.role === 'viewer' ? items.map((f) => ({ ...f, notified: [] })) : items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/feedback',
      summary:
        'Gửi khó khăn hoặc đề xuất (cơ quan chủ trì, kỹ thuật viên về điểm cầu của mình, Trung tâm) / file a difficulty or a proposal',
      security: SECURITY,
      ...roles(...FILE_ROLES),
      request: { body: jsonBody(NewFeedbackBody) },
      responses: created(FeedbackSchema, 'Đã ghi nhận / filed'),
    }),
    (c) => {
      const a = allow(c, ...FILE_ROLES);
      const b = c.req.valid('json');
      const u = a.user;
      const site = b.site ?? null;
      if (u.role === 'host' && !u.org)
        throw forbidden('gửi ý kiến: tài khoản cơ quan chủ trì chưa gắn với cơ quan nào');
      if (site !== null) {
        if (!inv.sites.has(site))
          throw new ApiFailure(422, 'unknown_site', `Không có điểm cầu "${site}" / No such site "${site}"`, [
            { path: 'body.site', message: 'mã điểm cầu không tồn tại / unknown site id' },
          ]);
        if (u.role === 'technician' && !u.sites.includes(site))
          throw forbidden('gửi ý kiến về điểm cầu không do mình phụ trách');
        const own = u.role === 'host' ? hosts.get(u.org!)?.sites : undefined;
        if (own && own.length > 0 && !own.includes(site))
          throw new ApiFailure(
            422,
            'not_own_site',
            `Điểm cầu "${site}" không thuộc cơ quan ${u.org} / Site "${site}" is not one of your organisation's`,
            [{ path: 'body.site', message: `một trong / one of: ${own.join(', ')}` }],
          );
      }
      const f = store.file(
        {
          kind: b.kind,
          category: b.category,
          site,
          text: b.text,
          filed_by: u.name,
          filed_role: u.role,
          org: u.role === 'host' ? u.org : null,
        },
        now(),
      );
      auditFrom(c, rt, 'feedback.file', String(f.id), f);
      return c.json(f, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/feedback/{id}/answer',
      summary:
        'Trung tâm trả lời ý kiến; người gửi được báo qua thư điện tử / the NOC answers; the filer is e-mailed',
      security: SECURITY,
      ...roles(...ANSWER_ROLES),
      request: { params: Id, body: jsonBody(AnswerBody) },
      responses: okOr404(FeedbackSchema, 'Đã trả lời / answered'),
    }),
    (c) => {
      const a = allow(c, ...ANSWER_ROLES);
      const f = find(a.user, c.req.valid('param').id);
      const r = store.answer(f.id, c.req.valid('json').text, a.user.name, now())!;
      const box = outbox();
      let after = r.after;
      if (box) {
        const to = answerRecipients(inv, hosts, after);
        const sent = enqueueAnswer(box, inv, after, to);
        store.setNotified(after.id, sent);
        after = store.get(after.id)!;
      }
      auditFrom(c, rt, 'feedback.answer', String(f.id), { before: r.before, after });
      return c.json(after, 200);
    },
  );

  return app;
}
