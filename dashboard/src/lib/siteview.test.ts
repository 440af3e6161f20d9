// Issue 15: what the map, its card, the sites table and the site page show of a site, derived from
// the live state every time; times in Bắc Kạn's zone whatever the machine's; the resolved tab kept
// across a live snapshot.
import { describe, expect, it } from 'vitest';
import type { Alert, Episode, SiteStatus } from '../../../api/contract.ts';
import {
  attentionOrder,
  episodeOf,
  fmtAgo,
  fmtClock,
  fmtMinuteTz,
  fmtStamp,
  handlingOf,
  labelledIds,
  liveMeetings,
  maintenanceUntil,
  mergeSnapshot,
  shownMetrics,
} from './siteview.ts';

const site = (id: string, o: Partial<SiteStatus> = {}): SiteStatus => ({
  id,
  name: `Hội trường UBND xã ${id}`,
  gso: '0',
  tier: 'commune',
  district: 'ba-be',
  carrier: 'vnpt',
  lat: null,
  lon: null,
  state: 'ok',
  cause: null,
  since: 0,
  summary: '',
  metrics: { mos: 4.3, loss_pct: 0.2, jitter_ms: 3, rtt_ms: 20 },
  sources: {},
  quality: {},
  active_ups_alarms: [],
  updated: 0,
  firing_alerts: 0,
  in_meeting: false,
  ...o,
});

const episode = (id: string, o: Partial<Episode> = {}): Episode => ({
  id,
  rule: 'link-loss',
  state: 'firing',
  severity: 'major',
  cause: 'link',
  owner_org: 'vnpt',
  owner_person: null,
  title: 't',
  title_en: 't',
  reasoning: '',
  reasoning_en: '',
  sites: ['a'],
  district: null,
  started_at: 1,
  cleared_at: null,
  resolved_at: null,
  acknowledged_by: null,
  acknowledged_at: null,
  ack_comment: null,
  suppressed_by: null,
  meeting: null,
  flapping: false,
  relevance: 'meeting',
  members: [],
  cause_history: [],
  notifications: [],
  notified: [],
  escalation_level: 0,
  ...o,
});

describe('map labels follow the live state', () => {
  it('a fault names the site, its recovery takes the name away (the whole network: > 40 sites)', () => {
    const ids = Array.from({ length: 60 }, (_, i) => `s${i}`);
    const now = new Map(ids.map((id) => [id, site(id)]));
    const get = (id: string) => now.get(id);
    expect(labelledIds(ids, get)).toEqual([]);
    now.set('s7', site('s7', { state: 'down', cause: 'link' }));
    expect(labelledIds(ids, get)).toEqual(['s7']);
    now.set('s7', site('s7'));
    now.set('s9', site('s9', { state: 'on_battery', cause: 'power' }));
    expect(labelledIds(ids, get)).toEqual(['s9']);
    // maintenance and switched-off codecs are not faults
    now.set('s9', site('s9', { state: 'maintenance' }));
    now.set('s3', site('s3', { state: 'off' }));
    expect(labelledIds(ids, get)).toEqual([]);
  });
  it('one district names every site but the province ones; too many faults at once name none', () => {
    const ids = ['p', 'd', 'c'];
    const m = new Map([
      ['p', site('p', { tier: 'province' })],
      ['d', site('d', { tier: 'district' })],
      ['c', site('c')],
    ]);
    expect(labelledIds(ids, (id) => m.get(id))).toEqual(['d', 'c']);
    const many = Array.from({ length: 60 }, (_, i) => `s${i}`);
    expect(labelledIds(many, (id) => site(id, { state: 'down' }))).toEqual([]);
    // a district outage and then some (40 of 60) still names them: placeLabels keeps what has room
    const outage = (id: string) => site(id, { state: Number(id.slice(1)) < 40 ? 'down' : 'ok' });
    expect(labelledIds(many, outage)).toHaveLength(40);
  });
});

describe('the sites needing attention, worst first (keyboard path, label room)', () => {
  const m = new Map([
    ['ok', site('ok')],
    ['deg', site('deg', { state: 'degraded', since: 1 })],
    ['down-late', site('down-late', { state: 'down', since: 50 })],
    ['down-early', site('down-early', { state: 'down', since: 10 })],
    ['down-acked', site('down-acked', { state: 'down', since: 5, episode: 'e1' })],
    ['batt', site('batt', { state: 'on_battery', since: 1 })],
    ['maint', site('maint', { state: 'maintenance' })],
    ['off', site('off', { state: 'off' })],
  ]);
  const get = (id: string) => m.get(id);
  it('down before on battery before degraded; nobody on it first, then the longest; healthy ones left out', () => {
    expect(attentionOrder([...m.keys()], get, (s) => s.episode === 'e1')).toEqual([
      'down-early',
      'down-late',
      'down-acked',
      'batt',
      'deg',
    ]);
  });
  it('names the worst first, so they get room when names compete', () => {
    const ids = [...m.keys()];
    expect(labelledIds(ids, get).slice(0, 4)).toEqual(['down-acked', 'down-early', 'down-late', 'batt']);
    expect(labelledIds(ids, get)).toHaveLength(ids.length);
  });
});

describe('a down site shows no stale figures', () => {
  it('MOS, jitter and delay are gone, loss is 100 %', () => {
    const m = shownMetrics(
      site('a', {
        state: 'down',
        metrics: { mos: 4.2, loss_pct: 100, jitter_ms: 3, rtt_ms: 20, ups_on_battery: 0 },
      }),
    );
    expect(m.mos).toBeUndefined();
    expect(m.jitter_ms).toBeUndefined();
    expect(m.rtt_ms).toBeUndefined();
    expect(m.loss_pct).toBe(100);
    expect(m.ups_on_battery).toBe(0);
    expect(shownMetrics(site('b', { state: 'degraded' })).mos).toBe(4.3);
  });
});

describe('the episode of a site and who is on it', () => {
  it('the server-named episode, else the most severe open one listing the site', () => {
    const eps = [
      episode('e1', { severity: 'minor' }),
      episode('e2', { severity: 'critical' }),
      episode('e3', { sites: ['b'] }),
    ];
    expect(episodeOf(site('a', { state: 'degraded', episode: 'e1' }), eps)?.id).toBe('e1');
    expect(episodeOf(site('a', { state: 'degraded' }), eps)?.id).toBe('e2');
    expect(episodeOf(site('a', { state: 'ok', episode: 'e1' }), eps)).toBeUndefined();
  });
  it('acknowledged by whom, when, with the comment; silenced or in maintenance until when', () => {
    const none = { silences: [], maintenance: [] };
    expect(handlingOf(episode('e'), none, 0)).toEqual({ kind: 'none' });
    expect(
      handlingOf(
        episode('e', { acknowledged_by: 'noc', acknowledged_at: 5, ack_comment: 'VNPT đang xử lý' }),
        none,
        0,
      ),
    ).toEqual({
      kind: 'acknowledged',
      by: 'noc',
      at: 5,
      comment: 'VNPT đang xử lý',
    });
    const holds = {
      silences: [
        {
          id: 's1',
          matchers: { site: 'a' },
          starts_at: 0,
          ends_at: 99,
          comment: 'đã biết',
          created_by: 'noc',
        },
      ],
      maintenance: [],
    };
    expect(handlingOf(episode('e', { suppressed_by: 'silence:s1', acknowledged_by: 'x' }), holds, 0)).toEqual(
      {
        kind: 'silence',
        id: 's1',
        until: 99,
        by: 'noc',
        comment: 'đã biết',
      },
    );
  });
  it('a maintenance window ends at its start plus its duration, local time', () => {
    // Saturday 5 Dec 2026 08:30 in Bắc Kạn = 01:30 UTC; window Saturdays 07:00 for 3 h → 10:00 local
    const now = Date.UTC(2026, 11, 5, 1, 30);
    expect(maintenanceUntil({ weekdays: [6], start: '07:00', duration_min: 180 }, now)).toBe(
      Date.UTC(2026, 11, 5, 3, 0),
    );
    expect(maintenanceUntil({ weekdays: [1], start: '07:00', duration_min: 180 }, now)).toBeNull();
    // overnight: 23:00 for 2 h, now 00:30 local
    expect(
      maintenanceUntil({ weekdays: [], start: '23:00', duration_min: 120 }, Date.UTC(2026, 11, 4, 17, 30)),
    ).toBe(Date.UTC(2026, 11, 4, 18, 0));
  });
});

describe('times are Bắc Kạn time whatever the machine zone', () => {
  it('an 08:00 meeting is 08:00 (not 01:00 on a UTC machine)', () => {
    const t = Date.UTC(2026, 2, 10, 1, 0, 5);
    expect(fmtClock(t)).toBe('08:00:05');
    expect(fmtStamp(t)).toBe('08:00:05 10/03/2026');
    expect(fmtMinuteTz(t)).toBe('08:00 10/03/2026');
    // 23:30 UTC is the next day in Bắc Kạn
    expect(fmtMinuteTz(Date.UTC(2026, 2, 10, 23, 30))).toBe('06:30 11/03/2026');
    expect(fmtClock(null)).toBe('—');
  });
  it('relative times beside absolute ones', () => {
    expect(fmtAgo(0, 12 * 60_000, 'vi')).toBe('12 phút trước');
    expect(fmtAgo(0, 12 * 60_000, 'en')).toBe('12 min ago');
    expect(fmtAgo(0, 65 * 60_000, 'vi')).toBe('1 giờ 5 phút trước');
  });
});

describe('a live snapshot keeps the resolved tab', () => {
  it('resolved alerts and episodes the page merged stay; open ones follow the snapshot', () => {
    const alert = (id: string, state: Alert['state']) => ({ id, state }) as Alert;
    const known = {
      alerts: new Map([
        ['r', alert('r', 'resolved')],
        ['gone', alert('gone', 'firing')],
      ]),
      episodes: new Map([
        ['er', episode('er', { state: 'resolved', resolved_at: 9 })],
        ['eo', episode('eo')],
      ]),
    };
    // the snapshot was made just before `er2` resolved; the page already fetched it resolved
    known.episodes.set('er2', episode('er2', { state: 'resolved' }));
    const out = mergeSnapshot(known, {
      alerts: [alert('n', 'firing')],
      episodes: [episode('en'), episode('er2')],
    });
    expect([...out.alerts.keys()].sort()).toEqual(['n', 'r']);
    expect([...out.episodes.keys()].sort()).toEqual(['en', 'er', 'er2']);
    expect(out.episodes.get('er2')?.state).toBe('resolved');
  });
});

describe('the map filter "this meeting"', () => {
  it('lists the meetings going on now, not cancelled', () => {
    const m = (id: string, start: number, end: number, cancelled_at: number | null = null) => ({
      id,
      start,
      end,
      cancelled_at,
    });
    expect(
      liveMeetings([m('a', 0, 10), m('b', 5, 20), m('c', 11, 20), m('d', 0, 10, 3)], 6).map((x) => x.id),
    ).toEqual(['a', 'b']);
  });
});
