// End to end: the joint test run's "Đã kiểm tra / Checked" (Điều 7.1.b, issue 16) in Debian's Chromium
// against `diemcau demo` (its own demo, devices on the loopback base E2E_BASE + 15). A technician signs in,
// sees only their own site of a meeting and confirms it with the button; the row then says who and when.
// A forged signed link opens the refusal page (403, the reason, nothing recorded). axe-core finds no
// serious or critical violation on either page.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pageApi as api,
  type Browser,
  buildDashboard,
  E2E_BASE,
  openBrowser,
  seriousViolations,
  signIn,
  startTarget,
  type Target,
} from './target.ts';

const devTarget = process.env['DIEMCAU_E2E_TARGET'] === 'dev';
const POLL = { timeout: 20_000, interval: 200 };
const TECH = { name: 'kt-bang-thanh-e2e', password: 'kỹ-thuật-bằng-thành-2026' };
const TITLE = 'Giao ban trực tuyến quý II (e2e vận hành thử)';

/** signed in: a technician's menu has no meetings list, they open a meeting from its link (the message, an alert) */
const SIGNED_IN = 'nav[aria-label=Menu] >> text=Cảnh báo';

describe.skipIf(devTarget)('joint readiness: the technician confirms a site', () => {
  let target: Target;
  let browser: Browser;
  let page: Page;
  let meetingId = '';

  beforeAll(async () => {
    buildDashboard();
    target = await startTarget({ base: E2E_BASE + 15 });
    browser = await openBrowser();
    page = browser.page;
    await signIn(page, target, { ready: SIGNED_IN });
    const user = await api(page, 'POST', '/users', {
      name: TECH.name,
      role: 'technician',
      sites: ['xa-bang-thanh'],
      password: TECH.password,
    });
    expect(user.status).toBe(200);
    const start = Date.now() + 4 * 86_400_000;
    const reg = await api(page, 'POST', '/meetings', {
      title: TITLE,
      host_org: 'vp-ubnd-tinh',
      start,
      end: start + 55 * 60_000,
      sites: ['tinh-uy', 'huyen-pac-nam', 'xa-bang-thanh'],
    });
    expect(reg.status, JSON.stringify(reg.json)).toBe(201);
    meetingId = (reg.json as { meeting: { id: string } }).meeting.id;
    await page.click('button:has-text("Đăng xuất")');
    await page.waitForSelector('h1#login-title');
    await signIn(page, target, { user: TECH.name, password: TECH.password, ready: SIGNED_IN });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop().catch(() => {});
  });

  it('shows the technician only their site, and "Đã kiểm tra" records who and when', async () => {
    await page.goto(`${target.url}/meetings/${meetingId}`);
    const panel = page.locator('section[data-readiness-confirm]');
    await panel.waitFor({ timeout: 20_000 });
    expect(await panel.locator('h2').textContent()).toBe('Vận hành thử chung: từng điểm cầu');
    const rows = panel.locator('tr[data-confirm-site]');
    await expect.poll(() => rows.count(), POLL).toBe(1);
    const row = panel.locator('tr[data-confirm-site=xa-bang-thanh]');
    expect(await row.getAttribute('data-ready')).toBe('no');
    // no run yet: the parts are not checked
    expect(await row.locator('td[data-part=link]').textContent()).toContain('Chưa kiểm tra');
    expect(await seriousViolations(page)).toEqual([]);

    const button = row.locator('button[data-confirm=xa-bang-thanh]');
    expect(await button.getAttribute('aria-label')).toBe('Đã kiểm tra — Hội trường UBND xã Bằng Thành');
    await button.click();
    const cell = row.locator('td[data-part=confirmation]');
    await expect.poll(() => cell.textContent(), POLL).toContain('✔ Đã kiểm tra');
    const text = (await cell.textContent()) ?? '';
    expect(text).toContain(`bởi ${TECH.name}`);
    expect(text).toContain('(trên hệ thống)');
    expect(text).toMatch(/\d{2}:\d{2}/);
    expect(await button.count()).toBe(0);
    await page.screenshot({ path: '/tmp/h6-readiness-confirm.png', fullPage: false });
    // the server has it: the NOC's view of the same meeting lists the confirmation
    const sites = await api(page, 'GET', `/meetings/${meetingId}/readiness/sites`);
    const items = (sites.json as { items: { site: string; confirmation: { user_name: string } | null }[] })
      .items;
    expect(items.map((x) => [x.site, x.confirmation?.user_name])).toEqual([['xa-bang-thanh', TECH.name]]);
    expect(browser.errors).toEqual([]);
  });

  it('a forged "Đã kiểm tra" link is refused with its reason, in Vietnamese first', async () => {
    const claim = Buffer.from(
      JSON.stringify({ m: meetingId, s: 'tinh-uy', t: 'T-12h', p: 'kt-tinh-uy', e: Date.now() + 86_400_000 }),
    ).toString('base64url');
    const res = await page.goto(`${target.url}/kiem-tra/${claim}.${'x'.repeat(43)}`);
    expect(res?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toContain('Không xác nhận được');
    expect(await page.locator('main').textContent()).toContain('chữ ký không khớp');
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    expect(await seriousViolations(page)).toEqual([]);
  });
});
