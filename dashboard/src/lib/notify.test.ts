// Issue 15: a new critical episode rings once; snapshots (first load, reconnect) never ring.
import { describe, expect, it } from 'vitest';
import { type AlarmEpisode, NewCriticalWatch, notificationText } from './notify.ts';

const ep = (id: string, o: Partial<AlarmEpisode> = {}): AlarmEpisode => ({
  id,
  severity: 'critical',
  state: 'firing',
  ...o,
});

describe('NewCriticalWatch', () => {
  it('rings for a critical firing episode first seen on the stream, once', () => {
    const w = new NewCriticalWatch();
    w.snapshot([]);
    expect(w.event(ep('e1'))).toBe(true);
    // the same episode's later events (acknowledged, members added) do not ring again
    expect(w.event(ep('e1'))).toBe(false);
    expect(w.event(ep('e1', { state: 'acknowledged' }))).toBe(false);
    expect(w.event(ep('e2'))).toBe(true);
  });

  it('never rings for what a snapshot brought, first load or reconnect, even when it changes later', () => {
    const w = new NewCriticalWatch();
    w.snapshot([ep('old'), ep('major', { severity: 'major' })]);
    expect(w.event(ep('old'))).toBe(false);
    // raised to critical later: it was on the screen already
    expect(w.event(ep('major'))).toBe(false);
    // a reconnect's snapshot carries an episode that began while the stream was away: no ring
    w.snapshot([ep('old'), ep('during-outage')]);
    expect(w.event(ep('during-outage'))).toBe(false);
    expect(w.event(ep('after'))).toBe(true);
  });

  it('does not ring for major, minor, info, nor for a critical one held back, acknowledged or resolved', () => {
    const w = new NewCriticalWatch();
    for (const severity of ['major', 'minor', 'info'] as const)
      expect(w.event(ep(severity, { severity }))).toBe(false);
    for (const state of ['suppressed', 'acknowledged', 'settling', 'resolved'] as const)
      expect(w.event(ep(`s-${state}`, { state }))).toBe(false);
  });

  it('rings when an episode seen first on the stream as major becomes critical, or a held one starts firing', () => {
    const w = new NewCriticalWatch();
    expect(w.event(ep('m', { severity: 'major' }))).toBe(false);
    expect(w.event(ep('m'))).toBe(true);
    expect(w.event(ep('m'))).toBe(false);
    expect(w.event(ep('h', { state: 'suppressed' }))).toBe(false);
    expect(w.event(ep('h'))).toBe(true);
  });
});

describe('notificationText', () => {
  const words = {
    title: 'Sự cố nghiêm trọng',
    cause: 'Nguyên nhân',
    owner: 'Đơn vị xử lý',
    more: '(+{n} điểm cầu)',
  };
  it('names the site, the cause and the owner, one tag per episode', () => {
    const n = notificationText(
      { id: 'ep-1', sites: ['xa-bang-thanh'] },
      { site: 'Hội trường UBND xã Bằng Thành', cause: 'mất kết nối', owner: 'Viettel Bắc Kạn', more: 0 },
      words,
    );
    expect(n.title).toBe('Sự cố nghiêm trọng: Hội trường UBND xã Bằng Thành');
    expect(n.body).toBe('Nguyên nhân: mất kết nối\nĐơn vị xử lý: Viettel Bắc Kạn');
    expect(n.tag).toBe('diemcau-episode-ep-1');
  });
  it('counts the other sites of a wide episode, and says — for an unknown cause or owner', () => {
    const n = notificationText(
      { id: 'x', sites: ['a', 'b', 'c'] },
      { site: 'Huyện Pác Nặm', cause: null, owner: null, more: 2 },
      words,
    );
    expect(n.title).toBe('Sự cố nghiêm trọng: Huyện Pác Nặm (+2 điểm cầu)');
    expect(n.body).toBe('Nguyên nhân: —\nĐơn vị xử lý: —');
  });
});
