// End to end: the People and Roster tabs of the operations records (issue 17) in Debian's Chromium
// against `diemcau demo` (devices on the loopback base E2E_BASE + 16) whose e-mail goes to a real SMTP
// server on loopback. The admin adds a person, replaces a commune site's technician through the form with
// a reason, sees old → new with the reason in the site's history; the server's answer counts the notices
// queued for Sở TT&TT, its audit log records them, and the mail reaches each of Sở TT&TT's contacts. The
// admin puts a VNPT person on today's roster in the week grid and reads it back through the API; axe finds
// nothing serious on either tab; screenshots at laptop size (1366×768) and at phone width (390×844, where
// the roster is a list of days and the page does not scroll sideways). A host office sees its own staff's
// channels and edits only them, and replaces no technician; a viewer reads the roster and the people.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtp } from '../helpers/servers.ts';
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
const SITE = 'xa-bang-thanh';
const OLD = 'kt-xa-bang-thanh';
const OLD_NAME = 'Cán bộ kỹ thuật UBND xã Bằng Thành';
const NEW = 'nong-van-hai-e2e';
const NEW_NAME = 'Nông Văn Hải';
const REASON = 'Luân chuyển cán bộ sang Văn phòng HĐND-UBND huyện (e2e)';
const COURSE = 'Tập huấn vận hành hệ thống hội nghị truyền hình trực tuyến (e2e)';
const ROSTER_ORG = 'vnpt';
const ROSTER_PERSON = 'vnpt-truc-2';
const ROSTER_NAME = 'Trực đường truyền VNPT 2';
/** the e-mail of Sở TT&TT's contacts (the NOC organisation's `contacts` in inventory/bac-kan.yaml): the notice's recipients */
const SO_TTTT = ['truc-ban-1@noc.diemcau.example', 'truc-ban-2@noc.diemcau.example'];
const HCM = 7 * 3_600_000;
/** today in Bắc Kạn, yyyy-mm-dd */
const today = () => new Date(Date.now() + HCM).toISOString().slice(0, 10);
const ddmmyyyy = (d: string) => d.split('-').reverse().join('/');

describe.skipIf(devTarget)('people and roster tabs end to end', () => {
  let target: Target;
  let chrome: LaunchedChromium;
  let page: Page;
  let smtp: SmtpSink;
  let session: SignedIn | undefined;

  beforeAll(async () => {
    smtp = await startSmtp();
    session = await startSignedIn({ base: E2E_BASE + 16, smtpPort: smtp.port });
    ({ target, chrome, page } = session);
  }, 120_000);

  afterAll(async () => {
    await session?.stop();
    await smtp?.close();
  });

  it('adds a person and replaces a commune site technician with a reason; Sở TT&TT is told', async () => {
    await openPath(page, '/ops/people');
    await page.locator('table[data-people] tr[data-person]').first().waitFor({ timeout: 20_000 });

    // a new person, through the form
    await page.click('button:has-text("Thêm cán bộ")');
    const pf = page.locator('form[data-person-form=""]');
    await pf.locator('input[name=id]').fill(NEW);
    await pf.locator('input[name=name]').fill(NEW_NAME);
    await pf.locator('input[name=title]').fill('Công chức Văn hóa - Xã hội');
    await pf.locator('input[name=email]').fill('nong-van-hai@site.diemcau.example');
    await pf.locator('input[name=phone]').fill('+84 912 345 678');
    await pf.locator('button[type=submit]').click();
    await page.locator('[data-saved]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-saved]').textContent()).toContain(NEW_NAME);

    // found by its name typed without diacritics, the site by its own
    await page.fill('input[name=q]', 'nong van hai');
    await expect.poll(() => page.locator('tr[data-person]').count()).toBe(1);
    expect(await page.locator(`tr[data-person=${NEW}]`).count()).toBe(1);

    // changed: saving waits for a change, and only the change is sent
    await page.locator(`tr[data-person=${NEW}] button:has-text("Sửa")`).click();
    const ef = page.locator(`form[data-person-form=${NEW}]`);
    expect(await ef.locator('button[type=submit]').isDisabled()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await ef.locator('input[name=title]').fill('Công chức Văn hóa - Xã hội xã Bằng Thành');
    const patched = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith(`/people/${NEW}`));
    await ef.locator('button[type=submit]').click();
    expect((await patched).postDataJSON()).toEqual({ title: 'Công chức Văn hóa - Xã hội xã Bằng Thành' });
    await expect
      .poll(() => page.locator(`tr[data-person=${NEW}]`).textContent())
      .toContain('Công chức Văn hóa - Xã hội xã Bằng Thành');

    // a training record on the person's record
    await page.locator(`tr[data-person=${NEW}] button:has-text("Hồ sơ")`).click();
    const rec = page.locator(`section[data-person-detail=${NEW}]`);
    await rec.waitFor();
    expect(await rec.locator('[data-trainings]').textContent()).toContain('chưa có');
    expect(await rec.textContent()).toMatch(/sửa trên hệ thống lúc \d{2}:\d{2} \d{2}\/\d{2}\/\d{4}, admin/);
    const tf = rec.locator(`form[data-training-form=${NEW}]`);
    expect(await tf.locator('input[name=date]').inputValue()).toBe(today());
    await tf.locator('input[name=course]').fill(COURSE);
    await tf.locator('input[name=provider]').fill('Sở Thông tin và Truyền thông');
    await tf.locator('button[type=submit]').click();
    await expect.poll(() => rec.locator('[data-trainings]').textContent()).toContain(COURSE);
    expect(await rec.locator('[data-trainings]').textContent()).toContain(ddmmyyyy(today()));
    expect(await seriousViolations(page)).toEqual([]);
    const tr = await api(page, 'GET', `/people/${NEW}/trainings`);
    expect(tr.json.items.map((x: { course: string; date: string }) => [x.course, x.date])).toEqual([
      [COURSE, today()],
    ]);
    await rec.locator('button:has-text("Đóng")').click();
    await page.fill('input[name=q]', 'bang thanh');
    const row = page.locator(`tr[data-site=${SITE}]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(OLD_NAME);

    // the replacement: the button stays disabled until a person and a reason are given
    await row.locator('button').click();
    const panel = page.locator(`section[data-site-panel=${SITE}]`);
    await panel.waitFor();
    const form = panel.locator(`form[data-replace-form=${SITE}]`);
    expect(await form.locator('button[type=submit]').isDisabled()).toBe(true);
    expect(await form.locator('input[name=from]').inputValue()).toBe(today());
    await form.locator('select[name=person]').selectOption(NEW);
    expect(await form.locator('button[type=submit]').isDisabled()).toBe(true);
    await form.locator('textarea[name=reason]').fill(REASON);
    // yesterday is before the current technician began (the demo seeded the directory today): the
    // API refuses and the form says why, in its words
    const yesterday = new Date(Date.parse(`${today()}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await form.locator('input[name=from]').fill(yesterday);
    await form.locator('button[type=submit]').click();
    const refused = form.locator('[data-refused]');
    await refused.waitFor({ timeout: 10_000 });
    expect(await refused.textContent()).toContain('Không thay được cán bộ kỹ thuật');
    expect(await refused.textContent()).toContain('Thời điểm thay sớm hơn lúc cán bộ hiện tại bắt đầu');
    expect((await api(page, 'GET', `/sites/${SITE}/technicians`)).json.current.person).toBe(OLD);
    await form.locator('input[name=from]').fill(today());
    const answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/sites/${SITE}/technician`));
    await form.locator('button[type=submit]').click();
    const posted = await (await answer).json();
    // one notice queued per contact of Sở TT&TT with an e-mail address
    expect(posted.notified).toBe(SO_TTTT.length);

    const done = panel.locator('[data-replaced]');
    await done.waitFor({ timeout: 10_000 });
    const said = (await done.textContent()) ?? '';
    expect(said).toContain(`${OLD_NAME} → ${NEW_NAME}`);
    expect(said).toContain(ddmmyyyy(today()));
    expect(await done.locator('[data-notified]').getAttribute('data-notified')).toBe(String(SO_TTTT.length));
    expect(said).toContain(
      `Đã gửi thư thông báo tới Sở Thông tin và Truyền thông (${SO_TTTT.length} người nhận)`,
    );

    // the history: old → new with the reason, newest first
    const change = panel.locator('[data-history] li[data-change]').first();
    await expect.poll(() => change.textContent()).toContain(`${OLD_NAME} → ${NEW_NAME}`);
    expect(await change.textContent()).toContain(REASON);
    await expect.poll(() => row.textContent()).toContain(NEW_NAME);

    // the server's record
    const h = await api(page, 'GET', `/sites/${SITE}/technicians`);
    expect(h.status).toBe(200);
    expect(h.json.current.person).toBe(NEW);
    const last = h.json.history.find((x: { person: string }) => x.person === NEW);
    expect(last.reason).toBe(REASON);
    expect(last.by).toBe('admin');
    const old = h.json.history.find((x: { person: string }) => x.person === OLD);
    expect(old.valid_to).toBe(last.valid_from);

    // the audit log keeps the change with the notices counted
    const audit = await api(page, 'GET', '/audit?action=site.technician');
    expect(audit.status).toBe(200);
    const entry = audit.json.items.find((x: { target: string }) => x.target === SITE);
    expect(entry.detail).toMatchObject({ before: OLD, after: NEW, reason: REASON, notified: SO_TTTT.length });

    // and the mail reaches each of Sở TT&TT's people through the outbox, naming old, new and why
    const notices = () =>
      smtp.mails.filter(
        (m) => m.key.startsWith(`technician.${SITE}.`) && m.subject.includes('Thay cán bộ kỹ thuật'),
      );
    await expect.poll(() => notices().length, { timeout: 20_000 }).toBe(SO_TTTT.length);
    expect(
      notices()
        .map((m) => m.to.replace(/^.*<|>.*$/g, ''))
        .sort(),
    ).toEqual([...SO_TTTT].sort());
    for (const m of notices()) {
      expect(m.subject).toContain(NEW_NAME);
      expect(m.text).toContain('Kính gửi: Sở Thông tin và Truyền thông');
      expect(m.text).toContain(`Cán bộ cũ: ${OLD_NAME} (${OLD})`);
      expect(m.text).toContain(`Lý do: ${REASON}`);
      expect(m.text).toContain(`Đã tập huấn: ${COURSE} (${ddmmyyyy(today())})`);
    }
  }, 120_000);

  it('has no serious accessibility problem on the people tab; screenshot of the replacement', async () => {
    expect(await seriousViolations(page)).toEqual([]);
    // the search bar at the top of the window, the replacement's panel under it
    await page.evaluate(() => {
      const bar = document.querySelector('.people');
      window.scrollTo(0, (bar?.getBoundingClientRect().top ?? 0) + window.scrollY - 8);
    });
    await page.screenshot({ path: join(SHOTS, 'ops-people.png') });
    await page.locator(`section[data-site-panel=${SITE}] button:has-text("Đóng")`).click();
    await page.fill('input[name=q]', '');
  });

  it("puts a VNPT person on today's roster in the week grid; the API has it", async () => {
    await openPath(page, '/ops/roster');
    const grid = page.locator('table[data-roster]');
    await grid.waitFor({ timeout: 20_000 });
    // this week, Monday to Sunday, today marked
    const heads = await grid.locator('thead th[data-day]').allTextContents();
    expect(heads.length).toBe(7);
    expect(heads[0]).toContain('Thứ Hai');
    expect(heads[6]).toContain('Chủ Nhật');
    const todayHead = grid.locator('thead th[aria-current=date]');
    expect(await todayHead.getAttribute('data-day')).toBe(today());
    expect(await todayHead.textContent()).toContain(ddmmyyyy(today()).slice(0, 5));
    // carriers first, then the power company and its branches
    const orgs = await grid
      .locator('tbody tr[data-org]')
      .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-org')));
    expect(orgs.slice(0, 2).sort()).toEqual(['viettel', 'vnpt']);
    expect(orgs[2]).toBe('pc-bac-kan');
    expect(orgs).toContain('dien-luc-pac-nam');

    // the next week and back: Monday 7 days later, nothing marked today, then this week again
    const monday0 = await grid.locator('thead th[data-day]').first().getAttribute('data-day');
    await page.click('button:has-text("Tuần sau")');
    const plus7 = new Date(Date.parse(`${monday0}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10);
    await expect.poll(() => grid.locator('thead th[data-day]').first().getAttribute('data-day')).toBe(plus7);
    expect(await grid.locator('thead th[aria-current=date]').count()).toBe(0);
    expect(await page.locator('#roster-h').textContent()).toContain(ddmmyyyy(plus7).slice(0, 5));
    await page.click('button:has-text("Tuần này")');
    await expect.poll(() => grid.locator('thead th[aria-current=date]').count()).toBe(1);

    // a week as the NOC keeps it (through the API), for the screenshot: Viettel's on-call on working
    // days, Điện lực Pác Nặm's on the weekend, for one site
    const monday = await grid.locator('thead th[data-day]').first().getAttribute('data-day');
    const day = (n: number) =>
      new Date(Date.parse(`${monday}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < 5; i++)
      expect(
        (await api(page, 'PUT', '/roster', { org: 'viettel', date: day(i), person: 'viettel-truc-1' }))
          .status,
      ).toBe(200);
    for (const i of [5, 6])
      expect(
        (
          await api(page, 'PUT', '/roster', {
            org: 'dien-luc-pac-nam',
            date: day(i),
            person: 'dl-pac-nam-truc',
            sites: [SITE],
          })
        ).status,
      ).toBe(200);
    await openPath(page, '/ops/roster');
    await grid.locator(`td[data-cell="viettel ${day(0)}"] [data-duty]`).waitFor({ timeout: 10_000 });

    await grid.locator(`button[data-assign="${ROSTER_ORG} ${today()}"]`).click();
    const form = page.locator(`form[data-roster-form="${ROSTER_ORG} ${today()}"]`);
    await form.waitFor();
    await form.locator('select[name=person]').selectOption(ROSTER_PERSON);
    await form.locator('button[type=submit]').click();
    const cell = grid.locator(`td[data-cell="${ROSTER_ORG} ${today()}"]`);
    await expect.poll(() => cell.textContent(), { timeout: 10_000 }).toContain(ROSTER_NAME);
    // the keyboard is back on the cell's button
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-assign')))
      .toBe(`${ROSTER_ORG} ${today()}`);

    const r = await api(page, 'GET', `/roster?from=${today()}&to=${today()}`);
    expect(r.status).toBe(200);
    const mine = r.json.items.filter(
      (e: { org: string; date: string }) => e.org === ROSTER_ORG && e.date === today(),
    );
    expect(mine.map((e: { person: string }) => e.person)).toEqual([ROSTER_PERSON]);

    // the technician Viettel names at the site (Điều 14.1.e)
    const named = page.locator('section[data-org-technicians]');
    await named.locator('select[name=tech_org]').selectOption('viettel');
    await named.locator('input[name=site_q]').fill('bang thanh');
    const siteRow = named.locator(`tr[data-named-site=${SITE}]`);
    await siteRow.waitFor();
    expect(await named.locator('tr[data-named-site]').count()).toBe(1);
    await siteRow.locator('button:has-text("Cử cán bộ")').click();
    const nf = named.locator(`form[data-naming-form="viettel ${SITE}"]`);
    await nf.locator('select[name=person]').selectOption('viettel-truc-2');
    await nf.locator('button[type=submit]').click();
    await expect
      .poll(() => siteRow.textContent(), { timeout: 10_000 })
      .toContain('Trực đường truyền Viettel 2');
    const ot = await api(page, 'GET', '/org-technicians?org=viettel');
    expect(ot.json.items.map((x: { site: string; person: string }) => [x.site, x.person])).toEqual([
      [SITE, 'viettel-truc-2'],
    ]);
    await named.locator('input[name=site_q]').fill('');

    expect(await seriousViolations(page)).toEqual([]);
    await page
      .locator('#roster-h')
      .evaluate((h) => window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 8));
    await page.screenshot({ path: join(SHOTS, 'ops-roster.png') });
  }, 120_000);

  it('at phone width: the roster is a list of days, nothing scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.locator('table[data-roster]').isVisible()).toBe(false);
    const todayList = page.locator(`section[data-day-list="${today()}"]`);
    expect(await todayList.isVisible()).toBe(true);
    expect(await todayList.textContent()).toContain(ROSTER_NAME);
    expect(await overflowX(page)).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page)).toEqual([]);
    await todayList.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'ops-roster-phone.png') });

    await openPath(page, '/ops/people');
    await page.locator('tr[data-person]').first().waitFor({ timeout: 20_000 });
    expect(await overflowX(page)).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'ops-people-phone.png') });
    expect(chrome.errors).toEqual([]);
  });

  it('a host office edits only its own staff; a viewer reads', async () => {
    const host = { name: 'vp-tinh-uy-e2e', password: 'văn-phòng-tỉnh-ủy-e2e-2026' };
    const viewer = { name: 'xem-e2e-people', password: 'chỉ-xem-cán-bộ-lịch-trực-2026' };
    expect((await api(page, 'POST', '/users', { ...host, role: 'host', org: 'vp-tinh-uy' })).status).toBe(
      200,
    );
    expect((await api(page, 'POST', '/users', { ...viewer, role: 'viewer' })).status).toBe(200);

    const hostCtx = await chrome.browser.newContext(LAPTOP);
    // a loaded machine (other suites running) may be slow to draw the sign-in form
    hostCtx.setDefaultTimeout(60_000);
    const hp = await hostCtx.newPage();
    await signIn(hp, target, { user: host.name, password: host.password });
    await openPath(hp, '/ops/people');
    await hp.locator('tr[data-person]').first().waitFor({ timeout: 20_000 });
    // its own staff: channels and "Sửa"; anyone else: neither
    const own = hp.locator('tr[data-person=vp-tinh-uy-chuyen-vien]');
    expect(await own.textContent()).toContain('vp-tinh-uy@host.diemcau.example');
    expect(await own.locator('button:has-text("Sửa")').count()).toBe(1);
    const other = hp.locator('tr[data-person=vnpt-truc-1]');
    expect(await other.textContent()).not.toContain('@');
    expect(await other.locator('button:has-text("Sửa")').count()).toBe(0);
    // a new person: only its own organisation to choose
    await hp.click('button:has-text("Thêm cán bộ")');
    const pf = hp.locator('form[data-person-form=""]');
    expect(
      await pf
        .locator('select[name=org] option')
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)),
    ).toEqual(['vp-tinh-uy']);
    await pf.locator('button:has-text("Hủy")').click();
    // a site's history, no replacement
    await hp.fill('input[name=q]', 'bang thanh');
    await hp.locator(`tr[data-site=${SITE}] button`).click();
    const panel = hp.locator(`section[data-site-panel=${SITE}]`);
    await expect.poll(() => panel.locator('[data-history]').textContent()).toContain(REASON);
    expect(await panel.locator('form[data-replace-form]').count()).toBe(0);
    // no roster tab for a host office
    expect(await hp.locator('nav.tabs a[href="/ops/roster"]').count()).toBe(0);
    expect(await seriousViolations(hp)).toEqual([]);
    await hostCtx.close();

    const viewerCtx = await chrome.browser.newContext(LAPTOP);
    viewerCtx.setDefaultTimeout(60_000);
    const vp = await viewerCtx.newPage();
    await signIn(vp, target, { user: viewer.name, password: viewer.password });
    await openPath(vp, '/ops/roster');
    const cell = vp.locator(`table[data-roster] td[data-cell="${ROSTER_ORG} ${today()}"]`);
    await expect.poll(() => cell.textContent(), { timeout: 20_000 }).toContain(ROSTER_NAME);
    expect(await vp.locator('button[data-assign], button.x').count()).toBe(0);
    await openPath(vp, '/ops/people');
    await vp.locator('tr[data-person]').first().waitFor({ timeout: 20_000 });
    expect(
      await vp.locator('button:has-text("Thêm cán bộ"), tr[data-person] button:has-text("Sửa")').count(),
    ).toBe(0);
    expect(await vp.locator('table[data-people] th', { hasText: 'Liên hệ' }).count()).toBe(0);
    await viewerCtx.close();
  }, 180_000);
});
