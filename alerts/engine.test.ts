// Who is paged: the engine driven by bus samples and events shaped exactly as the collector emits them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../api/contract.ts';
import type { Sample } from '../core/bus.ts';
import { SourceErrors } from '../inventory/source.ts';
import { Clock, Fleet, testRuntime } from '../test/helpers/alerts.ts';
import { type AlertService, loadRules, StaticMeetings, startAlerts } from './index.ts';

// Monday 30 Nov 2026, 08:00 in Bắc Kạn (UTC+7)
const T0 = Date.UTC(2026, 10, 30, 1, 0, 0);
const running: AlertService[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

async function setup(config = '', meetings = new StaticMeetings()) {
  const rt = testRuntime(`alerts:\n  group_wait: 5s\n${config}`);
  const clock = new Clock(T0);
  const engine = await startAlerts(rt, { meetings, now: clock.now, tickMs: 3_600_000 });
  running.push(engine);
  const fleet = new Fleet(rt.inventory);
  /** Runs `seconds` of polls every `step` seconds; `round(t)` gives that round's samples. */
  const drive = (seconds: number, round: (t: number) => Sample[], step = 10) => {
    for (let s = 0; s < seconds; s += step) {
      clock.t += step * 1000;
      rt.bus.publish(round(clock.t));
      engine.tickNow();
    }
  };
  const paged = () => engine.list().filter((a) => (a.notified ?? []).length > 0);
  const everyone = () => new Set(engine.list().flatMap((a) => a.notified ?? []));
  return { rt, clock, engine, fleet, drive, paged, everyone };
}

const byRule = (alerts: Alert[], rule: string) => alerts.filter((a) => a.rule === rule);

describe('listeners', () => {
  it('hear every alert in the round it is raised, and its resolve', async () => {
    const { engine, fleet, drive } = await setup();
    const heard = new Map<string, Alert>();
    engine.onChange((a) => heard.set(a.id, a));
    const site = 'xa-bang-thanh';
    const unheard = () => engine.list().filter((a) => heard.get(a.id)?.state !== a.state);
    drive(30, (t) => fleet.healthy(site, t));
    for (let i = 0; i < 6; i++) {
      drive(10, (t) =>
        fleet.healthy(site, t, { ups: { ups_on_battery: 1, ups_input_v: 0, ups_runtime_min: 40 } }),
      );
      expect(unheard()).toEqual([]);
    }
    expect([...heard.values()].find((a) => a.rule === 'ups-on-battery')?.state).toBe('firing');
    drive(120, (t) => fleet.healthy(site, t));
    expect([...heard.values()].find((a) => a.rule === 'ups-on-battery')?.state).toBe('resolved');
  });
});

describe('rule evaluation', () => {
  it('judges media over 20 s windows by the majority of 3 and shows an improvement only once stable', async () => {
    const { engine, fleet, drive } = await setup();
    const site = 'xa-banh-trach';
    // one bad window among good ones: never an alert
    drive(10, (t) => fleet.healthy(site, t, { probe: { loss_pct: 8 } }));
    drive(60, (t) => fleet.healthy(site, t));
    expect(byRule(engine.list(), 'link-loss')).toHaveLength(0);
    // sustained > 5 %: critical
    drive(80, (t) => fleet.healthy(site, t, { probe: { loss_pct: 8 } }));
    const a = byRule(engine.list(), 'link-loss')[0]!;
    expect(a.severity).toBe('critical');
    // back to 0: the alert stays until the improvement held for 60 s
    drive(50, (t) => fleet.healthy(site, t));
    expect(engine.get(a.id)!.state).toBe('firing');
    drive(80, (t) => fleet.healthy(site, t));
    expect(engine.get(a.id)!.state).toBe('resolved');
  });
});

describe('rules file', () => {
  it('loads the defaults and reports bad rules at FILE:LINE', () => {
    expect(loadRules().rules.map((r) => r.id)).toContain('site-unreachable');
    const rt = testRuntime();
    const file = join(rt.dir, 'rules.yaml');
    writeFileSync(
      file,
      'version: 1\nrules:\n  - id: x\n    title: Thử\n    title_en: Test\n    metric: loss_percent\n    above: 1\n    cause: link\n  - id: y\n    title: Thử\n    title_en: Test\n    metric: rtt_ms\n    cause: link\n    explains: [nope]\n',
    );
    try {
      loadRules(file);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SourceErrors);
      const text = (err as Error).message;
      expect(text).toContain(`${file}:6: rules[0].metric: unknown metric`);
      expect(text).toMatch(/rules\.yaml:9: .*exactly one condition/);
    }
  });
});

describe('stop', () => {
  it('a batch that arrives just before stop is not evaluated after it (the state database is closed then)', async () => {
    const rt = testRuntime('alerts:\n  group_wait: 5s\n');
    const errors: unknown[] = [];
    // every logger the services derive from rt.log reports its errors here
    type Log = typeof rt.log;
    const capture = (l: Log): Log =>
      Object.assign(Object.create(l) as Log, {
        error: (...args: unknown[]) => errors.push(args),
        child: (...a: Parameters<Log['child']>) => capture(l.child(...a) as unknown as Log),
      });
    rt.log = capture(rt.log);
    const clock = new Clock(T0);
    const engine = await startAlerts(rt, {
      meetings: new StaticMeetings(),
      now: clock.now,
      tickMs: 3_600_000,
    });
    const fleet = new Fleet(rt.inventory);
    const site = [...rt.inventory.sites.keys()][3]!;
    const dark = () => fleet.healthy(site, clock.t, { probe: { reachable: 0 }, codec: 'down', ups: 'down' });
    // the site dark long enough for an open episode (whose paging reads the duty roster)
    for (let i = 0; i < 12; i++) {
      clock.t += 10_000;
      rt.bus.publish(dark());
      engine.tickNow();
    }
    expect(engine.list().length).toBeGreaterThan(0);
    clock.t += 10_000;
    rt.bus.publish(dark());
    await engine.stop();
    rt.state.close();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(errors).toEqual([]);
  });
});
