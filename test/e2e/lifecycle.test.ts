// End to end: the meeting lifecycle on the dashboard (issue 16 h8) in Debian's Chromium against
// `diemcau demo` (devices on the loopback base E2E_BASE + 14). With the default clash policy (refuse):
// the NOC registers a district host's meeting over its hall and communes with the main site, room,
// scale and invitation number, and the meeting page shows them; a second meeting on the same sites is
// refused naming the first; a weekly series shows its occurrences and cancelling one skips its date;
// the host catalogue refuses to delete a host that has meetings (409 shown), adds and deletes one,
// passes axe and does not scroll sideways at 390×844; a viewer sees a restricted meeting as
// "Cuộc họp (hạn chế)" with a lock. With DIEMCAU__MEETINGS__CLASH=pending (a second demo): a clash
// is accepted as "Chờ NOC duyệt" and the NOC approves it once the other meeting is gone.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pageApi as api,
  type Browser,
  buildDashboard,
  E2E_BASE,
  openBrowser,
  openPath,
  seriousViolations,
  signIn,
  startTarget,
  type Target,
} from './target.ts';

const devTarget = process.env['DIEMCAU_E2E_TARGET'] === 'dev';
const DAY = 86_400_000;
const HCM = 7 * 3_600_000;
const VIEWER = { name: 'xem-e2e-lifecycle', password: 'chỉ-xem-vòng-đời-2026' };

/** 08:00 (or `hour`) Bắc Kạn time `days` days from today, as ms */
function at(days: number, hour = 8): number {
  const midnight = Math.floor((Date.now() + HCM) / DAY) * DAY - HCM;
  return midnight + days * DAY + hour * 3_600_000;
}
/** ms → the datetime-local value in Bắc Kạn time (the browser's zone here) */
const local = (ms: number) => new Date(ms + HCM).toISOString().slice(0, 16);
/** ms → dd/mm/yyyy in Bắc Kạn time */
const ddmmyyyy = (ms: number) => {
  const [y, m, d] = new Date(ms + HCM).toISOString().slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
};

/** the name of a district's hall as the page shows it */
let hallNames: Record<string, string> = {};
const hallOf = (district: string) => hallNames[district] ?? district;

/** fills the registration form (opened) for a host's own sites */
async function fillRegistration(
  page: Page,
  f: { title: string; host: string; start: number; end: number; mainSite?: string; room?: string },
): Promise<void> {
  const form = page.locator('form[aria-labelledby=reg-title]');
  await form.locator('input[name=title]').fill(f.title);
  await form.locator('select[name=host_org]').selectOption(f.host);
  await form.locator('input[name=start]').fill(local(f.start));
  await form.locator('input[name=end]').fill(local(f.end));
  const all = form.locator('input[name=host_sites]');
  await all.waitFor({ timeout: 10_000 });
  if (!(await all.isChecked())) await all.check();
  if (f.mainSite) await form.locator('select[name=main_site]').selectOption(f.mainSite);
  if (f.room) await form.locator('input[name=room]').fill(f.room);
}

describe.skipIf(devTarget)('meeting lifecycle on the dashboard (clash policy: refuse)', () => {
  let target: Target;
  let browser: Browser;
  let page: Page;
  const FIRST = 'Hội nghị triển khai nhiệm vụ năm 2027 huyện Ba Bể (e2e)';
  let hall = '';
  let hallName = '';
  let firstId = '';

  beforeAll(async () => {
    buildDashboard();
    target = await startTarget({ base: E2E_BASE + 14 });
    browser = await openBrowser();
    page = browser.page;
    await signIn(page, target);
    const host = await api(page, 'GET', '/hosts/ubnd-ba-be');
    expect(host.status, JSON.stringify(host.json)).toBe(200);
    hall = host.json.main_site;
    const site = await api(page, 'GET', `/sites/${hall}`);
    hallName = site.json.name ?? site.json.site?.name;
    expect(hallName, JSON.stringify(site.json).slice(0, 300)).toBeTruthy();
    const bt = await api(page, 'GET', '/hosts/ubnd-bach-thong');
    const btHall = await api(page, 'GET', `/sites/${bt.json.main_site}`);
    hallNames = { 'bach-thong': btHall.json.name ?? btHall.json.site?.name };
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop().catch(() => {});
  });

  it('the NOC registers a district host meeting over its hall and communes, with main site, room, scale and number', async () => {
    await openPath(page, '/meetings');
    await page.click('button[aria-expanded]:has-text("Đăng ký cuộc họp")');
    await fillRegistration(page, {
      title: FIRST,
      host: 'ubnd-ba-be',
      start: at(5),
      end: at(5, 11),
      mainSite: hall,
      room: 'Phòng họp tầng 2',
    });
    const form = page.locator('form[aria-labelledby=reg-title]');
    await form.locator('input[name=attendees]').fill('80');
    await form.locator('input[name=document_no]').fill('125/GM-UBND');
    await form.locator('button[type=submit]').click();
    const done = page.locator('[data-registered]');
    await done.waitFor({ timeout: 15_000 });
    expect(await done.getAttribute('data-status')).toBe('confirmed');
    expect(await done.textContent()).toContain('Đã đăng ký cuộc họp');
    firstId = (await done.getAttribute('data-registered'))!;

    const m = await api(page, 'GET', `/meetings/${firstId}`);
    const host = await api(page, 'GET', '/hosts/ubnd-ba-be');
    expect([...m.json.meeting.sites].sort()).toEqual([...host.json.sites].sort());
    expect(m.json.meeting.sites.length).toBeGreaterThan(1);

    await done.locator('a').first().click();
    await page.waitForSelector('h1#m-title', { timeout: 15_000 });
    expect(await page.textContent('h1#m-title')).toContain(FIRST);
    expect(await page.getAttribute('[data-main-site]', 'data-main-site')).toBe(hall);
    expect(await page.textContent('[data-main-site]')).toContain(hallName);
    expect(await page.textContent('[data-room]')).toBe('Phòng họp tầng 2');
    expect(await page.textContent('[data-attendees]')).toBe('80');
    expect(await page.textContent('[data-document-no]')).toBe('125/GM-UBND');
    // the hall's row in the sites list carries the main-site mark
    expect(await page.locator(`tr[data-site-row="${hall}"] [data-main]`).count()).toBe(1);
  }, 60_000);

  it('a second meeting on the same sites at the same time is refused, naming the first', async () => {
    await openPath(page, '/meetings');
    await page.click('button[aria-expanded]:has-text("Đăng ký cuộc họp")');
    await fillRegistration(page, {
      title: 'Họp trùng giờ (e2e)',
      host: 'ubnd-ba-be',
      start: at(5, 9),
      end: at(5, 10),
    });
    await page.locator('form[aria-labelledby=reg-title] button[type=submit]').click();
    const refused = page.locator('form[aria-labelledby=reg-title] [data-refused]');
    await refused.waitFor({ timeout: 15_000 });
    const text = (await refused.textContent()) ?? '';
    expect(text).toContain('Không đăng ký được');
    expect(text).toContain(FIRST);
    expect(text).toContain(firstId);
    // nothing was registered
    const list = await api(page, 'GET', '/meetings?host_org=ubnd-ba-be');
    expect(list.json.items.map((x: { id: string }) => x.id)).toEqual([firstId]);
  }, 60_000);

  it('a weekly meeting shows its occurrences; cancelling one skips its date', async () => {
    const first = at(10, 14);
    await page.reload();
    await page.click('button[aria-expanded]:has-text("Đăng ký cuộc họp")');
    await fillRegistration(page, {
      title: 'Giao ban tuần huyện Na Rì (e2e)',
      host: 'ubnd-na-ri',
      start: first,
      end: first + 2 * 3_600_000,
    });
    const form = page.locator('form[aria-labelledby=reg-title]');
    await form.locator('input[name=freq][value=weekly]').check();
    // the first date's weekday is chosen by default
    expect(await form.locator('input[name=weekday]:checked').count()).toBe(1);
    await form.locator('input[name=count]').fill('4');
    await form.locator('button[type=submit]').click();
    const created = page.locator('[data-series-created]');
    await created.waitFor({ timeout: 15_000 });
    expect(await created.locator('li[data-occurrence]').count()).toBe(4);
    const dates = [0, 1, 2, 3].map((w) => ddmmyyyy(first + w * 7 * DAY));
    expect(await created.locator('li[data-occurrence]').allTextContents()).toEqual(
      dates.map((d) => expect.stringContaining(d)),
    );

    // the second occurrence: its page links the series; cancel this one
    await created.locator('li[data-occurrence] a').nth(1).click();
    const series = page.locator('section[data-series]');
    await series.locator('li[data-occurrence]').nth(3).waitFor({ timeout: 15_000 });
    expect(await series.locator('li[data-occurrence]').count()).toBe(4);
    expect(await series.locator('[aria-current=page]').textContent()).toContain(dates[1]);
    const cancel = page.locator('form[aria-labelledby=cancel-title]');
    expect(await cancel.locator('button[type=submit]').textContent()).toContain('Hủy lần họp này');
    await cancel.locator('input[name=cancel_reason]').fill('Trùng lịch tiếp công dân');
    await cancel.locator('button[type=submit]').click();
    await page.waitForSelector('section[data-series] [data-skipped]', { timeout: 15_000 });
    expect(await page.textContent('section[data-series] [data-skipped]')).toContain(dates[1]);
    expect(await series.locator('li[data-cancelled=true]').count()).toBe(1);
    const sid = await series.getAttribute('data-series');
    const s = await api(page, 'GET', `/meetings/series/${sid}`);
    expect(s.json.rule.exceptions).toHaveLength(1);
  }, 60_000);

  it('a meeting inside a planned maintenance window is registered with the window named (sites, from–to, reason)', async () => {
    const w = await api(page, 'POST', '/maintenance', {
      id: 'bao-duong-bach-thong-e2e',
      scope: { district: 'bach-thong' },
      start: '07:30',
      duration_min: 120,
      comment: 'Bảo dưỡng máy phát điện (e2e)',
    });
    expect(w.status, JSON.stringify(w.json)).toBeLessThan(300);
    await openPath(page, '/meetings');
    await page.click('button[aria-expanded]:has-text("Đăng ký cuộc họp")');
    await fillRegistration(page, {
      title: 'Họp huyện Bạch Thông (e2e)',
      host: 'ubnd-bach-thong',
      start: at(7),
      end: at(7, 9),
    });
    await page.locator('form[aria-labelledby=reg-title] button[type=submit]').click();
    const done = page.locator('[data-registered]');
    await done.waitFor({ timeout: 15_000 });
    expect(await done.getAttribute('data-status')).toBe('confirmed');
    const text = (await done.locator('[data-maintenance]').textContent()) ?? '';
    expect(text).toContain('Bảo dưỡng máy phát điện (e2e)');
    expect(text).toContain(`07:30 ${ddmmyyyy(at(7))} – 09:30 ${ddmmyyyy(at(7))}`);
    expect(text).toContain(hallOf('bach-thong'));
  }, 60_000);

  it('the host catalogue: a host with meetings is not deleted (409 shown), a new one is added and deleted', async () => {
    await openPath(page, '/hosts');
    await page.waitForSelector('table[data-hosts] tr[data-host="ubnd-ba-be"]', { timeout: 15_000 });
    const row = page.locator('tr[data-host="ubnd-ba-be"]');
    await row.locator('[data-delete]').click();
    await row.locator('[data-confirm-delete]').click();
    const refused = page.locator('[data-refused]');
    await refused.waitFor({ timeout: 10_000 });
    expect(await refused.textContent()).toContain('không xóa được');
    expect(await page.locator('tr[data-host="ubnd-ba-be"]').count()).toBe(1);

    await page.click('button:has-text("Thêm cơ quan chủ trì")');
    const form = page.locator('form[data-host-form]');
    await form.locator('input[name=id]').fill('so-y-te-e2e');
    await form.locator('input[name=name]').fill('Sở Y tế (e2e)');
    await form.locator('select[name=type]').selectOption('department');
    await form.locator('select[name=sites]').selectOption([hall]);
    await form.locator('textarea[name=contacts]').fill('Trần Thị Bình, binh@backan.gov.vn');
    await form.locator('button[type=submit]').click();
    const added = page.locator('tr[data-host="so-y-te-e2e"]');
    await added.waitFor({ timeout: 10_000 });
    expect(await added.textContent()).toContain('Sở, ban, ngành tỉnh');
    expect(await added.textContent()).toContain('binh@backan.gov.vn');
    const h = await api(page, 'GET', '/hosts/so-y-te-e2e');
    expect(h.json).toMatchObject({
      type: 'department',
      sites: [hall],
      contacts: [{ name: 'Trần Thị Bình', email: 'binh@backan.gov.vn' }],
    });

    await added.locator('[data-delete]').click();
    await added.locator('[data-confirm-delete]').click();
    await page.waitForSelector('tr[data-host="so-y-te-e2e"]', { state: 'detached', timeout: 10_000 });
    expect((await api(page, 'GET', '/hosts/so-y-te-e2e')).status).toBe(404);
  }, 60_000);

  it('the host catalogue and the registration form pass axe, and do not scroll sideways at 390×844', async () => {
    for (const size of [
      { width: 1366, height: 768 },
      { width: 390, height: 844 },
    ]) {
      await page.setViewportSize(size);
      await openPath(page, '/hosts');
      await page.waitForSelector('table[data-hosts]', { timeout: 15_000 });
      await page.waitForTimeout(500);
      expect(await seriousViolations(page), `hosts ${size.width}`).toEqual([]);
      expect(
        await page.evaluate(() => document.body.scrollWidth <= document.body.clientWidth),
        `hosts ${size.width}`,
      ).toBe(true);

      await openPath(page, '/meetings');
      await page.click('button[aria-expanded]:has-text("Đăng ký cuộc họp")');
      await page.locator('form[aria-labelledby=reg-title] input[name=freq][value=weekly]').check();
      await page.waitForTimeout(500);
      expect(await seriousViolations(page), `meetings form ${size.width}`).toEqual([]);
      expect(
        await page.evaluate(() => document.body.scrollWidth <= document.body.clientWidth),
        `meetings ${size.width}`,
      ).toBe(true);

      await openPath(page, `/meetings/${firstId}`);
      await page.waitForSelector('[data-main-site]', { timeout: 15_000 });
      await page.waitForTimeout(500);
      expect(await seriousViolations(page), `meeting ${size.width}`).toEqual([]);
      expect(
        await page.evaluate(() => document.body.scrollWidth <= document.body.clientWidth),
        `meeting ${size.width}`,
      ).toBe(true);
    }
    await page.setViewportSize({ width: 1920, height: 1080 });
  }, 90_000);

  it('a viewer sees a restricted meeting as "Cuộc họp (hạn chế)" with a lock, never its title', async () => {
    const SECRET = 'Họp bàn phương án nhân sự (mật, e2e)';
    const reg = await api(page, 'POST', '/meetings', {
      title: SECRET,
      host_org: 'vp-ubnd-tinh',
      start: at(6),
      end: at(6, 10),
      sites: ['ubnd-tinh'],
      restricted: true,
    });
    expect(reg.status, JSON.stringify(reg.json)).toBe(201);
    const id = reg.json.meeting.id;
    // the NOC reads it, marked restricted
    await openPath(page, '/meetings');
    await page.waitForSelector(`tr[data-meeting="${id}"] [data-restricted]`, { timeout: 15_000 });
    expect(await page.textContent(`tr[data-meeting="${id}"]`)).toContain(SECRET);

    const user = await api(page, 'POST', '/users', {
      name: VIEWER.name,
      role: 'viewer',
      password: VIEWER.password,
    });
    expect(user.status, JSON.stringify(user.json)).toBe(200);
    await page.click('button:has-text("Đăng xuất")');
    await page.waitForSelector('h1#login-title');
    await signIn(page, target, { user: VIEWER.name, password: VIEWER.password });
    await openPath(page, '/meetings');
    const row = page.locator(`tr[data-meeting="${id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('[data-redacted]').textContent()).toContain('Cuộc họp (hạn chế)');
    expect(await row.textContent()).toContain('🔒');
    expect(await page.textContent('main')).not.toContain(SECRET);
    await row.locator('a').first().click();
    await page.waitForSelector('h1#m-title [data-redacted]', { timeout: 15_000 });
    expect(await page.textContent('h1#m-title')).toContain('Cuộc họp (hạn chế)');
    expect(await page.textContent('main')).not.toContain(SECRET);
    // a viewer has no registration, approval or cancelling
    expect(await page.locator('form[aria-labelledby=cancel-title], [data-pending-decision]').count()).toBe(0);
    // English: the same lock, in English
    await page.click('.lang button:has-text("EN")');
    await page.waitForFunction(() =>
      document.querySelector('h1#m-title')?.textContent?.includes('Restricted meeting'),
    );
    await page.click('.lang button:has-text("VI")');
    expect(browser.errors).toEqual([]);
  }, 60_000);
});

describe.skipIf(devTarget)('meeting lifecycle: a clash waits for the NOC (clash policy: pending)', () => {
  let target: Target;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    buildDashboard();
    // the demo inherits this env: meetings.clash = pending
    process.env['DIEMCAU__MEETINGS__CLASH'] = 'pending';
    try {
      target = await startTarget({ base: E2E_BASE + 14 });
    } finally {
      delete process.env['DIEMCAU__MEETINGS__CLASH'];
    }
    browser = await openBrowser();
    page = browser.page;
    await signIn(page, target);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop().catch(() => {});
  });

  it('a clashing registration says "Chờ NOC duyệt"; the NOC approves it once the other meeting is cancelled', async () => {
    const a = await api(page, 'POST', '/meetings', {
      title: 'Hội nghị huyện Chợ Đồn (e2e)',
      host_org: 'ubnd-cho-don',
      start: at(5),
      end: at(5, 10),
      host_sites: true,
    });
    expect(a.status, JSON.stringify(a.json)).toBe(201);
    expect(a.json.meeting.status).toBe('confirmed');

    await openPath(page, '/meetings');
    await page.click('button[aria-expanded]:has-text("Đăng ký cuộc họp")');
    await fillRegistration(page, {
      title: 'Họp chờ duyệt (e2e)',
      host: 'ubnd-cho-don',
      start: at(5, 9),
      end: at(5, 11),
    });
    await page.locator('form[aria-labelledby=reg-title] button[type=submit]').click();
    const done = page.locator('[data-registered]');
    await done.waitFor({ timeout: 15_000 });
    expect(await done.getAttribute('data-status')).toBe('pending');
    expect(await done.textContent()).toContain('Chờ NOC duyệt');
    expect(await done.locator('[data-overlaps]').textContent()).toContain('Hội nghị huyện Chợ Đồn (e2e)');
    const id = (await done.getAttribute('data-registered'))!;
    // the list shows the badge
    await page.waitForSelector(`tr[data-meeting="${id}"] [data-status=pending]`, { timeout: 15_000 });

    await openPath(page, `/meetings/${id}`);
    const decision = page.locator('[data-pending-decision]');
    await decision.waitFor({ timeout: 15_000 });
    // while the first still clashes the API refuses the approval, and says why
    await decision.locator('[data-approve]').click();
    // (the approval's answer, under a loaded CI machine, has taken more than 10 s)
    await decision.locator('[data-refused]').waitFor({ timeout: 25_000 });
    expect(await decision.locator('[data-refused]').textContent()).toContain('Hội nghị huyện Chợ Đồn (e2e)');

    const cancel = await api(page, 'POST', `/meetings/${a.json.meeting.id}/cancel`, {
      reason: 'Dời sang tuần sau',
    });
    expect(cancel.status).toBe(200);
    await decision.locator('[data-approve]').click();
    await page.waitForSelector('[data-pending-decision]', { state: 'detached', timeout: 25_000 });
    expect(await page.locator('#m-title ~ .badges [data-status]').count()).toBe(0);
    const m = await api(page, 'GET', `/meetings/${id}`);
    expect(m.json.meeting).toMatchObject({ status: 'confirmed', decided_by: target.user });
    expect(browser.errors).toEqual([]);
  }, 60_000);
});
