// Reports from real samples in the real metrics store, real meetings and incidents in the state DB.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReportsConfig } from '../config/config.ts';
import type { Sample } from '../core/bus.ts';
import { parseLocalTime } from '../meetings/time.ts';
import { type World, world } from '../test/helpers/world.ts';
import { documentHtml } from './document-html.ts';
import { officeFrom } from './files.ts';
import { meetingDocument, meetingReport, periodBounds, periodDocument, periodReport } from './index.ts';

const office = officeFrom(ReportsConfig.parse({}));

const HOUR = 3600_000;
const T0 = parseLocalTime('2026-01-02T08:00')!;
let w: World;
beforeEach(async () => {
  w = await world(T0);
});
afterEach(() => w.stop());

const deps = () => w.reportDeps();

describe('post-meeting quality report', () => {
  it('gives attendance, link quality over the meeting window and its incidents, as JSON and HTML', async () => {
    const start = parseLocalTime('2026-01-06T08:00')!;
    const m = w.meetings.register(
      {
        title: 'Giao ban trực tuyến <quý I> & tổng kết',
        host_org: 'vp-ubnd-tinh',
        start,
        end: start + HOUR,
        sites: ['tinh-uy', 'huyen-ba-be', 'xa-bang-thanh', 'xa-boc-bo'],
      },
      'u-host',
    ).meeting;
    w.clock.t = start - 30 * 60_000;
    await w.readiness.run(m.id, 'manual', 'u-noc');
    // before the meeting, some loss at the district hall that must not count
    w.clock.t = start - 10 * 60_000;
    w.drive(590, (t) => w.fleet.healthy('huyen-ba-be', t, { probe: { loss_pct: 50 } }));
    // the meeting: tinh-uy clean; huyen-ba-be with 4 % loss in the second half hour; xa-bang-thanh
    // reachable but its codec never joined (in_call 0, MCU port down); xa-boc-bo sends nothing
    w.drive(3600, (t) => {
      const second = t - start > 30 * 60_000;
      const out: Sample[] = [
        ...w.fleet.healthy('tinh-uy', t),
        ...w.fleet.healthy('huyen-ba-be', t, { probe: second ? { loss_pct: 4, mos: 3.4 } : {} }),
        ...w.fleet.healthy('xa-bang-thanh', t, { codec: { in_call: 0 }, mcu: 0 }),
      ];
      return out;
    });
    const inc = w.incidents.create(
      {
        sites: ['huyen-ba-be'],
        cause_class: 'link',
        cause: 'Suy hao cáp quang VNPT',
        fix: 'Hàn lại mối nối',
        started_at: start + 30 * 60_000,
        restored_at: start + 50 * 60_000,
      },
      'u-noc',
    );
    expect(inc.meeting_id).toBe(m.id);

    const r = await meetingReport(deps(), m.id);
    const site = (id: string) => r.sites.find((s) => s.site === id)!;
    expect(site('tinh-uy').attendance).toBe('present');
    expect(site('tinh-uy').connected).toBeGreaterThan(0.95);
    expect(site('tinh-uy').loss_pct!.mean).toBe(0);
    expect(site('tinh-uy').mos!.mean).toBeCloseTo(4.4, 5);
    const hall = site('huyen-ba-be');
    expect(hall.loss_pct!.mean).toBeGreaterThan(1.5);
    expect(hall.loss_pct!.mean).toBeLessThan(2.5);
    expect(hall.loss_pct!.p95).toBe(4);
    expect(hall.loss_pct!.worst).toBe(4);
    expect(hall.mos!.p95).toBeCloseTo(3.4, 5);
    expect(hall.lossy_minutes).toBeGreaterThan(0.4);
    expect(hall.lossy_minutes).toBeLessThan(0.6);
    expect(hall.incidents).toBe(1);
    expect(site('xa-bang-thanh').attendance).toBe('absent');
    expect(site('xa-bang-thanh').connected).toBe(0);
    expect(site('xa-boc-bo').attendance).toBe('unknown');
    expect(site('xa-boc-bo').loss_pct).toBeNull();
    expect(r.summary).toMatchObject({ sites: 4, present: 2, absent: 1, unknown: 1, incidents: 1 });
    expect(r.readiness).toEqual([expect.objectContaining({ slot: 'manual', total: 4 })]);
    expect(r.meeting.host_org_name).toBe('Văn phòng UBND tỉnh');

    const html = documentHtml(meetingDocument(r, office, 'vi'));
    expect(html).toContain('Kết quả tổ chức hội nghị truyền hình trực tuyến');
    expect(html).not.toContain('Post-meeting');
    expect(documentHtml(meetingDocument(r, office, 'en'))).toContain('On the video conference');
    expect(html).toContain('Giao ban trực tuyến &lt;quý I&gt; &amp; tổng kết');
    expect(html).toContain('Hội trường UBND huyện Ba Bể');
    expect(html).toContain('Suy hao cáp quang VNPT');
    expect(html).toContain('08:00 ngày 06/01/2026');
    expect(html).not.toMatch(/<script|<link|src=|url\(/i);
  });
});

describe('6-month and yearly reports (Điều 14.1.c, 11.3)', () => {
  it('counts meetings by host and tier, incidents by cause with time to restore, and availability', async () => {
    const at = (d: string) => parseLocalTime(d)!;
    const reg = (host: string, start: string, sel: object, extra: object = {}) =>
      w.meetings.register(
        { title: `Họp ${start}`, host_org: host, start, end: at(start) + HOUR, ...sel, ...extra },
        'u',
      );
    const held = [
      reg('vp-ubnd-tinh', '2026-01-10T08:00', { tiers: ['province', 'district'] }).meeting,
      reg('vp-ubnd-tinh', '2026-02-10T08:00', { districts: ['ba-be'] }).meeting,
      reg('vp-tinh-uy', '2026-03-10T14:00', { sites: ['tinh-uy', 'hdnd-tinh'] }).meeting,
    ];
    const cancelled = reg('vp-tinh-uy', '2026-03-11T14:00', { sites: ['tinh-uy'] }).meeting;
    w.meetings.cancel(cancelled.id, 'u-noc', 'Hoãn');
    held.push(
      reg(
        'so-tttt',
        '2026-01-02T10:00',
        { tiers: ['district'] },
        { emergency: true, emergency_reason: 'Rét đậm' },
      ).meeting,
    );
    const later = reg('vp-ubnd-tinh', '2026-07-05T08:00', { tiers: ['province'] }).meeting; // next half-year
    // the meetings took place: every site of each connected to the MCU for its hour
    for (const m of [...held].sort((a, b) => a.start - b.start)) {
      w.clock.t = m.start - 60_000;
      w.drive(HOUR / 1000, (t) => m.sites.map((s) => w.fleet.mcuPort(s, t, 1)), 60);
      w.drive(120, (t) => m.sites.map((s) => w.fleet.mcuPort(s, t, 0)), 60);
    }

    // a day of samples for two sites: tinh-uy always up; xa-bang-thanh down for 2 of 12 hours
    w.clock.t = at('2026-01-03T00:00');
    w.drive(
      12 * 3600,
      (t) => [
        ...w.fleet.probe('tinh-uy', t),
        ...w.fleet.probe('xa-bang-thanh', t, { reachable: t - at('2026-01-03T00:00') <= 2 * HOUR ? 0 : 1 }),
      ],
      60,
    );
    w.clock.t = at('2026-07-02T09:00');
    const mk = (cause_class: string, started: string, minutes: number | null) =>
      w.incidents.create(
        {
          sites: ['xa-bang-thanh'],
          cause_class,
          cause: 'x',
          started_at: at(started),
          ...(minutes !== null && { restored_at: at(started) + minutes * 60_000 }),
        },
        'u-noc',
      );
    mk('link', '2026-01-03T00:00', 120);
    mk('link', '2026-02-03T09:00', 30);
    mk('power', '2026-02-04T09:00', 45);
    mk('equipment', '2026-01-03T09:00', null);
    mk('mcu', '2025-12-20T09:00', 10); // before the period

    const { from, to } = periodBounds('six-month', '2026-01-01');
    expect(to).toBe(at('2026-07-01'));
    const r = await periodReport(deps(), 'six-month', from, to);
    expect(r.meetings.total).toBe(4);
    expect(r.meetings.emergency).toBe(1);
    expect(r.meetings.cancelled).toBe(1);
    expect(r.meetings.by_host).toEqual([
      { org: 'vp-ubnd-tinh', name: 'Văn phòng UBND tỉnh', count: 2 },
      { org: 'so-tttt', name: 'Sở Thông tin và Truyền thông tỉnh Bắc Kạn', count: 1 },
      { org: 'vp-tinh-uy', name: 'Văn phòng Tỉnh ủy', count: 1 },
    ]);
    const baBe = [...w.rt.inventory.sites.values()].filter(
      (s) => s.district === 'ba-be' && s.tier === 'commune',
    ).length;
    expect(r.meetings.by_tier).toEqual([
      { tier: 'province', meetings: 2, site_sessions: 4 + 2 },
      { tier: 'district', meetings: 3, site_sessions: 8 + 8 + 1 },
      { tier: 'commune', meetings: 1, site_sessions: baBe },
    ]);
    expect(r.meetings.by_month.map((x) => x.count)).toEqual([2, 1, 1, 0, 0, 0]);
    expect(r.meetings.by_month[0]!.month).toBe('2026-01');
    expect(r.incidents.total).toBe(4);
    expect(r.incidents.open).toBe(1);
    const link = r.incidents.by_cause.find((c) => c.cause_class === 'link')!;
    expect(link).toMatchObject({ count: 2, restored: 2, mean_ttr_ms: 75 * 60_000, max_ttr_ms: 120 * 60_000 });
    expect(r.incidents.by_cause.find((c) => c.cause_class === 'mcu')!.count).toBe(0);
    expect(r.incidents.mean_ttr_ms).toBe(65 * 60_000);
    const av = (id: string) => r.availability.sites.find((s) => s.site === id)!;
    expect(av('tinh-uy').availability).toBe(1);
    expect(av('xa-bang-thanh').availability).toBeCloseTo(10 / 12, 2);
    expect(av('xa-bang-thanh').down_minutes).toBeGreaterThanOrEqual(115);
    expect(av('xa-bang-thanh').down_minutes).toBeLessThanOrEqual(125);
    expect(av('xa-bang-thanh').coverage).toBeLessThan(0.01);
    expect(av('xa-boc-bo').availability).toBeNull();

    const html = documentHtml(periodDocument(r, office, 'vi'));
    expect(html).toContain(
      'Định kỳ 06 tháng đầu năm 2026 về sử dụng hệ thống hội nghị truyền hình trực tuyến',
    );
    expect(html).toContain('Từ ngày 01/01/2026 đến hết ngày 30/06/2026');
    expect(html).toContain('Đường truyền');
    expect(html).toContain('thời gian khắc phục trung bình: 1 giờ 5 phút');
    expect(html).not.toMatch(/<script|<link|src=|url\(/i);

    const year = await periodReport(
      deps(),
      'yearly',
      ...(Object.values(periodBounds('yearly', '2026-01-01')) as [number, number]),
    );
    // the meeting of 05/07 is still to come on 02/07: not counted, and the year says it counts so far
    expect(year.meetings.total).toBe(4);
    expect(year.meetings.upcoming).toBe(1);
    expect(year.meetings.partial).toBe(true);
    expect(year.meetings.counted_until).toBe(w.clock.t);
    expect(year.meetings.logbook.map((x) => x.meeting_id)).not.toContain(later.id);
    expect(year.meetings.by_month).toHaveLength(12);
    expect(documentHtml(periodDocument(year, office, 'vi'))).toContain('năm 2026');
  });
});
