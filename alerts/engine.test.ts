// Who is paged: the engine driven by bus samples and events shaped exactly as the collector emits them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../api/contract.ts';
import type { Sample } from '../core/bus.ts';
import { SourceErrors } from '../inventory/source.ts';
import { type AlertService, loadRules, StaticMeetings, startAlerts } from './index.ts';
import { Clock, Fleet, testRuntime } from './testing.ts';

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

describe('who is paged', () => {
  it('a power cut at a commune pages the district Điện lực branch and the technician, not the carrier', async () => {
    const { rt, clock, engine, fleet, drive, everyone } = await setup();
    const site = 'xa-bang-thanh'; // Pác Nặm, Viettel link
    drive(60, (t) => fleet.healthy(site, t));
    // the trap arrives first, the collector also sets ups_on_battery = 1 at once
    rt.bus.publishEvent(fleet.trap(site, clock.t + 1000, 'upsTrapOnBattery'));
    drive(120, (t) =>
      fleet.healthy(site, t, { ups: { ups_on_battery: 1, ups_input_v: 0, ups_runtime_min: 12 } }),
    );
    // the battery runs out: the whole site goes dark
    drive(90, (t) => fleet.healthy(site, t, { probe: { reachable: 0 }, codec: 'down', ups: 'down', mcu: 0 }));

    const onBattery = byRule(engine.list(), 'ups-on-battery')[0]!;
    expect(onBattery.cause).toBe('power');
    expect(onBattery.owner_org).toBe('dien-luc-pac-nam');
    const dark = byRule(engine.list(), 'site-unreachable')[0]!;
    expect(dark.state).toBe('firing');
    expect(dark.cause).toBe('power');
    expect(dark.owner_org).toBe('dien-luc-pac-nam');
    expect(dark.reasoning).toMatch(/UPS chạy pin từ .* mất điện lưới, không phải lỗi đường truyền/);
    // the codec and MCU port are down only because the site is: suppressed, not paged
    expect(byRule(engine.list(), 'mcu-port-down')).toEqual([]); // no meeting: an idle port is normal
    for (const rule of ['codec-down']) {
      const a = byRule(engine.list(), rule)[0]!;
      expect(a.state).toBe('suppressed');
      expect(a.suppressed_by).toBe(dark.id);
      expect(a.notified).toEqual([]);
    }
    const who = everyone();
    expect(who).toContain('dl-pac-nam-truc');
    expect(who).toContain('kt-xa-bang-thanh');
    expect(who).toContain('noc-truc-ban-1');
    expect([...who].filter((p) => p.startsWith('viettel') || p.startsWith('vnpt'))).toEqual([]);
    expect(engine.verdict(site)?.state).toBe('down');
    expect(engine.verdict(site)?.cause).toBe('power');
  });

  it('a district outage gives one carrier alert for the district and no per-commune pages', async () => {
    const { rt, engine, fleet, drive, paged } = await setup();
    const communes = rt.inventory.inventory.sites.filter(
      (s) => s.district === 'na-ri' && s.tier === 'commune',
    );
    const others = ['xa-bang-thanh', 'xa-banh-trach'];
    drive(60, (t) => [...communes, { id: 'huyen-na-ri' }].flatMap((s) => fleet.healthy(s.id, t)));
    drive(120, (t) => [
      ...[...communes.map((s) => s.id), 'huyen-na-ri'].flatMap((s) =>
        fleet.healthy(s, t, { probe: { reachable: 0 }, codec: 'down', ups: 'down', mcu: 0 }),
      ),
      ...others.flatMap((s) => fleet.healthy(s, t)),
    ]);
    const district = byRule(engine.list(), 'district-outage');
    expect(district).toHaveLength(1);
    expect(district[0]!.owner_org).toBe('viettel');
    expect(district[0]!.cause).toBe('link');
    expect(district[0]!.sites).toHaveLength(communes.length + 1);
    expect(district[0]!.reasoning).toContain(
      `${communes.length}/${communes.length} điểm cầu cấp xã của huyện Na Rì`,
    );
    // every commune is tracked and visible as suppressed, none paged
    const perCommune = byRule(engine.list(), 'site-unreachable');
    expect(perCommune.length).toBe(communes.length + 1);
    for (const a of perCommune) {
      expect(a.state).toBe('suppressed');
      expect(a.suppressed_by).toBe(district[0]!.id);
    }
    expect(paged().map((a) => a.rule)).toEqual(['district-outage']);
    expect(paged()[0]!.notified).toEqual(['noc-truc-ban-1', 'viettel-truc-1']);
    expect(engine.verdict('xa-van-vu')?.summary).toContain('đường truyền Viettel');
    // the district comes back: one resolve, to the same people
    drive(60, (t) => [...communes.map((s) => s.id), 'huyen-na-ri'].flatMap((s) => fleet.healthy(s, t)));
    expect(engine.list({ state: 'resolved' }).map((a) => a.rule)).toContain('district-outage');
    const hist = rt.state
      .prepare(`SELECT event FROM alert_history WHERE event LIKE 'notify:%'`)
      .all()
      .map((r) => (r as { event: string }).event);
    if (hist.length !== 2)
      console.log(
        rt.state
          .prepare(`SELECT h.alert_id, h.at, h.event, h.detail FROM alert_history h ORDER BY h.id`)
          .all(),
      );
    expect(hist).toEqual(['notify:alert', 'notify:resolve']);
  });

  it('5 % loss at a VNPT-linked site pages VNPT, at a Viettel-linked site Viettel', async () => {
    const { engine, fleet, drive } = await setup();
    drive(120, (t) => [
      ...fleet.healthy('xa-banh-trach', t, { probe: { loss_pct: 5 } }), // Ba Bể: VNPT
      ...fleet.healthy('xa-bang-thanh', t, { probe: { loss_pct: 5 } }), // Pác Nặm: Viettel
    ]);
    const loss = byRule(engine.list(), 'link-loss');
    const vnpt = loss.find((a) => a.site === 'xa-banh-trach')!;
    const viettel = loss.find((a) => a.site === 'xa-bang-thanh')!;
    expect(vnpt.severity).toBe('major'); // RMX band 1–5 %
    expect(vnpt.owner_org).toBe('vnpt');
    expect(vnpt.notified).toContain('vnpt-truc-1');
    expect(vnpt.notified).not.toContain('viettel-truc-1');
    expect(viettel.owner_org).toBe('viettel');
    expect(viettel.notified).toContain('viettel-truc-1');
    expect(viettel.notified).not.toContain('vnpt-truc-1');
    expect(vnpt.reasoning).toContain('đa số 2/3 cửa sổ 20 giây');
  });

  it('a codec hang (site answers RTP, codec not SNMP) pages the technician', async () => {
    const meetings = new StaticMeetings([
      { id: 'm', title: 'Họp', start: T0, end: T0 + 7200_000, sites: ['xa-phuc-loc'] },
    ]);
    const { engine, fleet, drive } = await setup('', meetings);
    drive(30, (t) => fleet.healthy('xa-phuc-loc', t));
    drive(90, (t) => fleet.healthy('xa-phuc-loc', t, { codec: 'down', mcu: 0 }));
    const a = byRule(engine.list(), 'codec-down')[0]!;
    expect(a.cause).toBe('equipment');
    expect(a.severity).toBe('critical'); // in a meeting
    expect(a.owner_person).toBe('kt-xa-phuc-loc');
    expect(a.notified).toEqual(['noc-truc-ban-1', 'kt-xa-phuc-loc']);
    expect(a.reasoning).toContain('vẫn trả lời thăm dò ICMP/RTP');
    // the MCU port is down because the codec is: suppressed under it
    expect(byRule(engine.list(), 'mcu-port-down')[0]!.suppressed_by).toBe(a.id);
  });

  it('an MCU port down with a healthy codec pages the Viettel MCU team (only during its meeting)', async () => {
    const meetings = new StaticMeetings();
    const { engine, fleet, drive, clock } = await setup('', meetings);
    // outside a meeting an idle port is normal
    drive(90, (t) => fleet.healthy('xa-nhan-mon', t, { mcu: 0, codec: { in_call: 0 } }));
    expect(byRule(engine.list(), 'mcu-port-down')).toEqual([]);
    meetings.add({ id: 'm', title: 'Họp', start: clock.t, end: clock.t + 7200_000, sites: ['xa-nhan-mon'] });
    drive(90, (t) => fleet.healthy('xa-nhan-mon', t, { mcu: 0, codec: { in_call: 0 } }));
    const a = byRule(engine.list(), 'mcu-port-down')[0]!;
    expect(a.cause).toBe('mcu');
    expect(a.owner_org).toBe('viettel-mcu');
    expect(a.notified).toEqual(['noc-truc-ban-1', 'viettel-mcu-1']);
    // the codec is out of the call because the port is: suppressed under the MCU alert
    expect(byRule(engine.list(), 'codec-not-in-call')[0]!.suppressed_by).toBe(a.id);
    // a state metric is told by its name, in each language's half
    expect(byRule(engine.list(), 'codec-not-in-call')[0]!.reasoning).toMatch(
      /in_call = 0 \(Rảnh\).* \/ .*in_call = 0 \(idle\)/,
    );
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

  it('uses hysteresis and damps a flapping site instead of repeating it', async () => {
    const { rt, engine, fleet, drive } = await setup('  flap: { count: 3, window: 30m, hold: 5m }\n');
    const site = 'xa-phuc-loc';
    for (let i = 0; i < 5; i++) {
      drive(40, (t) => fleet.healthy(site, t, { probe: { reachable: 0 }, codec: 'down', ups: 'down' }));
      drive(40, (t) => fleet.healthy(site, t));
    }
    const alerts = byRule(engine.list(), 'site-unreachable');
    // first two cycles alert and resolve; from the third the alert is held as flapping
    expect(alerts.length).toBe(3);
    const held = alerts.find((a) => a.state !== 'resolved')!;
    expect(held.flapping).toBe(true);
    const sent = rt.state
      .prepare(`SELECT count(*) AS n FROM alert_history WHERE event = 'notify:alert'`)
      .get() as { n: number };
    if (sent.n !== 3)
      console.log(
        rt.state
          .prepare(`SELECT h.alert_id, h.at, h.event, h.detail FROM alert_history h ORDER BY h.id`)
          .all(),
      );
    expect(sent.n).toBe(3);
    drive(330, (t) => fleet.healthy(site, t));
    expect(engine.get(held.id)!.state).toBe('resolved');
  });

  it('pages the owner only during a meeting for a minor condition; outside, only the NOC', async () => {
    const meetings = new StaticMeetings();
    const { engine, fleet, drive, clock } = await setup('  digest_interval: 10m\n', meetings);
    drive(90, (t) => fleet.healthy('xa-phuc-loc', t, { ups: { ups_input_v: 180 } }));
    const quiet = byRule(engine.list(), 'ups-input-voltage')[0]!;
    expect(quiet.severity).toBe('minor');
    expect(quiet.reasoning).toContain('ups_input_v = 180 V');
    // outside meetings: nobody paged now; the NOC gets it in the next digest (10 min here)
    expect(quiet.notified).toEqual([]);
    drive(600, (t) => fleet.healthy('xa-phuc-loc', t, { ups: { ups_input_v: 180 } }));
    expect(engine.get(quiet.id)!.notified).toEqual(['noc-truc-ban-1']);
    expect(engine.historyOf(quiet.id).map((h) => h.event)).toContain('notify:digest');
    meetings.add({
      id: 'hop-1',
      title: 'Hội nghị trực tuyến toàn tỉnh',
      start: clock.t + 30 * 60_000,
      end: clock.t + 150 * 60_000,
      sites: ['xa-phuc-loc'],
    });
    drive(20, (t) => fleet.healthy('xa-phuc-loc', t, { ups: { ups_input_v: 180 } }));
    const loud = engine.get(quiet.id)!;
    expect(loud.severity).toBe('critical');
    expect(loud.meeting).toBe('hop-1');
    expect(loud.notified).toContain('dl-cho-moi-truc'.replace('cho-moi', 'ba-be'));
    expect(loud.notified).toContain('kt-xa-phuc-loc');
  });

  it('UPS runtime shorter than the meeting left is an alert', async () => {
    const meetings = new StaticMeetings();
    const { engine, fleet, drive, clock } = await setup('', meetings);
    meetings.add({
      id: 'hop-2',
      title: 'Họp giao ban',
      start: clock.t,
      end: clock.t + 120 * 60_000,
      sites: ['xa-phuc-loc'],
    });
    drive(60, (t) => fleet.healthy('xa-phuc-loc', t, { ups: { ups_runtime_min: 40 } }));
    const a = byRule(engine.list(), 'ups-runtime-short')[0]!;
    expect(a.cause).toBe('equipment');
    expect(Number(a.evidence.needed_min)).toBeGreaterThan(100);
  });
});

describe('operators', () => {
  it('escalates to the next contact and then the head; a silence pauses it without using steps; ack stops it', async () => {
    const { engine, fleet, drive, clock } = await setup('  escalate_after: 5m\n');
    const site = 'xa-banh-trach';
    const bad = (t: number) => fleet.healthy(site, t, { probe: { loss_pct: 3 } });
    drive(90, bad);
    const a = byRule(engine.list(), 'link-loss')[0]!;
    expect(a.notified).toEqual(['noc-truc-ban-1', 'vnpt-truc-1']);
    // silenced for 20 minutes: no escalation meanwhile, and no step used up
    const s = engine.addSilence({
      matchers: { site },
      starts_at: clock.t,
      ends_at: clock.t + 20 * 60_000,
      comment: 'VNPT đang xử lý',
      created_by: 'noc',
    });
    drive(600, bad);
    expect(engine.get(a.id)!.state).toBe('suppressed');
    expect(engine.get(a.id)!.escalation_level).toBe(0);
    engine.endSilence(s.id, 'noc');
    drive(290, bad);
    expect(engine.get(a.id)!.escalation_level).toBe(0);
    drive(20, bad);
    expect(engine.get(a.id)!.notified).toEqual([
      'noc-truc-ban-1',
      'vnpt-truc-1',
      'noc-truc-ban-2',
      'vnpt-truc-2',
    ]);
    drive(310, bad);
    expect(engine.get(a.id)!.notified).toContain('vnpt-lanh-dao');
    const acked = engine.acknowledge(a.id, 'noc-truc-ban-1', 'Đã báo VNPT, đang xử lý cáp quang');
    expect(acked.state).toBe('acknowledged');
    const before = engine.get(a.id)!.notified!.length;
    drive(1200, bad);
    expect(engine.get(a.id)!.notified!.length).toBe(before);
    expect(() => engine.acknowledge('nope', 'x', '')).toThrow(/not found/);
  });

  it('a silenced alert is still tracked as suppressed and still sends its resolve to whoever was paged', async () => {
    const { rt, engine, fleet, drive, clock } = await setup();
    const site = 'xa-tan-son';
    drive(90, (t) => fleet.healthy(site, t, { codec: 'down' }));
    const a = byRule(engine.list(), 'codec-down')[0]!;
    expect(a.notified).toEqual(['noc-truc-ban-1', 'kt-xa-tan-son']);
    engine.addSilence({
      matchers: { site, rule: 'codec-down' },
      starts_at: clock.t,
      ends_at: clock.t + 3600_000,
      comment: 'Đang thay codec',
      created_by: 'noc',
    });
    expect(engine.get(a.id)!.state).toBe('suppressed');
    expect(engine.get(a.id)!.suppressed_by).toMatch(/^silence:/);
    expect(engine.list({ state: 'suppressed' }).map((x) => x.id)).toContain(a.id);
    drive(60, (t) => fleet.healthy(site, t));
    expect(engine.get(a.id)!.state).toBe('resolved');
    const events = rt.state
      .prepare('SELECT event, detail FROM alert_history WHERE alert_id = ? ORDER BY id')
      .all(a.id) as {
      event: string;
      detail: string;
    }[];
    expect(events.filter((e) => e.event.startsWith('notify:')).map((e) => e.event)).toEqual([
      'notify:alert',
      'notify:resolve',
    ]);
    expect(events.find((e) => e.event === 'notify:resolve')!.detail).toContain(
      'noc-truc-ban-1, kt-xa-tan-son',
    );
  });

  it('a maintenance window scoped by district suppresses and shows the site as in maintenance', async () => {
    const { engine, fleet, drive } = await setup();
    // Monday 08:00 local: a window every Monday 07:30 for 2 h in Ba Bể
    engine.addMaintenance(
      {
        id: 'bao-tri-ba-be',
        scope: { district: 'ba-be' },
        weekdays: [1],
        start: '07:30',
        duration: 2 * 3600_000,
        comment: 'Bảo trì',
      },
      'noc',
    );
    drive(90, (t) => fleet.healthy('xa-banh-trach', t, { codec: 'down' }));
    const a = byRule(engine.list(), 'codec-down')[0]!;
    expect(a.state).toBe('suppressed');
    expect(a.suppressed_by).toBe('maintenance:bao-tri-ba-be');
    expect(a.notified).toEqual([]);
    expect(engine.verdict('xa-banh-trach')?.state).toBe('maintenance');
  });
});

describe('rules file', () => {
  it('loads the defaults and reports bad rules at FILE:LINE', () => {
    expect(loadRules().rules.map((r) => r.id)).toContain('site-unreachable');
    const rt = testRuntime();
    const file = join(rt.dir, 'rules.yaml');
    writeFileSync(
      file,
      'version: 1\nrules:\n  - id: x\n    title: Thử\n    title_en: Test\n    metric: loss_percent\n    above: 1\n    cause: link\n  - id: y\n    title: Thử\n    title_en: Test\n    metric: rtt_ms\n    cause: link\n    inhibited_by: [nope]\n',
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
