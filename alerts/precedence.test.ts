// The site's state is its most important episode, by the documented order (docs/alerts.md, "A site's
// state"): the order itself, and the engine's verdict for a site under two episodes at once.
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../core/bus.ts';
import { Clock, Fleet, testRuntime } from '../test/helpers/alerts.ts';
import { type AlertService, StaticMeetings, startAlerts } from './index.ts';
import { compareForSite, type SiteEpisodeView, siteEpisode } from './precedence.ts';

const v = (o: Partial<SiteEpisodeView>): SiteEpisodeView => ({
  id: 'e',
  state: 'degraded',
  severity: 'major',
  root: true,
  cause: 'link',
  started_at: 0,
  ...o,
});

describe("precedence of a site's episodes", () => {
  it('state, then severity, then root over child, then cause, then the older, then the id', () => {
    expect(
      siteEpisode([
        v({ id: 'a', state: 'degraded', severity: 'critical' }),
        v({ id: 'b', state: 'down', severity: 'minor' }),
      ])?.id,
    ).toBe('b');
    expect(siteEpisode([v({ id: 'a', severity: 'major' }), v({ id: 'b', severity: 'critical' })])?.id).toBe(
      'b',
    );
    expect(
      siteEpisode([
        v({ id: 'a', root: false, cause: 'power' }),
        v({ id: 'b', root: true, cause: 'equipment' }),
      ])?.id,
    ).toBe('b');
    expect(siteEpisode([v({ id: 'a', cause: 'equipment' }), v({ id: 'b', cause: 'link' })])?.id).toBe('b');
    expect(siteEpisode([v({ id: 'a', cause: null }), v({ id: 'b', cause: 'mcu' })])?.id).toBe('b');
    expect(siteEpisode([v({ id: 'a', cause: 'link' }), v({ id: 'b', cause: 'power' })])?.id).toBe('b');
    expect(siteEpisode([v({ id: 'a', started_at: 5 }), v({ id: 'b', started_at: 1 })])?.id).toBe('b');
    expect(compareForSite(v({ id: 'a' }), v({ id: 'b' }))).toBeLessThan(0);
    expect(siteEpisode([])).toBeUndefined();
  });
});

// Monday 30 Nov 2026, 08:00 in Bắc Kạn (UTC+7)
const T0 = Date.UTC(2026, 10, 30, 1, 0, 0);
const MIN = 60_000;
const running: AlertService[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

describe('AlertEngine.verdict', () => {
  it('a loss episode as severe as the meeting\'s UPS-runtime episode the site is listed in: the site shows the loss, not "UPS runtime"', async () => {
    const rt = testRuntime('alerts:\n  group_wait: 1s\n');
    const clock = new Clock(T0);
    const meetings = new StaticMeetings();
    const engine = await startAlerts(rt, { meetings, now: clock.now, tickMs: 3_600_000, env: {} });
    running.push(engine);
    const fleet = new Fleet(rt.inventory);
    const all = rt.inventory.inventory.sites.map((s) => s.id);
    const sites = rt.inventory.inventory.sites.filter((s) => s.district === 'ba-be').map((s) => s.id);
    const over = new Map<string, Parameters<Fleet['healthy']>[2]>();
    for (const s of sites) over.set(s, { ups: { ups_runtime_min: 200 } });
    for (const s of sites.slice(0, 6)) over.set(s, { ups: { ups_runtime_min: 30 } });
    const run = (seconds: number) => {
      for (let s = 0; s < seconds; s += 10) {
        clock.t += 10_000;
        const batch: Sample[] = [];
        for (const id of all) batch.push(...fleet.healthy(id, clock.t, over.get(id)));
        rt.bus.publish(batch);
        engine.tickNow();
      }
    };
    run(60);
    meetings.add({ id: 'khan', title: 'Họp khẩn', start: clock.t, end: clock.t + 120 * MIN, sites });
    run(5 * 60);
    const ups = engine.episodes().find((e) => e.rule === 'ups-runtime-short')!;
    expect(ups).toBeDefined();
    // every one of the six sites listed in the UPS episode; pick one that is listed
    const site = ups.sites[ups.sites.length - 1]!;
    expect(engine.verdict(site)?.episode).toBe(ups.id);
    over.set(site, { ups: { ups_runtime_min: 30 }, probe: { loss_pct: 3 } });
    run(5 * 60);
    const loss = engine.episodes().find((e) => e.rule === 'link-loss' && e.sites.includes(site));
    expect(loss, JSON.stringify(engine.episodes().map((e) => [e.rule, e.severity, e.sites]))).toBeDefined();
    const verdict = engine.verdict(site)!;
    expect(verdict.cause).toBe('link');
    expect(verdict.episode).toBe(loss!.id);
    expect(verdict.summary).not.toMatch(/UPS/);
  });
});
