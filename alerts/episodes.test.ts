// Episode lifecycle details the scenario suite does not reach: escalation and silences, reminders
// that follow the owner, the start time of a district episode, UPS runtime per meeting, a codec
// switched off outside meetings, and the rules the engine needs (checked at load).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Episode } from '../api/contract.ts';
import { SourceErrors } from '../inventory/source.ts';
import { Fleet, type testRuntime } from '../test/helpers/alerts.ts';
import { fleetEngine } from '../test/helpers/fleet-engine.ts';
import { type AlertService, DEFAULT_RULES_FILE, loadRules, StaticMeetings } from './index.ts';
import { renderDigest } from './messages.ts';
import { episodesOverlapping, episodesStartedIn } from './store.ts';

// Monday 30 Nov 2026, 08:00 in Bắc Kạn (UTC+7)
const T0 = Date.UTC(2026, 10, 30, 1, 0, 0);
const MIN = 60_000;
const DAY = 86_400_000;
const running: AlertService[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

const setup = (meetings = new StaticMeetings(), config = '', start = T0) =>
  fleetEngine(running, { meetings, config, start });

const fleetRound = (
  rt: ReturnType<typeof testRuntime>,
  site: string,
  t: number,
  over: Map<string, Parameters<Fleet['healthy']>[2]>,
) => new Fleet(rt.inventory).healthy(site, t, over.get(site));
const dark = { probe: { reachable: 0 }, codec: 'down', ups: 'down', mcu: 0 } as const;
const sent = (e: Episode, kind: string) => e.notifications.filter((n) => n.kind === kind);

describe('escalation', () => {
  it('goes to the next contact, then the head; a silence pauses it without using steps; ack stops it', async () => {
    const { engine, over, run } = await setup();
    run(30);
    over.set('xa-banh-trach', dark); // Ba Bể, a VNPT link; no meeting: a dark site is paged anyway
    run(60);
    let ep = engine.episodes()[0]!;
    expect(ep.owner_org).toBe('vnpt');
    expect(sent(ep, 'alert').flatMap((n) => n.to)).toEqual(['noc-truc-ban-1', 'vnpt-truc-1']);
    // a silence for the site before the first escalation is due: held, no steps used
    const silence = engine.addSilence({
      matchers: { site: 'xa-banh-trach' },
      starts_at: T0,
      ends_at: T0 + 60 * MIN,
      comment: 'VNPT đã biết',
      created_by: 'noc',
    });
    run(20 * 60);
    ep = engine.episode(ep.id)!;
    expect(ep.state).toBe('suppressed');
    expect(sent(ep, 'escalation')).toEqual([]);
    engine.endSilence(silence.id, 'noc');
    run(10 * 60);
    ep = engine.episode(ep.id)!;
    expect(ep.state).toBe('firing');
    expect(sent(ep, 'escalation')).toEqual([]); // 15 min from the end of the silence, not from the page
    run(10 * 60);
    ep = engine.episode(ep.id)!;
    expect(sent(ep, 'escalation').flatMap((n) => n.to)).toEqual(['noc-truc-ban-2', 'vnpt-truc-2']);
    run(15 * 60);
    ep = engine.episode(ep.id)!;
    expect(sent(ep, 'escalation').flatMap((n) => n.to)).toEqual([
      'noc-truc-ban-2',
      'vnpt-truc-2',
      'noc-lanh-dao',
      'vnpt-lanh-dao',
    ]);
    expect(ep.escalation_level).toBe(2);
    engine.acknowledgeEpisode(ep.id, 'noc-truc-ban-1', 'Đã gọi VNPT');
    run(60 * 60);
    ep = engine.episode(ep.id)!;
    expect(ep.state).toBe('acknowledged');
    expect(sent(ep, 'escalation')).toHaveLength(2);
    expect(sent(ep, 'ack')[0]!.to).toEqual(ep.notified);
  });

  it('an episode acknowledged before its page still tells the owner once, and is not escalated', async () => {
    const { clock, engine, over, rt, run } = await setup();
    run(30);
    over.set('xa-banh-trach', dark);
    // 40 s: the site is dark past `for` and the episode opens; the NOC acknowledges at once
    for (let i = 0; i < 4; i++) {
      clock.t += 10_000;
      rt.bus.publish(rt.inventory.inventory.sites.flatMap((s) => fleetRound(rt, s.id, clock.t, over)));
      engine.tickNow();
      if (engine.episodes().length > 0) break;
    }
    const id = engine.episodes()[0]!.id;
    expect(engine.episode(id)!.notifications).toEqual([]);
    engine.acknowledgeEpisode(id, 'noc-truc-ban-1', 'Trung tâm đã nắm');
    run(60 * 60);
    const ep = engine.episode(id)!;
    expect(ep.state).toBe('acknowledged');
    expect(ep.notifications.map((n) => [n.kind, n.to])).toEqual([
      ['alert', ['noc-truc-ban-1', 'vnpt-truc-1']],
    ]);
  });

  it('reminds the current owner and the NOC during a meeting, not whoever owned it before', async () => {
    const meetings = new StaticMeetings([
      { id: 'hop', title: 'Giao ban', start: T0, end: T0 + 60 * MIN, sites: ['xa-bang-thanh'] },
    ]);
    const { engine, over, run } = await setup(meetings, '  escalate_after_in_meeting: 2h\n');
    run(20);
    over.set('xa-bang-thanh', { ups: { ups_on_battery: 1, ups_input_v: 0, ups_runtime_min: 80 } });
    run(60);
    let ep = engine.episodes().find((e) => e.rule === 'ups-on-battery')!;
    expect(ep.owner_org).toBe('dien-luc-pac-nam');
    run(10 * 60);
    ep = engine.episode(ep.id)!;
    expect(sent(ep, 'reminder').at(-1)!.to.sort()).toEqual([
      'dl-pac-nam-truc',
      'kt-xa-bang-thanh',
      'noc-truc-ban-1',
    ]);
    // the NOC finds it is not mains after all: one message to the old and the new owner
    ep = engine.reassign(
      ep.id,
      { cause: 'equipment' },
      'noc-truc-ban-1',
      'Điện lực xác nhận lưới vẫn có điện',
    );
    expect(ep.cause_history.map((c) => [c.cause, c.by])).toEqual([
      ['power', 'onset'],
      ['equipment', 'noc-truc-ban-1'],
    ]);
    expect(sent(ep, 'reassign')).toHaveLength(1);
    expect(sent(ep, 'reassign')[0]!.to.sort()).toEqual([
      'dl-pac-nam-truc',
      'kt-xa-bang-thanh',
      'noc-truc-ban-1',
    ]);
    expect(sent(ep, 'alert')).toHaveLength(1); // never a fresh page
    run(11 * 60);
    ep = engine.episode(ep.id)!;
    expect(sent(ep, 'reminder').at(-1)!.to.sort()).toEqual(['kt-xa-bang-thanh', 'noc-truc-ban-1']);
    // acknowledged: no more reminders for it or its children
    engine.acknowledgeEpisode(ep.id, 'kt-xa-bang-thanh', 'Đang kiểm tra UPS');
    const reminders = sent(engine.episode(ep.id)!, 'reminder').length;
    run(30 * 60);
    expect(sent(engine.episode(ep.id)!, 'reminder')).toHaveLength(reminders);
  });
});

describe('what an episode is', () => {
  it("a district episode starts at its first site's darkness, not when the process started", async () => {
    const { rt, clock, engine, over, run } = await setup();
    run(30 * 60); // a long healthy while first
    const sites = rt.inventory.inventory.sites.filter((s) => s.district === 'na-ri').map((s) => s.id);
    const darkAt = clock.t + 10_000;
    for (const s of sites) over.set(s, dark);
    run(120);
    const ep = engine.episodes().find((e) => e.rule === 'district-outage')!;
    expect(ep.started_at).toBe(darkAt);
    expect(ep.sites).toHaveLength(sites.length); // the hall counted and listed
    expect(ep.reasoning).toMatch(
      new RegExp(`^${sites.length}/${sites.length} điểm cầu của địa bàn mất kết nối trong vòng 0 giây`),
    );
  });

  it('UPS runtime short for a meeting: one episode naming its sites, each technician told once, not escalated', async () => {
    const meetings = new StaticMeetings();
    const { rt, clock, engine, over, run } = await setup(meetings);
    const sites = rt.inventory.inventory.sites.filter((s) => s.district === 'ba-be').map((s) => s.id);
    for (const s of sites) over.set(s, { ups: { ups_runtime_min: 200 } });
    for (const s of sites.slice(0, 6)) over.set(s, { ups: { ups_runtime_min: 30 } });
    run(60);
    expect(engine.episodes()).toEqual([]); // no meeting: nothing to judge the runtime against
    // an emergency meeting registered now, 2 hours long
    meetings.add({ id: 'khan', title: 'Họp khẩn', start: clock.t, end: clock.t + 120 * MIN, sites });
    run(60 * 60);
    const eps = engine.episodes();
    expect(eps.map((e) => e.rule)).toEqual(['ups-runtime-short']);
    const ep = eps[0]!;
    expect(ep.sites.sort()).toEqual(sites.slice(0, 6).sort());
    expect(ep.severity).toBe('major');
    expect(ep.title).toBe('Thời gian pin UPS không đủ cho cuộc họp «Họp khẩn»');
    expect(ep.reasoning).toMatch(
      /^Thời gian pin UPS ít hơn thời gian cần cho cuộc họp \(còn\/cần\): .*30\/\d+ phút/,
    );
    expect(ep.reasoning).not.toContain('cần thay');
    expect(sent(ep, 'alert')).toHaveLength(1);
    expect(sent(ep, 'alert')[0]!.to.sort()).toEqual(
      ['noc-truc-ban-1', ...sites.slice(0, 6).map((s) => rt.inventory.sites.get(s)!.technician)].sort(),
    );
    expect(sent(ep, 'escalation')).toEqual([]);
  });

  // (this test ran at 08:00 on a Monday before operating hours existed; 08:00 is now within them)
  it('a codec switched off at 20:00 on a working day is grey, nobody told; inside the readiness window it is a fault', async () => {
    const meetings = new StaticMeetings();
    const { clock, engine, over, run } = await setup(meetings, '', T0 + 12 * 60 * MIN); // Monday 20:00
    over.set('xa-tan-son', { codec: 'down', mcu: 0 });
    run(10 * 60);
    expect(engine.episodes()).toEqual([]);
    expect(engine.verdict('xa-tan-son')?.state).toBe('off');
    expect(engine.list({ site: 'xa-tan-son' })[0]!.suppressed_by).toBe('off:xa-tan-son');
    // a meeting in 50 minutes: the readiness window has begun
    meetings.add({
      id: 'hop',
      title: 'Giao ban',
      start: clock.t + 50 * MIN,
      end: clock.t + 110 * MIN,
      sites: ['xa-tan-son'],
    });
    run(30);
    const ep = engine.episodes()[0]!;
    expect(ep.rule).toBe('codec-down');
    expect(ep.cause).toBe('equipment');
    expect(ep.severity).toBe('critical');
    expect(ep.relevance).toBe('soon');
    expect(sent(ep, 'alert')[0]!.to).toEqual(['noc-truc-ban-1', 'kt-xa-tan-son']);
  });

  it('at 09:00 on a working day it is shown and only the NOC digest names it (a meeting later that day changes nothing); on 02/09 it is grey', async () => {
    const meetings = new StaticMeetings();
    const start = T0 + 60 * MIN; // Monday 30/11/2026 09:00 Bắc Kạn (02:00 UTC)
    const { rt, clock, engine, over, run } = await setup(meetings, '', start);
    meetings.add({
      id: 'chieu',
      title: 'Giao ban chiều',
      start: start + 6 * 60 * MIN,
      end: start + 7 * 60 * MIN,
      sites: ['xa-tan-son'],
    });
    over.set('xa-tan-son', { codec: 'down', mcu: 0 });
    run(10 * 60);
    let ep = engine.episodes()[0]!;
    expect(engine.episodes()).toHaveLength(1);
    expect(ep.title).toBe('Codec tắt trong giờ làm việc — Hội trường UBND xã Tân Sơn');
    expect(ep.relevance).toBe('later');
    expect([ep.severity, ep.cause, ep.owner_org, ep.owner_person]).toEqual(['minor', null, null, null]);
    const v = engine.verdict('xa-tan-son')!;
    expect(v.state).toBe('off');
    expect(v.summary).toContain('tắt trong giờ làm việc');
    expect(ep.notifications).toEqual([]);
    run(60 * 60); // past the hourly digest
    ep = engine.episode(ep.id)!;
    const noc = rt.inventory.organisations.get(rt.inventory.inventory.network.noc)!.contacts;
    expect(ep.notifications.map((n) => n.kind)).toEqual(['digest']);
    expect(ep.notifications[0]!.to.every((p) => noc.includes(p))).toBe(true);
    expect(ep.notifications[0]!.to).not.toContain('kt-xa-tan-son');
    expect(ep.severity).toBe('minor');
    // the digest lists it, and its subject does not call it a fault
    const digest = renderDigest(
      rt.inventory,
      [{ e: ep, explanation: { code: 'off_in_hours' }, evidence: {}, meeting: null }],
      { now: clock.t },
    );
    expect(digest.subject).toBe('[TỔNG HỢP CẢNH BÁO NGOÀI GIỜ HỌP] 1 codec tắt trong giờ làm việc');
    expect(digest.text).toContain('[DIGEST OUTSIDE MEETINGS] 1 codec switched off in working hours');
    // kept with the episodes, but not a fault: the reports' reads leave it out
    expect(rt.state.prepare('SELECT count(*) AS n FROM episodes WHERE id = ?').get(ep.id)).toEqual({ n: 1 });
    expect(episodesStartedIn(rt.state, 0, start + DAY).map((e) => e.id)).not.toContain(ep.id);
    expect(episodesOverlapping(rt.state, 0, start + DAY).map((e) => e.id)).not.toContain(ep.id);

    // a meeting within the readiness window: the codec's silence is a fault again, the technician paged
    meetings.add({
      id: 'gap',
      title: 'Họp đột xuất',
      start: clock.t + 50 * MIN,
      end: clock.t + 110 * MIN,
      sites: ['xa-tan-son'],
    });
    run(30);
    expect(engine.episode(ep.id)!.state).toBe('resolved');
    const fault = engine.episodes().find((e) => e.state !== 'resolved')!;
    expect([fault.cause, fault.severity, fault.relevance]).toEqual(['equipment', 'critical', 'soon']);
    expect(sent(fault, 'alert')[0]!.to).toContain('kt-xa-tan-son');

    // Quốc khánh, Wednesday 02/09/2026 09:00: a day off, the codec off is expected
    const holiday = await setup(new StaticMeetings(), '', Date.UTC(2026, 8, 2, 2, 0, 0));
    holiday.over.set('xa-tan-son', { codec: 'down', mcu: 0 });
    holiday.run(10 * 60);
    expect(holiday.engine.episodes()).toEqual([]);
    expect(holiday.engine.verdict('xa-tan-son')?.state).toBe('off');
    expect(holiday.engine.list({ site: 'xa-tan-son' })[0]!.suppressed_by).toBe('off:xa-tan-son');
  });
});

describe('operating hours', () => {
  it('a codec switched off within operating hours is grey and told nobody once the working day ends at 17:00', async () => {
    const { engine, over, run } = await setup(new StaticMeetings(), '', T0 + 530 * MIN); // Monday 16:50
    over.set('xa-tan-son', { codec: 'down', mcu: 0 });
    run(5 * 60);
    const ep = engine.episodes()[0]!;
    expect(ep.title).toContain('tắt trong giờ làm việc');
    expect(engine.verdict('xa-tan-son')?.summary).toContain('tắt trong giờ làm việc');
    run(10 * 60); // 17:05
    expect(engine.episode(ep.id)!.state).toBe('resolved');
    expect(engine.episodes().filter((e) => e.state !== 'resolved')).toEqual([]);
    expect(engine.verdict('xa-tan-son')).toMatchObject({ state: 'off' });
    expect(engine.verdict('xa-tan-son')!.summary).toContain('ngoài giờ họp');
    expect(engine.list({ site: 'xa-tan-son' })[0]!.suppressed_by).toBe('off:xa-tan-son');
    expect(engine.episode(ep.id)!.notifications.filter((n) => n.kind !== 'digest')).toEqual([]);
  });
});

describe('UPS battery', () => {
  it("a low battery on mains is the technician's, critical before a meeting; in a power cut it is the power episode's", async () => {
    const meetings = new StaticMeetings();
    const { clock, engine, over, run } = await setup(meetings);
    meetings.add({
      id: 'hop',
      title: 'Giao ban',
      start: clock.t + 40 * MIN,
      end: clock.t + 100 * MIN,
      sites: ['xa-tan-son', 'xa-bang-thanh'],
    });
    run(30);
    over.set('xa-tan-son', { ups: { ups_battery_status: 3 } }); // low, on mains
    run(30);
    const low = engine.episodes().find((e) => e.rule === 'ups-battery-low')!;
    expect(low.cause).toBe('equipment');
    expect(low.owner_person).toBe('kt-xa-tan-son');
    expect(low.severity).toBe('critical');
    expect(sent(low, 'alert')[0]!.to).toEqual(['noc-truc-ban-1', 'kt-xa-tan-son']);
    expect(low.reasoning).toBe('Trạng thái ắc quy: Pin yếu');
    // at another site the mains fail and the battery runs low: one power episode, not two pages
    over.set('xa-bang-thanh', {
      ups: { ups_on_battery: 1, ups_input_v: 0, ups_runtime_min: 4, ups_battery_status: 3 },
    });
    run(60);
    const at = engine.episodes({ site: 'xa-bang-thanh' });
    expect(at.map((e) => e.rule)).toEqual(['ups-on-battery']);
    expect(at[0]!.members.map((m) => [m.rule, m.role])).toContainEqual(['ups-battery-low', 'child']);
  });
});

describe('the rules the engine reasons with', () => {
  it("hold the readiness runs' thresholds, which the meetings' defaults follow", async () => {
    const { DEFAULT_THRESHOLDS, thresholdsFrom } = await import('../meetings/readiness.ts');
    expect(thresholdsFrom(loadRules().readiness)).toEqual(DEFAULT_THRESHOLDS);
    const { readFileSync } = await import('node:fs');
    const { rt } = await setup();
    const file = join(rt.dir, 'no-readiness.yaml');
    writeFileSync(file, readFileSync(DEFAULT_RULES_FILE, 'utf8').replace(/\nreadiness:\n( {2}.*\n)+/, '\n'));
    expect(() => loadRules(file)).toThrow(/no-readiness\.yaml:\d+: readiness: /);
  });

  it('refuses a rules file without a role it needs, or that explains an unknown rule, at its line', async () => {
    const { readFileSync } = await import('node:fs');
    const { rt } = await setup();
    const text = readFileSync(DEFAULT_RULES_FILE, 'utf8');
    const noRole = join(rt.dir, 'no-role.yaml');
    writeFileSync(noRole, text.replace('    role: on_battery\n', ''));
    const err = (() => {
      try {
        loadRules(noRole);
      } catch (e) {
        return e as SourceErrors;
      }
      throw new Error('loaded');
    })();
    expect(err).toBeInstanceOf(SourceErrors);
    expect(err.message).toMatch(/no-role\.yaml:\d+: no rule has role "on_battery"/);
    const badExplains = join(rt.dir, 'bad-explains.yaml');
    writeFileSync(
      badExplains,
      text.replace(
        'explains: [codec-unregistered, codec-not-in-call, mcu-port-down]',
        'explains: [codec-unregisterd]',
      ),
    );
    expect(() => loadRules(badExplains)).toThrow(
      /bad-explains\.yaml:\d+: rule "codec-down": explains names unknown rule "codec-unregisterd"/,
    );
  });
});
