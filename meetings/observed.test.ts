// Meetings as they happened: the calls the MCU carried, from the real bus, state database and meetings.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '../core/bus.ts';
import { type World, world } from '../test/helpers/world.ts';
import { type CallEvent, ObservedCalls } from './observed.ts';
import { parseLocalTime } from './time.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = parseLocalTime('2026-03-02T07:00')!;
let w: World;
beforeEach(async () => {
  w = await world(T0);
});
afterEach(() => w.stop());

/** a site's MCU port and codec call state only (what the recorder reads) */
function call(site: string, t: number, port: number | null, codec: number | null = port): Sample[] {
  const out: Sample[] = [];
  if (port !== null) out.push(w.fleet.mcuPort(site, t, port));
  if (codec !== null) out.push(...w.fleet.device(site, 'codec', t, { in_call: codec }));
  return out;
}

function register(sites: string[], start: number, end: number) {
  const emergency = start - w.clock.t < 3 * 86_400_000;
  return w.meetings.register(
    {
      title: 'Giao ban',
      host_org: 'vp-ubnd-tinh',
      start,
      end,
      sites,
      ...(emergency && { emergency: true, emergency_reason: 'Phòng chống thiên tai' }),
    },
    'u-host',
  ).meeting;
}

describe('observed calls', () => {
  it('records each site’s legs in a registered meeting: late join, a drop, never joined, an uninvited site', async () => {
    const start = parseLocalTime('2026-03-06T08:00')!;
    const m = register(['tinh-uy', 'huyen-ba-be', 'xa-bang-thanh'], start, start + HOUR);
    const events: CallEvent[] = [];
    w.calls.onEvent((e) => events.push(e));
    w.clock.t = start - 5 * MIN;
    w.drive(
      65 * 60,
      (t) => {
        const into = t - start;
        return [
          ...call('tinh-uy', t, 1),
          // joins 10 minutes late; the MCU loses its port from 30:00 to 32:00 while the codec stays in call
          ...call(
            'huyen-ba-be',
            t,
            into >= 10 * MIN && !(into >= 30 * MIN && into < 32 * MIN) ? 1 : 0,
            into >= 10 * MIN ? 1 : 0,
          ),
          ...call('xa-bang-thanh', t, 0),
          // not registered for this meeting, dials in for 5 minutes
          ...call('xa-boc-bo', t, into >= 20 * MIN && into < 25 * MIN ? 1 : 0),
        ];
      },
      10,
    );
    const c = w.calls.forMeeting(m.id)!;
    expect(c.kind).toBe('registered');
    const legs = (site: string) => c.legs.filter((l) => l.site === site);
    expect(legs('tinh-uy')).toHaveLength(1);
    expect(legs('tinh-uy')[0]!.joined_at).toBe(start - 5 * MIN + 10_000);
    const bb = legs('huyen-ba-be');
    expect(
      bb.map((l) => [l.joined_at - start, l.left_at === null ? null : l.left_at - start, l.left_reason]),
    ).toEqual([
      [10 * MIN, 30 * MIN, 'disconnected'],
      [32 * MIN, null, null],
    ]);
    expect(bb[0]!.source).toBe('mcu_port');
    expect(legs('xa-bang-thanh')).toEqual([]);
    const boc = legs('xa-boc-bo');
    expect(boc).toHaveLength(1);
    expect(boc[0]!.unregistered_site).toBe(true);
    expect([boc[0]!.joined_at - start, boc[0]!.left_at! - start]).toEqual([20 * MIN, 25 * MIN]);
    expect(events.map((e) => [e.kind, e.site])).toEqual([['unregistered_site', 'xa-boc-bo']]);
    expect(c.ended_at).toBeNull();
    // nothing is heard any more after the meeting: the legs end where the sites were last seen, as "no data"
    w.drive(60, () => call('xa-bang-thanh', w.clock.t, 0));
    const after = w.calls.forMeeting(m.id)!;
    expect(after.legs.filter((l) => l.left_at === null)).toEqual([]);
    expect(after.legs.find((l) => l.site === 'tinh-uy')!.left_reason).toBe('no_data');
    expect(after.ended_at).toBe(start + 60 * MIN);
  });

  it('detects a call nobody registered, keeps it as one call while sites come and go, and lets the NOC classify it', async () => {
    const events: CallEvent[] = [];
    w.calls.onEvent((e) => events.push(e));
    const t0 = w.clock.t;
    w.drive(40 * 60, (t) => [
      ...call('huyen-na-ri', t, t - t0 < 30 * MIN ? 1 : 0),
      ...call('xa-boc-bo', t, t - t0 >= 5 * MIN && t - t0 < 20 * MIN ? 1 : 0),
    ]);
    const calls = w.calls.list({ from: t0 });
    expect(calls).toHaveLength(1);
    const c = calls[0]!;
    expect(c.kind).toBe('unregistered');
    expect(c.legs.map((l) => l.site).sort()).toEqual(['huyen-na-ri', 'xa-boc-bo']);
    expect(c.ended_at).toBe(t0 + 30 * MIN);
    expect(events.map((e) => e.kind)).toEqual(['call_started']);
    const marked = w.calls.classify(
      c.id,
      { kind: 'district_hosted', title: 'Họp UBND huyện Na Rì' },
      'u-noc',
      w.clock.t,
    );
    expect([marked.kind, marked.title, marked.classified_by]).toEqual([
      'district_hosted',
      'Họp UBND huyện Na Rì',
      'u-noc',
    ]);
    expect(() => w.calls.classify(c.id, { kind: 'central', host_org: 'nope' }, 'u-noc', w.clock.t)).toThrow(
      /nope/,
    );
    // a new connection long after the call ended is another call
    w.drive(60, (t) => call('huyen-na-ri', t, 1));
    expect(w.calls.list({ from: t0 })).toHaveLength(2);
  });

  it('an unregistered call attached to a registration becomes that meeting’s session', async () => {
    const start = w.clock.t + 3 * 86_400_000;
    const m = register(['tinh-uy', 'huyen-ba-be'], start, start + HOUR);
    w.drive(10 * 60, (t) => [...call('tinh-uy', t, 1), ...call('xa-boc-bo', t, 1)]);
    const c = w.calls.list({ kind: 'unregistered' })[0]!;
    const merged = w.calls.classify(c.id, { kind: 'registered', meeting_id: m.id }, 'u-noc', w.clock.t);
    expect(merged.meeting_id).toBe(m.id);
    expect(merged.legs.map((l) => [l.site, l.unregistered_site])).toEqual([
      ['tinh-uy', false],
      ['xa-boc-bo', true],
    ]);
    expect(w.calls.list({ kind: 'unregistered' })).toEqual([]);
    // the sites still connected stay in the merged call
    w.drive(60, (t) => [...call('tinh-uy', t, 0), ...call('xa-boc-bo', t, 1)]);
    const now = w.calls.get(merged.id)!;
    expect(now.legs.find((l) => l.site === 'tinh-uy')!.left_reason).toBe('disconnected');
    expect(now.ended_at).toBeNull();
  });

  it('a connection before a registered meeting is its test run; the codec speaks when the MCU is silent about a site', async () => {
    const start = w.clock.t + 2 * HOUR;
    const m = register(['tinh-uy'], start, start + HOUR);
    w.drive(5 * 60, (t) => call('tinh-uy', t, null, 1));
    const test = w.calls.list({ meeting: m.id });
    expect(test.map((c) => c.kind)).toEqual(['test']);
    expect(test[0]!.legs[0]!.source).toBe('codec');
    expect(w.calls.forMeeting(m.id)).toBeNull();
  });

  it('keeps open legs across a restart', async () => {
    const t0 = w.clock.t;
    w.drive(60, (t) => call('tinh-uy', t, 1));
    const again = new ObservedCalls(w.rt.state, w.rt.inventory, w.meetings, { intervalMs: 10_000 });
    again.observe(call('tinh-uy', w.clock.t + 10_000, 1));
    again.observe(call('tinh-uy', w.clock.t + 20_000, 0));
    const c = again.list({ from: t0 });
    expect(c).toHaveLength(1);
    expect(c[0]!.legs).toHaveLength(1);
    expect(c[0]!.legs[0]!.left_at).toBe(w.clock.t + 20_000);
  });
});
