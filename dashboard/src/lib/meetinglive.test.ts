// The meeting view's live site list (issue 15): worst first from the live status, the figures' source,
// the MCU connection and since when, join/leave from the observed legs, and a down site without its
// stale figures.
import { describe, expect, it } from 'vitest';
import type { SiteStatus } from '../../../api/contract.ts';
import { liveRow, meetingLiveRows, worstFirstLive } from './meetinglive.ts';

const site = (id: string, o: Partial<SiteStatus> = {}): SiteStatus => ({
  id,
  name: `Xã ${id}`,
  gso: '0',
  tier: 'commune',
  district: 'ba-be',
  carrier: 'vnpt',
  lat: null,
  lon: null,
  state: 'ok',
  cause: null,
  since: 1_000,
  summary: '',
  metrics: { mos: 4.3, loss_pct: 0.2, jitter_ms: 3, rtt_ms: 20, mcu_port_up: 1 },
  sources: { mos: 'mcu', loss_pct: 'mcu', jitter_ms: 'mcu' },
  quality: {},
  active_ups_alarms: [],
  updated: 0,
  firing_alerts: 0,
  in_meeting: true,
  ...o,
});

describe('liveRow', () => {
  it('shows an ok site with its figures, their source and its MCU connection since its join', () => {
    const r = liveRow('a', site('a'), { site: 'a', joined_at: 5_000, left_at: null });
    expect(r).toMatchObject({
      name: 'Xã a',
      state: 'ok',
      mos: 4.3,
      loss_pct: 0.2,
      jitter_ms: 3,
      source: 'mcu',
      mcu: 'connected',
      mcu_since: 5_000,
      joined_at: 5_000,
      left_at: null,
    });
  });

  it('a down site: no MOS or jitter (stale), loss 100, no source, off the MCU since it went down', () => {
    const s = site('b', { state: 'down', since: 9_000, sources: { mos: 'path', loss_pct: 'path' } });
    const r = liveRow('b', s, { site: 'b', joined_at: 5_000, left_at: null });
    expect(r.mos).toBeUndefined();
    expect(r.jitter_ms).toBeUndefined();
    expect(r.loss_pct).toBe(100);
    expect(r.source).toBeNull();
    expect(r.mcu).toBe('not_connected');
    expect(r.mcu_since).toBe(9_000);
    expect(r.since).toBe(9_000);
  });

  it('a site that left the call: not connected since it left', () => {
    const s = site('c', { metrics: { mos: 4, mcu_port_up: 0 } });
    const r = liveRow('c', s, { site: 'c', joined_at: 5_000, left_at: 7_000 });
    expect(r.mcu).toBe('not_connected');
    expect(r.mcu_since).toBe(7_000);
  });

  it('a site the MCU says nothing about, and one with no status at all', () => {
    expect(liveRow('d', site('d', { metrics: { mos: 4 } }), undefined).mcu).toBe('unknown');
    const none = liveRow('e', undefined, undefined);
    expect(none).toMatchObject({ name: 'e', state: null, mcu: 'unknown', source: null });
  });

  it('names the codec or the path when the MCU did not measure', () => {
    expect(liveRow('f', site('f', { sources: { loss_pct: 'path' } }), undefined).source).toBe('path');
    expect(liveRow('g', site('g', { sources: { mos: 'codec', loss_pct: 'path' } }), undefined).source).toBe(
      'codec',
    );
  });
});

describe('worstFirstLive / meetingLiveRows', () => {
  it('puts a down site first, then degraded, then off the MCU, then the lower MOS; names break ties', () => {
    const statuses = new Map([
      ['ok-good', site('ok-good')],
      ['ok-poor', site('ok-poor', { metrics: { mos: 3.1, loss_pct: 2, mcu_port_up: 1 } })],
      ['ok-off-mcu', site('ok-off-mcu', { metrics: { mos: 4.4, mcu_port_up: 0 } })],
      ['degraded', site('degraded', { state: 'degraded' })],
      ['down', site('down', { state: 'down' })],
      ['ok-good-2', site('ok-good-2')],
    ]);
    const rows = meetingLiveRows([...statuses.keys()], (id) => statuses.get(id), []);
    expect(rows.map((r) => r.id)).toEqual([
      'down',
      'degraded',
      'ok-off-mcu',
      'ok-poor',
      'ok-good',
      'ok-good-2',
    ]);
  });

  it('moves a site to the top when its status turns down (derived again, not chosen once)', () => {
    const statuses = new Map([
      ['a', site('a')],
      ['b', site('b')],
    ]);
    const ids = ['a', 'b'];
    expect(meetingLiveRows(ids, (id) => statuses.get(id), [])[0]!.id).toBe('a');
    statuses.set('b', site('b', { state: 'down', since: 2_000 }));
    const rows = meetingLiveRows(ids, (id) => statuses.get(id), []);
    expect(rows[0]).toMatchObject({ id: 'b', mos: undefined, loss_pct: 100 });
  });

  it('takes each site’s newest leg for join and leave', () => {
    const rows = meetingLiveRows(['a'], () => site('a'), [
      { site: 'a', joined_at: 1_000, left_at: 2_000 },
      { site: 'a', joined_at: 3_000, left_at: null },
    ]);
    expect(rows[0]).toMatchObject({ joined_at: 3_000, left_at: null, mcu_since: 3_000 });
  });

  it('does not reorder its input', () => {
    const a = liveRow('a', site('a', { state: 'down' }), undefined);
    const b = liveRow('b', site('b'), undefined);
    const input = [b, a];
    expect(worstFirstLive(input).map((r) => r.id)).toEqual(['a', 'b']);
    expect(input.map((r) => r.id)).toEqual(['b', 'a']);
  });
});
