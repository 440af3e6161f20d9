// End to end (issue 15, the site page), Chromium in UTC against `diemcau demo` on its own loopback
// base (E2E_BASE + 6): a site with a link fault shows the running rules' threshold lines and its episode as a band on
// the charts; the read-out under the mouse (and the arrow keys) gives Bắc Kạn time, a comma decimal
// and the episode's cause; the time axis' labels do not touch at 1 h / 24 h / 7 d on a phone and a
// laptop, and the page does not scroll sideways; the on-call people's numbers are `tel:` links for
// the NOC; the Grafana links carry the site and the range.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, E2E_BASE, hcm, launchChromium, signIn, startTarget, type Target } from './target.ts';

const VICTIM = 'xa-bang-thanh';
const POLL = { timeout: 120_000, interval: 500 };
const PHONE = '+84 912 000 111';
const GRAFANA = 'http://grafana.noc.example:3000';

describe('site page end to end (browser in UTC)', () => {
  let target: Target;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  const chart = (metric: string) => page.locator(`[data-chart="${metric}"]`);

  beforeAll(async () => {
    buildDashboard();
    // the demo inherits the environment: the carriers' on-call numbers and Grafana's address
    process.env['DIEMCAU_PHONE_VIETTEL_1'] = PHONE;
    process.env['DIEMCAU_PHONE_VNPT_1'] = PHONE;
    process.env['DIEMCAU__GRAFANA__URL'] = GRAFANA;
    target = await startTarget({ base: E2E_BASE + 6 });
    ({ browser, page, errors } = await launchChromium({
      context: { viewport: { width: 1366, height: 768 }, locale: 'vi-VN', timezoneId: 'UTC' },
    }));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop().catch(() => {});
  });

  /** the site's link episode (its root may be any of the link rules: loss, or RTT under a loaded machine) */
  let episode = { title: '', started_at: 0 };

  it('a link fault at the site opens an episode', async () => {
    await signIn(page, target, { ready: 'a[data-site]' });
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('UTC');
    await target.control('/faults', { kind: 'link_degraded', site: VICTIM, loss_pct: 12 });
    await expect
      .poll(async () => {
        const found = await page.evaluate(async (site) => {
          const r = await fetch(`/api/v1/episodes?site=${site}`);
          const b = (await r.json()) as { items: { cause: string; title: string; started_at: number }[] };
          return b.items.find((e) => e.cause === 'link') ?? null;
        }, VICTIM);
        if (found) episode = found;
        return found !== null;
      }, POLL)
      .toBe(true);
  }, 150_000);

  it('the loss chart: dashed threshold lines named by the rule, the episode shaded', async () => {
    // two minutes of the episode: a band a mouse can find on the hour's chart, with buckets inside
    await page.waitForTimeout(Math.max(0, episode.started_at + 120_000 - Date.now()));
    await page.goto(`${target.url}/sites/${VICTIM}`);
    const loss = chart('loss_pct');
    await loss.locator('[data-threshold]').first().waitFor({ timeout: 20_000 });
    const first = loss.locator('[data-threshold="1"]');
    expect(await first.getAttribute('data-severity')).toBe('major');
    expect(await first.textContent()).toContain('Mất gói trên đường truyền · 1 %');
    expect(await first.evaluate((e) => getComputedStyle(e).borderTopStyle)).toBe('dashed');
    // loss at 12 %: the critical line (5 %) is inside the range too
    await expect.poll(() => loss.locator('[data-threshold="5"]').count(), POLL).toBe(1);
    await expect.poll(() => loss.locator('[data-episode-band]').count(), POLL).toBeGreaterThan(0);
    expect(await loss.locator('[data-episode-band]').first().getAttribute('data-cause')).toBe('link');
    // the MOS chart has its own lines (below), not the loss rule's
    expect(await chart('mos').locator('[data-threshold="1"]').count()).toBe(0);
  }, 150_000);

  it('the read-out under the mouse: Bắc Kạn time, comma decimal, the cause inside the band', async () => {
    const loss = chart('loss_pct');
    await loss.scrollIntoViewIfNeeded();
    const band = (await loss.locator('[data-episode-band]').last().boundingBox())!;
    const readout = loss.locator('[data-testid=chart-readout]');
    // from the band's right edge leftwards until a point inside the band has a fractional value
    let text = '';
    let iso: string | null = null;
    for (let i = 1; i <= 24; i++) {
      await page.mouse.move(band.x + band.width * (1 - i / 25), band.y + band.height / 2);
      await readout.waitFor({ timeout: 5000 });
      [text, iso] = await readout.evaluate((e) => [
        e.textContent ?? '',
        e.querySelector('time')?.getAttribute('datetime') ?? null,
      ]);
      if (/\d,\d/.test(text) && /đường truyền/.test(text)) break;
    }
    expect(text).toContain(hcm(Date.parse(iso!)));
    expect(text).toMatch(/\d+,\d+ %/);
    expect(text).not.toMatch(/\d\.\d/);
    expect(text).toContain(`sự cố đường truyền — ${episode.title}`);
    await page.mouse.move(0, 0);
    await expect.poll(() => readout.count()).toBe(0);
  });

  it('the keyboard reaches the read-out: End, then ←', async () => {
    const host = chart('loss_pct').locator('[role=slider]');
    await host.focus();
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    const readout = chart('loss_pct').locator('[data-testid=chart-readout]');
    await readout.waitFor({ timeout: 5000 });
    const valuetext = (await host.getAttribute('aria-valuetext')) ?? '';
    const iso = await readout.locator('time').getAttribute('datetime');
    expect(valuetext.startsWith(hcm(Date.parse(iso!)))).toBe(true);
    expect(Number(await host.getAttribute('aria-valuenow'))).toBe(
      Number(await host.getAttribute('aria-valuemax')) - 1,
    );
  });

  it('the NOC sees the on-call numbers as tel: links; Grafana opens on the site and the range', async () => {
    const tel = page.locator('.contacts a[href^="tel:"]').first();
    await tel.waitFor({ timeout: 10_000 });
    expect(await tel.getAttribute('href')).toBe('tel:+84912000111');
    expect(await tel.textContent()).toContain(PHONE);
    const site = page.locator('[data-testid=grafana-links] a[data-dashboard=diemcau-site]');
    expect(await site.getAttribute('href')).toBe(
      `${GRAFANA}/d/diemcau-site?var-site=${VICTIM}&from=now-1h&to=now`,
    );
    expect(await site.textContent()).toContain('Mở trong Grafana');
    await page.click('.ranges button:has-text("7 ngày")');
    await expect.poll(() => site.getAttribute('href')).toContain('from=now-7d');
  });

  for (const [w, h] of [
    [390, 844],
    [1366, 768],
  ] as const) {
    it(`${w}×${h}: the time axis' labels do not touch at 1 h, 24 h and 7 d; no sideways scroll`, async () => {
      await page.setViewportSize({ width: w, height: h });
      for (const [range, label, pattern] of [
        ['1h', '1 giờ', /^\d\d:\d\d$/],
        // whole hours of Bắc Kạn's clock
        ['24h', '24 giờ', /^\d\d:00$/],
        ['7d', '7 ngày', /^\d\d\/\d\d$/],
      ] as const) {
        await page.click(`.ranges button:has-text("${label}")`);
        for (const metric of ['loss_pct', 'rtt_ms']) {
          const ticks = chart(metric).locator('.x-tick');
          const boxes = () =>
            ticks.evaluateAll((els) =>
              els.map((e) => {
                const r = e.getBoundingClientRect();
                return { l: r.left, r: r.right, w: r.width, text: e.textContent ?? '' };
              }),
            );
          // the range's data has come and the chart is drawn at this width
          await expect
            .poll(async () => {
              const b = await boxes();
              return b.length >= 2 && b.every((x) => x.w > 0 && pattern.test(x.text));
            }, POLL)
            .toBe(true);
          const b = await boxes();
          const where = `${range}, ${metric} at ${w}px: ${b.map((x) => x.text).join(' ')}`;
          for (let i = 1; i < b.length; i++) expect(b[i]!.l, where).toBeGreaterThan(b[i - 1]!.r + 2);
          // and inside the chart
          const fig = (await chart(metric).boundingBox())!;
          expect(b[0]!.l, where).toBeGreaterThanOrEqual(fig.x - 1);
          expect(b.at(-1)!.r, where).toBeLessThanOrEqual(fig.x + fig.width + 1);
        }
        const scroll = await page.evaluate(() => [document.body.scrollWidth, document.body.clientWidth]);
        expect(scroll[0], `${range} at ${w}px`).toBeLessThanOrEqual(scroll[1]!);
      }
      await page.click('.ranges button:has-text("1 giờ")');
    });
  }

  it('no page errors', () => {
    expect(errors).toEqual([]);
  });
});
