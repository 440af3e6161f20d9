// End to end (issue 15, the NOC view), Chromium against `diemcau demo` on its own loopback base
// (E2E_BASE + 5): the alarm (opt-in, one notification and a sound for a new critical episode, none for
// a live snapshot), the header's site search, wall mode (`/?kiosk&rotate=…`: slim header with Bắc Kạn's
// clock, rotation held on a critical episode, cursor hidden at rest, Esc leaves), and the map on a
// phone held upright (the district list, then a district's map with nodes big enough to tap).
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory } from '../../inventory/load.ts';
import {
  buildDashboard,
  E2E_BASE,
  launchChromium,
  ROOT,
  signIn,
  startTarget,
  type Target,
  whileStopped,
} from './target.ts';

const inv = loadInventory(join(ROOT, 'inventory/bac-kan.yaml'));
const VICTIM = 'xa-bang-thanh';
const DISTRICT = 'pac-nam';
const POLL = { timeout: 90_000, interval: 250 };
const HCM_CLOCK = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** records every notification and every oscillator started, around the real APIs */
const CAPTURE = () => {
  const w = window as unknown as Record<string, unknown>;
  const notes: { title: string; body: string; tag: string }[] = [];
  w['__notes'] = notes;
  w['__asked'] = 0;
  w['__osc'] = 0;
  const Real = window.Notification;
  if (Real) {
    const Fake = function (this: object, title: string, opts?: NotificationOptions) {
      notes.push({ title, body: opts?.body ?? '', tag: opts?.tag ?? '' });
      return { close() {}, onclick: null };
    } as unknown as typeof Notification;
    Object.defineProperty(Fake, 'permission', { get: () => Real.permission });
    Fake.requestPermission = (() => {
      w['__asked'] = (w['__asked'] as number) + 1;
      return Real.requestPermission();
    }) as typeof Notification.requestPermission;
    window.Notification = Fake;
  }
  const osc = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function (this: AudioContext) {
    w['__osc'] = (w['__osc'] as number) + 1;
    return osc.call(this);
  };
};

describe('NOC view: alarm, search, wall mode, phone map', () => {
  let target: Target;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  const notes = () =>
    page.evaluate(
      () => (window as unknown as { __notes: { title: string; body: string; tag: string }[] }).__notes,
    );

  beforeAll(async () => {
    buildDashboard();
    target = await startTarget({ base: E2E_BASE + 5 });
    ({ browser, page, errors } = await launchChromium({
      args: ['--autoplay-policy=no-user-gesture-required'],
      context: {
        viewport: { width: 1920, height: 1080 },
        locale: 'vi-VN',
        timezoneId: 'UTC',
        permissions: ['notifications'],
      },
      init: CAPTURE,
    }));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop().catch(() => {});
  });

  it('the alarm is off until pressed; pressed, it says so and stays on after a reload', async () => {
    await signIn(page, target);
    await page.waitForSelector('a[data-site]', { timeout: 30_000 });
    const button = page.locator('button.alarm');
    expect(await button.getAttribute('aria-pressed')).toBe('false');
    expect(await button.textContent()).toContain('Chuông báo: tắt');
    await button.click();
    await expect.poll(() => button.getAttribute('aria-pressed')).toBe('true');
    expect(await button.textContent()).toContain('Chuông báo: bật');
    await page.reload();
    await page.waitForSelector('a[data-site]', { timeout: 30_000 });
    expect(await page.locator('button.alarm').getAttribute('aria-pressed')).toBe('true');
    // the page's load (its snapshot) rang nothing
    await page.waitForTimeout(2000);
    expect(await notes()).toEqual([]);
  });

  it('a new critical episode (a commune unreachable) gives one notification naming site, cause, owner, and a sound', async () => {
    await target.inject({ kind: 'link_down', site: VICTIM });
    const victim = async () =>
      (await notes()).filter((x) => x.title === 'Sự cố nghiêm trọng: Hội trường UBND xã Bằng Thành');
    await expect.poll(async () => (await victim()).length, POLL).toBe(1);
    const [n] = await victim();
    expect(n!.title).toBe('Sự cố nghiêm trọng: Hội trường UBND xã Bằng Thành');
    expect(n!.body).toMatch(/^Nguyên nhân: sự cố đường truyền\nĐơn vị xử lý: [^—\n]+/);
    // three pulses per ring (a loaded machine may have more sites time out: each is an episode of its own)
    const all = await notes();
    expect(await page.evaluate(() => (window as unknown as { __osc: number }).__osc)).toBe(3 * all.length);
    // the episode's later events (members joining) do not ring again
    await page.waitForTimeout(8000);
    expect((await victim()).length).toBe(1);
    expect(new Set((await notes()).map((x) => x.tag)).size).toBe((await notes()).length);
  }, 120_000);

  it('a live snapshot after the stream is lost and back rings nothing', async () => {
    const before = (await notes()).length;
    await whileStopped(target, () =>
      expect
        .poll(() => page.locator('[data-live]').getAttribute('data-live'), { timeout: 90_000, interval: 500 })
        .not.toBe('live'),
    );
    await expect.poll(() => page.locator('[data-live]').getAttribute('data-live'), POLL).toBe('live');
    // the open episode came back in the snapshot: still on the map, no second ring
    await expect
      .poll(() => page.locator(`a[data-site="${VICTIM}"]`).getAttribute('data-state'), POLL)
      .not.toBe('ok');
    await page.waitForTimeout(3000);
    const after = await notes();
    // no episode rang again (one tag each); on a quiet machine, nothing at all
    expect(new Set(after.map((x) => x.tag)).size).toBe(after.length);
    expect(after.length).toBeGreaterThanOrEqual(before);
  }, 240_000);

  it('"/" focuses the search; "bang thanh" finds Bằng Thành; Enter opens its page', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('site-search');
    await page.keyboard.type('bang thanh');
    const box = page.locator('#site-search');
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    const first = page.locator('#site-search-list [role=option]').first();
    expect(await first.getAttribute('data-site')).toBe(VICTIM);
    expect(await first.getAttribute('aria-selected')).toBe('true');
    expect(await box.getAttribute('aria-activedescendant')).toBe(`site-search-${VICTIM}`);
    // a district's name lists its sites
    await box.fill('pac nam');
    await expect.poll(() => page.locator('#site-search-list [role=option]').count()).toBeGreaterThan(1);
    const pn = await page.$$eval('#site-search-list [role=option]', (els) =>
      els.map((e) => e.getAttribute('data-site')),
    );
    for (const id of pn) expect(inv.sites.get(id!)?.district).toBe(DISTRICT);
    await box.fill('bang thanh');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`[data-site-page="${VICTIM}"]`, { timeout: 10_000 });
    expect(new URL(page.url()).pathname).toBe(`/sites/${VICTIM}`);
  });

  it('wall mode: slim header with Bắc Kạn time, rotation held on the critical episode, then moving on', async () => {
    await page.goto(`${target.url}/?kiosk&rotate=5`);
    await page.waitForSelector('a[data-site]', { timeout: 30_000 });
    expect(await page.locator('nav[aria-label=Menu]').count()).toBe(0);
    expect(await page.locator('#site-search').count()).toBe(0);
    const clock = (await page.locator('[data-testid=kiosk-clock] time').textContent()) ?? '';
    // the browser is in UTC; the clock says Bắc Kạn's time (UTC+7)
    const now = Date.now();
    expect([HCM_CLOCK.format(now - 60_000), HCM_CLOCK.format(now), HCM_CLOCK.format(now + 60_000)]).toContain(
      clock.slice(0, 5),
    );
    expect(await page.locator('[data-testid=kiosk-bar] [data-live]').textContent()).toContain('Trực tiếp');
    expect(await page.locator('[data-testid=kiosk-bar] button.alarm').getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(
      Number.parseFloat(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize)),
    ).toBe(22);
    // Bằng Thành is still unreachable: the rotation holds on Pác Nặm and says why
    const rot = page.locator('[data-testid=kiosk-rotation]');
    await expect.poll(() => rot.getAttribute('data-paused'), POLL).toBe('1');
    expect(await rot.textContent()).toContain('dừng xoay vòng');
    // Pác Nặm; the whole province if a loaded machine has other sites time out in other districts
    const held = new URL(page.url()).searchParams.get('district');
    const others = (await notes()).length > 1;
    if (!others) expect(held).toBe(DISTRICT);
    expect(await page.locator('[data-testid=kiosk-where]').textContent()).toContain(others ? '' : 'Pác Nặm');
    await page.waitForTimeout(6000);
    expect(new URL(page.url()).searchParams.get('district')).toBe(held);
    // the link back: the episode settles, the rotation moves on every 5 s and counts down
    await fetch(`${target.controlUrl}/faults`, { method: 'DELETE' });
    await expect.poll(() => rot.getAttribute('data-paused'), { timeout: 180_000, interval: 500 }).toBe('0');
    expect(await rot.textContent()).toMatch(/tiếp theo sau \d giây/);
    const seen = new Set<string>();
    await expect
      .poll(
        () => {
          seen.add(new URL(page.url()).searchParams.get('district') ?? '');
          return seen.size;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBeGreaterThanOrEqual(3);
  }, 300_000);

  it('wall mode hides a resting cursor, and Esc leaves it', async () => {
    await page.mouse.move(400, 400);
    expect(await page.evaluate(() => getComputedStyle(document.body).cursor)).not.toBe('none');
    await page.waitForTimeout(3500);
    expect(await page.evaluate(() => getComputedStyle(document.body).cursor)).toBe('none');
    await page.mouse.move(420, 420);
    expect(await page.evaluate(() => getComputedStyle(document.body).cursor)).not.toBe('none');
    await page.keyboard.press('Escape');
    await page.waitForSelector('nav[aria-label=Menu]', { timeout: 5000 });
    expect(new URL(page.url()).searchParams.has('kiosk')).toBe(false);
    expect(new URL(page.url()).searchParams.has('rotate')).toBe(false);
  });

  it('on a phone held upright: the districts as a list, one tapped shows its map with nodes of 24 px and more', async () => {
    const phoneCtx = await browser.newContext({
      viewport: { width: 390, height: 844 },
      locale: 'vi-VN',
      timezoneId: 'UTC',
      hasTouch: true,
      isMobile: true,
    });
    await phoneCtx.addInitScript(CAPTURE);
    const phone = await phoneCtx.newPage();
    phone.on('pageerror', (e) => errors.push(e.message));
    try {
      await signIn(phone, target);
      const list = phone.locator('[data-district]');
      await expect
        .poll(() => list.count(), POLL)
        .toBe(new Set([...inv.sites.values()].map((s) => s.district)).size);
      expect(await phone.locator('a[data-site]').count()).toBe(0);
      const wide = () =>
        phone.evaluate(() => ({
          body: document.body.scrollWidth - document.body.clientWidth,
          doc: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          nav: (() => {
            const n = document.querySelector('nav[aria-label=Menu]')!;
            return n.scrollWidth - n.clientWidth;
          })(),
        }));
      expect(await wide()).toEqual({ body: 0, doc: 0, nav: 0 });
      await phone.waitForTimeout(500);
      await phone.screenshot({ path: join(ROOT, 'docs/screenshots/map-phone-list.png') });
      // the permission for notifications is asked only when the alarm is pressed
      expect(await phone.evaluate(() => (window as unknown as { __asked: number }).__asked)).toBe(0);
      await phone.locator('button.alarm').tap();
      await expect
        .poll(() => phone.evaluate(() => (window as unknown as { __asked: number }).__asked))
        .toBe(1);
      await phone.locator('button.alarm').tap();

      await phone.locator(`[data-district="${DISTRICT}"]`).tap();
      const expected = [...inv.sites.values()].filter((s) => s.district === DISTRICT).length;
      await expect.poll(() => phone.locator('a[data-site]').count(), POLL).toBe(expected);
      expect(new URL(phone.url()).searchParams.get('district')).toBe(DISTRICT);
      await phone.waitForTimeout(800);
      const sizes = await phone.$$eval('a[data-site]', (els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return Math.min(r.width, r.height);
        }),
      );
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(24);
      expect(await wide()).toEqual({ body: 0, doc: 0, nav: 0 });
      await phone.screenshot({ path: join(ROOT, 'docs/screenshots/map-phone-district.png') });
      await phone.locator('[data-testid=back-to-districts]').tap();
      await expect.poll(() => list.count(), POLL).toBeGreaterThan(0);
      expect(new URL(phone.url()).searchParams.has('district')).toBe(false);
    } finally {
      await phoneCtx.close();
    }
    expect(errors).toEqual([]);
  }, 120_000);
});
