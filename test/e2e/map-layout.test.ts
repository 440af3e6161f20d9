// End to end (issue 15, the map itself), Chromium against `diemcau demo`: with a district dark, the names
// of the sites needing attention overlap nothing (one another, the district names, the MCU, the nodes) as
// the browser draws them at 1920 × 1080, 1366 × 768 and 390 × 844; the keyboard walks the sites needing
// attention worst first and reaches the healthy ones with the arrows; each node's accessible name says
// its state, cause and meeting; the wall mode (`?kiosk`) has larger names and closes a card the resting
// mouse left open; a 1,000-site network names every district, off the nodes.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  buildDashboard,
  E2E_BASE,
  openBrowser,
  signIn,
  startDemo,
  startTarget,
  type Target,
} from './target.ts';

const POLL = { timeout: 120_000, interval: 500 };
const SIZES = [
  [1920, 1080],
  [1366, 768],
  [390, 844],
] as const;
/** the dashboard's Vietnamese words for states and causes (dashboard/src/lib/i18n.svelte.ts) */
const STATE_VI: Record<string, string> = {
  ok: 'hoạt động bình thường',
  degraded: 'chất lượng suy giảm',
  down: 'mất kết nối',
  unknown: 'chưa rõ trạng thái',
  on_battery: 'đang chạy pin UPS',
  maintenance: 'đang bảo trì',
  off: 'tắt máy (ngoài giờ họp)',
};
const CAUSE_VI: Record<string, string> = {
  link: 'sự cố đường truyền',
  power: 'mất điện',
  equipment: 'lỗi thiết bị',
  mcu: 'sự cố MCU',
};
const RANK = ['down', 'on_battery', 'degraded', 'unknown'];
const ATTENTION = '[data-state=down],[data-state=on_battery],[data-state=degraded],[data-state=unknown]';

/** signed in, with the map's sites drawn */
const signInToMap = (page: Page, target: Target) =>
  signIn(page, target, { ready: 'a[data-site]', timeout: 60_000 });

interface Overlaps {
  problem: number;
  district: number;
  pairs: string[];
}

/**
 * What the browser drew: every `.problem-label` against every other, every `.district-label`, the MCU and
 * every node's circle; every `.district-label` against the nodes and the other district names.
 */
function measureOverlaps(page: Page): Promise<Overlaps> {
  return page.evaluate(() => {
    type R = { x0: number; y0: number; x1: number; y1: number; name: string };
    const rect = (e: Element, name: string): R => {
      const b = e.getBoundingClientRect();
      return { x0: b.left, y0: b.top, x1: b.right, y1: b.bottom, name };
    };
    // half a pixel of slack for rounding
    const hit = (a: R, b: R) =>
      a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;
    const circleHit = (a: R, c: { x: number; y: number; r: number }) => {
      const dx = c.x - Math.max(a.x0, Math.min(c.x, a.x1));
      const dy = c.y - Math.max(a.y0, Math.min(c.y, a.y1));
      return Math.hypot(dx, dy) < c.r - 0.5;
    };
    const problem = [...document.querySelectorAll('text.problem-label')].map((e) =>
      rect(e, `label ${e.getAttribute('data-label-for')}`),
    );
    // district names, and the province offices' names beside their nodes
    const district = [...document.querySelectorAll('text.district-label, text.province-label')].map((e) =>
      rect(e, `${e.classList.contains('district-label') ? 'district' : 'province'} ${e.textContent}`),
    );
    const circles = [
      ...document.querySelectorAll(
        'a[data-site] > circle:not(.halo):not(.meeting):not(.handled), .mcu circle',
      ),
    ].map((e) => {
      const b = e.getBoundingClientRect();
      const site = e.closest('[data-site]')?.getAttribute('data-site') ?? 'MCU';
      return { x: b.left + b.width / 2, y: b.top + b.height / 2, r: b.width / 2, site };
    });
    const pairs: string[] = [];
    problem.forEach((a, i) => {
      for (const b of problem.slice(i + 1)) if (hit(a, b)) pairs.push(`${a.name} × ${b.name}`);
      for (const d of district) if (hit(a, d)) pairs.push(`${a.name} × ${d.name}`);
      for (const c of circles) if (circleHit(a, c)) pairs.push(`${a.name} × node ${c.site}`);
    });
    district.forEach((a, i) => {
      for (const b of district.slice(i + 1)) if (hit(a, b)) pairs.push(`${a.name} × ${b.name}`);
      for (const c of circles) if (circleHit(a, c)) pairs.push(`${a.name} × node ${c.site}`);
    });
    return {
      problem: problem.length,
      district: document.querySelectorAll('text.district-label').length,
      pairs,
    };
  });
}

/** the map's labels placed again after a resize (they follow the map's size) */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForTimeout(400);
}

describe('the map at 120 sites with a district dark', () => {
  let target: Target;
  let browser: Browser;
  let page: Page;
  let dark = '';

  beforeAll(async () => {
    buildDashboard();
    target = await startTarget({ base: E2E_BASE + 8 });
    browser = await openBrowser();
    ({ page } = browser);
    await signInToMap(page, target);
    // the district with the most communes goes dark
    dark = await page.$$eval('a[data-site][data-tier=commune]', (els) => {
      const n = new Map<string, number>();
      for (const e of els) {
        const d = e.getAttribute('data-district') ?? '';
        n.set(d, (n.get(d) ?? 0) + 1);
      }
      return [...n].sort((a, b) => b[1] - a[1])[0]![0];
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop().catch(() => {});
  });

  it('the district goes dark: every site of it needs attention on the map', async () => {
    await target.control('/faults', { kind: 'district_outage', district: dark });
    await expect
      .poll(() => page.locator(`a[data-site][data-district="${dark}"][data-state=ok]`).count(), {
        timeout: 150_000,
        interval: 1000,
      })
      .toBe(0);
  }, 180_000);

  for (const [w, h] of SIZES) {
    it(`${w} × ${h}: the names of the faulty sites overlap nothing`, async () => {
      await page.setViewportSize({ width: w, height: h });
      // on a phone held upright the whole network is a list: its map is one district's
      if (w < 600) {
        await page.goto(`${target.url}/?district=${dark}`);
        await page.waitForSelector('a[data-site]', { timeout: 30_000 });
      }
      await expect.poll(() => page.locator('text.problem-label').count(), POLL).toBeGreaterThan(0);
      await settle(page);
      const o = await measureOverlaps(page);
      expect(o.pairs).toEqual([]);
      expect(o.district).toBeGreaterThan(0);
      await page.screenshot({ path: `/tmp/map-layout-${w}x${h}.png` });
    }, 150_000);
  }

  it('Tab walks the sites needing attention worst first, skipping the healthy ones, then leaves the map', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(`${target.url}/`);
    await page.waitForSelector('a[data-site]');
    await settle(page);
    const expected = await page.locator(`a[data-site]:is(${ATTENTION})`).count();
    expect(expected).toBeGreaterThan(10);
    // the map is one stop: one node is in the Tab order
    expect(await page.locator('a[data-site][tabindex="0"]').count()).toBe(1);
    // from the page's start, Tab until a node has the focus
    const focused = () =>
      page.evaluate(() => {
        const e = document.activeElement;
        return e?.hasAttribute('data-site')
          ? { id: e.getAttribute('data-site')!, state: e.getAttribute('data-state')! }
          : null;
      });
    await page.locator('body').focus();
    let at = await focused();
    for (let i = 0; i < 40 && !at; i++) {
      await page.keyboard.press('Tab');
      at = await focused();
    }
    expect(at).not.toBeNull();
    const walk: { id: string; state: string }[] = [];
    while (at && walk.length <= expected) {
      walk.push(at);
      await page.keyboard.press('Tab');
      at = await focused();
    }
    // every site needing attention once, none healthy, down before on battery before degraded
    expect(walk).toHaveLength(expected);
    expect(new Set(walk.map((s) => s.id)).size).toBe(expected);
    const ranks = walk.map((s) => RANK.indexOf(s.state));
    expect(ranks.every((r) => r >= 0)).toBe(true);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    // Shift+Tab comes back into the map, at the worst
    await page.keyboard.press('Shift+Tab');
    expect((await focused())?.id).toBe(walk[0]!.id);
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBeNull();
    // the visible focus: an outline of at least 2 px
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement!);
      return { style: s.outlineStyle, width: Number.parseFloat(s.outlineWidth) };
    });
    expect(ring.style).not.toBe('none');
    expect(ring.width).toBeGreaterThanOrEqual(2);
    // the keys are announced: the map's description
    const hint = await page.$eval(
      'svg[aria-describedby]',
      (svg) => document.getElementById(svg.getAttribute('aria-describedby')!)?.textContent ?? '',
    );
    expect(hint).toContain('Tab');
    expect(hint).toContain('mũi tên');
  });

  it('the arrow keys reach the healthy sites; Enter opens the site', async () => {
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-state') ?? null);
    let healthy = false;
    for (const key of ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp', 'ArrowRight', 'ArrowDown']) {
      for (let i = 0; i < 6 && !healthy; i++) {
        await page.keyboard.press(key);
        healthy = (await focused()) === 'ok';
      }
    }
    expect(healthy).toBe(true);
    const id = await page.evaluate(() => document.activeElement!.getAttribute('data-site')!);
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).pathname, POLL).toBe(`/sites/${id}`);
  });

  it("each node's accessible name says its state, its cause and 'đang họp'", async () => {
    await page.goto(`${target.url}/`);
    await page.waitForSelector('a[data-site]');
    await target.control('/meeting/start', { sites: ['xa-bang-thanh'] }).catch(() => {});
    const nodes = await page.$$eval('a[data-site]', (els) =>
      els.map((e) => ({
        name: e.getAttribute('aria-label') ?? '',
        state: e.getAttribute('data-state') ?? '',
        cause: e.getAttribute('data-cause') ?? '',
        meeting: e.getAttribute('data-meeting') === '1',
      })),
    );
    expect(nodes.filter((n) => n.cause).length).toBeGreaterThan(0);
    for (const n of nodes) {
      expect(n.name).toContain(STATE_VI[n.state]!);
      if (n.cause) expect(n.name).toContain(CAUSE_VI[n.cause]!);
      expect(n.name.includes('đang họp')).toBe(n.meeting);
    }
  });

  it('the wall mode (?kiosk): names 1.5× larger; a card the resting mouse opened closes after 5 s', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(`${target.url}/`);
    await page.waitForSelector('text.problem-label', { timeout: 60_000 });
    await settle(page);
    const px = (sel: string) =>
      page.$eval(sel, (e) => {
        const svg = e.closest('svg')!;
        // on screen: the font's map units times the screen pixels per map unit
        const ctm = (svg as SVGSVGElement).getScreenCTM()!;
        return Number.parseFloat(getComputedStyle(e).fontSize) * ctm.a;
      });
    const normal = await px('text.district-label');
    const normalLabel = await px('text.problem-label');
    await page.goto(`${target.url}/?kiosk`);
    await page.waitForSelector('text.problem-label', { timeout: 60_000 });
    await settle(page);
    expect((await px('text.district-label')) / normal).toBeCloseTo(1.5, 1);
    expect((await px('text.problem-label')) / normalLabel).toBeCloseTo(1.5, 1);
    // hover a node and leave the mouse there
    const node = page.locator(`a[data-site][data-district="${dark}"]`).first();
    await node.hover();
    const tip = page.locator('.tip');
    await tip.waitFor({ timeout: 5_000 });
    await page.waitForTimeout(6_000);
    expect(await tip.count()).toBe(0);
    // the mouse moves again: the card is back
    const box = (await node.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2 + 1, box.y + box.height / 2);
    await tip.waitFor({ timeout: 5_000 });
    // and the kiosk's names still overlap nothing
    expect((await measureOverlaps(page)).pairs).toEqual([]);
  }, 150_000);
});

describe('the map at 1,000 sites', () => {
  let target: Target;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    buildDashboard();
    // 1,000 sites take four loopback bases: E2E_BASE + 10 … + 13 (+ 9 is totp-login.test.ts's 79)
    target = await startDemo({ sites: 1000, base: E2E_BASE + 10, readyMs: 180_000, interval: '10s' });
    browser = await openBrowser();
    ({ page } = browser);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop().catch(() => {});
  });

  for (const [w, h] of SIZES.slice(0, 2)) {
    it(`${w} × ${h}: every district is named, off the nodes and clear of the other names`, async () => {
      await page.setViewportSize({ width: w, height: h });
      if (!page.url().startsWith(target.url)) await signInToMap(page, target);
      await page.waitForFunction(() => document.querySelectorAll('a[data-site]').length >= 1000, null, {
        timeout: 60_000,
      });
      await settle(page);
      const districts = await page.$$eval('a[data-site][data-tier=district]', (els) =>
        els.map((e) => e.getAttribute('data-district')),
      );
      const named = await page.$$eval('text.district-label', (els) =>
        els.map((e) => e.getAttribute('data-district-label')),
      );
      expect(districts.length).toBeGreaterThan(50);
      expect(named.sort()).toEqual(districts.sort());
      const o = await measureOverlaps(page);
      expect(o.pairs).toEqual([]);
      await page.screenshot({ path: `/tmp/map-layout-1000-${w}x${h}.png` });
    });
  }
});
