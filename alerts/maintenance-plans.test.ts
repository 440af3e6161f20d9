// Maintenance plans hold alerts back (alerts/silences.ts Holds): a one-off plan over a site while it is
// active and not after, a device plan over its device only, a recurring plan in its local hours, a
// cancelled plan not at all — with the real alert engine on a virtual clock and the real state DB.
import { afterEach, describe, expect, it } from 'vitest';
import type { Episode } from '../api/contract.ts';
import { cancelPlan, createPlan } from '../maintenance/plans.ts';
import { fleetEngine } from '../test/helpers/fleet-engine.ts';
import { type AlertService, StaticMeetings } from './index.ts';

// Monday 30 Nov 2026, 08:00 in Bắc Kạn (UTC+7)
const T0 = Date.UTC(2026, 10, 30, 1, 0, 0);
const MIN = 60_000;
const running: AlertService[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

const setup = (meetings = new StaticMeetings()) => fleetEngine(running, { meetings, start: T0 });

const dark = { probe: { reachable: 0 }, codec: 'down', ups: 'down', mcu: 0 } as const;
const at = (engine: AlertService, site: string) => engine.episodes({ site, all: true });
const paged = (eps: Episode[]) => eps.flatMap((e) => e.notifications);
const plan = { work: 'Thay ắc quy UPS, vệ sinh thiết bị', by_text: 'Công ty TNHH Kỹ thuật Hưng Thịnh' };

/** a one-off plan over `scope` from `t` for `minutes`, created by the NOC at `t` */
const once = (
  rt: Awaited<ReturnType<typeof setup>>['rt'],
  t: number,
  scope: { kind: 'site' | 'device'; value: string },
  minutes: number,
) =>
  createPlan(
    rt.state,
    rt.inventory,
    { ...plan, kind: 'once', scope, starts_at: t, ends_at: t + minutes * MIN },
    'noc',
    t,
  );

describe('maintenance plans hold alerts', () => {
  it('a one-off site plan holds its site while active and not after; other sites are paged', async () => {
    const { rt, clock, engine, over, run } = await setup();
    run(30);
    const p = once(rt, clock.t, { kind: 'site', value: 'xa-banh-trach' }, 30);
    expect(engine.verdict('xa-banh-trach')?.state).toBe('maintenance');
    over.set('xa-banh-trach', dark);
    over.set('xa-tan-son', dark);
    run(5 * 60);
    const held = at(engine, 'xa-banh-trach');
    expect(held.map((e) => [e.state, e.suppressed_by])).toEqual([['suppressed', `maintenance:${p.id}`]]);
    expect(paged(held)).toEqual([]);
    expect(paged(at(engine, 'xa-tan-son')).length).toBeGreaterThan(0);
    // the plan's window ends: the fault is paged
    run(30 * 60);
    expect(engine.verdict('xa-banh-trach')?.state).not.toBe('maintenance');
    const after = at(engine, 'xa-banh-trach');
    expect(after.map((e) => e.state)).toEqual(['firing']);
    expect(paged(after).length).toBeGreaterThan(0);
  });

  it('a device plan holds that device only; a cancelled plan holds nothing', async () => {
    const meetings = new StaticMeetings();
    const { rt, clock, engine, over, run } = await setup(meetings);
    // a meeting in progress: a codec down is a fault
    meetings.add({
      id: 'hop',
      title: 'Giao ban',
      start: T0,
      end: T0 + 45 * MIN,
      sites: ['xa-tan-son', 'xa-banh-trach'],
    });
    run(30);
    const p = once(rt, clock.t, { kind: 'device', value: 'xa-tan-son-codec' }, 60);
    // the site itself is not in maintenance: only its codec is
    expect(engine.verdict('xa-tan-son')?.state).not.toBe('maintenance');
    over.set('xa-tan-son', { codec: 'down' });
    over.set('xa-banh-trach', { codec: 'down' });
    run(3 * 60);
    const codec = at(engine, 'xa-tan-son').filter((e) => e.rule === 'codec-down');
    expect(codec.map((e) => [e.rule, e.suppressed_by])).toEqual([['codec-down', `maintenance:${p.id}`]]);
    expect(paged(codec)).toEqual([]);
    // all that is wrong there is held: the site shows the device's maintenance
    expect(engine.verdict('xa-tan-son')).toMatchObject({ state: 'maintenance' });
    expect(engine.verdict('xa-tan-son')?.summary).toContain(p.id);
    expect(
      at(engine, 'xa-banh-trach')
        .filter((e) => e.rule === 'codec-down')
        .map((e) => e.suppressed_by),
    ).toEqual([null]);
    // its UPS on battery is not the codec: paged
    over.set('xa-tan-son', { codec: 'down', ups: { ups_on_battery: 1, ups_input_v: 0 } });
    run(2 * 60);
    const ups = at(engine, 'xa-tan-son').filter((e) => e.rule === 'ups-on-battery');
    expect(ups.map((e) => e.suppressed_by)).toEqual([null]);
    expect(engine.verdict('xa-tan-son')?.state).toBe('on_battery');
    // cancelled: the codec fault is paged
    cancelPlan(rt.state, p.id, 'noc', clock.t);
    run(60);
    const after = at(engine, 'xa-tan-son').filter((e) => e.rule === 'codec-down');
    expect(after.map((e) => e.suppressed_by)).toEqual([null]);
    expect(paged(after).length).toBeGreaterThan(0);
  });

  it('a recurring district plan holds in its local hours on its weekdays only', async () => {
    const { rt, clock, engine, over, run } = await setup();
    run(30);
    // Mondays 08:30–09:30 Bắc Kạn time, over Ba Bể's sites
    const p = createPlan(
      rt.state,
      rt.inventory,
      {
        ...plan,
        kind: 'recurring',
        scope: { kind: 'district', value: 'ba-be' },
        starts_at: T0,
        weekdays: [1],
        start_local: '08:30',
        duration_min: 60,
      },
      'noc',
      clock.t,
    );
    expect(engine.verdict('xa-banh-trach')?.state).not.toBe('maintenance'); // 08:00
    run(31 * 60); // 08:31
    expect(engine.verdict('xa-banh-trach')?.state).toBe('maintenance');
    expect(engine.verdict('xa-tan-son')?.state).not.toBe('maintenance'); // another district
    over.set('xa-banh-trach', dark);
    run(5 * 60);
    expect(at(engine, 'xa-banh-trach').map((e) => e.suppressed_by)).toEqual([`maintenance:${p.id}`]);
    run(60 * 60); // 09:36: over for this Monday
    expect(at(engine, 'xa-banh-trach').map((e) => e.suppressed_by)).toEqual([null]);
  });
});
