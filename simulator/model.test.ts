// Seeded values repeat for the same seed and differ between seeds; the battery drains and recharges.
import { describe, expect, it } from 'vitest';
import type { Site } from '../inventory/schema.ts';
import { type PowerEvent, SiteSim } from './model.ts';
import { smooth, wobble } from './rand.ts';

const site: Site = {
  id: 'xa-bang-thanh',
  gso: '01864',
  name: 'Hội trường UBND xã Bằng Thành',
  tier: 'commune',
  district: 'pac-nam',
  link: { carrier: 'vnpt', circuit: 'TSLCD-BKN-VNPT-0042', bandwidth_mbps: 10 },
  power: 'dien-luc-pac-nam',
  technician: 'kt-xa-bang-thanh',
  probes: {},
  devices: [],
};

describe('seeded values', () => {
  it('repeat for the same seed and time, differ across seeds, and move over time', () => {
    const a = new SiteSim(site, 7, 0);
    const b = new SiteSim(site, 7, 0);
    const c = new SiteSim(site, 8, 0);
    const series = (s: SiteSim) => [0, 5, 17, 60, 300].map((t) => s.quality(t).rttMs);
    expect(series(a)).toEqual(series(b));
    expect(series(a)).not.toEqual(series(c));
    expect(new Set(series(a)).size).toBeGreaterThan(1);
    expect(a.runtimeFullSec).toBe(b.runtimeFullSec);
    for (let t = 0; t < 200; t += 0.7) {
      expect(Math.abs(smooth(3, t))).toBeLessThanOrEqual(1);
      expect(Math.abs(wobble(3, t))).toBeLessThanOrEqual(1);
    }
  });

  it('adds a degraded link to the base quality', () => {
    const s = new SiteSim(site, 1, 0);
    const before = s.quality(10);
    s.impair = { loss: 5, delay: 100, jitter: 8 };
    const after = s.quality(10);
    expect(after.rttMs - before.rttMs).toBeCloseTo(100, 6);
    expect(after.lossPct - before.lossPct).toBeCloseTo(5, 6);
    expect(after.jitterMs - before.jitterMs).toBeCloseTo(8, 6);
  });
});

describe('UPS battery', () => {
  it('drains on battery, goes low, then depleted (site off); recharges and reboots when power returns', () => {
    const s = new SiteSim(site, 1, 0);
    const ev: PowerEvent[] = [];
    s.cut(1000, 10, ev);
    expect(ev.map((e) => e.kind)).toEqual(['on_battery', 'alarm_added']);
    expect(s.batteryStatus()).toBe(2);
    ev.length = 0;
    s.advancePower(2000, 1000, 360, ev); // 6 battery-minutes in one real second
    expect(s.runtimeSec).toBe(240);
    expect(ev.map((e) => e.kind)).toContain('low_battery');
    expect(s.batteryStatus()).toBe(3);
    s.advancePower(3000, 1000, 360, ev);
    expect(s.off).toBe(true);
    expect(s.reachable()).toBe(false);
    expect(ev.map((e) => e.kind)).toContain('depleted');
    ev.length = 0;
    const boots = s.boots;
    s.restore(4000, ev);
    expect(s.off).toBe(false);
    expect(s.boots).toBe(boots + 1);
    expect(s.bootedAt).toBe(4000);
    expect(ev.map((e) => e.kind)).toEqual(['cold_start']);
    s.advancePower(5000, 1000, 3600, ev);
    expect(s.chargePct()).toBeGreaterThan(20);
  });
});
