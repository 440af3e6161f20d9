// End to end: the Assets tab of the operations records (issue 17) in Debian's Chromium against
// `diemcau demo` (devices on the loopback base E2E_BASE + 18). The register lists every device with the
// identity the simulator's SNMP agents answer, read by the real collector (ENTITY-MIB chassis rows,
// upsIdent, APC and Polycom identity objects); the admin enters an install date and a warranty end in
// the form (a date that is no calendar day is refused in the API's words), the device shows as expiring
// within a year and the filter finds it; the CSV export downloaded from the tab lists it with its dates.
// axe finds nothing serious; screenshots at laptop size (1366×768) and at phone width (390×844, cards).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatedIdentity } from '../../simulator/devices.ts';
import {
  type ApiJson,
  pageApi as api,
  E2E_BASE,
  LAPTOP,
  type LaunchedChromium,
  overflowX,
  SHOTS,
  type SignedIn,
  seriousViolations,
  startSignedIn,
  type Target,
} from './target.ts';

const devTarget = process.env['DIEMCAU_E2E_TARGET'] === 'dev';
const CODEC = 'xa-bang-thanh-codec';
const DAY = 86_400_000;
const POLL = { timeout: 120_000, interval: 1000 };

/** dd/mm/yyyy in Bắc Kạn */
const vi = (t: number) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).format(t);

/** the elements that reach past the window's right edge (for the failure message) */
const wide = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter(
        (e) =>
          !e.closest('thead') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1,
      )
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)
      .join('; '),
  );

describe.skipIf(devTarget)('assets tab end to end', () => {
  let target: Target;
  let chrome: LaunchedChromium;
  let page: Page;
  const warrantyEnd = vi(Date.now() + 100 * DAY);

  let session: SignedIn | undefined;

  beforeAll(async () => {
    session = await startSignedIn({
      base: E2E_BASE + 18,
      path: '/ops/assets',
      context: { ...LAPTOP, acceptDownloads: true },
    });
    ({ target, chrome, page } = session);
    // signing in lands on the map; the tab is a link away
    await page.goto(`${target.url}/ops/assets`);
    await page.locator('form[aria-label]').first().waitFor({ timeout: 20_000 });
  }, 120_000);

  afterAll(async () => {
    await session?.stop();
  });

  it('lists every device with the identity its simulated agent answers', async () => {
    const items = async () => ((await api(page, 'GET', '/assets')).json as ApiJson).items as ApiJson[];
    // the collector reads identity at each device's first answer (polls spread over one interval)
    await expect.poll(async () => (await items()).filter((a) => !a.identity.model).length, POLL).toBe(0);
    const all = await items();
    expect(all.length).toBeGreaterThan(300);
    const wrong: string[] = [];
    for (const a of all) {
      const sim = simulatedIdentity(a.profile);
      if (!sim) continue;
      if (a.identity.model !== sim.model) wrong.push(`${a.device}: model ${a.identity.model}`);
      const versions = [a.identity.firmware, a.identity.software].join(' ');
      if (!versions.includes(sim.version)) wrong.push(`${a.device}: versions ${versions}`);
      if (a.profile !== 'ups-mib' && !a.identity.serial?.startsWith(sim.serial))
        wrong.push(`${a.device}: serial ${a.identity.serial}`);
      if (a.identity_problem) wrong.push(`${a.device}: ${a.identity_problem}`);
    }
    expect(wrong).toEqual([]);
    const codec = all.find((a) => a.device === CODEC)!;
    expect(codec.identity).toMatchObject({ manufacturer: 'Generic', model: 'VC-100', hardware_rev: 'A' });
    // the table shows it (reloaded: the tab loaded before the first reads)
    await page.reload();
    const row = page.locator(`tr[data-asset="${CODEC}"]`);
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain('VC-100');
    expect(await row.textContent()).toContain(codec.identity.serial);
  }, 150_000);

  it('filters by kind', async () => {
    await page.selectOption('select[name=kind]', 'ups');
    const kinds = await page
      .locator('tr[data-asset]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-asset')));
    expect(kinds.length).toBeGreaterThan(100);
    expect(kinds.every((d) => d!.endsWith('-ups'))).toBe(true);
    await page.selectOption('select[name=kind]', '');
  });

  it('the warranty entered in the form: a wrong date refused, the right one stored and shown as expiring', async () => {
    const row = page.locator(`tr[data-asset="${CODEC}"]`);
    await row.locator('button').click();
    const form = page.locator('form[data-asset-form]');
    await form.waitFor();
    await form.locator('input[name=install_date]').fill('31/02/2019');
    await form.locator('button[type=submit]').click();
    const refusal = form.locator('[role=alert]');
    await refusal.waitFor({ timeout: 10_000 });
    expect(await refusal.textContent()).toContain('không phải ngày hợp lệ');
    await form.locator('input[name=install_date]').fill('15/03/2019');
    await form.locator('input[name=warranty_end]').fill(warrantyEnd);
    await form.locator('input[name=supplier]').fill('Công ty CP Viễn thông Bắc Kạn');
    await form.locator('button[type=submit]').click();
    await page.locator('[data-saved]').waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('data-warranty')).toBe('expiring');
    expect(await row.textContent()).toContain('15/03/2019');
    expect(await row.textContent()).toContain(warrantyEnd);
    const stored = await api(page, 'GET', `/assets/${CODEC}`);
    expect(stored.json).toMatchObject({
      install_date: '2019-03-15',
      warranty: 'expiring',
      supplier: 'Công ty CP Viễn thông Bắc Kạn',
    });
    // the filter "warranty ending within a year" finds exactly it
    await page.check('input[name=expiring]');
    const shown = await page
      .locator('tr[data-asset]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-asset')));
    expect(shown).toEqual([CODEC]);
    await page.uncheck('input[name=expiring]');
    expect(chrome.errors).toEqual([]);
  }, 60_000);

  it('the CSV export downloaded from the tab lists the device with its dates and the expiry', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[data-export=csv]')]);
    expect(download.suggestedFilename()).toMatch(/^Danh-muc-thiet-bi.*\.csv$|^Danh mục thiết bị.*\.csv$/);
    const text = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = text.split('\r\n').filter(Boolean);
    const head = lines[0]!.split(';');
    expect(head).toContain('Ngày lắp đặt');
    const row = lines.find((l) => l.split(';')[1] === CODEC)!.split(';');
    expect(row[head.indexOf('Ngày lắp đặt')]).toBe('15/03/2019');
    expect(row[head.indexOf('Hết bảo hành')]).toBe(warrantyEnd);
    expect(row[head.indexOf('Tình trạng bảo hành')]).toMatch(
      /^Hết bảo hành trong 12 tháng \(còn \d+ ngày\)$/,
    );
    expect(row[head.indexOf('Model')]).toBe('VC-100');
    // oldest first: the only device with an install date heads the list
    expect(lines[1]!.split(';')[1]).toBe(CODEC);
  });

  it('has no serious accessibility problem; screenshots at laptop and phone size', async () => {
    // the register filtered to the warranties ending within a year, the device's details open (axe)
    await page.check('input[name=expiring]');
    await page.locator(`[data-asset-detail="${CODEC}"] form[data-asset-form]`).waitFor({ timeout: 10_000 });
    expect(await seriousViolations(page)).toEqual([]);
    // the shot: the filtered register (the details closed, they would hide the table)
    await page.click(`[data-asset-detail="${CODEC}"] header button`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'ops-assets.png') });
    await page.uncheck('input[name=expiring]');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator(`tr[data-asset="${CODEC}"]`).waitFor({ timeout: 20_000 });
    expect(await overflowX(page), await wide(page)).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'ops-assets-phone.png') });
  }, 60_000);
});
