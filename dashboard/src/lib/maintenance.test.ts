import { describe, expect, it } from 'vitest';
import { groupPlans, type Plan, planBody, recurrenceText } from './maintenance.ts';

const plan = (id: string, status: Plan['status'], starts_at: number, extra: Partial<Plan> = {}): Plan => ({
  id,
  kind: 'once',
  scope: { kind: 'site', value: 'xa-a' },
  starts_at,
  ends_at: starts_at + 3600_000,
  weekdays: [],
  start_local: null,
  duration_min: null,
  work: 'x',
  by_person: null,
  by_text: 'y',
  created_by: 'noc',
  created_at: 0,
  updated_at: 0,
  revision: 1,
  cancelled_at: null,
  cancelled_by: null,
  status,
  sites: ['xa-a'],
  windows: [],
  ...extra,
});

describe('maintenance tab', () => {
  it('reads the form as Bắc Kạn local time', () => {
    const base = {
      scopeKind: 'site' as const,
      scopeValue: 'xa-a',
      from: '2026-03-10T07:00',
      to: '2026-03-10T09:30',
      weekdays: [6, 1],
      startLocal: '07:00',
      durationMin: 90,
      since: '2026-03-02',
      until: '2026-06-30',
      work: ' Thay UPS ',
      byPerson: '',
      byText: 'Công ty A',
    };
    expect(planBody({ ...base, kind: 'once' })).toEqual({
      kind: 'once',
      scope: { kind: 'site', value: 'xa-a' },
      work: 'Thay UPS',
      by_text: 'Công ty A',
      starts_at: Date.UTC(2026, 2, 10, 0, 0),
      ends_at: Date.UTC(2026, 2, 10, 2, 30),
    });
    const r = planBody({ ...base, kind: 'recurring' });
    expect(r).toMatchObject({
      weekdays: [1, 6],
      start_local: '07:00',
      duration_min: 90,
      starts_at: Date.UTC(2026, 2, 1, 17, 0),
      ends_at: Date.UTC(2026, 5, 30, 17, 0),
    });
    expect(planBody({ ...base, kind: 'once', to: 'ngày mai' }).ends_at).toBe('ngày mai');
    expect(planBody({ ...base, kind: 'recurring', until: '' }).ends_at).toBeNull();
  });

  it('words a recurrence and groups plans', () => {
    expect(recurrenceText({ weekdays: [1, 7], start_local: '07:00', duration_min: 60 }, 'vi')).toBe(
      'T2, CN 07:00, 60 phút',
    );
    expect(recurrenceText({ weekdays: [], start_local: '22:00', duration_min: 30 }, 'en')).toBe(
      'every day 22:00, 30 min',
    );
    const g = groupPlans([
      plan('late', 'upcoming', 5000),
      plan('now', 'active', 1000),
      plan('soon', 'upcoming', 3000),
      plan('old', 'past', 100),
      plan('gone', 'cancelled', 200),
    ]);
    expect(g.active.map((p) => p.id)).toEqual(['now']);
    expect(g.upcoming.map((p) => p.id)).toEqual(['soon', 'late']);
    expect(g.past.map((p) => p.id)).toEqual(['gone', 'old']);
  });
});
