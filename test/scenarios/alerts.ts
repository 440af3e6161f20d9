// Fault scenarios over a fault's whole life — onset, during, recovery and settle — run through the
// real alert engine (default rules and timings), its outbox and a real SMTP server. Samples are
// shaped exactly as the collector publishes them (test/helpers/alerts.ts Fleet) on the whole Bắc Kạn
// network; the engine's clock is virtual, so 15 minutes of a fault run in about a second, while
// the outbox delivers real e-mail in real time. Shared by alerts/scenarios.test.ts and bench/alerts.ts.

import { type AlertService, StaticMeetings, startAlerts } from '../../alerts/index.ts';
import type { Episode } from '../../api/contract.ts';
import type { Sample } from '../../core/bus.ts';
import { log } from '../../core/log.ts';
import type { MetricName } from '../../core/metrics.ts';
import type { MeetingRef } from '../../core/ports.ts';
import type { LoadedInventory } from '../../inventory/load.ts';
import { Clock, Fleet, testRuntime } from '../helpers/alerts.ts';
import { type SmtpSink, until } from '../helpers/servers.ts';

/** Monday 30 Nov 2026, 08:00 in Bắc Kạn (UTC+7) */
export const T0 = Date.UTC(2026, 10, 30, 1, 0, 0);
const MIN = 60_000;

type Over = Parameters<Fleet['healthy']>[2];

export interface World {
  inv: LoadedInventory;
  fleet: Fleet;
  clock: Clock;
  meetings: StaticMeetings;
  engine: AlertService;
  /** what each site looks like now (absent: healthy) */
  sites: Map<string, Over>;
  /** runs `seconds` of poll rounds every 10 s over the whole network */
  run(seconds: number): void;
  trap(site: string, name: string): void;
  meeting(m: Omit<MeetingRef, 'start' | 'end'> & { startIn?: number; minutes?: number }): MeetingRef;
  /** the moment the fault was cleared (for "pages at recovery") */
  clearedAt: number | null;
  clear(): void;
}

export interface Scenario {
  id: string;
  title: string;
  /** extra alerts config (YAML lines under `alerts:`) */
  config?: string;
  run(w: World): void;
  /** who must be told, and how many messages each gets over the whole life (exactly) */
  expect: {
    /** person id → exact number of e-mails */
    messages: Record<string, number>;
    /** person ids (or prefixes ending in '*') that must get nothing */
    silent: string[];
    /** cause of the episode(s) that paged an owner */
    cause?: Episode['cause'];
    /** exactly this many episodes opened */
    episodes?: number;
    /** the (first) episode still lists this many sites when it is resolved */
    sites?: number;
    /** attendance events expected for a meeting: event → count */
    attendance?: Record<string, number>;
  };
}

const down = { probe: { reachable: 0 }, codec: 'down', ups: 'down', mcu: 0 } as const;
const onBattery = (runtime = 40): Over => ({
  ups: { ups_on_battery: 1, ups_input_v: 0, ups_runtime_min: runtime },
});
const communes = (inv: LoadedInventory, district: string) =>
  inv.inventory.sites.filter((s) => s.district === district && s.tier === 'commune').map((s) => s.id);
const hallOf = (inv: LoadedInventory, district: string) =>
  inv.inventory.sites.find((s) => s.district === district && s.tier === 'district')!.id;

export const SCENARIOS: Scenario[] = [
  {
    id: 'power-cut-in-meeting',
    title: 'Mất điện trong cuộc họp (UPS đỡ được) / power cut during a meeting, the UPS holds',
    run(w) {
      w.meeting({ id: 'hop', title: 'Giao ban', sites: ['xa-bang-thanh'] });
      w.run(60);
      w.trap('xa-bang-thanh', 'upsTrapOnBattery');
      w.sites.set('xa-bang-thanh', onBattery(40));
      w.run(240);
      w.trap('xa-bang-thanh', 'upsTrapOffBattery');
      w.clear();
      w.run(600);
    },
    expect: {
      messages: { 'dl-pac-nam-truc': 2, 'kt-xa-bang-thanh': 2, 'noc-truc-ban-1': 2 },
      silent: ['viettel*', 'vnpt*'],
      cause: 'power',
      episodes: 1,
    },
  },
  {
    id: 'power-cut-drains-to-dark',
    title: 'Mất điện, UPS cạn pin, điểm cầu tối / power cut that drains the UPS to dark',
    run(w) {
      w.run(60);
      w.trap('xa-bang-thanh', 'upsTrapOnBattery');
      w.sites.set('xa-bang-thanh', onBattery(8));
      w.run(300);
      w.sites.set('xa-bang-thanh', down);
      w.run(600);
      w.clear(); // mains back: everything comes back together
      w.run(600);
    },
    expect: {
      messages: { 'dl-pac-nam-truc': 2, 'kt-xa-bang-thanh': 2, 'noc-truc-ban-1': 2 },
      silent: ['viettel*', 'vnpt*'],
      cause: 'power',
      episodes: 1,
    },
  },
  {
    id: 'district-dark',
    title: 'Cả huyện mất kết nối trong 30 giây / a whole district dark within 30 s',
    run(w) {
      w.run(60);
      const sites = [hallOf(w.inv, 'na-ri'), ...communes(w.inv, 'na-ri')];
      sites.forEach((s, i) => {
        if (i % 3 === 0) w.sites.set(s, down);
      });
      w.run(10);
      sites.forEach((s, i) => {
        if (i % 3 === 1) w.sites.set(s, down);
      });
      w.run(10);
      for (const s of sites) w.sites.set(s, down);
      w.run(600);
      w.clear();
      w.run(600);
    },
    expect: {
      messages: { 'viettel-truc-1': 2, 'noc-truc-ban-1': 2 },
      silent: ['vnpt*', 'dl-*', 'kt-*', 'viettel-mcu*', 'viettel-truc-2', 'noc-truc-ban-2'],
      cause: 'link',
      episodes: 1,
      sites: 18, // Na Rì: its hall and 17 communes
    },
  },
  {
    id: 'loss-in-meeting',
    title:
      'Mất gói 6 % tại một xã VNPT và một xã Viettel trong cuộc họp / 6 % loss on VNPT and Viettel communes in a meeting',
    run(w) {
      w.meeting({ id: 'hop', title: 'Giao ban', sites: ['xa-banh-trach', 'xa-bang-thanh'] });
      w.run(60);
      w.sites.set('xa-banh-trach', { probe: { loss_pct: 6 } });
      w.sites.set('xa-bang-thanh', { probe: { loss_pct: 6 } });
      w.run(300);
      w.clear();
      w.run(600);
    },
    expect: {
      // the escalation that was due 5 min after the page finds the loss already improving: none
      messages: { 'vnpt-truc-1': 2, 'viettel-truc-1': 2, 'noc-truc-ban-1': 2 },
      silent: ['dl-*', 'kt-*', 'viettel-mcu*', 'vnpt-truc-2', 'viettel-truc-2'],
      cause: 'link',
      episodes: 2,
    },
  },
  {
    id: 'loss-no-meeting',
    title: 'Mất gói 6 % khi 24 giờ tới không có họp / the same with no meeting for 24 h',
    run(w) {
      w.run(60);
      w.sites.set('xa-banh-trach', { probe: { loss_pct: 6 } });
      w.sites.set('xa-bang-thanh', { probe: { loss_pct: 6 } });
      w.run(300);
      w.clear();
      w.run(600);
    },
    expect: {
      messages: { 'noc-truc-ban-1': 1 },
      silent: ['vnpt*', 'viettel*', 'dl-*', 'kt-*'],
      episodes: 2,
    },
  },
  {
    id: 'codec-hung-hall',
    title: 'Codec treo tại hội trường huyện trước cuộc họp / a codec hung at a district hall',
    run(w) {
      w.meeting({ id: 'hop', title: 'Giao ban', sites: ['huyen-pac-nam'], startIn: 30 * MIN });
      w.run(60);
      w.sites.set('huyen-pac-nam', { codec: 'down', mcu: 0 });
      w.run(300);
      w.clear();
      w.run(600);
    },
    expect: {
      messages: { 'kt-huyen-pac-nam': 2, 'noc-truc-ban-1': 2 },
      silent: ['viettel*', 'vnpt*', 'dl-*'],
      cause: 'equipment',
      episodes: 1,
    },
  },
  {
    id: 'mcu-port-in-call',
    title: 'Cổng MCU rớt khi codec vẫn trong cuộc gọi / an MCU port dropped with the codec in call',
    run(w) {
      w.meeting({ id: 'hop', title: 'Giao ban', sites: ['xa-nhan-mon'] });
      w.run(60);
      w.sites.set('xa-nhan-mon', { mcu: 0 });
      w.run(300);
      w.clear();
      w.run(600);
    },
    expect: {
      messages: { 'viettel-mcu-1': 2, 'noc-truc-ban-1': 2 },
      silent: ['viettel-truc*', 'vnpt*', 'dl-*', 'kt-*'],
      cause: 'mcu',
      episodes: 1,
    },
  },
  {
    id: 'power-cut-in-maintenance',
    title: 'Mất điện trong khung bảo trì / a power cut inside a maintenance window',
    run(w) {
      w.engine.addMaintenance(
        {
          id: 'bao-tri',
          scope: { district: 'pac-nam' },
          weekdays: [],
          start: '07:30',
          duration: 3 * 3600_000,
          comment: 'Bảo trì',
        },
        'noc',
      );
      w.run(60);
      w.trap('xa-bang-thanh', 'upsTrapOnBattery');
      w.sites.set('xa-bang-thanh', onBattery(40));
      w.run(300);
      w.clear();
      w.run(600);
    },
    expect: { messages: {}, silent: ['noc*', 'viettel*', 'vnpt*', 'dl-*', 'kt-*'], episodes: 1 },
  },
  {
    id: 'link-flapping',
    title: 'Đường truyền rớt 20 giây / có 20 giây trong 5 phút / a link down 20 s, up 20 s for 5 minutes',
    run(w) {
      w.run(60);
      for (let i = 0; i < 8; i++) {
        w.sites.set('xa-bang-thanh', down);
        w.run(20);
        w.sites.delete('xa-bang-thanh');
        w.run(20);
      }
      w.clear();
      w.run(900);
    },
    expect: {
      messages: { 'viettel-truc-1': 2, 'noc-truc-ban-1': 2 },
      silent: ['vnpt*', 'dl-*', 'kt-*', 'viettel-mcu*'],
      cause: 'link',
      episodes: 1,
    },
  },
  {
    id: 'district-power-cut',
    title: 'Mất điện toàn huyện, vài điểm cạn pin / a whole-district power cut',
    run(w) {
      w.meeting({
        id: 'hop',
        title: 'Giao ban',
        sites: [hallOf(w.inv, 'pac-nam'), ...communes(w.inv, 'pac-nam')],
      });
      w.run(60);
      const sites = [hallOf(w.inv, 'pac-nam'), ...communes(w.inv, 'pac-nam')];
      for (const s of sites) {
        w.trap(s, 'upsTrapOnBattery');
        w.sites.set(s, onBattery(20));
      }
      w.run(300);
      for (const s of sites.slice(0, 4)) w.sites.set(s, down); // their batteries ran out
      w.run(300);
      w.clear();
      w.run(600);
    },
    expect: {
      messages: { 'dl-pac-nam-truc': 2, 'noc-truc-ban-1': 2, 'kt-xa-bang-thanh': 2, 'kt-huyen-pac-nam': 2 },
      silent: ['viettel*', 'vnpt*'],
      cause: 'power',
      episodes: 1,
    },
  },
  {
    id: 'call-ends-early',
    title: 'Cuộc gọi kết thúc sớm 15 phút / a meeting whose call ends 15 minutes early',
    run(w) {
      const sites = communes(w.inv, 'ba-be').slice(0, 5);
      w.meeting({ id: 'hop', title: 'Giao ban', sites, minutes: 30 });
      w.run(60);
      w.run(13 * 60);
      for (const s of sites) w.sites.set(s, { mcu: 0, codec: { in_call: 0 } });
      w.run(17 * 60);
      w.clear();
      w.run(300);
    },
    expect: {
      messages: {},
      silent: ['viettel*', 'vnpt*', 'dl-*', 'kt-*', 'noc*'],
      episodes: 0,
      attendance: { left: 5 },
    },
  },
  {
    id: 'never-joins',
    title: 'Một điểm cầu không vào họp / a site that never joins',
    run(w) {
      w.sites.set('xa-nhan-mon', { mcu: 0, codec: { in_call: 0 } });
      w.meeting({ id: 'hop', title: 'Giao ban', sites: ['xa-nhan-mon', 'xa-bang-thanh'] });
      w.run(600);
      w.clear();
      w.run(300);
    },
    expect: {
      messages: {},
      silent: ['viettel*', 'vnpt*', 'dl-*', 'kt-*', 'noc*'],
      episodes: 0,
      attendance: { not_joined: 1 },
    },
  },
];

export interface Outcome {
  scenario: Scenario;
  /** person id → e-mails received by the SMTP server */
  mails: Map<string, number>;
  /** person id → subjects, in order */
  subjects: Map<string, string[]>;
  episodes: Episode[];
  /** pages (not resolves, not the NOC's digest) sent after the fault was cleared */
  pagesAtRecovery: number;
  /** e-mail outbox rows (must equal the SMTP count) */
  outboxEmails: number;
  attendance: Record<string, number>;
}

/** Runs one scenario against a fresh engine and state DB, e-mailing through `smtp`. */
export async function runScenario(s: Scenario, smtp: SmtpSink): Promise<Outcome> {
  smtp.mails.length = 0;
  const rt = testRuntime(
    `alerts:\n  group_wait: 1s\n  digest_interval: 10m\n  outbox: { poll: 50ms }\n${s.config ?? ''}notify:\n  email: { host: 127.0.0.1, port: ${smtp.port} }\n`,
  );
  const quiet = { ...rt, log: log.child({}, { level: 'error' }) };
  const clock = new Clock(T0);
  const meetings = new StaticMeetings();
  const engine = await startAlerts(quiet, { meetings, now: clock.now, tickMs: 3_600_000, env: {} });
  const fleet = new Fleet(rt.inventory);
  const all = rt.inventory.inventory.sites.map((x) => x.id);
  const w: World = {
    inv: rt.inventory,
    fleet,
    clock,
    meetings,
    engine,
    sites: new Map(),
    clearedAt: null,
    run(seconds) {
      for (let t = 0; t < seconds; t += 10) {
        clock.t += 10_000;
        const batch: Sample[] = [];
        for (const id of all) batch.push(...fleet.healthy(id, clock.t, w.sites.get(id)));
        rt.bus.publish(batch);
        engine.tickNow();
      }
    },
    trap(site, name) {
      rt.bus.publishEvent(fleet.trap(site, clock.t + 500, name));
      clock.t += 1000;
      engine.tickNow();
      clock.t += 1500;
      engine.tickNow();
    },
    meeting(m) {
      const start = clock.t + (m.startIn ?? 0);
      const ref = { id: m.id, title: m.title, sites: m.sites, start, end: start + (m.minutes ?? 60) * MIN };
      meetings.add(ref);
      return ref;
    },
    clear() {
      w.sites.clear();
      w.clearedAt = clock.t;
    },
  };
  try {
    s.run(w);
    const rows = () =>
      rt.state
        .prepare(`SELECT count(*) AS n FROM outbox WHERE channel = 'email' AND state <> 'sent'`)
        .get() as { n: number };
    await until(() => rows().n === 0, 20_000, `outbox drained in ${s.id}`);
    const byEmail = new Map<string, string>();
    for (const p of rt.inventory.inventory.people)
      if (p.channels.email) byEmail.set(String(p.channels.email), p.id);
    const mails = new Map<string, number>();
    const subjects = new Map<string, string[]>();
    for (const m of smtp.mails) {
      const addr = m.to.replace(/^.*</, '').replace(/>.*$/, '').trim();
      const who = byEmail.get(addr) ?? addr;
      mails.set(who, (mails.get(who) ?? 0) + 1);
      subjects.set(who, [...(subjects.get(who) ?? []), m.subject]);
    }
    const episodes = engine.episodes({ all: true });
    const cleared = w.clearedAt ?? Number.POSITIVE_INFINITY;
    const pagesAtRecovery = episodes
      .flatMap((e) => e.notifications)
      .filter((n) => n.at > cleared && n.kind !== 'resolve' && n.kind !== 'digest').length;
    const outboxEmails = (
      rt.state.prepare(`SELECT count(*) AS n FROM outbox WHERE channel = 'email'`).get() as { n: number }
    ).n;
    const attendance: Record<string, number> = {};
    for (const ev of engine.attendance('hop')) attendance[ev.event] = (attendance[ev.event] ?? 0) + 1;
    return { scenario: s, mails, subjects, episodes, pagesAtRecovery, outboxEmails, attendance };
  } finally {
    await engine.stop();
    rt.state.close();
  }
}

/** Exposed for tests that need a metric sample outside the fleet's shapes. */
export type { MetricName };
