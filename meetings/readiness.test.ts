// Readiness test runs judged from real samples in the real metrics store and the real alert engine.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '../core/bus.ts';
import { type World, world } from '../test/helpers/world.ts';
import { MeetingsError } from './errors.ts';
import {
  DEFAULT_THRESHOLDS,
  judgeSite,
  type SiteReadiness,
  startReadiness,
  withTestCall,
} from './readiness.ts';
import { DbMeetings } from './store.ts';

const HOUR = 3600_000;
// Monday 2 March 2026, 08:00 in Bắc Kạn
const T0 = Date.parse('2026-03-02T01:00:00Z');
const START = T0 + 4 * 86400_000;
const SITES = [
  'tinh-uy',
  'huyen-ba-be',
  'xa-bang-thanh',
  'xa-duong-quang',
  'xa-nong-thuong',
  'xa-nhan-mon',
  'xa-boc-bo',
];

let w: World;
beforeEach(async () => {
  w = await world(T0);
});
afterEach(() => w.stop());

/** One poll round: one site in each trouble a readiness run must name. */
function round(t: number): Sample[] {
  const f = w.fleet;
  return [
    ...f.healthy('tinh-uy', t),
    ...f.healthy('huyen-ba-be', t, { ups: { ups_on_battery: 1, ups_input_v: 0, ups_runtime_min: 200 } }),
    ...f.healthy('xa-bang-thanh', t, { probe: { reachable: 0 }, codec: 'down', ups: 'down', mcu: 0 }),
    ...f.healthy('xa-duong-quang', t, { ups: { ups_runtime_min: 45 } }),
    ...f.healthy('xa-nong-thuong', t, { codec: 'down' }),
    ...f.healthy('xa-nhan-mon', t, { probe: { jitter_ms: 48, loss_pct: 2.5, mos: 3.2 } }),
    // xa-boc-bo: never measured
  ];
}

const bySite = (results: SiteReadiness[]) => Object.fromEntries(results.map((r) => [r.site, r]));
const codes = (r: SiteReadiness | undefined) => r?.reasons.map((x) => x.code).sort();

function register() {
  return w.meetings.register(
    {
      title: 'Hội nghị trực tuyến phòng chống thiên tai',
      host_org: 'vp-ubnd-tinh',
      start: START,
      end: START + HOUR,
      sites: SITES,
    },
    'u-host',
  ).meeting;
}

describe('readiness test runs (Điều 7.1.b)', () => {
  it('runs at T-12h and T-1h, once each, judging every site from the live data', async () => {
    const m = register();
    w.clock.t = START - 13 * HOUR;
    expect(w.readiness.due()).toEqual([]);
    expect(await w.readiness.tick()).toEqual([]);

    w.clock.t = START - 12 * HOUR - 90_000;
    w.drive(90, round);
    expect(w.readiness.due()).toEqual([{ meeting: m.id, slot: 'T-12h' }]);
    const [run12] = await w.readiness.tick();
    expect(run12!.slot).toBe('T-12h');
    expect(run12!.requested_by).toBe('scheduler');
    expect(run12!.total).toBe(SITES.length);
    expect(run12!.ready).toBe(1);
    const r = bySite(run12!.results);
    expect(r['tinh-uy']!.status).toBe('ready');
    expect(r['tinh-uy']!.reasons).toEqual([]);
    expect(r['tinh-uy']!.metrics.mos).toBe(4.4);
    expect(codes(r['huyen-ba-be'])).toEqual(['ups_on_battery']);
    expect(codes(r['xa-bang-thanh'])).toEqual(['codec_not_answering', 'unreachable']);
    // a 1-hour meeting needs 70 min of battery (10 min margin); 45 are left
    expect(codes(r['xa-duong-quang'])).toEqual(['ups_runtime_short']);
    expect(r['xa-duong-quang']!.reasons[0]!.vi).toBe(
      'Thời gian pin UPS còn 45 phút, cần 70 phút cho cuộc họp',
    );
    expect(codes(r['xa-nong-thuong'])).toEqual(['codec_not_answering']);
    expect(codes(r['xa-nhan-mon'])).toEqual(['jitter_high', 'loss_high', 'mos_low']);
    expect(r['xa-nhan-mon']!.reasons.find((x) => x.code === 'jitter_high')!.vi).toBe(
      'Độ biến thiên trễ 48 ms (ngưỡng 30 ms)',
    );
    expect(codes(r['xa-boc-bo'])).toEqual(['codec_not_answering', 'no_data']);

    // nothing more is due until T-1h
    w.clock.t += 3 * HOUR;
    expect(await w.readiness.tick()).toEqual([]);

    // by T-1h the power is back at the district hall and the commune's link recovered
    w.clock.t = START - HOUR - 120_000;
    w.drive(120, (t) => [
      ...round(t).filter((s) => s.site !== 'huyen-ba-be' && s.site !== 'xa-nhan-mon'),
      ...w.fleet.healthy('huyen-ba-be', t, { ups: { ups_runtime_min: 200 } }),
      ...w.fleet.healthy('xa-nhan-mon', t),
    ]);
    const [run1] = await w.readiness.tick();
    expect(run1!.slot).toBe('T-1h');
    const r1 = bySite(run1!.results);
    expect(r1['huyen-ba-be']!.status).toBe('ready');
    expect(r1['xa-nhan-mon']!.status).toBe('ready');
    expect(run1!.ready).toBe(3);
    expect(await w.readiness.tick()).toEqual([]);

    const stored = w.readiness.runs(m.id);
    expect(stored.map((x) => x.slot)).toEqual(['T-12h', 'T-1h']);
    expect(bySite(stored[0]!.results)['xa-duong-quang']).toEqual(r['xa-duong-quang']);
  });

  it('an emergency meeting registered 5 hours ahead gets its half-day run at once; a cancelled one none', async () => {
    w.clock.t = T0;
    const m = w.meetings.register(
      {
        title: 'Họp khẩn ứng phó mưa lũ',
        host_org: 'so-tttt',
        start: T0 + 5 * HOUR,
        end: T0 + 6 * HOUR,
        tiers: ['district'],
        emergency: true,
        emergency_reason: 'Mưa lũ',
      },
      'u-noc',
    ).meeting;
    const other = register();
    w.meetings.cancel(other.id, 'u-noc', 'Hoãn');
    expect(w.readiness.due()).toEqual([{ meeting: m.id, slot: 'T-12h' }]);
    w.clock.t = T0 + 5 * HOUR - 30 * 60_000;
    expect(w.readiness.due()).toEqual([{ meeting: m.id, slot: 'T-1h' }]);
    w.clock.t = T0 + 5 * HOUR;
    expect(w.readiness.due()).toEqual([]);
  });

  it('a meeting waiting for the NOC (clash policy pending) gets no test run until approved', () => {
    w.clock.t = T0;
    const first = register();
    const pendingPolicy = new DbMeetings(w.rt.state, w.rt.inventory, w.clock.now, { clash: 'pending' });
    const waiting = pendingPolicy.register(
      {
        title: 'Họp trùng điểm cầu',
        host_org: 'vp-tinh-uy',
        start: START,
        end: START + HOUR,
        sites: SITES.slice(0, 2),
      },
      'u-host',
    ).meeting;
    expect(waiting.status).toBe('pending');
    w.clock.t = START - 11 * HOUR;
    expect(w.readiness.due()).toEqual([{ meeting: first.id, slot: 'T-12h' }]);
    // the NOC moves the first meeting off those sites' time (cancels it) and approves the second
    w.meetings.cancel(first.id, 'u-noc', 'Dời lịch');
    pendingPolicy.approve(waiting.id, 'u-noc');
    expect(w.readiness.due()).toEqual([{ meeting: waiting.id, slot: 'T-12h' }]);
  });

  it('runs as a service on the runtime, calling onRun for each stored run', async () => {
    const seen: string[] = [];
    const svc = startReadiness(w.rt, {
      meetings: w.meetings,
      store: w.store,
      alerts: w.alerts,
      now: w.clock.now,
      tickMs: 3_600_000,
      onRun: (run, m) => seen.push(`${m.id}/${run.slot}`),
    });
    const m = register();
    w.clock.t = START - 30 * 60_000;
    await svc.tick();
    await svc.tick();
    expect(seen).toEqual([`${m.id}/T-1h`]);
    expect(svc.name).toBe('readiness');
    await svc.stop();
  });

  it('runs on demand as often as asked, and refuses a cancelled meeting', async () => {
    const m = register();
    w.clock.t = START - 2 * HOUR;
    w.drive(60, round);
    const a = await w.readiness.run(m.id, 'manual', 'u-noc');
    const b = await w.readiness.run(m.id, 'manual', 'u-tech');
    expect(a.id).not.toBe(b.id);
    expect(w.readiness.runs(m.id).map((x) => x.requested_by)).toEqual(['u-noc', 'u-tech']);
    w.meetings.cancel(m.id, 'u-noc', 'Hoãn');
    await expect(w.readiness.run(m.id, 'manual', 'u-noc')).rejects.toBeInstanceOf(MeetingsError);
  });

  it('trusts no stale sample and names the alert engine verdict when only it knows', () => {
    const site = w.rt.inventory.sites.get('tinh-uy')!;
    const now = T0;
    const old = w.fleet.healthy('tinh-uy', now - 10 * 60_000);
    const stale = judgeSite({
      site,
      samples: old,
      verdict: null,
      meeting: { start: now, end: now + HOUR },
      now,
    });
    expect(codes(stale)).toEqual(['codec_not_answering', 'no_data']);
    const fresh = w.fleet.healthy('tinh-uy', now - 10_000);
    const verdict = {
      state: 'degraded' as const,
      cause: 'link' as const,
      summary: 'Suy giảm — đường truyền VNPT',
      since: now,
    };
    const judged = judgeSite({
      site,
      samples: fresh,
      verdict,
      meeting: { start: now, end: now + HOUR },
      now,
    });
    expect(judged.reasons).toEqual([
      { code: 'alert', vi: 'Suy giảm — đường truyền VNPT', en: 'Alert engine: degraded' },
    ]);
  });
});

describe('readiness of a site with no path probe, its codec read through its API (issue 20)', () => {
  // an xAPI codec publishes its call state and registration, never snmp_up (collector/drivers/xapi.ts);
  // a site with no reflector and no ICMP has only the call's own figures: the MCU port's
  const noPath = (site: string, t: number, mcuLoss?: number): Sample[] => {
    const all = w.fleet.healthy(site, t).filter((x) => !x.device.endsWith(':rtp') && x.metric !== 'snmp_up');
    if (mcuLoss === undefined) return all;
    const port = w.fleet.mcuPort(site, t, 1);
    return [...all, { ...port, metric: 'loss_pct', value: mcuLoss, tags: { ...port.tags, probe: 'mcu' } }];
  };
  const judge = (samples: Sample[]) =>
    judgeSite({
      site: w.rt.inventory.sites.get('tinh-uy')!,
      samples,
      verdict: null,
      meeting: { start: T0, end: T0 + HOUR },
      now: T0,
    });

  it('a codec that answered its API poll is answering; one silent is not', () => {
    const answered = judge(noPath('tinh-uy', T0 - 10_000, 0.2));
    expect(codes(answered)).toEqual([]);
    const silent = judge(noPath('tinh-uy', T0 - 10_000, 0.2).filter((x) => x.device !== 'tinh-uy-codec'));
    expect(codes(silent)).toEqual(['codec_not_answering']);
  });

  it('in a call, the MCU port’s figures stand for the path: measured, and judged against the limits', () => {
    const lossy = judge(noPath('tinh-uy', T0 - 10_000, 3));
    expect(codes(lossy)).toEqual(['loss_high']);
    expect(lossy.metrics.loss_pct).toBe(3);
    // in the call with no figures yet: the MCU's port says it is reached
    expect(codes(judge(noPath('tinh-uy', T0 - 10_000)))).toEqual([]);
    // not in a call and no probe: nothing measured the link
    const idle = w.fleet
      .healthy('tinh-uy', T0 - 10_000, { codec: { in_call: 0 }, mcu: 0 })
      .filter((x) => !x.device.endsWith(':rtp'));
    expect(codes(judge(idle))).toEqual(['no_data']);
  });

  it('before the meeting, the MCU’s test call measures the link nothing else measured', () => {
    const idle = w.fleet
      .healthy('tinh-uy', T0 - 10_000, { codec: { in_call: 0 }, mcu: 0 })
      .filter((x) => !x.device.endsWith(':rtp'));
    const call = (loss: number) => ({
      outcome: 'connected' as const,
      vi: 'Gọi thử từ MCU: kết nối',
      en: 'MCU test call: connected',
      destination: 'tinh-uy',
      loss_pct: loss,
      jitter_ms: 4,
      hung_up: true,
    });
    const good = judge(idle);
    withTestCall(good, call(0.1), DEFAULT_THRESHOLDS);
    expect([good.status, codes(good), good.metrics.loss_pct]).toEqual(['ready', [], 0.1]);
    const lossy = judge(idle);
    withTestCall(lossy, call(4), DEFAULT_THRESHOLDS);
    expect([lossy.status, codes(lossy)]).toEqual(['not_ready', ['loss_high']]);
    expect(lossy.reasons[0]!.vi).toBe('Mất gói 4 % (ngưỡng 1 %) — gọi thử từ MCU');
    // a site the path probe measured keeps the probe's verdict
    const probed = judge(w.fleet.healthy('tinh-uy', T0 - 10_000, { probe: { loss_pct: 0.3 } }));
    withTestCall(probed, call(4), DEFAULT_THRESHOLDS);
    expect([probed.status, probed.metrics.loss_pct]).toEqual(['ready', 0.3]);
  });
});

describe('incident log (Điều 8.2.d)', () => {
  it('prefills from an alert, links the live meeting, and computes the time to restore', async () => {
    const m = register();
    w.clock.t = START + 10 * 60_000;
    w.drive(60, (t) => w.fleet.healthy('xa-bang-thanh', t));
    w.drive(90, (t) => w.fleet.healthy('xa-bang-thanh', t, { probe: { reachable: 0 } }));
    const alert = w.alerts.list({ site: 'xa-bang-thanh' }).find((a) => a.rule === 'site-unreachable')!;
    // the engine found the meeting through DbMeetings (MeetingSource): critical in a meeting
    expect(alert.meeting).toBe(m.id);
    expect(alert.severity).toBe('critical');
    const draft = w.incidents.draftFromAlert(alert);
    expect(draft.sites).toEqual(['xa-bang-thanh']);
    expect(draft.cause_class).toBe('link');
    const inc = w.incidents.create(
      { alert_id: alert.id, fix: 'Viettel khởi động lại thiết bị đầu cuối quang' },
      'u-noc',
      alert,
    );
    expect(inc.meeting_id).toBe(m.id);
    expect(inc.started_at).toBe(alert.started_at);
    expect(inc.cause).toContain('Mất kết nối điểm cầu');
    expect(inc.restored_at).toBeNull();
    expect(inc.time_to_restore_ms).toBeNull();
    expect(w.incidents.list({ open: true }).total).toBe(1);

    const restored = w.incidents.update(inc.id, { restored_at: alert.started_at + 25 * 60_000 });
    expect(restored.time_to_restore_ms).toBe(25 * 60_000);
    expect(w.incidents.list({ open: true }).total).toBe(0);
    expect(w.incidents.list({ meeting_id: m.id }).items.map((i) => i.id)).toEqual([inc.id]);
  });

  it('is created by hand with clear errors for what is missing or wrong', () => {
    w.clock.t = START + 4 * HOUR;
    const fail = (input: unknown) => {
      try {
        w.incidents.create(input, 'u-tech');
      } catch (err) {
        return (err as MeetingsError).issues!.map((i) => i.path);
      }
      throw new Error('accepted');
    };
    expect(fail({})).toEqual(['body.sites', 'body.cause']);
    expect(fail({ sites: ['xa-khong-co'], cause: 'x', cause_class: 'weather' })).toEqual([
      'body.cause_class',
    ]);
    expect(fail({ sites: ['xa-khong-co'], cause: 'x' })).toEqual(['body.sites.0']);
    expect(fail({ sites: ['tinh-uy'], cause: 'x', started_at: START, restored_at: START - 1 })).toEqual([
      'body.restored_at',
    ]);
    expect(fail({ sites: ['tinh-uy'], cause: 'x', alert_id: 'a-none' })).toEqual(['body.alert_id']);
    const inc = w.incidents.create(
      {
        sites: ['huyen-ba-be'],
        cause_class: 'power',
        cause: 'Mất điện lưới khu vực',
        fix: 'Chạy máy phát',
        started_at: START + HOUR,
        restored_at: START + HOUR + 40 * 60_000,
      },
      'u-tech',
    );
    expect(inc.cause_class).toBe('power');
    expect(inc.time_to_restore_ms).toBe(40 * 60_000);
    expect(inc.meeting_id).toBeNull(); // huyen-ba-be is in no meeting
  });
});
