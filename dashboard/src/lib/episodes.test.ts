import { describe, expect, it } from 'vitest';
import type { Alert, Episode } from '../../../api/contract.ts';
import {
  cardsFor,
  firingCount,
  fmtAgo,
  fmtHcm,
  rootAlert,
  silenceSites,
  suppressedKind,
} from './episodes.ts';

const T0 = Date.UTC(2026, 11, 6, 15, 41); // 22:41 in Bắc Kạn

function alert(id: string, over: Partial<Alert> = {}): Alert {
  return {
    id,
    rule: 'ups-on-battery',
    severity: 'major',
    state: 'firing',
    cause: 'power',
    site: 'xa-a',
    sites: [],
    district: 'd',
    title: 'UPS chạy pin',
    reasoning: '',
    evidence: {},
    owner_org: 'dien-luc',
    started_at: T0,
    resolved_at: null,
    acknowledged_by: null,
    ack_comment: null,
    suppressed_by: null,
    meeting: null,
    ...over,
  };
}

function episode(id: string, over: Partial<Episode> = {}): Episode {
  return {
    id,
    rule: 'ups-on-battery',
    state: 'firing',
    severity: 'major',
    cause: 'power',
    owner_org: 'dien-luc',
    owner_person: null,
    title: 'Mất điện',
    title_en: 'Power cut',
    reasoning: '',
    reasoning_en: '',
    sites: ['xa-a'],
    district: 'd',
    started_at: T0,
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
    ...over,
  };
}

const member = (a: string, role: 'root' | 'child' = 'child') => ({
  alert: a,
  rule: 'r',
  site: 'xa-a',
  role,
  active: true,
  since: T0,
  cleared_at: null,
});

describe('cards of the alerts page', () => {
  it('puts member alerts inside their episode and alerts of no episode on cards of their own', () => {
    const eps = [episode('e1', { members: [member('a1', 'root')] })];
    const alerts = [alert('a1', { episode: 'e1' }), alert('a2', { episode: 'e1' }), alert('a3')];
    const cards = cardsFor('open', eps, alerts);
    expect(cards.map((c) => (c.kind === 'episode' ? c.episode.id : c.alert.id))).toEqual(['e1', 'a3']);
    const first = cards[0]!;
    expect(first.kind === 'episode' && first.alerts.map((a) => a.id)).toEqual(['a1', 'a2']);
  });

  it('shows an alert whose episode is not known yet on its own rather than not at all', () => {
    const cards = cardsFor('open', [episode('e1')], [alert('a9', { episode: 'e-later' })]);
    expect(cards.map((c) => c.kind)).toEqual(['episode', 'alert']);
  });

  it('orders open cards firing first, then the most severe, then the newest; resolved by end', () => {
    const eps = [
      episode('acked', { state: 'acknowledged', severity: 'critical' }),
      episode('old-major', { started_at: T0 - 60_000 }),
      episode('new-major', { started_at: T0 }),
      episode('crit', { severity: 'critical', started_at: T0 - 120_000 }),
      episode('settling', { state: 'settling' }),
      episode('r1', { state: 'resolved', resolved_at: T0 + 10 }),
      episode('r2', { state: 'resolved', resolved_at: T0 + 20 }),
    ];
    const ids = (tab: 'open' | 'resolved') =>
      cardsFor(tab, eps, []).map((c) => (c.kind === 'episode' ? c.episode.id : c.alert.id));
    expect(ids('open')).toEqual(['crit', 'new-major', 'old-major', 'settling', 'acked']);
    expect(ids('resolved')).toEqual(['r2', 'r1']);
  });

  it('counts firing episodes and firing alerts no episode holds', () => {
    const eps = [episode('e1'), episode('e2', { state: 'acknowledged' })];
    const alerts = [alert('a1', { episode: 'e1' }), alert('a2'), alert('a3', { state: 'acknowledged' })];
    expect(firingCount(eps, alerts)).toBe(2);
  });
});

describe('times', () => {
  it("writes Bắc Kạn's time as dd/mm/yyyy HH:mm whatever the browser's zone", () => {
    expect(fmtHcm(T0)).toBe('06/12/2026 22:41');
    expect(fmtHcm(Date.UTC(2026, 11, 6, 17, 5))).toBe('07/12/2026 00:05');
    expect(fmtHcm(null)).toBe('—');
  });

  it('says how long ago, in Vietnamese and English', () => {
    expect(fmtAgo(T0, T0 + 20_000, 'vi')).toBe('vừa xong');
    expect(fmtAgo(T0, T0 + 12 * 60_000 + 5_000, 'vi')).toBe('12 phút trước');
    expect(fmtAgo(T0, T0 + 12 * 60_000, 'en')).toBe('12 min ago');
    expect(fmtAgo(T0, T0 + 65 * 60_000, 'vi')).toBe('1 giờ 5 phút trước');
    expect(fmtAgo(T0, T0 + 120 * 60_000, 'en')).toBe('2 h ago');
    expect(fmtAgo(T0, T0 + 3 * 86_400_000 + 3_600_000, 'vi')).toBe('3 ngày 1 giờ trước');
    expect(fmtAgo(T0, T0 - 5_000, 'vi')).toBe('vừa xong');
  });
});

describe('actions on a card', () => {
  it('silences all the sites for the NOC, a technician only theirs', () => {
    const e = episode('e', { sites: ['a', 'b', 'c'] });
    expect(silenceSites(e, { role: 'noc' })).toEqual(['a', 'b', 'c']);
    expect(silenceSites(e, { role: 'technician', sites: ['b', 'z'] })).toEqual(['b']);
  });

  it('drafts an incident from the root condition', () => {
    expect(rootAlert(episode('e', { members: [member('c1'), member('r1', 'root')] }))).toBe('r1');
    expect(rootAlert(episode('e', { members: [member('c1')] }))).toBe('c1');
    expect(rootAlert(episode('e'))).toBe(null);
  });

  it('tells a silence from a maintenance window', () => {
    expect(suppressedKind('silence:12')).toBe('silence');
    expect(suppressedKind('maintenance:tuesday-ups')).toBe('maintenance');
    expect(suppressedKind(null)).toBe(null);
  });
});
