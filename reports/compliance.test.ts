// The yearly report's compliance figures from the real state DB (meetings, readiness runs, episodes)
// and the real SQLite metrics store: availability per carrier and per circuit is cross-checked against
// the stored samples themselves.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Episode } from '../api/contract.ts';
import type { Sample } from '../core/bus.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { parseLocalTime } from '../meetings/time.ts';
import { type World, world } from '../test/helpers/world.ts';
import { type Compliance, compliance, type MeetingWindow, mergeIntervals } from './compliance.ts';
import { COMPLIANCE_PARTS } from './compliance-parts.ts';
import { type Block, type Cell, formatNumber, isNum, type Lang } from './document.ts';
import { dbEpisodes } from './meeting.ts';

/** the compliance sections as a reader sees them: titles, paragraphs, table cells, in one language */
function complianceText(c: Compliance, lang: Lang): string {
  const cell = (x: Cell) =>
    isNum(x)
      ? x.n === null
        ? '—'
        : `${formatNumber(x.n, x.digits ?? 0, lang)}${x.unit ? ` ${x.unit}` : ''}`
      : x;
  const block = (b: Block) =>
    b.kind === 'paragraph'
      ? b.text
      : [
          b.table.caption ?? '',
          ...b.table.header.map((h) => h.join(' | ')),
          ...[...b.table.rows, ...(b.table.totals ? [b.table.totals] : [])].map((r) =>
            r.map(cell).join(' | '),
          ),
        ].join('\n');
  return COMPLIANCE_PARTS.map((f) => f(c, lang))
    .filter((s) => s !== null)
    .map((s) => [s.title, ...s.blocks.map(block)].join('\n'))
    .join('\n');
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const at = (s: string) => parseLocalTime(s)!;

// the period: from 5 January 2026 08:00 for a year, read on 20 January (partial)
const FROM = at('2026-01-05T08:00');
const TO = at('2027-01-05T08:00');
const NOW = at('2026-01-20T00:00');
const DATA_DAY = at('2026-01-10T00:00');
const d = (hhmm: string) => at(`2026-01-10T${hhmm}`);

let w: World;
beforeEach(async () => {
  w = await world(at('2025-12-20T08:00'));
});
afterEach(() => w.stop());

/** `reachable` of the site's RTP probe every 10 s over [from, to), 0 inside any `down` interval */
function probeSamples(site: string, from: number, to: number, down: [number, number][]): Sample[] {
  const out: Sample[] = [];
  for (let t = from; t < to; t += 10_000) {
    const off = down.some(([a, b]) => t >= a && t < b);
    out.push(...w.fleet.probe(site, t, { reachable: off ? 0 : 1 }).filter((s) => s.metric === 'reachable'));
  }
  return out;
}

function episode(o: Partial<Episode> & Pick<Episode, 'id' | 'started_at' | 'sites'>): Episode {
  const resolved = o.resolved_at != null;
  return {
    rule: 'site-down',
    state: resolved ? 'resolved' : 'firing',
    severity: 'major',
    cause: null,
    owner_org: null,
    owner_person: null,
    title: 'x',
    title_en: 'x',
    reasoning: '',
    reasoning_en: '',
    district: null,
    cleared_at: null,
    resolved_at: null,
    acknowledged_by: null,
    acknowledged_at: null,
    ack_comment: null,
    suppressed_by: null,
    meeting: null,
    flapping: false,
    relevance: 'quiet',
    members: [],
    cause_history: [],
    notifications: [],
    notified: [],
    escalation_level: 0,
    ...o,
  };
}

/** stored as alerts/store.ts saves them: a row of the episodes table, body {episode, priv} */
function saveEpisode(e: Episode) {
  w.rt.state
    .prepare(
      'INSERT INTO episodes (id, state, started_at, resolved_at, updated_at, body) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(e.id, e.state, e.started_at, e.resolved_at, e.started_at, JSON.stringify({ episode: e, priv: {} }));
}

/**
 * The independent figure: from the raw stored samples (store.raw, no buckets), the share of samples
 * answered, each sample standing for its 10 seconds; `inside` restricts to sample times in it.
 */
async function fromSamples(
  sites: string[],
  from: number,
  to: number,
  inside?: (site: string, t: number) => boolean,
) {
  let n = 0;
  let up = 0;
  for (const site of sites) {
    const series = await w.store.raw({ metric: 'reachable', site, from, to });
    const probe = series.find((s) => s.device === `${site}:rtp`);
    for (const p of probe?.points ?? []) {
      if (inside && !inside(site, p.time)) continue;
      n++;
      up += p.value;
    }
  }
  return { availability: n ? up / n : null, measured_ms: n * 10_000, down_ms: (n - up) * 10_000 };
}

describe('compliance figures (Điều 6, 7.1.b, 11.3, 13.2, 14.2, 14.3)', () => {
  it('availability per carrier and per circuit equals what the stored samples say, overall and in meetings', async () => {
    // two Viettel district halls and two VNPT sites, one day of 10-second samples
    await w.store.flush();
    const data: Sample[] = [
      // Viettel: 20 min down in meeting M1, 6 min 40 s down outside any meeting
      ...probeSamples('huyen-pac-nam', DATA_DAY, DATA_DAY + DAY, [
        [d('09:00'), d('09:20')],
        [d('17:03') + 20_000, d('17:10')],
      ]),
      // Viettel: data only until noon (half the day measured), down 15 min in M1
      ...probeSamples('huyen-ngan-son', DATA_DAY, d('12:00'), [[d('10:30'), d('10:45')]]),
      // VNPT: 1 h down in the evening, 1 min 40 s down in M2 (not on a minute boundary)
      ...probeSamples('tinh-uy', DATA_DAY, DATA_DAY + DAY, [
        [d('20:00'), d('21:00')],
        [d('14:02') + 30_000, d('14:04') + 10_000],
      ]),
      // VNPT: always answering, but nothing stored 06:00–07:00 (not down: unmeasured)
      ...probeSamples('huyen-ba-be', DATA_DAY, d('06:00'), []),
      ...probeSamples('huyen-ba-be', d('07:00'), DATA_DAY + DAY, []),
    ];
    for (let i = 0; i < data.length; i += 5000) w.store.write(data.slice(i, i + 5000));
    await w.store.flush();

    const windows: MeetingWindow[] = [
      { id: 'M1', start: d('09:00'), end: d('11:00'), sites: ['huyen-pac-nam', 'huyen-ngan-son', 'tinh-uy'] },
      { id: 'M2', start: d('14:00'), end: d('16:00'), sites: ['tinh-uy', 'huyen-ba-be', 'huyen-pac-nam'] },
      // overlaps M2 for tinh-uy: its meeting time is 14:00–16:30, not counted twice
      { id: 'M3', start: d('15:30'), end: d('16:30'), sites: ['tinh-uy'] },
      // ba-be's unmeasured hour: half of this window has no data
      { id: 'M4', start: d('06:30'), end: d('07:30'), sites: ['huyen-ba-be'] },
    ];
    const c = await compliance(
      {
        inventory: w.rt.inventory,
        store: w.store,
        meetings: w.meetings,
        readiness: w.readiness,
        episodes: dbEpisodes(w.rt.state),
      },
      FROM,
      TO,
      { now: NOW, meetingWindows: windows },
    );
    expect(c.until).toBe(NOW);
    expect(c.partial).toBe(true);

    const mine = (site: string) => mergeIntervals(windows.filter((x) => x.sites.includes(site)));
    const inMeeting = (site: string, t: number) => mine(site).some((i) => t >= i.start && t < i.end);
    const sitesOf = (carrier: string) =>
      [...w.rt.inventory.sites.values()].filter((s) => s.link.carrier === carrier).map((s) => s.id);
    const period = NOW - FROM;

    for (const carrier of ['viettel', 'vnpt'] as const) {
      const row = c.availability.carriers.find((x) => x.carrier === carrier)!;
      const sites = sitesOf(carrier);
      expect(row.circuits).toBe(sites.length);
      const overall = await fromSamples(sites, FROM, NOW);
      expect(row.overall.availability).toBeCloseTo(overall.availability!, 9);
      expect(row.overall.measured_ms).toBe(overall.measured_ms);
      expect(row.overall.down_ms).toBeCloseTo(overall.down_ms, 3);
      expect(row.overall.expected_ms).toBe(sites.length * period);
      expect(row.overall.coverage).toBeCloseTo(overall.measured_ms / (sites.length * period), 12);
      const meetings = await fromSamples(sites, FROM, NOW, inMeeting);
      expect(row.meetings.availability).toBeCloseTo(meetings.availability!, 9);
      expect(row.meetings.measured_ms).toBe(meetings.measured_ms);
      expect(row.meetings.down_ms).toBeCloseTo(meetings.down_ms, 3);
    }
    for (const site of ['huyen-pac-nam', 'huyen-ngan-son', 'tinh-uy', 'huyen-ba-be']) {
      const circuit = w.rt.inventory.sites.get(site)!.link.circuit;
      const row = c.availability.circuits.find((x) => x.circuit === circuit)!;
      expect(row.sites.map((s) => s.site)).toEqual([site]);
      const overall = await fromSamples([site], FROM, NOW);
      expect(row.overall.availability, site).toBeCloseTo(overall.availability!, 9);
      expect(row.overall.coverage, site).toBeCloseTo(overall.measured_ms / period, 12);
      const meetings = await fromSamples([site], FROM, NOW, inMeeting);
      expect(row.meetings.availability, site).toBeCloseTo(meetings.availability!, 9);
      const meetingTime = mine(site).reduce((a, i) => a + i.end - i.start, 0);
      expect(row.meetings.expected_ms, site).toBe(meetingTime);
      expect(row.meetings.coverage, site).toBeCloseTo(meetings.measured_ms / meetingTime, 12);
    }

    // the same figures by hand
    const circuit = (site: string) =>
      c.availability.circuits.find((x) => x.circuit === w.rt.inventory.sites.get(site)!.link.circuit)!;
    expect(circuit('huyen-pac-nam').meetings.availability).toBeCloseTo(220 / 240, 12);
    expect(circuit('huyen-pac-nam').overall.down_ms).toBe(20 * MIN + 6 * MIN + 40_000);
    expect(circuit('huyen-ngan-son').overall.measured_ms).toBe(12 * HOUR);
    expect(circuit('huyen-ngan-son').meetings.availability).toBeCloseTo(105 / 120, 12);
    expect(circuit('tinh-uy').meetings.expected_ms).toBe(120 * MIN + 150 * MIN);
    expect(circuit('tinh-uy').meetings.down_ms).toBeCloseTo(100_000, 6);
    // ba-be: M2 fully measured, half of M4 unmeasured: 150 of 180 minutes
    expect(circuit('huyen-ba-be').meetings).toMatchObject({ availability: 1, down_ms: 0 });
    expect(circuit('huyen-ba-be').meetings.coverage).toBeCloseTo(150 / 180, 12);
    expect(circuit('huyen-ba-be').overall.availability).toBe(1);
    // a circuit without any data: unmeasured, not down
    expect(circuit('huyen-cho-don').overall).toMatchObject({ availability: null, coverage: 0, down_ms: 0 });
    // time-weighted, not the mean of the circuits' shares: 325 of 360 meeting minutes for Viettel
    const viettel = c.availability.carriers.find((x) => x.carrier === 'viettel')!;
    expect(viettel.meetings.availability).toBeCloseTo(325 / 360, 12);
    expect(viettel.meetings.availability).not.toBeCloseTo((220 / 240 + 105 / 120) / 2, 3);
    // worst first: tinh-uy 61 min 40 s of 24 h, ngan-son 15 min of 12 h, pac-nam 26 min 40 s of 24 h;
    // ba-be (never down) is not listed
    expect(c.availability.worst.map((x) => x.sites[0]!.site)).toEqual([
      'tinh-uy',
      'huyen-ngan-son',
      'huyen-pac-nam',
    ]);

    const html = complianceText(c, 'vi');
    expect(html).toContain('Tỷ lệ sẵn sàng đường truyền');
    expect(html).toContain('90,28 %');
    expect(html).toContain('TSLCD-BKN-VTL-0008');
    expect(html).not.toContain('Availability');
    const en = complianceText(c, 'en');
    expect(en).toContain('Link availability per carrier and per circuit');
    expect(en).toContain('90.28 %');
    expect(en).not.toContain('Tỷ lệ sẵn sàng');
  });

  it('counts registrations, readiness runs, technicians, episodes by cause and owner, power events per branch', async () => {
    const reg = (title: string, start: string, sites: string[], extra: object = {}) =>
      w.meetings.register(
        { title, host_org: 'vp-ubnd-tinh', start, end: at(start) + HOUR, sites, ...extra },
        'u-host',
      ).meeting;
    // on time: 16 days ahead
    const a = reg('Giao ban tháng 1', '2026-01-05T08:30', [
      'huyen-cho-don',
      'huyen-bach-thong',
      'huyen-na-ri',
    ]);
    // late: the store refuses late registrations, but records from before the rule (or a call the NOC
    // attaches to a registration) can be: registered 2 days ahead
    const late = reg('Họp chuyên đề', '2026-01-07T08:00', ['tinh-uy']);
    w.rt.state
      .prepare('UPDATE meetings SET registered_at = ? WHERE id = ?')
      .run(late.start - 2 * DAY, late.id);
    const cancelled = reg('Họp bị hoãn', '2026-01-08T08:00', ['tinh-uy']);
    w.meetings.cancel(cancelled.id, 'u-noc', 'Hoãn');
    reg('Họp tháng 2', '2026-02-03T08:00', ['tinh-uy']); // after now: not counted
    w.clock.t = at('2025-12-30T08:00');
    reg('Họp trước kỳ', '2026-01-03T08:00', ['tinh-uy']); // before the period
    w.clock.t = at('2026-01-06T08:00');
    const emergency = reg('Họp khẩn phòng chống rét', '2026-01-06T10:00', ['huyen-na-ri'], {
      emergency: true,
      emergency_reason: 'Rét đậm, rét hại',
    });

    // readiness of meeting a: T-12h cho-don and bach-thong ready, na-ri silent; T-1h bach-thong lossy
    const feed = (t: number, lossy: boolean) => {
      w.store.write([
        ...w.fleet.healthy('huyen-cho-don', t),
        ...w.fleet.healthy('huyen-bach-thong', t, { probe: lossy ? { loss_pct: 5 } : {} }),
      ]);
    };
    w.clock.t = a.start - 12 * HOUR;
    feed(w.clock.t, false);
    await w.store.flush();
    const r12 = await w.readiness.run(a.id, 'T-12h', 'scheduler');
    expect(r12).toMatchObject({ ready: 2, total: 3 });
    w.clock.t = a.start - HOUR;
    feed(w.clock.t, true);
    await w.store.flush();
    const r1 = await w.readiness.run(a.id, 'T-1h', 'scheduler');
    expect(r1).toMatchObject({ ready: 1, total: 3 });

    // episodes: two Viettel link faults (20 and 7 min to restore), one VNPT link fault still open,
    // two power cuts of the Ngân Sơn branch (one during a meeting), one open at Ba Bể, one of no
    // known cause restored without a cleared time; two outside the period
    const E = (id: string, o: Partial<Episode> & Pick<Episode, 'started_at' | 'sites'>) =>
      saveEpisode(episode({ id, ...o }));
    E('e1', {
      cause: 'link',
      owner_org: 'viettel',
      sites: ['huyen-pac-nam'],
      started_at: d('09:00'),
      cleared_at: d('09:20'),
      resolved_at: d('09:25'),
    });
    E('e2', {
      cause: 'link',
      owner_org: 'viettel',
      sites: ['huyen-pac-nam'],
      started_at: d('17:03'),
      cleared_at: d('17:10'),
      resolved_at: d('17:15'),
    });
    E('e3', { cause: 'link', owner_org: 'vnpt', sites: ['tinh-uy'], started_at: d('20:00') });
    E('e4', {
      cause: 'power',
      owner_org: 'dien-luc-ngan-son',
      sites: ['huyen-ngan-son'],
      started_at: d('10:30'),
      cleared_at: d('10:45'),
      resolved_at: d('10:50'),
    });
    E('e5', {
      cause: 'power',
      owner_org: 'dien-luc-ngan-son',
      sites: ['huyen-ngan-son'],
      started_at: at('2026-01-12T03:00'),
      cleared_at: at('2026-01-12T04:00'),
      resolved_at: at('2026-01-12T04:05'),
    });
    E('e6', {
      cause: 'power',
      owner_org: 'dien-luc-ba-be',
      sites: ['huyen-ba-be'],
      started_at: at('2026-01-19T22:00'),
      state: 'acknowledged',
    });
    E('e8', {
      sites: ['xa-bang-thanh'],
      started_at: at('2026-01-15T09:00'),
      resolved_at: at('2026-01-15T09:30'),
    });
    E('e7', {
      cause: 'equipment',
      sites: ['tinh-uy'],
      started_at: at('2026-01-04T09:00'),
      resolved_at: at('2026-01-04T10:00'),
    });
    E('e9', {
      cause: 'power',
      owner_org: 'dien-luc-ba-be',
      sites: ['huyen-ba-be'],
      started_at: at('2026-01-21T09:00'),
    });

    // today's inventory with na-ri's technician reachable by no channel
    const inv: LoadedInventory = { ...w.rt.inventory, people: new Map(w.rt.inventory.people) };
    const naRi = inv.people.get('kt-huyen-na-ri')!;
    inv.people.set(naRi.id, { ...naRi, channels: {} });

    const windows: MeetingWindow[] = [
      { id: 'M1', start: d('09:00'), end: d('11:00'), sites: ['huyen-pac-nam', 'huyen-ngan-son'] },
      { id: 'M5', start: at('2026-01-19T08:00'), end: at('2026-01-19T09:00'), sites: ['huyen-ba-be'] },
    ];
    const c: Compliance = await compliance(
      {
        inventory: inv,
        store: w.store,
        meetings: w.meetings,
        readiness: w.readiness,
        episodes: dbEpisodes(w.rt.state),
      },
      FROM,
      TO,
      { now: NOW, meetingWindows: windows },
    );

    const r = c.registrations;
    expect(r.total).toBe(3);
    expect(r.on_time.count).toBe(1);
    expect(r.late.count).toBe(1);
    expect(r.emergency.count).toBe(1);
    expect(r.on_time.share).toBeCloseTo(1 / 3, 12);
    expect(r.cancelled).toBe(1);
    expect(r.late_meetings).toEqual([expect.objectContaining({ id: late.id, lead_ms: 2 * DAY })]);
    expect(r.notice_ms).toBe(3 * DAY);
    expect(r.emergency.vi).toContain('khẩn cấp');

    const slot = (s: string) => c.readiness.slots.find((x) => x.slot === s)!;
    expect(c.readiness.meetings).toBe(3);
    expect(slot('T-12h')).toMatchObject({
      runs: 1,
      missing: 2,
      all_ready_runs: 0,
      site_checks: 3,
      ready_checks: 2,
    });
    expect(slot('T-12h').ready_share).toBeCloseTo(2 / 3, 12);
    expect(slot('T-1h')).toMatchObject({ runs: 1, missing: 2, site_checks: 3, ready_checks: 1 });
    expect(slot('manual')).toMatchObject({ runs: 0, missing: null, ready_share: null });
    expect(c.readiness.sites_checked).toBe(3);
    expect(c.readiness.never_ready).toEqual([
      expect.objectContaining({
        site: 'huyen-na-ri',
        checks: 2,
        reasons: expect.arrayContaining([expect.objectContaining({ code: 'no_data', count: 2 })]),
      }),
    ]);
    // the emergency meeting is in the period: no runs of its own
    expect(emergency.start).toBeGreaterThanOrEqual(FROM);

    const tier = (t: string) => c.technicians.by_tier.find((x) => x.tier === t)!;
    const count = (t: string) => [...inv.sites.values()].filter((s) => s.tier === t).length;
    expect(tier('district')).toMatchObject({
      sites: count('district'),
      with_technician: count('district'),
      with_contact: count('district') - 1,
    });
    expect(tier('commune')).toMatchObject({ sites: count('commune'), with_contact: count('commune') });
    expect(c.technicians.total.contact_share).toBeCloseTo((inv.sites.size - 1) / inv.sites.size, 12);
    // both runs checked na-ri, whose technician has no contact
    expect(c.technicians.runs).toEqual({ runs: 2, all_sites_with_contact: 0, share: 0 });

    const ep = c.episodes;
    expect(ep.total).toMatchObject({ count: 7, open: 2, resolved: 5 });
    const cause = (x: string) => ep.by_cause.find((g) => g.cause === x)!;
    expect(cause('link')).toMatchObject({
      count: 3,
      open: 1,
      resolved: 2,
      mean_ttr_ms: 13.5 * MIN,
      max_ttr_ms: 20 * MIN,
    });
    expect(cause('power')).toMatchObject({
      count: 3,
      open: 1,
      resolved: 2,
      mean_ttr_ms: 37.5 * MIN,
      max_ttr_ms: 60 * MIN,
    });
    expect(cause('equipment')).toMatchObject({ count: 0, mean_ttr_ms: null });
    expect(cause('unknown')).toMatchObject({ count: 1, mean_ttr_ms: 30 * MIN });
    const owner = (x: string | null) => ep.by_owner.find((g) => g.org === x)!;
    expect(owner('viettel')).toMatchObject({ count: 2, open: 0, mean_ttr_ms: 13.5 * MIN, kind: 'carrier' });
    expect(owner('vnpt')).toMatchObject({ count: 1, open: 1, mean_ttr_ms: null });
    expect(owner('dien-luc-ngan-son')).toMatchObject({
      count: 2,
      name: 'Điện lực Ngân Sơn',
      kind: 'power_branch',
    });
    expect(owner(null)).toMatchObject({ count: 1, name_en: 'No owner' });

    const branch = (x: string) => c.power.branches.find((b) => b.org === x)!;
    expect(branch('dien-luc-ngan-son')).toMatchObject({
      events: 2,
      open: 0,
      minutes: 75,
      touched_meetings: 1,
      meetings: ['M1'],
    });
    // open: counted up to now (2 h); during no meeting of its site
    expect(branch('dien-luc-ba-be')).toMatchObject({ events: 1, open: 1, minutes: 120, touched_meetings: 0 });
    expect(c.power.total).toEqual({ events: 3, minutes: 195, touched_meetings: 1 });
    expect(c.power.branches.map((b) => b.org)).toEqual(['dien-luc-ngan-son', 'dien-luc-ba-be']);

    const html = complianceText(c, 'vi');
    expect(html).toContain('Đăng ký đúng hạn');
    expect(html).toContain('Họp chuyên đề');
    expect(html).toContain(`${c.readiness.never_ready[0]!.name} | `);
    expect(html).toContain('Không có số liệu đo (2)');
    expect(html).toContain('Điện lực Ngân Sơn');
    expect(html).toContain('66,67 %');
    expect(html).toContain('38 phút'); // 37.5 minutes, mean time to restore of the power cuts
    const en = complianceText(c, 'en');
    expect(en).toContain('Registered on time');
    expect(en).toContain('Ngân Sơn power branch');
    expect(en).toContain('66.67 %');
  });
});
