// End to end (issue 15, the NOC view), Chromium in UTC against `diemcau demo` (on its own loopback
// base beside the other suites): a fault then its recovery changes the map's named labels
// both ways without a reload; an acknowledged episode shows who acknowledged it on the map card and
// the site page; times are Bắc Kạn's (Asia/Ho_Chi_Minh) with the browser in UTC; the meeting filter
// shows only that meeting's sites; the resolved tab keeps its alerts after a live snapshot.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDashboard,
  E2E_BASE,
  hcm,
  launchChromium,
  pageApi,
  signIn,
  startTarget,
  type Target,
  whileStopped,
} from './target.ts';

const VICTIM = 'xa-bang-thanh';
const POLL = { timeout: 60_000, interval: 250 };

describe('NOC view end to end (browser in UTC)', () => {
  let target: Target;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  const api = (method: string, path: string, body?: unknown) => pageApi(page, method, path, body);

  beforeAll(async () => {
    buildDashboard();
    // an episode resolves once it has settled after its root cleared (5 min 20 s by default): 20 s
    // here, so the resolved tab has something to keep within the test (the demo inherits this env)
    process.env['DIEMCAU__ALERTS__SETTLE'] = '20s';
    target = await startTarget({ base: E2E_BASE + 4 });
    ({ browser, page, errors } = await launchChromium({
      context: { viewport: { width: 1920, height: 1080 }, locale: 'vi-VN', timezoneId: 'UTC' },
    }));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop().catch(() => {});
  });

  it('logs in, the browser is in UTC', async () => {
    await signIn(page, target, { ready: 'a[data-site]' });
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('UTC');
  });

  it('a fault names the site on the map; acknowledged, the card and the site page say who (Bắc Kạn time)', async () => {
    const label = page.locator(`text.problem-label[data-label-for="${VICTIM}"]`);
    expect(await label.count()).toBe(0);
    await target.inject({ kind: 'power_cut', site: VICTIM });
    await expect
      .poll(() => page.locator(`a[data-site="${VICTIM}"]`).getAttribute('data-state'), POLL)
      .not.toBe('ok');
    await expect.poll(() => label.count(), POLL).toBe(1);
    expect(await label.textContent()).toContain('Bằng Thành');
    // the episode, acknowledged through the API as another operator would
    let epId = '';
    await expect
      .poll(async () => {
        const r = await api('GET', `/sites/${VICTIM}`);
        epId = r.json?.site?.episode ?? r.json?.episode ?? '';
        return epId;
      }, POLL)
      .not.toBe('');
    const ack = await api('POST', `/episodes/${encodeURIComponent(epId)}/ack`, {
      comment: 'Đã báo Điện lực, đang xử lý',
    });
    expect(ack.status, JSON.stringify(ack.json)).toBe(200);
    const started: number = ack.json.started_at ?? ack.json.episode?.started_at;
    const node = page.locator(`a[data-site="${VICTIM}"]`);
    await expect.poll(() => node.getAttribute('data-handling'), POLL).toBe('ack');
    await node.hover();
    const tip = page.locator('.tip');
    await tip.waitFor({ timeout: 10_000 });
    await expect.poll(() => tip.locator('[data-testid=ack]').textContent(), POLL).toContain(`Xác nhận bởi`);
    const tipText = (await tip.textContent()) ?? '';
    expect(tipText).toContain('Đã báo Điện lực, đang xử lý');
    expect(tipText).toContain(hcm(started));
    expect(tipText).toMatch(/(phút trước|vừa xong)/);
    await page.mouse.move(0, 0);
    // the site page
    await page.goto(`${target.url}/sites/${VICTIM}`);
    const ep = page.locator('[data-site-page] .ep');
    await ep.waitFor({ timeout: 20_000 });
    await expect.poll(() => ep.locator('[data-testid=ack]').textContent(), POLL).toContain(target.user);
    expect(await ep.textContent()).toContain(hcm(started));
  });

  it('its recovery takes the name away again, without a reload', async () => {
    await page.goto(`${target.url}/`);
    const label = page.locator(`text.problem-label[data-label-for="${VICTIM}"]`);
    await expect.poll(() => label.count(), POLL).toBe(1);
    const marker = await page.evaluate(() => {
      (window as unknown as { __noReload: number }).__noReload = 1;
      return 1;
    });
    await fetch(`${target.controlUrl}/faults`, { method: 'DELETE' });
    await expect
      .poll(() => page.locator(`a[data-site="${VICTIM}"]`).getAttribute('data-state'), {
        timeout: 180_000,
        interval: 500,
      })
      .toBe('ok');
    await expect.poll(() => label.count(), POLL).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(marker);
  }, 240_000);

  it('the resolved tab keeps its alerts after a live snapshot', async () => {
    await page.goto(`${target.url}/alerts?tab=resolved`);
    const count = () =>
      page
        .locator('[role=tab] .n')
        .nth(1)
        .textContent()
        .then((t) => Number(t ?? 0));
    // the power cut's episode resolves once it has settled (20 s after its root cleared, as set above)
    await expect.poll(count, { timeout: 120_000, interval: 1000 }).toBeGreaterThan(0);
    const before = await count();
    // the server goes quiet (the demo process stopped): the page reopens its stream, and when the
    // server is back the stream starts again with a snapshot of what is open
    await whileStopped(target, () =>
      expect
        .poll(() => page.locator('[data-live]').getAttribute('data-live'), { timeout: 90_000, interval: 500 })
        .not.toBe('live'),
    );
    await expect.poll(() => page.locator('[data-live]').getAttribute('data-live'), POLL).toBe('live');
    await page.waitForTimeout(1500);
    expect(await count()).toBeGreaterThanOrEqual(before);
  }, 300_000);

  it("the meeting filter shows only that meeting's sites", async () => {
    const orgs = await api('GET', '/meetings/host-orgs');
    const host = orgs.json.items[0].id as string;
    // two communes outside the demo's meeting (a site in two meetings at once is refused as a clash)
    const now = Date.now();
    const busy = new Set<string>();
    for (const m of (await api('GET', `/meetings?from=${now - 3_600_000}&to=${now + 3_600_000}`)).json.items)
      for (const x of m.sites as string[]) busy.add(x);
    const all = (await api('GET', '/inventory')).json.sites as { id: string; tier: string }[];
    const sites = all
      .filter((x) => x.tier === 'commune' && !busy.has(x.id))
      .slice(0, 2)
      .map((x) => x.id);
    expect(sites).toHaveLength(2);
    const reg = await api('POST', '/meetings', {
      title: 'Họp khẩn E2E',
      host_org: host,
      start: now - 60_000,
      end: now + 3_600_000,
      sites,
      emergency: true,
      emergency_reason: 'kiểm thử',
    });
    expect(reg.status, JSON.stringify(reg.json)).toBe(201);
    const id = reg.json.meeting.id as string;
    await page.goto(`${target.url}/`);
    const select = page.locator('select[name=meeting]');
    await expect.poll(() => select.locator(`option[value="${id}"]`).count(), POLL).toBe(1);
    await select.selectOption(id);
    await expect.poll(() => page.locator('a[data-site]').count(), POLL).toBe(reg.json.meeting.sites.length);
    const shown = await page.$$eval('a[data-site]', (els) => els.map((e) => e.getAttribute('data-site')));
    expect(shown.sort()).toEqual([...reg.json.meeting.sites].sort());
    expect(page.url()).toContain(`meeting=${id}`);
    expect(errors).toEqual([]);
  });
});
