// End to end: the Maintenance tab of the operations records (issue 17) in Debian's Chromium against
// `diemcau demo` (devices on the loopback base E2E_BASE + 17). The admin creates a one-off plan for a
// commune site in the form and lengthens it in the same form; a link cut injected there through the simulator's control API is held (the
// site shows "maintenance", its episode is suppressed by the plan) while the same cut at another commune
// is not; a log entry filed from the plan naming the site's codec appears in GET /maintenance-log?device=
// and in the equipment register's device history. axe finds nothing serious; screenshots at laptop size
// (1366×768) and at phone width (390×844, cards, no sideways scroll).
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toLocalInput } from '../../core/time.ts';
import {
  type ApiJson,
  pageApi as api,
  E2E_BASE,
  type LaunchedChromium,
  openPath,
  overflowX,
  SHOTS,
  type SignedIn,
  seriousViolations,
  startSignedIn,
  type Target,
} from './target.ts';

const devTarget = process.env['DIEMCAU_E2E_TARGET'] === 'dev';
const SITE = 'xa-bang-thanh';
const CODEC = `${SITE}-codec`;
/** a commune of another district with the same fault and no plan: it must not be held */
const OTHER = 'xa-banh-trach';
const WORK = 'Thay ắc quy UPS, kiểm tra tiếp địa và cáp mạng (e2e)';
const POLL = { timeout: 150_000, interval: 1000 };

describe.skipIf(devTarget)('maintenance tab end to end', () => {
  let target: Target;
  let chrome: LaunchedChromium;
  let page: Page;
  let planId = '';

  let session: SignedIn | undefined;

  beforeAll(async () => {
    session = await startSignedIn({ base: E2E_BASE + 17, path: '/ops/maintenance' });
    ({ target, chrome, page } = session);
  }, 120_000);

  afterAll(async () => {
    await session?.stop();
  });

  it('a one-off plan created in the form holds the fault injected at its site', async () => {
    await openPath(page, '/ops/maintenance');
    await page.locator('button[data-new-plan]').waitFor({ timeout: 20_000 });
    await page.click('button[data-new-plan]');
    const form = page.locator('form[data-plan-form]');
    await form.waitFor();
    await form.locator('select[name=scope_kind]').selectOption('site');
    await form.locator('select[name=scope_value]').selectOption(SITE);
    const now = Date.now();
    await form.locator('input[name=from]').fill(toLocalInput(now - 60_000));
    await form.locator('input[name=to]').fill(toLocalInput(now + 3 * 3_600_000));
    await form.locator('textarea[name=work]').fill(WORK);
    await form.locator('select[name=by_person]').selectOption('kt-xa-bang-thanh');
    await form.locator('input[name=by_text]').fill('Công ty TNHH Kỹ thuật Hưng Thịnh');
    await form.locator('button[type=submit]').click();
    const created = page.locator('[data-created]');
    await created.waitFor({ timeout: 10_000 });
    planId = (await created.getAttribute('data-created')) ?? '';
    expect(planId).toMatch(/^mp-/);
    // listed under way, highlighted
    const row = page.locator(`table[data-plans=active] tr[data-plan="${planId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('class')).toContain('active');
    expect(await row.textContent()).toContain('đang bảo trì');
    const plan = await api(page, 'GET', `/maintenance-plans/${planId}`);
    expect(plan.json).toMatchObject({
      status: 'active',
      sites: [SITE],
      scope: { kind: 'site', value: SITE },
    });
    // changed in the same form: an hour longer
    await row.locator('button[data-edit-plan]').click();
    await form.waitFor();
    expect(await form.locator('textarea[name=work]').inputValue()).toBe(WORK);
    const later = (plan.json as ApiJson).ends_at + 3_600_000;
    await form.locator('input[name=to]').fill(toLocalInput(later));
    await form.locator('button[type=submit]').click();
    await expect
      .poll(() => page.locator('[data-created]').textContent(), { timeout: 10_000 })
      .toContain('Đã lưu thay đổi');
    const changed = await api(page, 'GET', `/maintenance-plans/${planId}`);
    expect(changed.json).toMatchObject({ revision: 2, ends_at: later, status: 'active' });

    await target.inject({ kind: 'link_down', site: SITE });
    await target.inject({ kind: 'link_down', site: OTHER });
    const episodes = async (site: string) =>
      ((await api(page, 'GET', `/episodes?site=${site}&all=true`)).json as ApiJson).items as ApiJson[];
    // the site without a plan: a firing episode (the control: the fault is seen at all)
    await expect
      .poll(
        async () => (await episodes(OTHER)).some((e) => e.state === 'firing' && e.suppressed_by === null),
        POLL,
      )
      .toBe(true);
    // the planned site: held by the plan, shown as maintenance, nobody paged
    await expect
      .poll(async () => (await episodes(SITE)).map((e) => e.suppressed_by), POLL)
      .toContain(`maintenance:${planId}`);
    const held = await episodes(SITE);
    expect(held.every((e) => e.state === 'suppressed' && e.suppressed_by === `maintenance:${planId}`)).toBe(
      true,
    );
    expect(held.flatMap((e) => e.notifications)).toEqual([]);
    const site = await api(page, 'GET', `/sites/${SITE}`);
    expect((site.json as ApiJson).state ?? (site.json as ApiJson).site?.state).toBe('maintenance');
    expect(chrome.errors).toEqual([]);
  }, 200_000);

  it('a log entry filed from the plan names the codec; the device history has it', async () => {
    const row = page.locator(`tr[data-plan="${planId}"]`);
    await row.locator('button[data-log-plan]').click();
    const form = page.locator('form[data-log-form]');
    await form.waitFor();
    expect(await form.locator('select[name=site]').inputValue()).toBe(SITE);
    expect(await form.locator('textarea[name=done]').inputValue()).toBe(WORK);
    await form.locator(`input[name=devices][value="${CODEC}"]`).check();
    await form.locator('textarea[name=findings]').fill('Quạt tản nhiệt codec kêu to, đã vệ sinh');
    await form.locator('textarea[name=parts]').fill('Ắc quy UPS 12 V 9 Ah × 2');
    await form.locator('button[type=submit]').click();
    const logged = page.locator('[data-logged]');
    await logged.waitFor({ timeout: 10_000 });
    const entryId = (await logged.getAttribute('data-logged')) ?? '';
    const entry = page.locator(`table[data-log] tr[data-entry="${entryId}"]`);
    await entry.waitFor();
    expect(await entry.textContent()).toContain('Ắc quy UPS 12 V 9 Ah × 2');

    const byDevice = await api(page, 'GET', `/maintenance-log?device=${CODEC}`);
    expect(byDevice.status).toBe(200);
    const items = (byDevice.json as ApiJson).items as ApiJson[];
    expect(items.map((e) => e.id)).toContain(entryId);
    expect(items.find((e) => e.id === entryId)).toMatchObject({
      plan_id: planId,
      site: SITE,
      devices: [CODEC],
      parts: 'Ắc quy UPS 12 V 9 Ah × 2',
    });
    // the equipment register (api/routes/assets.ts): the device's history lists the entry
    const history = await api(page, 'GET', `/assets/${CODEC}/history`);
    expect(history.status).toBe(200);
    const maint = ((history.json as ApiJson).items as ApiJson[]).filter((h) => h.kind === 'maintenance');
    expect(maint.map((h) => h.entry.id)).toContain(entryId);
  });

  it('has no serious accessibility problem; screenshots at laptop and phone size', async () => {
    expect(await seriousViolations(page)).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'ops-maintenance.png') });
    // the plan form open, checked by axe too
    await page.click('button[data-new-plan]');
    await page.locator('form[data-plan-form]').waitFor();
    await page.locator('form[data-plan-form] input[name=kind][value=recurring]').check();
    expect(await seriousViolations(page)).toEqual([]);
    await page.click('form[data-plan-form] button:has-text("Hủy")');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator(`table[data-plans=active] tr[data-plan="${planId}"]`).waitFor();
    expect(await overflowX(page)).toBeLessThanOrEqual(0);
    // cards: the header row is out of view, each cell says what it is
    const cell = page.locator(`tr[data-plan="${planId}"] td[data-label]`).first();
    expect(await cell.getAttribute('data-label')).toBe('Phạm vi');
    await page.screenshot({ path: join(SHOTS, 'ops-maintenance-phone.png'), fullPage: false });
    expect(await seriousViolations(page)).toEqual([]);
    expect(chrome.errors).toEqual([]);
  });
});
