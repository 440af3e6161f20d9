// After a meeting ends, its report is made once and sent to the host office and the NOC.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outbox } from '../alerts/outbox.ts';
import { parseLocalTime } from '../meetings/time.ts';
import { queueOnlyOutbox, type World, world } from '../test/helpers/world.ts';
import { AfterMeeting, type AfterMeetingOptions } from './after-meeting.ts';

let w: World;
let outbox: Outbox;
beforeEach(async () => {
  w = await world(parseLocalTime('2026-03-02T08:00')!);
  outbox = queueOnlyOutbox(w.rt);
});
afterEach(async () => {
  await outbox.stop();
  await w.stop();
});

const reporter = (o: Partial<AfterMeetingOptions> = {}) =>
  new AfterMeeting(w.rt.state, { ...w.reportDeps(), readiness: null }, { outbox, ...o });

const queued = () =>
  w.rt.state.prepare('SELECT person, subject, body, idempotency_key FROM outbox ORDER BY person').all() as {
    person: string;
    subject: string;
    body: string;
    idempotency_key: string;
  }[];

describe('the post-meeting report', () => {
  it('is sent once, after the meeting has ended and settled, to the host office and the NOC', async () => {
    const start = parseLocalTime('2026-03-10T08:00')!;
    const end = start + 30 * 60_000;
    const m = w.meetings.register(
      { title: 'Giao ban tháng 3', host_org: 'vp-tinh-uy', start, end, sites: ['tinh-uy', 'xa-bang-thanh'] },
      'u-host',
    ).meeting;
    const after = reporter({ settleMs: 5 * 60_000, publicUrl: 'https://noc.example.gov.vn' });
    w.clock.t = start;
    // Tỉnh ủy is in the call; Bằng Thành's codec never joins (its MCU port stays down)
    w.drive(30 * 60, (t) => [
      ...w.fleet.healthy('tinh-uy', t),
      ...w.fleet.healthy('xa-bang-thanh', t, { codec: { in_call: 0 }, mcu: 0 }),
    ]);
    await w.store.flush();
    expect(await after.tick()).toEqual([]); // not settled yet
    w.clock.t = end + 6 * 60_000;
    const [report] = await after.tick();
    expect(report?.summary).toMatchObject({ sites: 2, present: 1, absent: 1 });

    const rows = queued();
    expect(rows.map((r) => r.person)).toEqual(['noc-truc-ban-1', 'noc-truc-ban-2', 'vp-tinh-uy-chuyen-vien']);
    expect(rows[0]!.subject).toBe(
      '[diemcau] Báo cáo sau cuộc họp: 1/2 điểm cầu tham dự — 1 điểm cầu không kết nối — Giao ban tháng 3',
    );
    expect(rows[0]!.body).toContain('Điểm cầu không kết nối:\n- Hội trường UBND xã Bằng Thành');
    expect(rows[0]!.body).not.toContain('Không có sự cố');
    expect(rows[0]!.body).toContain(`https://noc.example.gov.vn/api/v1/reports/meetings/${m.id}?format=html`);
    expect(rows[0]!.idempotency_key).toBe(`report/${m.id}/email/noc-truc-ban-1`);

    // once only, also for a new instance (a restarted process)
    expect(await after.tick()).toEqual([]);
    const again = reporter();
    expect(await again.tick()).toEqual([]);
    expect(queued()).toHaveLength(3);
  });

  it('skips cancelled meetings', async () => {
    const start = parseLocalTime('2026-03-10T08:00')!;
    const m = w.meetings.register(
      { title: 'Họp bị hủy', host_org: 'vp-tinh-uy', start, end: start + 3600_000, sites: ['tinh-uy'] },
      'u-host',
    ).meeting;
    w.meetings.cancel(m.id, 'u-host', 'đổi lịch');
    w.clock.t = start + 2 * 3600_000;
    const after = reporter();
    expect(after.due()).toEqual([]);
  });
});
