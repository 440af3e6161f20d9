// Issue 16 through the HTTP routes as the API server mounts them (real accounts and tokens, state DB,
// alert engine): moving a meeting later inside the 3 days, a meeting inside a planned maintenance
// window, and a restricted meeting's title kept from viewers, technicians and other host offices.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callRoutes } from '../api/routes/calls.ts';
import { meetingRoutes } from '../api/routes/meetings.ts';
import {
  type Json,
  meetingRequest as meeting,
  STAFF,
  type TestApi,
  testApi,
  worldDeps,
} from '../test/helpers/meetings-api.ts';
import { type World, world } from '../test/helpers/world.ts';
import { parseLocalTime } from './time.ts';

const T0 = parseLocalTime('2026-03-02T08:00')!;
const HOUR = 3600_000;
let w: World;
let call: TestApi['call'];

beforeEach(async () => {
  w = await world(T0);
  const d = worldDeps(w);
  ({ call } = await testApi(
    w.rt,
    [meetingRoutes(d, { readiness: w.readiness, now: w.clock.now }), callRoutes(d, { now: w.clock.now })],
    STAFF,
  ));
});
afterEach(() => w.stop());

describe('rescheduling (issue 16)', () => {
  it('PATCH moving a meeting later inside the 3 days is accepted; moving it earlier is refused with the regulation', async () => {
    const r = await call('u-host', 'POST', '/meetings', meeting());
    expect(r.status).toBe(201);
    const id = r.json.meeting.id;
    w.clock.t = parseLocalTime('2026-03-09T08:00')!; // one day before
    const later = await call('u-host', 'PATCH', `/meetings/${id}`, {
      start: '2026-03-10T14:00',
      end: '2026-03-10T16:00',
    });
    expect(later.status).toBe(200);
    expect(later.json.meeting.start).toBe(parseLocalTime('2026-03-10T14:00'));
    const earlier = await call('u-host', 'PATCH', `/meetings/${id}`, {
      start: '2026-03-10T09:00',
      end: '2026-03-10T11:00',
    });
    expect(earlier.status).toBe(400);
    expect(earlier.json.error.issues[0].path).toBe('body.start');
    expect(earlier.json.error.issues[0].message).toContain('Điều 6');
    expect((await call('u-noc', 'GET', `/meetings/${id}`)).json.meeting.start).toBe(
      parseLocalTime('2026-03-10T14:00'),
    );
  });
});

describe('maintenance windows (Điều 13.3)', () => {
  it('a meeting inside a planned maintenance window of one of its sites is accepted with the window named; one outside is not warned', async () => {
    w.alerts.addMaintenance(
      {
        id: 'bao-tri-ba-be',
        scope: { district: 'ba-be' },
        weekdays: [2], // Tuesdays
        start: '07:00',
        duration: 2 * HOUR,
        comment: 'Bảo dưỡng UPS huyện Ba Bể',
      },
      'u-noc',
    );
    const r = await call('u-host', 'POST', '/meetings', meeting()); // Tuesday 10/03 08:00–10:00
    expect(r.status).toBe(201);
    expect(r.json.maintenance).toEqual([
      {
        window: 'bao-tri-ba-be',
        sites: ['huyen-ba-be'],
        from: parseLocalTime('2026-03-10T07:00'),
        to: parseLocalTime('2026-03-10T09:00'),
        reason: 'Bảo dưỡng UPS huyện Ba Bể',
      },
    ]);
    expect(r.json.warnings).toContain(
      'Trùng lịch bảo trì "bao-tri-ba-be" (Bảo dưỡng UPS huyện Ba Bể) từ 07:00 ngày 10/03/2026 đến 09:00 ngày 10/03/2026 tại Hội trường UBND huyện Ba Bể' +
        ' / Inside planned maintenance "bao-tri-ba-be" (Bảo dưỡng UPS huyện Ba Bể), 07:00 ngày 10/03/2026 to 09:00 ngày 10/03/2026, 1 site(s)',
    );
    // Wednesday: outside the window; a change back into it is warned again
    const wed = await call(
      'u-host',
      'POST',
      '/meetings',
      meeting({ start: '2026-03-11T08:00', end: '2026-03-11T10:00' }),
    );
    expect(wed.json.maintenance).toEqual([]);
    expect(wed.json.warnings.filter((x: string) => x.includes('bảo trì'))).toEqual([]);
    const moved = await call('u-host', 'PATCH', `/meetings/${wed.json.meeting.id}`, {
      start: '2026-03-17T06:00',
      end: '2026-03-17T07:30',
    });
    expect(moved.status).toBe(200);
    expect(moved.json.maintenance[0].from).toBe(parseLocalTime('2026-03-17T07:00'));
  });
});

describe('restricted meetings (Điều 14.1.g)', () => {
  it('viewers, technicians and other host offices read "Cuộc họp (hạn chế)" with its sites and times; admin, noc and the host office read its title', async () => {
    const r = await call(
      'u-host',
      'POST',
      '/meetings',
      meeting({ title: 'Họp về công tác cán bộ', note: 'Tài liệu mật', restricted: true }),
    );
    expect(r.status).toBe(201);
    expect(r.json.meeting.title).toBe('Họp về công tác cán bộ'); // the host office itself
    const id = r.json.meeting.id;
    for (const u of ['u-viewer', 'u-tech']) {
      const list = await call(u, 'GET', '/meetings');
      const m = list.json.items.find((x: Json) => x.id === id);
      expect(m.title, u).toBe('Cuộc họp (hạn chế)');
      expect(m.note, u).toBeNull();
      expect(m.redacted, u).toBe(true);
      expect(m.sites, u).toEqual(['huyen-ba-be', 'ubnd-tinh', 'xa-bang-thanh']);
      expect(m.start, u).toBe(parseLocalTime('2026-03-10T08:00'));
      const one = await call(u, 'GET', `/meetings/${id}`);
      expect(JSON.stringify(one.json), u).not.toContain('công tác cán bộ');
      expect(JSON.stringify(one.json), u).not.toContain('Tài liệu mật');
    }
    for (const u of ['u-admin', 'u-noc', 'u-host']) {
      const one = await call(u, 'GET', `/meetings/${id}`);
      expect(one.json.meeting.title, u).toBe('Họp về công tác cán bộ');
      expect(one.json.meeting.redacted, u).toBe(false);
    }
    // another host office registering at the same time sees the clash, not the title (issue 16: the
    // shared sites refuse it, naming the other meeting as "Cuộc họp (hạn chế)")
    const other = await call(
      'u-host2',
      'POST',
      '/meetings',
      meeting({ host_org: 'vp-tinh-uy', title: 'Giao ban Tỉnh ủy' }),
    );
    expect(other.status).toBe(409);
    expect(other.json.error.message).toContain(`"Cuộc họp (hạn chế)" (${id}`);
    expect(JSON.stringify(other.json)).not.toContain('công tác cán bộ');
    const elsewhere = await call(
      'u-host2',
      'POST',
      '/meetings',
      meeting({ host_org: 'vp-tinh-uy', title: 'Giao ban Tỉnh ủy', sites: ['tinh-uy'] }),
    );
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.json.overlaps[0].title).toBe('Cuộc họp (hạn chế)');
    expect(JSON.stringify(elsewhere.json)).not.toContain('công tác cán bộ');
    // the alert engine's view (its pages reach carriers and technicians) carries no title either
    const ref = w.meetings
      .forSite('xa-bang-thanh', parseLocalTime('2026-03-10T08:30')!, 0)
      .find((x) => x.id === id);
    expect(ref!.title).toBe('Cuộc họp (hạn chế)');
    // lifting the restriction shows the title again
    await call('u-host', 'PATCH', `/meetings/${id}`, { restricted: false });
    expect((await call('u-viewer', 'GET', `/meetings/${id}`)).json.meeting.title).toBe(
      'Họp về công tác cán bộ',
    );
  });

  it("the calls API keeps a restricted meeting's title and note from a viewer", async () => {
    const start = parseLocalTime('2026-03-10T08:00')!;
    const r = await call(
      'u-noc',
      'POST',
      '/meetings',
      meeting({ title: 'Họp về công tác cán bộ', restricted: true, sites: ['xa-bang-thanh'] }),
    );
    const id = r.json.meeting.id;
    // the MCU carries the meeting's call: xa-bang-thanh's port connected
    w.clock.t = start - 60_000;
    w.drive(300, (t) => [w.fleet.mcuPort('xa-bang-thanh', t, 1)]);
    const calls = (await call('u-noc', 'GET', '/calls')).json.items.filter((x: Json) => x.meeting_id === id);
    expect(calls).toHaveLength(1);
    const viewer = (await call('u-viewer', 'GET', `/calls/${calls[0].id}`)).json;
    expect(viewer.title).toBe('Cuộc họp (hạn chế)');
    expect(viewer.note).toBeNull();
    expect((await call('u-viewer', 'GET', '/calls')).json.items[0].title).toBe('Cuộc họp (hạn chế)');
    expect((await call('u-noc', 'GET', `/calls/${calls[0].id}`)).json.title).toBeNull(); // the NOC reads the meeting's
  });
});
