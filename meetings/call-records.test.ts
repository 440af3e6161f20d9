// The MCU's own call records in the observed calls and the post-meeting report: a record gives a
// port-state leg its real times and cause, the same record again (also after a restart) changes
// nothing, pieces the port state split are one leg, a call the port state never saw is a leg of its
// own, and the report names each leave's cause in Vietnamese first. Real bus, state DB, metrics store.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReportsConfig } from '../config/config.ts';
import type { Sample } from '../core/bus.ts';
import { type CallRecord, callRecordEvent, callRecordOf } from '../core/call-records.ts';
import { cellText, tables } from '../reports/document.ts';
import { meetingDocument } from '../reports/documents.ts';
import { officeFrom } from '../reports/files.ts';
import { meetingReport } from '../reports/index.ts';
import { type World, world } from '../test/helpers/world.ts';
import { ObservedCalls } from './observed.ts';
import { parseLocalTime } from './time.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = parseLocalTime('2026-03-02T07:00')!;
let w: World;
beforeEach(async () => {
  w = await world(T0);
});
afterEach(() => w.stop());

const port = (site: string, t: number, up: number): Sample[] => [w.fleet.mcuPort(site, t, up)];

function register(sites: string[], start: number, end: number) {
  return w.meetings.register(
    {
      title: 'Giao ban',
      host_org: 'vp-ubnd-tinh',
      start,
      end,
      sites,
      emergency: true,
      emergency_reason: 'Phòng chống thiên tai',
    },
    'u-host',
  ).meeting;
}

function rec(site: string, id: string, joined: number | null, left: number, over: Partial<CallRecord> = {}) {
  const r: CallRecord = {
    mcu: w.rt.inventory.inventory.mcu.id,
    record_id: id,
    site,
    joined_at: joined,
    left_at: left,
    cause: 'network',
    vendor_cause: 'Media timeout',
    conference: 'Giao ban',
    ...over,
  };
  // through the bus event's shape, as the drivers publish it
  const back = callRecordOf(callRecordEvent(r));
  expect(back).toEqual(r);
  return back!;
}

describe('MCU call records in the observed calls', () => {
  it('give a port-state leg its times and cause, once; fold split pieces; add a call the port never saw', async () => {
    const start = parseLocalTime('2026-03-06T08:00')!;
    const m = register(['tinh-uy', 'huyen-ba-be', 'xa-bang-thanh', 'huyen-na-ri'], start, start + HOUR);
    w.clock.t = start - 5 * MIN;
    w.drive(65 * 60, (t) => {
      const into = t - start;
      return [
        ...port('tinh-uy', t, 1),
        // drops at 30:00 (the port state sees it then), back at 32:00
        ...port('huyen-ba-be', t, into >= 0 && !(into >= 30 * MIN && into < 32 * MIN) ? 1 : 0),
        // the port flaps at 20:00 while the MCU saw one participant from 0:00 to 40:00
        ...port(
          'huyen-na-ri',
          t,
          into >= 0 && into < 40 * MIN && !(into >= 20 * MIN && into < 20 * MIN + 20_000) ? 1 : 0,
        ),
        // never seen by the port state (its call was shorter than a poll)
        ...port('xa-bang-thanh', t, 0),
      ];
    });
    const bbBefore = w.calls.forMeeting(m.id)!.legs.filter((l) => l.site === 'huyen-ba-be');
    expect(bbBefore.map((l) => [l.joined_at - start, l.left_at === null ? null : l.left_at - start])).toEqual(
      [
        [0, 30 * MIN],
        [32 * MIN, null],
      ],
    );
    // the records: the MCU saw the join 4 s and the leave 6 s before the port state's polls did
    const drop = rec('huyen-ba-be', 'pexip:bb-1', start - 4_000, start + 30 * MIN - 6_000, {
      cause: 'operator',
      vendor_cause: 'Disconnected by an administrator',
    });
    w.calls.record(drop);
    w.calls.record(
      rec('huyen-na-ri', 'pexip:nr-1', start + 2_000, start + 40 * MIN - 3_000, {
        cause: 'hangup',
        vendor_cause: 'Remote disconnect',
      }),
    );
    w.calls.record(
      rec('xa-bang-thanh', 'pexip:bt-1', start + 50 * MIN, start + 50 * MIN + 7_000, {
        cause: 'rejected',
        vendor_cause: 'Call rejected',
      }),
    );
    // the same record again, and after a restart (a new recorder on the same database)
    w.calls.record(drop);
    new ObservedCalls(w.rt.state, w.rt.inventory, w.meetings, { intervalMs: 10_000 }).record(drop);

    const c = w.calls.forMeeting(m.id)!;
    const legs = (site: string) => c.legs.filter((l) => l.site === site);
    const bb = legs('huyen-ba-be');
    expect(bb).toHaveLength(2);
    expect([bb[0]!.joined_at - start, bb[0]!.left_at! - start]).toEqual([-4_000, 30 * MIN - 6_000]);
    expect([bb[0]!.record_id, bb[0]!.left_cause, bb[0]!.left_cause_vendor, bb[0]!.left_reason]).toEqual([
      'pexip:bb-1',
      'operator',
      'Disconnected by an administrator',
      'disconnected',
    ]);
    expect(bb[0]!.source).toBe('mcu_port');
    expect([bb[1]!.joined_at - start, bb[1]!.record_id]).toEqual([32 * MIN, null]);
    // the port's two pieces are the MCU's one participant
    const nr = legs('huyen-na-ri');
    expect(nr.map((l) => [l.joined_at - start, l.left_at! - start, l.left_cause])).toEqual([
      [2_000, 40 * MIN - 3_000, 'hangup'],
    ]);
    // a leg of its own, in the meeting's call
    const bt = legs('xa-bang-thanh');
    expect(bt.map((l) => [l.joined_at - start, l.left_at! - start, l.source, l.left_cause])).toEqual([
      [50 * MIN, 50 * MIN + 7_000, 'mcu_record', 'rejected'],
    ]);
    expect(
      w.rt.state.prepare("SELECT count(*) AS n FROM observed_legs WHERE record_id = 'pexip:bb-1'").get(),
    ).toEqual({ n: 1 });

    // the post-meeting report: each leave with its cause, Vietnamese first
    w.clock.t = start + 2 * HOUR;
    const r = await meetingReport(w.reportDeps(), m.id);
    const site = (id: string) => r.sites.find((s) => s.site === id)!;
    const bbr = site('huyen-ba-be');
    expect(bbr.drops).toHaveLength(1);
    const operator = 'MCU hoặc người điều hành ngắt kết nối (MCU ghi: “Disconnected by an administrator”)';
    expect(bbr.drops[0]!.cause).toMatchObject({
      kind: 'mcu',
      mcu_cause: 'operator',
      mcu_cause_vendor: 'Disconnected by an administrator',
      vi: operator,
      en: 'disconnected by the MCU or an operator (MCU: "Disconnected by an administrator")',
    });
    expect([bbr.drops[0]!.at - start, bbr.drops[0]!.back_at! - start]).toEqual([30 * MIN - 6_000, 32 * MIN]);
    expect(
      bbr.legs.map((l) => [
        l.joined_at - start,
        l.left_at === null ? null : l.left_at - start,
        l.cause,
        l.cause_vi,
      ]),
    ).toEqual([
      [-4_000, 30 * MIN - 6_000, 'operator', operator],
      [32 * MIN, null, null, null],
    ]);
    const nrr = site('huyen-na-ri');
    expect(nrr.drops.map((d) => [d.at - start, d.cause.kind, d.cause.vi])).toEqual([
      [40 * MIN - 3_000, 'hung_up', 'Điểm cầu tự kết thúc cuộc gọi (MCU ghi: “Remote disconnect”)'],
    ]);
    // the filed document: the joins and leaves with the MCU's causes, Vietnamese first
    const table = tables(meetingDocument(r, officeFrom(ReportsConfig.parse({})), 'vi')).find(
      (t) => t.id === 'vao-roi',
    )!;
    const rows = table.rows.map((row) => row.map((c) => cellText(c, 'vi')));
    expect(rows.find((row) => row[1] === w.rt.inventory.sites.get('huyen-ba-be')!.name)![4]).toBe(operator);
    expect(
      rows.some((row) => row[4] === 'Cuộc gọi bị từ chối hoặc không trả lời (MCU ghi: “Call rejected”)'),
    ).toBe(true);
    const btr = site('xa-bang-thanh');
    expect(btr.attendance).toBe('present');
    expect(btr.legs.map((l) => [l.source, l.cause_vi])).toEqual([
      ['mcu_record', 'Cuộc gọi bị từ chối hoặc không trả lời (MCU ghi: “Call rejected”)'],
    ]);
  });

  it('ignores a record of another device or of a site the inventory does not have', async () => {
    const start = parseLocalTime('2026-03-06T08:00')!;
    const m = register(['tinh-uy'], start, start + HOUR);
    const mcu = w.rt.inventory.inventory.mcu.id;
    w.calls.record({ ...rec('tinh-uy', 'x:1', start, start + MIN), mcu: 'some-codec' });
    w.calls.record({ ...rec('tinh-uy', 'x:2', start, start + MIN), site: 'no-such-site' });
    expect(w.calls.forMeeting(m.id)).toBeNull();
    w.calls.record(rec('tinh-uy', 'x:3', start, start + MIN, { mcu }));
    expect(w.calls.forMeeting(m.id)!.legs.map((l) => l.record_id)).toEqual(['x:3']);
  });

  it('a record read late (after a restart) joins no call that began after it ended', async () => {
    const start = parseLocalTime('2026-03-06T08:00')!;
    const m = register(['tinh-uy'], start, start + HOUR);
    w.clock.t = start;
    w.drive(5 * 60, (t) => port('tinh-uy', t, 1));
    // xa-boc-bo called the MCU at 03:00, with no meeting of its own; read now, while the meeting runs
    w.calls.record(rec('xa-boc-bo', 'x:old', start - 5 * HOUR, start - 5 * HOUR + 10 * MIN));
    expect(w.calls.forMeeting(m.id)!.legs.map((l) => l.site)).toEqual(['tinh-uy']);
    const old = w.calls.list({ kind: 'unregistered' });
    expect(
      old.map((c) => [c.started_at - start, c.ended_at! - start, c.legs.map((l) => l.record_id)]),
    ).toEqual([[-5 * HOUR, -5 * HOUR + 10 * MIN, ['x:old']]]);
  });
});
