// End to end (issue 20): `diemcau demo --mcu pexip --codecs xapi` with no RTP reflector at any site —
// the MCU read only through the Pexip management API the simulator serves, every codec through the
// Cisco xAPI. In Chromium: the live meeting's table shows each site's quality from the MCU (not from a
// path probe); the map's card of a site shows that loss; a participant the MCU drops leaves the call on
// the page and, once back, its drop is in the post-meeting report; the map never blames a carrier for
// it. Devices on the loopback base E2E_BASE + 30, the simulator's APIs on free 127.0.0.1 ports.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDashboard,
  E2E_BASE,
  freePort,
  LAPTOP,
  launchChromium,
  pageApi,
  signIn,
  startDemo,
  type Target,
} from './target.ts';

const POLL = { timeout: 60_000, interval: 500 };
const TITLE = 'Giao ban trực tuyến UBND tỉnh (mô phỏng)';

interface Meeting {
  id: string;
  title: string;
  sites: string[];
}

describe('the demo with a Pexip MCU and xAPI codecs, no RTP reflector', () => {
  let target: Target;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  let meeting: Meeting;
  const api = (method: string, path: string, body?: unknown) => pageApi(page, method, path, body);

  beforeAll(async () => {
    buildDashboard();
    const pexip = await freePort();
    const xapi = await freePort();
    target = await startDemo({
      base: E2E_BASE + 30,
      rtpProbes: false,
      args: [
        '--mcu',
        'pexip',
        '--pexip',
        `127.0.0.1:${pexip}`,
        '--codecs',
        'xapi',
        '--xapi-port',
        String(xapi),
      ],
    });
    expect(target.output()).toContain('API quản lý Pexip / Pexip management API');
    expect(target.output()).toMatch(/Codec: xAPI Cisco \(\d+ codec/);
    ({ browser, page, errors } = await launchChromium({ context: LAPTOP }));
    await signIn(page, target, { ready: 'a[data-site]' });
    const now = Date.now();
    const list = await api('GET', `/meetings?from=${now - 3_600_000}&to=${now + 3_600_000}`);
    meeting = (list.json.items as Meeting[]).find((m) => m.title === TITLE)!;
    expect(meeting).toBeDefined();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop().catch(() => {});
  });

  it('every site of the live meeting: in the call, its loss and jitter from the MCU', async () => {
    await page.goto(`${target.url}/meetings/${meeting.id}`);
    await page.waitForSelector('tr[data-live-site]', { timeout: 30_000 });
    const rows = () =>
      page.$$eval('tr[data-live-site]', (trs) =>
        trs.map((tr) => ({
          site: tr.getAttribute('data-live-site'),
          source: tr.querySelector('[data-source]')?.getAttribute('data-source'),
          loss: tr.querySelector('[data-loss]')?.getAttribute('data-loss'),
          mcu: tr.querySelector('[data-mcu]')?.getAttribute('data-mcu'),
        })),
      );
    await expect
      .poll(async () => (await rows()).filter((r) => r.source === 'mcu' && r.loss !== '').length, POLL)
      .toBe(meeting.sites.length);
    const all = await rows();
    expect(all.map((r) => r.site).sort()).toEqual([...meeting.sites].sort());
    // nothing measured a path: there is no reflector; the MCU's port state says each site is in
    expect(all.filter((r) => r.source !== 'mcu')).toEqual([]);
    expect(new Set(all.map((r) => r.mcu))).toEqual(new Set(['connected']));
    expect(await page.locator('th:has-text("Nguồn")').count()).toBeGreaterThan(0);
  }, 90_000);

  it('the map card of a site in the meeting shows the MCU’s loss', async () => {
    const site = meeting.sites.find((s) => s.startsWith('xa-')) ?? meeting.sites[0]!;
    await page.goto(`${target.url}/`);
    const marker = page.locator(`a[data-site="${site}"]`);
    await marker.waitFor({ timeout: 30_000 });
    await expect.poll(() => marker.getAttribute('data-meeting'), POLL).toBe('1');
    await marker.hover();
    const loss = page.locator('[data-metric="loss"]');
    await loss.waitFor({ timeout: 10_000 });
    expect(await loss.textContent()).toMatch(/^\d+(,\d+)? %$/);
  }, 60_000);

  it('a participant the MCU drops leaves the call, comes back, and the report has its drop', async () => {
    const site = meeting.sites.find((s) => s.startsWith('xa-')) ?? meeting.sites.at(-1)!;
    await page.goto(`${target.url}/meetings/${meeting.id}`);
    const row = page.locator(`tr[data-live-site="${site}"]`);
    await row.waitFor({ timeout: 30_000 });
    await target.inject({ kind: 'participant_drop', site });
    // the site stays healthy (leaving is not a fault): only the stream's numbers say it left, at once
    await expect.poll(() => row.locator('[data-mcu]').getAttribute('data-mcu'), POLL).toBe('not_connected');
    // the drop is the MCU's port, not a carrier's link: the map does not blame one
    const r = await api('GET', `/sites/${site}`);
    expect(JSON.stringify(r.json)).not.toMatch(/"cause":"link"/);
    await fetch(`${target.controlUrl}/faults`, { method: 'DELETE' });
    await expect.poll(() => row.locator('[data-mcu]').getAttribute('data-mcu'), POLL).toBe('connected');
    // the meeting's record: the site joined, dropped once and came back
    await expect
      .poll(async () => {
        const rep = await api('GET', `/reports/meetings/${meeting.id}?format=json`);
        const s = (rep.json?.sites ?? []).find((x: { site: string }) => x.site === site);
        return s
          ? { attendance: s.attendance, drops: s.drops.length, back: s.drops[0]?.back_at !== null }
          : null;
      }, POLL)
      .toEqual({ attendance: 'present', drops: 1, back: true });
    expect(errors).toEqual([]);
  }, 120_000);
});
