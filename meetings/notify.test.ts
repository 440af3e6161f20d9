// Readiness results reach the host office, the NOC and the technicians of sites not ready, through
// the real durable outbox (its worker not started: the rows are what is checked).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueOnlyOutbox, type World, world } from '../test/helpers/world.ts';
import { notifyReadiness } from './notify.ts';
import { Readiness } from './readiness.ts';
import { parseLocalTime } from './time.ts';

let w: World;
beforeEach(async () => {
  w = await world(parseLocalTime('2026-03-02T08:00')!);
});
afterEach(() => w.stop());

describe('readiness notifications', () => {
  it('queues one message per person: host office, NOC, and the technician of each site not ready', async () => {
    const outbox = queueOnlyOutbox(w.rt);
    const readiness = new Readiness(w.rt.state, w.rt.inventory, {
      meetings: w.meetings,
      store: w.store,
      alerts: w.alerts,
      now: w.clock.now,
      onRun: notifyReadiness(outbox, w.rt.inventory),
    });
    const start = parseLocalTime('2026-03-10T08:00')!;
    const m = w.meetings.register(
      {
        title: 'Giao ban tháng 3',
        host_org: 'vp-tinh-uy',
        start,
        end: start + 3600_000,
        sites: ['tinh-uy', 'xa-bang-thanh'],
      },
      'u-host',
    ).meeting;
    w.clock.t = start - 12 * 3600_000;
    w.drive(60, (t) => [
      ...w.fleet.healthy('tinh-uy', t, { ups: { ups_runtime_min: 120 } }),
      ...w.fleet.healthy('xa-bang-thanh', t, { ups: { ups_on_battery: 1, ups_runtime_min: 120 } }),
    ]);
    const [run] = await readiness.tick();
    expect(run!.ready).toBe(1);
    const rows = outbox.rows();
    const people = rows.map((r) => r.person).sort();
    expect(people).toEqual([
      'kt-xa-bang-thanh',
      'noc-truc-ban-1',
      'noc-truc-ban-2',
      'vp-tinh-uy-chuyen-vien',
    ]);
    expect(people).not.toContain('kt-tinh-uy');
    const row = rows[0]!;
    expect(row.subject).toBe(
      '[diemcau] Vận hành thử trước 1/2 ngày: 1/2 điểm cầu sẵn sàng — Giao ban tháng 3',
    );
    expect(row.body).toContain('Hội trường UBND xã Bằng Thành: UPS đang chạy pin — mất điện lưới');
    expect(row.body).toContain('08:00 ngày 10/03/2026');
    expect(row.idempotency_key).toBe(`readiness/${m.id}/${run!.id}/email/${row.person}`);
    await outbox.stop();
  });
});
