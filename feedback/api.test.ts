// Feedback through the API (Điều 11.4, 15.2): who may file what, who sees what, the NOC's answer
// e-mailed to the filer through the durable outbox and a real SMTP server, every change audited,
// and refusals with their reasons. Real state database, real accounts.
import { afterEach, describe, expect, it } from 'vitest';
import { feedbackRoutes } from '../api/routes/feedback.ts';
import { localParts } from '../core/time.ts';
import { type Cleanup, mailedAlerts, STAFF, testApi } from '../test/helpers/meetings-api.ts';
import { until } from '../test/helpers/servers.ts';

const cleanup: Cleanup = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup() {
  const { smtp, rt, engine } = await mailedAlerts(cleanup, { t0: Date.now() });
  const api = await testApi(
    rt,
    [feedbackRoutes({ rt, store: null as never, alerts: engine, meetings: undefined, live: null as never })],
    STAFF,
  );
  return { smtp, rt, ...api };
}

const difficulty = {
  kind: 'difficulty',
  category: 'link',
  text: 'Đường truyền tới hội trường thường chập chờn vào buổi chiều, hình ảnh bị vỡ.',
};

describe('feedback API', () => {
  it('a host office files, the NOC answers, the host office is e-mailed the answer; audited', async () => {
    const { smtp, rt, call } = await setup();
    const filed = await call('u-host', 'POST', '/feedback', difficulty);
    expect(filed.status).toBe(201);
    expect(filed.json).toMatchObject({
      kind: 'difficulty',
      category: 'link',
      site: null,
      filed_by: 'u-host',
      filed_role: 'host',
      org: 'vp-ubnd-tinh',
      status: 'pending',
      answer: null,
    });
    const id = filed.json.id as number;
    // a proposal of the technician, about their own site
    const tech = await call('u-tech', 'POST', '/feedback', {
      kind: 'proposal',
      category: 'upgrade',
      site: 'xa-bang-thanh',
      text: 'Đề nghị trang bị thêm micro không dây cho hội trường xã.',
    });
    expect(tech.status).toBe(201);

    // who sees what
    const ids = async (user: string, q = '') =>
      ((await call(user, 'GET', `/feedback${q}`)).json.items as { id: number }[]).map((x) => x.id);
    expect(await ids('u-host')).toEqual([id]);
    expect(await ids('u-host2')).toEqual([]);
    expect(await ids('u-tech')).toEqual([tech.json.id]);
    expect((await ids('u-noc')).sort()).toEqual([id, tech.json.id].sort());
    expect((await ids('u-viewer')).length).toBe(2);
    const year = Number(localParts(Date.now()).y);
    expect((await ids('u-noc', `?year=${year}`)).length).toBe(2);
    expect(await ids('u-noc', `?year=${year - 1}`)).toEqual([]);
    expect(await ids('u-noc', '?status=answered')).toEqual([]);

    // the NOC answers
    const answer = 'Đã đề nghị VNPT kiểm tra tuyến cáp quang, dự kiến xong trong tuần.';
    const ans = await call('u-noc', 'POST', `/feedback/${id}/answer`, { text: answer });
    expect(ans.status).toBe(200);
    expect(ans.json).toMatchObject({ status: 'answered', answer, answered_by: 'u-noc' });
    expect(ans.json.notified).toEqual(['vp-ubnd-tinh@host.diemcau.example']);
    expect(await ids('u-noc', '?status=answered')).toEqual([id]);
    const seen = async (user: string) =>
      ((await call(user, 'GET', '/feedback?status=answered')).json.items as { notified: string[] }[])[0]!
        .notified;
    expect(await seen('u-host')).toEqual(['vp-ubnd-tinh@host.diemcau.example']);
    expect(await seen('u-viewer')).toEqual([]);
    expect(await ids('u-host', '?status=pending')).toEqual([]);

    await until(() => smtp.mails.length >= 1, 10_000, 'the answer e-mailed');
    const mail = smtp.mails[0]!;
    expect(mail.to).toContain('vp-ubnd-tinh@host.diemcau.example');
    expect(mail.subject).toContain(`Trả lời ý kiến số ${id}`);
    expect(mail.text).toContain(answer);
    expect(mail.text).toContain(difficulty.text);

    // the technician's proposal: the technician of the site is told (its account is not a person)
    const ans2 = await call('u-admin', 'POST', `/feedback/${tech.json.id}/answer`, {
      text: 'Sẽ đưa vào dự toán năm sau.',
    });
    expect(ans2.json.notified).toEqual(['kt-xa-bang-thanh@site.diemcau.example']);
    await until(() => smtp.mails.length >= 2, 10_000, 'the second answer e-mailed');
    expect(smtp.mails[1]!.to).toContain('kt-xa-bang-thanh@site.diemcau.example');

    const audit = rt.state
      .prepare("SELECT actor, action, target FROM audit_log WHERE action LIKE 'feedback.%' ORDER BY id")
      .all();
    expect(audit).toEqual([
      { actor: 'u-host', action: 'feedback.file', target: String(id) },
      { actor: 'u-tech', action: 'feedback.file', target: String(tech.json.id) },
      { actor: 'u-noc', action: 'feedback.answer', target: String(id) },
      { actor: 'u-admin', action: 'feedback.answer', target: String(tech.json.id) },
    ]);
  });

  it('refuses with reasons: roles, sites, vocabulary, empty text, unknown ids', async () => {
    const { call } = await setup();
    const viewer = await call('u-viewer', 'POST', '/feedback', difficulty);
    expect([viewer.status, viewer.json.error.code]).toEqual([403, 'forbidden']);
    const other = await call('u-tech', 'POST', '/feedback', { ...difficulty, site: 'xa-tan-son' });
    expect([other.status, other.json.error.code]).toEqual([403, 'forbidden']);
    const unknown = await call('u-noc', 'POST', '/feedback', { ...difficulty, site: 'xa-khong-co' });
    expect([unknown.status, unknown.json.error.code]).toEqual([422, 'unknown_site']);
    const cat = await call('u-host', 'POST', '/feedback', { ...difficulty, category: 'wifi' });
    expect(cat.status).toBe(400);
    expect(cat.json.error.issues[0]).toMatchObject({ path: 'body.category' });
    expect(cat.json.error.issues[0].message).toContain('link (Đường truyền)');
    const short = await call('u-host', 'POST', '/feedback', { ...difficulty, text: '  ' });
    expect(short.status).toBe(400);
    expect(short.json.error.issues[0].message).toContain('ít nhất 5 ký tự');
    const filed = await call('u-host', 'POST', '/feedback', difficulty);
    const hostAnswers = await call('u-host', 'POST', `/feedback/${filed.json.id}/answer`, {
      text: 'tự trả lời',
    });
    expect(hostAnswers.status).toBe(403);
    const missing = await call('u-noc', 'POST', '/feedback/999/answer', { text: 'trả lời thử' });
    expect([missing.status, missing.json.error.code]).toEqual([404, 'not_found']);
    const year = await call('u-noc', 'GET', '/feedback?year=20');
    expect(year.status).toBe(400);
    // nothing of the refused requests was stored
    expect((await call('u-noc', 'GET', '/feedback')).json.items).toHaveLength(1);
  });
});
