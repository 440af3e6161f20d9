import { describe, expect, it } from 'vitest';
import type { Meeting } from '../../../meetings/store.ts';
import {
  documentUrl,
  flaggedLegs,
  fmtHcmDate,
  fmtHcmTime,
  fmtShare,
  hasSession,
  liveFirst,
  type MeetingReport,
  type ObservedCall,
  type ObservedLeg,
  overlappingMeetings,
  readinessPassRate,
  worstFirst,
} from './calls.ts';

const T0 = Date.UTC(2026, 2, 10, 1, 0); // 08:00 on 10/03/2026 in Bắc Kạn
const MIN = 60_000;

function leg(site: string, over: Partial<ObservedLeg> = {}): ObservedLeg {
  return {
    id: Math.floor(Math.random() * 1e9),
    call_id: 'c',
    site,
    joined_at: T0,
    left_at: null,
    left_reason: null,
    source: 'mcu_port',
    record_id: null,
    left_cause: null,
    left_cause_vendor: null,
    unregistered_site: false,
    ...over,
  };
}

function call(id: string, over: Partial<ObservedCall> = {}): ObservedCall {
  return {
    id,
    kind: 'unregistered',
    meeting_id: null,
    started_at: T0,
    ended_at: T0 + 60 * MIN,
    host_org: null,
    title: null,
    classified_by: null,
    classified_at: null,
    note: null,
    legs: [],
    ...over,
  };
}

function meeting(id: string, start: number, end: number, cancelled = false): Meeting {
  return { id, start, end, cancelled_at: cancelled ? start - MIN : null, title: id } as unknown as Meeting;
}

describe('observed calls on the dashboard', () => {
  it('lists live calls first (oldest first), then ended ones newest first', () => {
    const order = liveFirst([
      call('old', { started_at: T0 - 5 * 60 * MIN }),
      call('live-late', { started_at: T0 + 10 * MIN, ended_at: null }),
      call('new', { started_at: T0 }),
      call('live-early', { started_at: T0 - 10 * MIN, ended_at: null }),
    ]).map((c) => c.id);
    expect(order).toEqual(['live-early', 'live-late', 'new', 'old']);
  });

  it('offers the registered meetings overlapping a call (30 min either side), not the cancelled ones', () => {
    const c = call('c', { started_at: T0, ended_at: T0 + 60 * MIN });
    const ms = [
      meeting('far', T0 + 3 * 60 * MIN, T0 + 4 * 60 * MIN),
      meeting('after-slack', T0 + 80 * MIN, T0 + 120 * MIN),
      meeting('exact', T0, T0 + 60 * MIN),
      meeting('cancelled', T0, T0 + 60 * MIN, true),
      meeting('ended-before', T0 - 90 * MIN, T0 - 20 * MIN),
    ];
    expect(overlappingMeetings(c, ms, T0 + 2 * 60 * MIN).map((m) => m.id)).toEqual([
      'exact',
      'after-slack',
      'ended-before',
    ]);
    // a live call runs up to now
    const l = call('l', { started_at: T0, ended_at: null });
    expect(overlappingMeetings(l, ms, T0 + 5 * 60 * MIN).map((m) => m.id)).toContain('far');
  });

  it('flags the legs of sites outside their registration (Điều 8.2.c), newest first', () => {
    const calls = [
      call('a', {
        kind: 'registered',
        meeting_id: 'm1',
        legs: [leg('x'), leg('y', { unregistered_site: true, joined_at: T0 + MIN })],
      }),
      call('b', { kind: 'registered', meeting_id: 'm2', legs: [leg('z', { unregistered_site: true })] }),
    ];
    expect(flaggedLegs(calls).map((f) => [f.call.meeting_id, f.leg.site])).toEqual([
      ['m1', 'y'],
      ['m2', 'z'],
    ]);
  });

  it('formats in Bắc Kạn time and Vietnamese numbers', () => {
    expect(fmtHcmTime(T0 + 5 * MIN)).toBe('08:05');
    expect(fmtHcmDate(T0)).toBe('10/03/2026');
    expect(fmtHcmTime(null)).toBe('—');
    expect(fmtShare(0.98765, 'vi', 1)).toBe('98,8\u00a0%');
    expect(fmtShare(0.98765, 'en', 1)).toBe('98.8\u00a0%');
    expect(fmtShare(null, 'vi')).toBe('—');
  });

  it('computes the readiness pass rate over the required slots only', () => {
    const slot = (s: 'T-12h' | 'T-1h' | 'manual', ready: number, checks: number) => ({
      slot: s,
      ready_checks: ready,
      site_checks: checks,
    });
    const c = { readiness: { slots: [slot('T-12h', 8, 10), slot('T-1h', 9, 10), slot('manual', 0, 50)] } };
    expect(readinessPassRate(c as never)).toEqual({ ready: 17, checks: 20, share: 0.85 });
    expect(readinessPassRate({ readiness: { slots: [] } } as never).share).toBeNull();
  });

  it('has a session once started, unless cancelled; builds document links', () => {
    expect(hasSession({ start: T0, cancelled_at: null }, T0)).toBe(true);
    expect(hasSession({ start: T0, cancelled_at: null }, T0 - 1)).toBe(false);
    expect(hasSession({ start: T0, cancelled_at: T0 - 1 }, T0 + 1)).toBe(false);
    expect(documentUrl('/api/v1', '/reports/six-month?from=2026-01-01', 'docx', 'vi')).toBe(
      '/api/v1/reports/six-month?from=2026-01-01&format=docx&lang=vi',
    );
    expect(documentUrl('/api/v1', '/reports/meetings/m1', 'pdf', 'en')).toBe(
      '/api/v1/reports/meetings/m1?format=pdf&lang=en',
    );
  });
});

describe('worstFirst', () => {
  const site = (
    name: string,
    over: Partial<MeetingReport['sites'][number]> = {},
  ): MeetingReport['sites'][number] => ({
    site: name,
    name,
    tier: 'commune',
    district: 'd',
    registered: true,
    attendance: 'present',
    joined_at: T0,
    left_at: null,
    minutes: { total: 10, connected: 10, disconnected: 0, no_data: 0 },
    connected: 1,
    drops: [],
    legs: [],
    loss_pct: { mean: 0, p95: 0, worst: 0, minutes: 10 },
    jitter_ms: null,
    rtt_ms: null,
    mos: { mean: 4.4, p95: 4.4, worst: 4.4, minutes: 10 },
    quality_source: 'rtp',
    lossy_minutes: 0,
    episodes: [],
    incidents: 0,
    ...over,
  });
  it('puts the absent, the dropped out, the silent, the dropping and the lossy before the clean', () => {
    const drop = {
      at: T0,
      back_at: T0 + MIN,
      cause: {
        kind: 'hung_up' as const,
        mcu_cause: null,
        mcu_cause_vendor: null,
        episode_id: null,
        cause: null,
        owner_org: null,
        owner_name: null,
        vi: '',
        en: '',
      },
    };
    const list = [
      site('a-clean'),
      site('b-lossy', { loss_pct: { mean: 3, p95: 3, worst: 3, minutes: 10 } }),
      site('c-drops', { drops: [drop] }),
      site('d-unknown', { attendance: 'unknown', joined_at: null }),
      site('e-out', { left_at: T0 + 5 * MIN }),
      site('f-absent', { attendance: 'absent', joined_at: null }),
      site('g-low-mos', { mos: { mean: 3.1, p95: 3.1, worst: 3.1, minutes: 10 } }),
    ];
    expect(worstFirst(list, true).map((s) => s.site)).toEqual([
      'f-absent',
      'e-out',
      'd-unknown',
      'c-drops',
      'b-lossy',
      'g-low-mos',
      'a-clean',
    ]);
    // after the meeting, having left is not a problem
    expect(
      worstFirst(list, false)
        .map((s) => s.site)
        .indexOf('e-out'),
    ).toBe(6);
  });
});
