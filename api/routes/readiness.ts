// Joint readiness test runs (Điều 7.1.b, issue 16): the per-site check of a meeting (link, power/UPS,
// codec, the technician's confirmation) and the dashboard's "Đã kiểm tra / Checked" button under
// /api/v1; and the page a signed link from the technician's message opens, at /kiem-tra/<token>.
// The page shows what will be confirmed; its button (a POST, so a mail scanner that merely opens links
// confirms nothing) records it. A forged, altered or expired link is refused with a 4xx and its reason.
import { createRoute, z } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { type ConfirmClaim, REFUSAL_TEXT } from '../../meetings/confirm.ts';
import { titleFor } from '../../meetings/notices.ts';
import { REASON_CODES, type Readiness } from '../../meetings/readiness.ts';
import { type ConfirmOutcome, type JointReadiness, slotExpiry } from '../../meetings/readiness-service.ts';
import type { Meeting } from '../../meetings/store.ts';
import { viDateTime } from '../../meetings/time.ts';
import { type AppEnv, allow, auditFrom, canOperateSite, type Deps, READ_ROLES } from '../context.ts';
import { forbidden } from '../errors.ts';
import { okOr404, roles, SECURITY, subApp } from '../openapi.ts';
import { guard, meetingsParts, readableMeeting } from './meetings.ts';

const SlotEnum = z.enum(['T-12h', 'T-1h']);

export const ConfirmationSchema = z
  .object({
    meeting_id: z.string(),
    site: z.string(),
    slot: SlotEnum,
    /** the inventory person (the technician) */
    person: z.string().nullable(),
    /** the dashboard account, or null for a signed link */
    user_name: z.string().nullable(),
    via: z.enum(['link', 'dashboard']),
    confirmed_at: z.number(),
  })
  .openapi('ReadinessConfirmation');

const Passed = z.boolean().nullable();

export const SiteCheckSchema = z
  .object({
    site: z.string(),
    /** each part: true passed, false failed, null not judged yet (no run) */
    parts: z.object({ link: Passed, power: Passed, codec: Passed, confirmation: z.boolean() }),
    ready: z.boolean(),
    reasons: z.array(
      z.object({ code: z.enum(REASON_CODES), vi: z.string(), en: z.string(), value: z.number().optional() }),
    ),
    run: z.object({ id: z.number(), slot: z.string(), at: z.number() }).nullable(),
    /** the test run a confirmation counts for now */
    slot: SlotEnum,
    confirmation: ConfirmationSchema.nullable(),
    technician: z.string().nullable(),
  })
  .openapi('ReadinessSiteCheck');

const Params = z.object({ id: z.string().min(1).max(100) });
const SiteParams = Params.extend({ site: z.string().min(1).max(100) });

export function readinessRoutes(
  d: Deps,
  joint: JointReadiness,
  opts: { readiness?: Readiness; now?: () => number } = {},
) {
  const { rt } = d;
  const { meetings, readiness } = meetingsParts(d, opts);
  const app = subApp();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/meetings/{id}/readiness/sites',
      summary:
        'Vận hành thử từng điểm cầu: đường truyền, nguồn/UPS, codec, xác nhận của kỹ thuật / joint test run per site: link, power/UPS, codec, confirmation',
      security: SECURITY,
      ...roles(...READ_ROLES),
      request: { params: Params },
      responses: okOr404(z.object({ items: z.array(SiteCheckSchema) }), 'Từng điểm cầu / per site'),
    }),
    (c) => {
      const a = allow(c, ...READ_ROLES);
      const m = readableMeeting(meetings, a.user, c.req.valid('param').id);
      const items = joint
        .siteChecks(m, readiness.runs(m.id))
        .filter((x) => a.user.role !== 'technician' || a.user.sites.includes(x.site));
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/meetings/{id}/readiness/sites/{site}/confirm',
      summary:
        'Đã kiểm tra: kỹ thuật viên của điểm cầu (hoặc NOC) xác nhận vận hành thử / Checked: the site’s technician (or the NOC) confirms the test run',
      security: SECURITY,
      ...roles('admin', 'noc', 'technician'),
      request: { params: SiteParams },
      responses: okOr404(
        z.object({ confirmation: ConfirmationSchema, already: z.boolean() }),
        'Đã ghi nhận (already: đã có người xác nhận trước) / recorded (already: confirmed before)',
      ),
    }),
    async (c) => {
      const a = allow(c, 'admin', 'noc', 'technician');
      const { id, site } = c.req.valid('param');
      const m = readableMeeting(meetings, a.user, id);
      if (!canOperateSite(a.user, site)) throw forbidden('xác nhận vận hành thử điểm cầu này');
      const r = await guard(() => joint.confirmBy(a.user.name, m.id, site));
      auditFrom(c, rt, 'meeting.readiness.confirm', m.id, { site, slot: r.confirmation.slot });
      return c.json(r, 200);
    },
  );
  return app;
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

const OTHER_REFUSAL: Record<string, { vi: string; en: string }> = {
  unknown_meeting: { vi: 'Cuộc họp không còn trong hệ thống.', en: 'The meeting no longer exists.' },
  not_in_meeting: {
    vi: 'Điểm cầu này không còn tham gia cuộc họp.',
    en: 'This site is no longer part of the meeting.',
  },
  cancelled: { vi: 'Cuộc họp đã bị hủy: không cần vận hành thử.', en: 'The meeting is cancelled.' },
};

function page(status: number, title: string, body: string): Response {
  const html = `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)} — diemcau</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#0f172a;color:#e2e8f0}
main{max-width:34rem;margin:2rem auto;padding:1.5rem;background:#1e293b;border-radius:8px}
h1{font-size:1.3rem;margin:0 0 1rem}.en{color:#94a3b8;font-size:.9rem}dt{color:#94a3b8}dd{margin:0 0 .6rem}
button{font:inherit;font-weight:600;padding:.7rem 1.4rem;border:0;border-radius:6px;background:#22c55e;color:#052e16;cursor:pointer}
button:focus-visible{outline:3px solid #facc15;outline-offset:2px}.bad{border-left:4px solid #f87171;padding-left:1rem}
.ok{border-left:4px solid #22c55e;padding-left:1rem}
</style></head><body><main>${body}</main></body></html>`;
  return new Response(html, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    },
  });
}

/** The public page of a signed link (no sign-in: the signature is the proof), mounted outside /api. */
export function readinessPages(d: Deps, joint: JointReadiness): Hono<AppEnv> {
  const { rt } = d;
  const inv = rt.inventory;
  const app = new Hono<AppEnv>();
  const refused = (o: Extract<ConfirmOutcome, { ok: false }>) => {
    const why = REFUSAL_TEXT[o.reason as keyof typeof REFUSAL_TEXT] ?? OTHER_REFUSAL[o.reason]!;
    return page(
      o.status,
      'Không xác nhận được',
      `<div class="bad"><h1>Không xác nhận được <span class="en">/ Not confirmed</span></h1>
<p>${esc(why.vi)}</p><p class="en" lang="en">${esc(why.en)}</p>
<p>Không có gì được ghi nhận. Đề nghị liên hệ trực ban NOC hoặc dùng nút "Đã kiểm tra" trên trang cuộc họp.</p>
<p class="en" lang="en">Nothing was recorded. Call the NOC on duty or use the "Checked" button on the meeting page.</p></div>`,
    );
  };
  /** what is confirmed; a technician reads a restricted meeting's title as "Cuộc họp (hạn chế)" */
  const describe = (o: { meeting: Meeting; claim: Pick<ConfirmClaim, 'site' | 'slot' | 'person'> }) => {
    const title = titleFor(o.meeting, { roles: ['technician'] }).vi;
    const s = inv.sites.get(o.claim.site);
    const p = inv.people.get(o.claim.person);
    return `<dl>
<dt>Cuộc họp / Meeting</dt><dd>${esc(title)}</dd>
<dt>Thời gian / Time</dt><dd>${esc(viDateTime(o.meeting.start))} – ${esc(viDateTime(o.meeting.end))}</dd>
<dt>Điểm cầu / Site</dt><dd>${esc(s?.name ?? o.claim.site)}</dd>
<dt>Lần vận hành thử / Test run</dt><dd>${o.claim.slot === 'T-12h' ? 'Trước 1/2 ngày / half a day before' : 'Trước 01 giờ / one hour before'} (hiệu lực đến ${esc(viDateTime(slotExpiry(o.meeting, o.claim.slot)))})</dd>
<dt>Cán bộ kỹ thuật / Technician</dt><dd>${esc(p?.name ?? o.claim.person)}</dd>
</dl>`;
  };
  app.get('/kiem-tra/:token', (c) => {
    const o = joint.peek(c.req.param('token'));
    if (!o.ok) return refused(o);
    const done = joint
      .confirmations(o.meeting.id)
      .find((x) => x.site === o.claim.site && x.slot === o.claim.slot);
    return page(
      200,
      'Xác nhận đã kiểm tra điểm cầu',
      `<h1>Xác nhận vận hành thử <span class="en">/ Confirm the test run</span></h1>${describe(o)}
${done ? `<p class="ok">Đã được xác nhận lúc ${esc(viDateTime(done.confirmed_at))}. <span class="en">Already confirmed.</span></p>` : ''}
<p>Đồng chí đã kiểm tra âm thanh, hình ảnh, đường truyền, nguồn điện và UPS tại điểm cầu và gọi thử vào phòng họp?</p>
<form method="post"><button type="submit">Đã kiểm tra <span lang="en">/ Checked</span></button></form>`,
    );
  });
  app.post('/kiem-tra/:token', (c) => {
    const o = joint.confirmLink(c.req.param('token'));
    if (!o.ok) {
      rt.log.warn({ reason: o.reason }, 'readiness confirmation link refused');
      return refused(o);
    }
    const conf = o.confirmation;
    rt.log.info(
      { meeting: conf.meeting_id, site: conf.site, slot: conf.slot, person: conf.person },
      'readiness confirmed by link',
    );
    return page(
      200,
      'Đã ghi nhận',
      `<div class="ok"><h1>Đã ghi nhận: đã kiểm tra <span class="en">/ Recorded: checked</span></h1>
${describe({ meeting: o.meeting, claim: { site: conf.site, slot: conf.slot, person: conf.person ?? o.claim!.person } })}
<p>Xác nhận lúc ${esc(viDateTime(conf.confirmed_at))}${o.already ? ' (đã xác nhận trước đó)' : ''}. Cảm ơn đồng chí.</p>
<p class="en" lang="en">Confirmed at ${esc(viDateTime(conf.confirmed_at))}${o.already ? ' (confirmed before)' : ''}. Thank you.</p></div>`,
    );
  });
  return app;
}
