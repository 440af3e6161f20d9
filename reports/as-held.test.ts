// The post-meeting report says what happened: who never joined, who dropped and why, minutes
// connected by the majority of each minute, no data as no data, quality over connected time only.
// Real bus, real alert engine, real metrics store, real state database.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '../core/bus.ts';
import { parseLocalTime } from '../meetings/time.ts';
import { type World, world } from '../test/helpers/world.ts';
import { reportMessage } from './after-meeting.ts';
import { meetingReport } from './index.ts';

const MIN = 60_000;
const T0 = parseLocalTime('2026-01-02T08:00')!;
let w: World;
beforeEach(async () => {
  w = await world(T0);
});
afterEach(() => w.stop());

describe('post-meeting report of a meeting as it happened', () => {
  it('names the site that never joined, the MCU drop with its episode, the lossy site; minutes by majority; no data apart', async () => {
    const start = parseLocalTime('2026-01-06T08:00')!;
    const sites = ['tinh-uy', 'huyen-ba-be', 'xa-bang-thanh', 'huyen-na-ri', 'xa-boc-bo'];
    const m = w.meetings.register(
      { title: 'Giao ban tháng 1', host_org: 'vp-ubnd-tinh', start, end: start + 60 * MIN, sites },
      'u-host',
    ).meeting;
    w.clock.t = start - 5 * MIN;
    w.drive(65 * 60, (t) => {
      const into = t - start;
      const out: Sample[] = [
        ...w.fleet.healthy('tinh-uy', t),
        // 3 % loss for the whole meeting
        ...w.fleet.healthy('huyen-ba-be', t, { probe: { loss_pct: 3, mos: 3.6 } }),
        // reachable, never joins
        ...w.fleet.healthy('xa-bang-thanh', t, { codec: { in_call: 0 }, mcu: 0 }),
        // the MCU loses its port for 2 minutes while the codec stays in the call
        ...w.fleet.healthy('huyen-na-ri', t, { mcu: into >= 20 * MIN && into < 22 * MIN ? 0 : 1 }),
      ];
      // in the second half connected only 2 of every 6 samples (a third of each minute); nothing
      // at all heard from it from 50:00 to 55:00
      if (!(into >= 50 * MIN && into < 55 * MIN)) {
        const sec = Math.floor((t % MIN) / 10_000);
        const up = into < 30 * MIN || sec < 2 ? 1 : 0;
        out.push(...w.fleet.healthy('xa-boc-bo', t, { codec: { in_call: up }, mcu: up }));
      }
      return out;
    });
    const r = await meetingReport(w.reportDeps(), m.id);
    const site = (id: string) => r.sites.find((s) => s.site === id)!;

    expect(r.held).toBe(true);
    expect(r.summary.clean).toBe(false);
    // never joined
    const bt = site('xa-bang-thanh');
    expect([bt.attendance, bt.joined_at, bt.minutes.connected, bt.minutes.disconnected]).toEqual([
      'absent',
      null,
      0,
      60,
    ]);
    // the MCU drop: left at 20:00, back at 22:00, explained by the MCU team's episode
    const nr = site('huyen-na-ri');
    expect(nr.attendance).toBe('present');
    expect(nr.joined_at).toBe(start - 5 * MIN + 10_000);
    expect(nr.left_at).toBeNull();
    expect(nr.drops).toHaveLength(1);
    const drop = nr.drops[0]!;
    expect([drop.at - start, drop.back_at! - start]).toEqual([20 * MIN, 22 * MIN]);
    expect(drop.cause.kind).toBe('episode');
    expect([drop.cause.cause, drop.cause.owner_org]).toEqual(['mcu', 'viettel-mcu']);
    expect(nr.minutes).toEqual({ total: 60, connected: 58, disconnected: 2, no_data: 0 });
    const ep = r.episodes.find((e) => e.id === drop.cause.episode_id)!;
    expect(ep.sites).toContain('huyen-na-ri');
    expect(ep.restored_at).not.toBeNull();
    // 3 % loss: over its connected minutes, every one of them lossy
    const bb = site('huyen-ba-be');
    expect(bb.loss_pct!.mean).toBeCloseTo(3, 6);
    expect(bb.mos!.mean).toBeCloseTo(3.6, 6);
    expect(bb.quality_source).toBe('rtp');
    expect(bb.lossy_minutes).toBe(1);
    expect(r.summary.lossy_sites).toBe(1);
    // a minute a third connected is not a connected minute; the five silent minutes are no data
    const bo = site('xa-boc-bo');
    expect(bo.minutes).toEqual({ total: 60, connected: 30, disconnected: 25, no_data: 5 });
    expect(bo.connected).toBe(0.5);
    // quality over connected minutes only: the 30 minutes in the first half
    expect(bo.mos!.minutes).toBe(30);
    // the clean site
    const tu = site('tinh-uy');
    expect([tu.drops, tu.minutes.connected, tu.episodes]).toEqual([[], 60, []]);
    expect(r.summary).toMatchObject({ sites: 5, present: 4, absent: 1, unknown: 0 });
    expect(r.summary.drops).toBe(bo.drops.length + 1);
    expect(r.summary.episodes).toBe(r.episodes.length);

    // what the host office and the NOC read
    const msg = reportMessage(r);
    const name = (id: string) => w.rt.inventory.sites.get(id)!.name;
    expect(msg.subject).not.toContain('Không có sự cố');
    expect(msg.text).toContain(`Điểm cầu không kết nối:\n- ${name('xa-bang-thanh')}`);
    expect(msg.text).toContain(`- ${name('huyen-na-ri')}: 08:20–08:22 — `);
    expect(msg.text).toContain('Điểm cầu mất gói trên 1 % quá 10 % thời gian kết nối:');
    expect(msg.text).toContain(`- ${name('huyen-ba-be')}`);
  });

  it('says "no fault" only for a meeting in which nothing happened', async () => {
    const start = parseLocalTime('2026-01-06T14:00')!;
    const m = w.meetings.register(
      {
        title: 'Họp ngắn',
        host_org: 'vp-ubnd-tinh',
        start,
        end: start + 20 * MIN,
        sites: ['tinh-uy', 'huyen-ba-be'],
      },
      'u-host',
    ).meeting;
    w.clock.t = start - 2 * MIN;
    w.drive(23 * 60, (t) => [...w.fleet.healthy('tinh-uy', t), ...w.fleet.healthy('huyen-ba-be', t)]);
    const r = await meetingReport(w.reportDeps(), m.id);
    expect(r.summary.clean).toBe(true);
    expect(r.sites.map((s) => s.minutes.connected)).toEqual([20, 20]);
    expect(reportMessage(r).subject).toContain('Không có sự cố');
  });

  it('takes the call’s own media figures first: the MCU’s port statistics, with or without a reflector at the site', async () => {
    const start = parseLocalTime('2026-01-06T14:00')!;
    const sites = ['huyen-ba-be', 'xa-bang-thanh', 'tinh-uy'];
    const m = w.meetings.register(
      { title: 'Họp qua MCU Pexip', host_org: 'vp-ubnd-tinh', start, end: start + 30 * MIN, sites },
      'u-host',
    ).meeting;
    const mcu = w.rt.inventory.inventory.mcu.id;
    const port = (site: string, t: number, metric: 'loss_pct' | 'jitter_ms', value: number): Sample => {
      const p = w.fleet.mcuPort(site, t, 1);
      return { ...p, metric, value, tags: { ...p.tags, probe: 'mcu' } };
    };
    w.clock.t = start - MIN;
    w.drive(31 * 60, (t) => [
      // a reflector says 5 % on the path, the MCU 1.5 % on the call's media: the call's figure counts
      ...w.fleet.healthy('huyen-ba-be', t, { probe: { loss_pct: 5 } }),
      port('huyen-ba-be', t, 'loss_pct', 1.5),
      port('huyen-ba-be', t, 'jitter_ms', 12),
      // no reflector at all (issue 20's network): only the MCU measures the site
      ...w.fleet.healthy('xa-bang-thanh', t).filter((x) => x.device !== 'xa-bang-thanh:rtp'),
      port('xa-bang-thanh', t, 'loss_pct', 0.5),
      // the path probe alone, as before
      ...w.fleet.healthy('tinh-uy', t, { probe: { loss_pct: 0.2 } }),
    ]);
    const r = await meetingReport(w.reportDeps(), m.id);
    const site = (id: string) => r.sites.find((s) => s.site === id)!;
    expect(w.rt.inventory.devices.has(mcu)).toBe(true);
    const bb = site('huyen-ba-be');
    expect([bb.quality_source, bb.loss_pct?.mean, bb.jitter_ms?.mean]).toEqual(['mcu', 1.5, 12]);
    const bt = site('xa-bang-thanh');
    expect([bt.quality_source, bt.loss_pct?.mean]).toEqual(['mcu', 0.5]);
    const tu = site('tinh-uy');
    expect([tu.quality_source, tu.loss_pct?.mean]).toEqual(['rtp', 0.2]);
  });

  it('a drop is not blamed on an episode of the UPS alone (its runtime short for the meeting does not end a call)', async () => {
    const start = parseLocalTime('2026-01-07T08:00')!;
    const m = w.meetings.register(
      { title: 'Họp ngắn', host_org: 'vp-ubnd-tinh', start, end: start + 30 * MIN, sites: ['xa-boc-bo'] },
      'u-host',
    ).meeting;
    w.clock.t = start - 5 * MIN;
    w.drive(35 * 60, (t) => {
      const into = t - start;
      // its UPS has 12 minutes for a 30-minute meeting, and the site leaves the call for 3 minutes
      const out = into >= 10 * MIN && into < 13 * MIN ? 0 : 1;
      return w.fleet.healthy('xa-boc-bo', t, {
        ups: { ups_runtime_min: 12 },
        codec: { in_call: out },
        mcu: out,
      });
    });
    const r = await meetingReport(w.reportDeps(), m.id);
    expect(r.episodes.map((e) => e.title)).toContainEqual(
      expect.stringMatching(/^Thời gian pin UPS không đủ/),
    );
    const drops = r.sites.find((s) => s.site === 'xa-boc-bo')!.drops;
    expect(drops.map((d) => [d.at - start, d.cause.kind])).toEqual([[10 * MIN, 'hung_up']]);
  });
});
