// End to end (issue 15, pages that fit the phone and the laptop): every page of the dashboard — the map,
// alerts, meetings, a meeting, incidents, an incident, reports, a site — at 390×844 (a phone) and
// 1366×768 (a laptop) in Chromium against `diemcau demo` (its own loopback base, E2E_BASE + 7): the page
// never scrolls sideways (body and document: scrollWidth <= clientWidth), wide tables are card lists on
// the phone and tables on the laptop (axe-core finds nothing serious in the cards), and a screenshot of each goes to docs/screenshots/<page>-<phone|laptop>.png.
// Then the meeting view live: during the demo meeting a link fault on one of its sites moves that site to
// the top of the live list, down, with no stale MOS and since when — without a reload.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
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
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const DEMO_MEETING = 'Giao ban trực tuyến UBND tỉnh (mô phỏng)';
const POLL = { timeout: 30_000, interval: 250 };
const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  laptop: { width: 1366, height: 768 },
} as const;
/** the dev API has no meetings routes, no demo meeting and no simulator */
const devTarget = process.env['DIEMCAU_E2E_TARGET'] === 'dev';

/**
 * How far the page reaches past its width, body and document (0 or less: it fits), and the innermost
 * elements that stick out, for the failure message.
 */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > width + 0.5)
      .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > width + 0.5))
      .slice(0, 5)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} ${Math.round(e.getBoundingClientRect().right)}`,
      );
    return {
      body: document.body.scrollWidth - document.body.clientWidth,
      doc: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      wide,
    };
  });

/** axe-core's serious and critical violations in the whole page as it is now (a11y.test.ts: the wide layout) */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const w = window as unknown as {
      axe: {
        run(
          context: string,
        ): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
      };
    };
    // the whole document: the header folds on a phone (its title hidden from view, not from readers)
    const r = await w.axe.run('body');
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/** client-side navigation, as the menu does (the menu may fold on a phone) */
const goTo = (page: Page, path: string) =>
  page.evaluate((p) => {
    history.pushState(null, '', p);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);

describe.skipIf(devTarget)('every page fits the phone and the laptop', () => {
  let target: Target;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  let meetingId = '';
  let meetingSites: string[] = [];
  let incidentId = '';
  const SITE = 'xa-bang-thanh';

  beforeAll(async () => {
    buildDashboard();
    target = await startTarget({ base: E2E_BASE + 7 });
    browser = await openBrowser();
    ({ page, errors } = browser);
    mkdirSync(SHOTS, { recursive: true });
    await signIn(page, target);
    const list = await pageApi(page, 'GET', '/meetings?limit=1000');
    const demo = (list.json.items as { id: string; title: string; sites: string[] }[]).find(
      (m) => m.title === DEMO_MEETING,
    )!;
    meetingId = demo.id;
    meetingSites = demo.sites;
    // an incident to open, and a fault so the alerts page and the map have something to show
    const inc = await pageApi(page, 'POST', '/incidents', {
      sites: [SITE],
      started_at: Date.now() - 40 * 60_000,
      restored_at: Date.now() - 5 * 60_000,
      cause_class: 'link',
      cause: 'Đứt cáp quang VNPT đoạn Bộc Bố – Bằng Thành, hàn nối lại và đo suy hao toàn tuyến',
      fix: 'VNPT hàn nối cáp',
    });
    expect([200, 201]).toContain(inc.status);
    incidentId = inc.json.id;
    await target.inject({ kind: 'power_cut', site: SITE });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop().catch(() => {});
  });

  /** each page: its path, what shows it has loaded, and (phone) what its screenshot scrolls to */
  const PAGES: { name: string; path: () => string; ready: string; shot?: string }[] = [
    // a phone held upright gets the list of districts, a laptop the map's nodes
    { name: 'map', path: () => '/', ready: 'main .body > *' },
    { name: 'alerts', path: () => '/alerts', ready: 'li[data-episode]' },
    { name: 'meetings', path: () => '/meetings', ready: 'section[data-phase=live] tr[data-meeting]' },
    {
      name: 'meeting',
      path: () => `/meetings/${meetingId}`,
      ready: 'tr[data-live-site] >> nth=0',
      shot: 'section[data-meeting-live]',
    },
    { name: 'incidents', path: () => '/incidents', ready: 'tr[data-incident]' },
    { name: 'incident', path: () => `/incidents/${incidentId}`, ready: 'section[data-incident]' },
    {
      name: 'reports',
      path: () => '/reports?kind=six-month',
      ready: '[data-summary=six-month]',
      shot: 'h3#logbook-title',
    },
    { name: 'site', path: () => `/sites/${SITE}`, ready: `[data-site-page="${SITE}"]` },
  ];

  for (const [vp, size] of Object.entries(VIEWPORTS)) {
    for (const p of PAGES) {
      it(`${p.name} at ${size.width}×${size.height} (${vp}): no sideways scroll`, async () => {
        await page.setViewportSize(size);
        await goTo(page, p.path());
        if (p.name === 'reports') await page.click('button:has-text("Xem tóm tắt")');
        await page.locator(p.ready).first().waitFor({ timeout: 30_000 });
        // data arriving (live stream, lists) may widen a page after the first paint: measure once settled
        await page.waitForTimeout(500);
        const o = await overflow(page);
        expect(
          o.body,
          `${p.name}: body scrollWidth - clientWidth (${o.wide.join(', ')})`,
        ).toBeLessThanOrEqual(0);
        expect(o.doc, `${p.name}: document scrollWidth - clientWidth`).toBeLessThanOrEqual(0);
        // the card lists are as accessible as the tables they are
        if (vp === 'phone') expect(await seriousViolations(page), p.name).toEqual([]);
        // a phone's screenshot shows the page's first card list
        if (vp === 'phone' && p.shot)
          await page
            .locator(p.shot)
            .first()
            .evaluate((e) => e.scrollIntoView({ block: 'start' }));
        await page.screenshot({ path: join(SHOTS, `${p.name}-${vp}.png`) });
      });
    }
  }

  it('renders a wide table as cards on the phone and as a table on the laptop, labelled either way', async () => {
    await goTo(page, '/meetings');
    const row = page.locator('section[data-phase=live] tr[data-meeting]').first();
    const cell = row.locator('td[data-label]').first();
    await page.setViewportSize(VIEWPORTS.phone);
    await row.waitFor();
    expect(await row.evaluate((e) => getComputedStyle(e).display)).toBe('block');
    // the column's name is drawn before the value
    expect(await cell.evaluate((e) => getComputedStyle(e, '::before').content)).toContain('Bắt đầu');
    // the header row is out of view but still there for a screen reader
    expect(await page.locator('section[data-phase=live] thead').first().boundingBox()).toMatchObject({
      width: 1,
      height: 1,
    });
    await page.setViewportSize(VIEWPORTS.laptop);
    expect(await row.evaluate((e) => getComputedStyle(e).display)).toBe('table-row');
    expect(await cell.evaluate((e) => getComputedStyle(e, '::before').content)).toBe('none');
  });

  it('says in the page shell, as the API words it, why a page cannot be shown', async () => {
    await page.setViewportSize(VIEWPORTS.phone);
    await goTo(page, '/incidents/khong-co-su-co-nay');
    const state = page.locator('[data-page-state=error][role=alert]');
    await state.waitFor({ timeout: 10_000 });
    // bi() picks the Vietnamese half of the API's "vi / en" message
    expect(await state.textContent()).toBe('Lỗi: Không tìm thấy sự cố "khong-co-su-co-nay"');
    expect(await page.locator('[data-page-state=loading]').count()).toBe(0);
    expect(await page.locator('section[data-incident]').count()).toBe(0);
    expect(await page.locator('main a', { hasText: '← Sự cố' }).count()).toBe(1);
  });

  it('moves a site of the live meeting to the top of its live list when its link goes down, without a reload', async () => {
    await page.setViewportSize(VIEWPORTS.laptop);
    await goTo(page, `/meetings/${meetingId}`);
    const rows = page.locator('tr[data-live-site]');
    await expect.poll(() => rows.count(), POLL).toBe(meetingSites.length);
    const order = async () => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-live-site')));
    // a commune of the meeting that is fine now, not already on top
    const before = await order();
    const states = await rows.evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-live-site'), e.getAttribute('data-state')])),
    );
    const victim = before
      .filter((id) => id && id !== SITE && states[id] === 'ok' && id.startsWith('xa-'))
      .at(-1)!;
    expect(victim).toBeTruthy();
    expect(before.indexOf(victim)).toBeGreaterThan(0);
    // a figure source and an MCU connection shown for the sites in the call
    expect(await page.locator('tr[data-live-site] td[data-mcu=connected]').count()).toBeGreaterThan(0);
    await expect
      .poll(
        () => page.locator(`tr[data-live-site="${victim}"] td[data-source]`).getAttribute('data-source'),
        POLL,
      )
      .not.toBe('');
    const marker = await page.evaluate(() => {
      (window as unknown as { __noReload: boolean }).__noReload = true;
      return true;
    });
    expect(marker).toBe(true);

    await target.inject({ kind: 'link_down', site: victim });
    const top = rows.first();
    // the site may pass through "degraded" (loss rising) before it is down
    await expect
      .poll(
        async () => `${await top.getAttribute('data-live-site')} ${await top.getAttribute('data-state')}`,
        {
          timeout: 60_000,
          interval: 250,
        },
      )
      .toBe(`${victim} down`);
    // no stale figures: MOS "—", loss 100 %, off the MCU, and since when (Bắc Kạn time)
    expect(await top.locator('td[data-mos]').textContent()).toBe('—');
    expect(await top.locator('td[data-loss]').textContent()).toBe('100 %');
    expect(await top.locator('td[data-mcu]').getAttribute('data-mcu')).toBe('not_connected');
    expect(await top.locator('[data-since]').textContent()).toMatch(/từ \d{2}:\d{2} \d{2}\/\d{2}\/\d{4}/);
    // the same page: no reload happened
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'meeting-live.png') });
    expect(errors).toEqual([]);
  });
});
