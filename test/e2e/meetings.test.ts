// End to end: the meetings, incidents and reports pages in Debian's Chromium (playwright-core) against
// `diemcau demo` (its own demo, devices on the loopback base after dashboard.test.ts's). Registers a
// meeting (refused under the 3-day rule, then as an emergency), runs readiness on the demo's live
// meeting, logs incidents (by hand and from an alert), opens the six-month report.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  buildDashboard,
  E2E_BASE,
  openBrowser,
  pageApi,
  ROOT,
  signIn,
  startTarget,
  type Target,
} from './target.ts';

const SHOTS = join(ROOT, 'docs/screenshots');
const DEMO_MEETING = 'Giao ban trực tuyến UBND tỉnh (mô phỏng)';
const NEW_MEETING = 'Họp khẩn ứng phó lũ quét huyện Pác Nặm (e2e)';
const SITE = 'xa-bang-thanh';
const SITE_NAME = 'Hội trường UBND xã Bằng Thành';
/** the dev API (DIEMCAU_E2E_TARGET=dev) has no meetings routes, no demo meeting and no simulator */
const devTarget = process.env['DIEMCAU_E2E_TARGET'] === 'dev';
const POLL = { timeout: 20_000, interval: 200 };
/** the menu of someone signed in who sees meetings */
const SIGNED_IN = 'nav[aria-label=Menu] >> text=Cuộc họp';

/** `2026-03-10T08:00` in Bắc Kạn time (UTC+7, the browser's time zone here), for datetime-local inputs */
function bkInput(ms: number): string {
  return new Date(ms + 7 * 3_600_000).toISOString().slice(0, 16);
}

describe.skipIf(devTarget)('meetings, incidents and reports end to end', () => {
  let target: Target;
  let ctx: BrowserContext;
  let page: Page;
  let browser: Browser;
  let errors: string[] = [];

  beforeAll(async () => {
    buildDashboard();
    target = await startTarget({ base: E2E_BASE + 1 });
    browser = await openBrowser();
    ({ ctx, page, errors } = browser);
    mkdirSync(SHOTS, { recursive: true });
    await signIn(page, target, { ready: SIGNED_IN });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop().catch(() => {});
  });

  it('has real pages behind the menu, no "sắp có" left', async () => {
    const nav = (await page.locator('nav[aria-label=Menu]').textContent()) ?? '';
    for (const label of ['Cuộc họp', 'Sự cố', 'Báo cáo']) expect(nav).toContain(label);
    expect(nav).not.toContain('sắp có');
  });

  it('lists the demo meeting as in progress', async () => {
    await page.click('nav[aria-label=Menu] >> text=Cuộc họp');
    const live = page.locator('section[data-phase=live]');
    await expect.poll(() => live.textContent(), POLL).toContain(DEMO_MEETING);
    expect(await page.locator('h1').first().textContent()).toBe('Cuộc họp');
  });

  it('refuses a meeting under the 3-day rule, then registers it as an emergency', async () => {
    await page.click('button:has-text("Đăng ký cuộc họp")');
    const form = page.locator('form[aria-labelledby=reg-title]');
    await form.waitFor();
    const start = Date.now() + 2 * 3_600_000;
    await form.locator('input[name=title]').fill(NEW_MEETING);
    await form.locator('select[name=host_org]').selectOption('vp-ubnd-tinh');
    await form.locator('input[name=start]').fill(bkInput(start));
    await form.locator('input[name=end]').fill(bkInput(start + 90 * 60_000));
    await form.locator('input[name=tier][value=province]').check();
    await form.locator('input[name=district][value=pac-nam]').check();
    expect(
      Number(await form.locator('[data-selected-count]').getAttribute('data-selected-count')),
    ).toBeGreaterThan(4);
    await form.locator('button[type=submit]').click();
    const refused = form.locator('[data-refused]');
    await refused.waitFor({ timeout: 10_000 });
    const why = (await refused.textContent()) ?? '';
    expect(why).toContain('Không đăng ký được');
    expect(why).toContain('phải được đăng ký trước ít nhất 03 ngày');
    expect(why).toContain('Điều 6');

    await form.locator('input[name=emergency]').check();
    await form.locator('input[name=emergency_reason]').fill('Mưa lớn, nguy cơ lũ quét (PCTT&TKCN)');
    await form.locator('button[type=submit]').click();
    const done = page.locator('[data-registered]');
    await done.waitFor({ timeout: 10_000 });
    expect(await done.textContent()).toContain('Đã đăng ký cuộc họp');
    expect(await done.textContent()).toContain('miễn thông báo trước 03 ngày');
    const row = page.locator('section[data-phase=upcoming] tr[data-meeting]', { hasText: NEW_MEETING });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('Khẩn cấp');
    await page.click('button:has-text("Hủy")'); // closes the form
    await page.screenshot({ path: join(SHOTS, 'meetings.png') });
  });

  it('opens the live demo meeting and runs a readiness test now', async () => {
    await page.click(`section[data-phase=live] a:has-text("${DEMO_MEETING}")`);
    const detail = page.locator('section[data-phase=live][data-meeting]');
    await detail.waitFor({ timeout: 10_000 });
    expect(await detail.locator('h1').textContent()).toBe(DEMO_MEETING);
    const rows = page.locator('tr[data-site-row]');
    await expect.poll(() => rows.count(), POLL).toBeGreaterThan(10);
    const sites = await rows.count();
    await page.click('button[data-run-readiness]');
    const manual = page.locator('li[data-slot=manual]');
    await manual.waitFor({ timeout: 20_000 });
    expect(await manual.textContent()).toMatch(new RegExp(`Theo yêu cầu:[^]*\\d+/${sites} sẵn sàng`));
    // every participating site has a verdict in the on-demand column
    await expect
      .poll(
        () =>
          page.$$eval(
            'tr[data-site-row] td[data-readiness]:last-child',
            (els) =>
              els.filter((e) => ['ready', 'not_ready'].includes(e.getAttribute('data-readiness') ?? ''))
                .length,
          ),
        POLL,
      )
      .toBe(sites);
    expect(await page.locator('th', { hasText: 'Theo yêu cầu' }).count()).toBe(1);
    // attendance, as the alert engine recorded it from the codecs' call state (not a fault)
    expect(await page.locator('table.sites th', { hasText: 'Tham dự' }).count()).toBe(1);
    expect(await page.locator('td[data-attendance=joined]').count()).toBeGreaterThan(0);
    expect(await page.locator('td[data-attendance=joined]').first().textContent()).toMatch(
      /✔ vào họp \d{2}:\d{2}/,
    );
    await page.screenshot({ path: join(SHOTS, 'meeting.png'), fullPage: true });
  });

  it('shows the live meeting as observed: join times and minutes connected per site', async () => {
    const obs = page.locator('section[data-observed]');
    await obs.waitFor({ timeout: 20_000 });
    expect(await obs.locator('h2').textContent()).toBe('Diễn biến cuộc họp (theo MCU)');
    await expect
      .poll(() => obs.locator('tr[data-attendance-observed=present]').count(), POLL)
      .toBeGreaterThan(0);
    const row = obs.locator('tr[data-attendance-observed=present]').first();
    expect(await row.textContent()).toMatch(/Có mặt[\s\S]*\d{2}:\d{2}[\s\S]*\d+\/\d+ phút/);
    expect(await obs.locator('caption').textContent()).toContain('số phút kết nối');
  });

  it('logs an incident with cause, fix and time to restore, and shows it on the site page', async () => {
    await page.click('nav[aria-label=Menu] >> text=Sự cố');
    await page.click('button:has-text("Ghi sự cố")');
    const form = page.locator('form[aria-labelledby=inc-new]');
    await form.waitFor();
    const started = Date.now() - 50 * 60_000;
    await form.locator('select[name=sites]').selectOption([SITE]);
    await form.locator('input[name=started_at]').fill(bkInput(started));
    await form.locator('input[name=restored_at]').fill(bkInput(started + 35 * 60_000));
    await form.locator('select[name=cause_class]').selectOption('link');
    await form.locator('textarea[name=cause]').fill('Đứt cáp quang VNPT đoạn Bộc Bố – Bằng Thành');
    await form.locator('textarea[name=fix]').fill('VNPT hàn nối cáp');
    await form.locator('button[type=submit]').click();
    const detail = page.locator('section[data-incident]');
    await detail.waitFor({ timeout: 10_000 });
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain('Đã ghi sự cố');
    expect(text).toContain(SITE_NAME);
    expect(text).toContain('Đứt cáp quang VNPT');
    expect(await detail.locator('[data-ttr]').textContent()).toBe('35 phút');

    // edit: a better fix text
    await page.fill('textarea[name=fix]', 'VNPT hàn nối cáp, đo lại suy hao đạt');
    await page.click('form[aria-labelledby=i-edit] button[type=submit]');
    await expect.poll(() => detail.textContent(), POLL).toContain('Đã lưu sự cố');
    expect(await detail.textContent()).toContain('đo lại suy hao đạt');

    await page.click(`section[data-incident] a:has-text("${SITE_NAME}")`);
    await page.waitForSelector(`[data-site-page="${SITE}"]`, { timeout: 10_000 });
    const row = page.locator('tr[data-incident]', { hasText: 'Đứt cáp quang VNPT' });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('35 phút');
    expect(await page.locator('main').textContent()).not.toContain('mô-đun sự cố');
  });

  it('creates an incident from an alert', async () => {
    await target.inject({ kind: 'power_cut', site: SITE });
    await page.click('nav[aria-label=Menu] >> text=Cảnh báo');
    const card = page.locator(`li[data-site="${SITE}"][data-state=firing]`).first();
    await card.waitFor({ timeout: 30_000 });
    await card.locator('a[data-incident-from]').click();
    const form = page.locator('form[aria-labelledby=inc-new]');
    await form.waitFor({ timeout: 10_000 });
    await expect.poll(() => form.locator('select[name=sites]').inputValue(), POLL).toBe(SITE);
    await expect.poll(() => form.locator('textarea[name=cause]').inputValue(), POLL).toContain('điện');
    expect(await form.locator('select[name=cause_class]').inputValue()).toBe('power');
    await form.locator('button[type=submit]').click();
    const detail = page.locator('section[data-incident]');
    await detail.waitFor({ timeout: 10_000 });
    expect(await detail.textContent()).toContain('Đã ghi sự cố');
    expect(await detail.textContent()).toContain('chưa khắc phục');
    await page.click('nav[aria-label=Menu] >> text=Sự cố');
    await expect.poll(() => page.locator('tr[data-incident]').count(), POLL).toBe(2);
  });

  it('flags a site outside its registration, lists an unregistered call and classifies it (Điều 8.2.c)', async () => {
    type Api = { meetings: { title: string; sites: string[] }[]; sites: { id: string; tier: string }[] };
    const api = await page.evaluate(async (): Promise<Api> => {
      const m = await (await fetch('/api/v1/meetings?limit=1000')).json();
      const s = await (await fetch('/api/v1/sites')).json();
      return { meetings: m.items, sites: Array.isArray(s) ? s : (s.sites ?? s.items) };
    });
    const demoSites = api.meetings.find((m) => m.title === DEMO_MEETING)!.sites;
    // sites registered for no meeting (one registered for a later meeting would be its test run)
    const registered = new Set(api.meetings.flatMap((m) => m.sites));
    const [extra, extra2] = api.sites
      .filter((x) => x.tier === 'commune' && x.id !== SITE && !registered.has(x.id))
      .map((x) => x.id);
    expect(extra && extra2).toBeTruthy();
    const calls = (q: string) =>
      page.evaluate(
        async (query) =>
          (await (await fetch(`/api/v1/calls?${query}`)).json()).items as {
            id: string;
            legs: { site: string; unregistered_site: boolean; left_at: number | null }[];
          }[],
        q,
      );
    const SLOW = { timeout: 60_000, interval: 1_000 };

    // a site dials into the demo meeting it was not registered for
    await target.control('/meeting/start', { sites: [...demoSites, extra] });
    await expect
      .poll(
        async () =>
          (await calls('kind=registered')).some((c) =>
            c.legs.some((l) => l.site === extra && l.unregistered_site),
          ),
        SLOW,
      )
      .toBe(true);
    await page.click('nav[aria-label=Menu] >> text=Cuộc họp');
    const flagged = page.locator(`section[data-flagged-legs] tr[data-flagged="${extra}"]`);
    await flagged.first().waitFor({ timeout: 20_000 });
    expect(await flagged.first().textContent()).toContain(DEMO_MEETING);
    expect(await page.locator('#flagged-title').textContent()).toContain(
      'Điểm cầu ngoài danh sách đăng ký (Điều 8.2.c)',
    );

    // the meeting's call ends; two sites nobody registered hold a call of their own
    await target.control('/meeting/end');
    await expect.poll(async () => (await calls('live=true')).length, SLOW).toBe(0);
    await target.control('/meeting/start', { sites: [extra, extra2] });
    await expect
      .poll(async () => (await calls('kind=unregistered&live=true')).flatMap((c) => c.legs).length, SLOW)
      .toBe(2);
    await page.click('nav[aria-label=Menu] >> text=Cảnh báo'); // away and back: the lists load anew
    await page.click('nav[aria-label=Menu] >> text=Cuộc họp');
    const section = page.locator('section[data-unregistered-calls]');
    await section.waitFor({ timeout: 20_000 });
    expect(await section.locator('h2').textContent()).toContain('Cuộc gọi chưa đăng ký trên MCU');
    const card = section.locator('li[data-call][data-live=true]').first();
    await card.waitFor({ timeout: 20_000 });
    expect(await card.textContent()).toContain('Trực tiếp');
    expect(await card.locator('tr[data-leg]').count()).toBe(2);
    expect(await card.locator('tr[data-leg]').first().textContent()).toMatch(/\d{2}:\d{2}[\s\S]*còn kết nối/);
    const callId = await card.getAttribute('data-call');

    await card.locator('button[data-classify]').click();
    const form = card.locator('form.classify');
    await form.waitFor();
    // the demo meeting overlaps the call: it is offered to attach to
    expect(await form.locator('select[name=meeting_id] option').first().textContent()).toContain(
      DEMO_MEETING,
    );
    await form.locator('input[name=kind][value=central]').check();
    await form.locator('input[name=title]').fill('Hội nghị trực tuyến toàn quốc về chuyển đổi số (e2e)');
    await form.locator('textarea[name=note]').fill('Bộ TT&TT chủ trì, Bắc Kạn tham dự điểm cầu nhánh');
    await form.locator('button[type=submit]').click();
    await page.locator('[data-classified]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-classified]').textContent()).toContain('Trung ương chủ trì');
    await expect.poll(() => section.locator(`li[data-call="${callId}"]`).count(), POLL).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'meetings-calls.png'), fullPage: true });

    // the demo meeting goes on
    await target.control('/meeting/start', { sites: demoSites });
    expect(errors).toEqual([]);
  });

  it('opens the six-month report: a summary here, the printable page in a new tab', async () => {
    await page.click('nav[aria-label=Menu] >> text=Báo cáo');
    await page.locator('input[name=kind][value=six-month]').waitFor();
    expect(await page.locator('input[name=kind][value=six-month]').isChecked()).toBe(true);
    await page.click('button:has-text("Xem tóm tắt")');
    const summary = page.locator('[data-summary=six-month]');
    await summary.waitFor({ timeout: 20_000 });
    const total = Number(await summary.locator('[data-meetings-total]').getAttribute('data-meetings-total'));
    // held, not registered: the demo's meeting and the central call; ours starts in 2 hours (not counted)
    expect(total).toBeGreaterThanOrEqual(2);
    expect(await summary.textContent()).toContain('Văn phòng UBND tỉnh');
    expect(await summary.locator('tr[data-logbook-row]').count()).toBe(total);
    expect(await summary.locator('tr[data-logbook-row][data-kind=central]').count()).toBe(1);
    expect(await summary.locator('li[data-kind=central] strong').textContent()).toBe('1');
    // the half-year reaches into the future: counted up to now, and it says so
    expect(await summary.locator('[data-partial]').textContent()).toMatch(
      /Số liệu tính đến \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/,
    );
    expect(await summary.textContent()).toContain('Chưa diễn ra (không tính)');
    expect(await summary.locator('[data-compliance] tr[data-carrier]').count()).toBeGreaterThan(0);
    expect(await page.locator('a[data-report-doc=docx]').getAttribute('href')).toContain(
      'format=docx&lang=vi',
    );
    await page.screenshot({ path: join(SHOTS, 'reports.png'), fullPage: true });
    // at phone width no page scrolls sideways: the wide tables scroll in their own box
    const overflow = () =>
      page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await page.setViewportSize({ width: 375, height: 800 });
    await expect.poll(overflow, POLL).toBeLessThanOrEqual(0);
    const goTo = (path: string) =>
      page.evaluate((p) => {
        history.pushState(null, '', p);
        dispatchEvent(new PopStateEvent('popstate'));
      }, path);
    await goTo('/meetings'); // the menu may fold at this width
    await page.locator('section[data-unregistered-calls]').waitFor({ timeout: 20_000 });
    await expect.poll(overflow, POLL).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await goTo('/reports?kind=six-month');
    await page.click('button:has-text("Xem tóm tắt")');
    await summary.waitFor({ timeout: 20_000 });
    const [tab] = await Promise.all([ctx.waitForEvent('page'), page.click('a[data-report-html]')]);
    await tab.waitForLoadState('load');
    expect(tab.url()).toContain('/api/v1/reports/six-month?from=');
    expect(tab.url()).toContain('format=html');
    // the printable page is the filed document (Nghị định 30/2020): kind, then title
    expect(await tab.locator('p.title').first().textContent()).toMatch(
      /^Định kỳ 06 tháng (đầu|cuối) năm \d{4} về sử dụng hệ thống hội nghị truyền hình trực tuyến$/,
    );
    await tab.close();
  });

  it('switches the new pages to English', async () => {
    await page.click('button:has-text("EN")');
    await expect.poll(() => page.locator('h1').first().textContent(), POLL).toBe('Reports');
    await page.click('nav[aria-label=Menu] >> text=Meetings');
    await expect
      .poll(() => page.locator('section[data-phase=live] h2').textContent(), POLL)
      .toContain('In progress');
    await page.click('button:has-text("VI")');
    await expect.poll(() => page.locator('h1').first().textContent(), POLL).toBe('Cuộc họp');
    expect(errors).toEqual([]);
  });

  it('shows a host office only its own meetings, and registers only for itself', async () => {
    const { status } = await pageApi(page, 'POST', '/users', {
      name: 'vp-tinh-uy',
      role: 'host',
      org: 'vp-tinh-uy',
      password: 'văn-phòng-tỉnh-ủy-2026',
    });
    expect(status).toBe(200);
    await page.click('button:has-text("Đăng xuất")');
    await page.waitForSelector('h1#login-title');
    await signIn(page, target, { user: 'vp-tinh-uy', password: 'văn-phòng-tỉnh-ủy-2026', ready: SIGNED_IN });
    const nav = (await page.locator('nav[aria-label=Menu]').textContent()) ?? '';
    expect(nav).toContain('Báo cáo');
    expect(nav).not.toContain('Sự cố');
    await page.click('nav[aria-label=Menu] >> text=Cuộc họp');
    await page.locator('section[data-phase=upcoming]').waitFor({ timeout: 10_000 });
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).not.toContain(DEMO_MEETING);
    expect(main).not.toContain(NEW_MEETING);
    await page.click('button:has-text("Đăng ký cuộc họp")');
    const hosts = page.locator('form[aria-labelledby=reg-title] select[name=host_org] option');
    await expect.poll(() => hosts.count(), POLL).toBe(1);
    expect(await hosts.first().getAttribute('value')).toBe('vp-tinh-uy');
    await page.click('nav[aria-label=Menu] >> text=Báo cáo');
    await page.locator('input[name=kind]').first().waitFor();
    expect(await page.locator('input[name=kind]').count()).toBe(1);
    expect(await page.locator('input[name=kind]').getAttribute('value')).toBe('meeting');
    expect(errors).toEqual([]);
  });
});
