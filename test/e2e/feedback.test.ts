// End to end: the Feedback tab of the operations records (issue 17; Điều 11.4, 15.2) in Debian's
// Chromium against `diemcau demo` (devices on the loopback base E2E_BASE + 19) whose e-mail goes to a
// real SMTP server on loopback. The admin creates a host office account through the API; the host office
// signs in and files a difficulty in /ops/feedback; the admin answers it in the dashboard; the host office
// sees the answer and is e-mailed it; the yearly report's printable page (format=html) lists the
// difficulty with the answer. axe finds nothing serious; screenshot at 1366×768, and the phone width
// (390×844) shows cards without scrolling sideways. And the map card of a switched-off codec names the
// site's operating hours.
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.ts';
import { siteHours } from '../../inventory/hours.ts';
import { loadInventory } from '../../inventory/load.ts';
import { BAC_KAN } from '../helpers/alerts.ts';
import { type SmtpSink, startSmtp, until } from '../helpers/servers.ts';
import {
  pageApi as api,
  E2E_BASE,
  LAPTOP,
  type LaunchedChromium,
  openPath,
  overflowX,
  SHOTS,
  type SignedIn,
  seriousViolations,
  signIn,
  startSignedIn,
  type Target,
} from './target.ts';

const devTarget = process.env['DIEMCAU_E2E_TARGET'] === 'dev';
const HOST_USER = 'vp-ubnd-tinh-phan-anh';
const HOST_PASSWORD = 'Mây-trắng-đồi-chè-phản-ánh-7391!';
/** the e-mail of the host office's contact (inventory/bac-kan.yaml, organisation vp-ubnd-tinh) */
const HOST_MAIL = 'vp-ubnd-tinh@host.diemcau.example';
const DIFFICULTY = 'Hội trường UBND tỉnh: micro bàn chủ tọa hay bị rè khi họp trực tuyến (e2e).';
const ANSWER = 'Trung tâm đã cử kỹ thuật kiểm tra, sẽ thay micro trước cuộc họp tuần sau (e2e).';

describe.skipIf(devTarget)('feedback tab end to end', () => {
  let target: Target;
  let chrome: LaunchedChromium;
  let admin: Page;
  let hostCtx: BrowserContext;
  let host: Page;
  let smtp: SmtpSink;
  let session: SignedIn | undefined;

  beforeAll(async () => {
    smtp = await startSmtp();
    session = await startSignedIn({ base: E2E_BASE + 19, smtpPort: smtp.port, path: '/ops/feedback' });
    ({ target, chrome, page: admin } = session);
  }, 120_000);

  afterAll(async () => {
    await hostCtx?.close();
    await session?.stop();
    await smtp?.close();
  });

  it('a host office files a difficulty, the admin answers it, the yearly report lists both', async () => {
    // the host office's account, created by the admin through the API
    const created = await api(admin, 'POST', '/users', {
      name: HOST_USER,
      role: 'host',
      org: 'vp-ubnd-tinh',
      password: HOST_PASSWORD,
    });
    expect(created.status, JSON.stringify(created.json)).toBe(200);

    // the host office files a difficulty in its own browser
    hostCtx = await chrome.browser.newContext(LAPTOP);
    host = await hostCtx.newPage();
    await signIn(host, target, { user: HOST_USER, password: HOST_PASSWORD, path: '/ops/feedback' });
    await openPath(host, '/ops/feedback');
    const form = host.locator('form[data-feedback-form]');
    await form.waitFor({ timeout: 20_000 });
    await form.locator('select[name=kind]').selectOption('difficulty');
    await form.locator('select[name=category]').selectOption('equipment');
    await form.locator('textarea[name=text]').fill(DIFFICULTY);
    await form.locator('button[type=submit]').click();
    await host.locator('[data-filed]').waitFor({ timeout: 10_000 });
    const id = Number(await host.locator('[data-filed]').getAttribute('data-filed'));
    expect(id).toBeGreaterThan(0);
    const hostRow = host.locator(`tr[data-feedback="${id}"]`);
    await hostRow.waitFor();
    expect(await hostRow.getAttribute('data-status')).toBe('pending');
    expect(await hostRow.textContent()).toContain('Chờ trả lời');
    expect(await hostRow.textContent()).toContain(DIFFICULTY);
    // a host office does not answer
    expect(await host.locator('[data-answer-open]').count()).toBe(0);
    expect(await seriousViolations(host)).toEqual([]);

    // the admin answers it in the dashboard
    await openPath(admin, '/ops/feedback');
    const row = admin.locator(`tr[data-feedback="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain(HOST_USER);
    expect(await row.textContent()).toContain('Văn phòng UBND tỉnh');
    // the admin's filing form stays closed until asked for
    expect(await admin.locator('form[data-feedback-form]').count()).toBe(0);
    expect(await admin.locator('[data-feedback-toggle]').getAttribute('aria-expanded')).toBe('false');
    await row.locator('[data-answer-open]').click();
    const af = admin.locator(`form[data-answer-form="${id}"]`);
    await af.locator('textarea[name=answer]').fill(ANSWER);
    await af.locator('button[type=submit]').click();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('answered');
    expect(await row.locator('[data-answer]').textContent()).toBe(ANSWER);
    expect(await row.textContent()).toContain(HOST_MAIL);
    expect(await seriousViolations(admin)).toEqual([]);
    await admin.evaluate(() => window.scrollTo(0, 0));
    await admin.screenshot({ path: join(SHOTS, 'ops-feedback.png') });

    // the host office sees the answer, and gets it by e-mail
    await host.reload();
    await hostRow.waitFor();
    expect(await hostRow.getAttribute('data-status')).toBe('answered');
    expect(await hostRow.textContent()).toContain(ANSWER);
    await until(
      () => smtp.mails.some((m) => m.to.includes(HOST_MAIL) && m.text.includes(ANSWER)),
      20_000,
      'the answer mail',
    );

    // the yearly report's printable page lists the difficulty with the answer
    const year = new Date(Date.now() + 7 * 3_600_000).getUTCFullYear();
    const html = await admin.evaluate(
      async (y) => (await fetch(`/api/v1/reports/yearly?year=${y}&format=html`)).text(),
      year,
    );
    expect(html).toContain('Khó khăn, vướng mắc và đề xuất, kiến nghị của các đơn vị');
    expect(html).toContain(DIFFICULTY);
    expect(html).toContain(ANSWER);

    // phone width: cards, nothing scrolls sideways
    await host.setViewportSize({ width: 390, height: 844 });
    await host.reload();
    await hostRow.waitFor();
    expect(await overflowX(host)).toBeLessThanOrEqual(0);
    expect(await hostRow.evaluate((el) => getComputedStyle(el).display)).toBe('block');
    await host.screenshot({ path: '/tmp/ops-feedback-phone.png', fullPage: true });
    expect(await seriousViolations(host)).toEqual([]);
  }, 120_000);

  it("operating hours on the map: a switched-off codec's card says the site's hours and whether it is within them", async () => {
    const SITE = 'xa-bang-thanh'; // not in the demo's meeting
    await openPath(admin, '/');
    await target.inject({ kind: 'codec_hung', site: SITE });
    const node = admin.locator(`a[data-site="${SITE}"]`);
    await expect.poll(() => node.getAttribute('data-state'), { timeout: 90_000, interval: 1000 }).toBe('off');
    await node.hover();
    const tip = admin.locator('[data-testid=tip-hours]');
    await tip.waitFor({ timeout: 10_000 });
    expect(await tip.textContent()).toBe('Thứ Hai–Thứ Sáu 07:00–17:00, nghỉ ngày lễ, Tết');
    // what the site page says follows the hours now (Bắc Kạn time, the shipped holidays)
    const within = siteHours(loadConfig(undefined, {}).operations, loadInventory(BAC_KAN)).inHours(
      SITE,
      Date.now(),
    );
    const card = (await tip.locator('xpath=ancestor::div[contains(@class,"tip")][1]').textContent()) ?? '';
    expect(card).toContain(within ? 'Codec tắt trong giờ làm việc' : 'Codec tắt máy ngoài giờ họp');
    // no fault episode is shown on it
    expect(card).not.toContain('Chưa ai nhận xử lý');
  }, 120_000);
});
