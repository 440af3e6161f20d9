import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../core/runtime.ts';
import { listMigrations, migrate } from '../storage/state-db.ts';
import { testRuntime } from '../test/helpers/alerts.ts';
import { MeetingsError } from './errors.ts';
import { ClashError, DbMeetings, NOTICE_MS } from './store.ts';
import { DAY, parseLocalTime } from './time.ts';

const NOW = Date.parse('2026-03-02T01:00:00Z'); // 08:00 in Bắc Kạn
let rt: Runtime;
let clock: number;
let meetings: DbMeetings;

beforeEach(() => {
  rt = testRuntime();
  clock = NOW;
  meetings = new DbMeetings(rt.state, rt.inventory, () => clock);
});
afterEach(() => rt.state.close());

const base = {
  title: 'Giao ban trực tuyến UBND tỉnh tháng 3',
  host_org: 'vp-ubnd-tinh',
  start: '2026-03-10T08:00',
  end: '2026-03-10T11:30',
};

function fails(input: unknown): MeetingsError {
  try {
    meetings.register(input, 'u-host');
  } catch (err) {
    if (err instanceof MeetingsError) return err;
    throw err;
  }
  throw new Error('registration was accepted');
}

describe('meeting registration (Điều 6)', () => {
  it('stores a meeting with sites resolved from tiers and districts, in local time', () => {
    const r = meetings.register(
      { ...base, tiers: ['province'], districts: ['ba-be'], sites: ['xa-bang-thanh'] },
      'u-host',
    );
    expect(r.overlaps).toEqual([]);
    const m = meetings.get(r.meeting.id)!;
    expect(m.start).toBe(Date.parse('2026-03-10T01:00:00Z'));
    expect(m.sites).toContain('tinh-uy');
    expect(m.sites).toContain('huyen-ba-be');
    expect(m.sites).toContain('xa-bang-thanh');
    const baBe = [...rt.inventory.sites.values()].filter((s) => s.district === 'ba-be').length;
    expect(m.sites.length).toBe(4 + baBe + 1);
    expect(m.registered_by).toBe('u-host');
    expect(m.selection.tiers).toEqual(['province']);
  });

  it('refuses a meeting registered less than 3 days ahead, with the regulation in Vietnamese', () => {
    const start = NOW + NOTICE_MS - 60_000;
    const err = fails({ ...base, start, end: start + 3600_000, tiers: ['district'] });
    expect(err.status).toBe(400);
    const issue = err.issues!.find((i) => i.path === 'body.start')!;
    expect(issue.message).toContain('Điều 6');
    expect(issue.message).toContain('trước ít nhất 03 ngày');
    expect(issue.message).toContain('đột xuất, khẩn cấp');
    // exactly three days ahead is fine
    const ok = meetings.register(
      { ...base, start: NOW + NOTICE_MS, end: NOW + NOTICE_MS + 3600_000, tiers: ['district'] },
      'x',
    );
    expect(ok.meeting.sites.length).toBe(8);
  });

  it('accepts an emergency meeting at short notice, only with a reason', () => {
    const start = NOW + 2 * 3600_000;
    const noReason = fails({ ...base, start, end: start + 3600_000, tiers: ['district'], emergency: true });
    expect(noReason.issues!.map((i) => i.path)).toEqual(['body.emergency_reason']);
    const r = meetings.register(
      {
        ...base,
        start,
        end: start + 3600_000,
        tiers: ['district'],
        emergency: true,
        emergency_reason: 'Ứng phó bão số 3',
      },
      'u-noc',
    );
    expect(r.meeting.emergency).toBe(true);
    expect(r.warnings.join(' ')).toContain('khẩn cấp');
  });

  it('refuses unknown sites, districts and organisations, naming each', () => {
    const err = fails({ ...base, host_org: 'viettel', sites: ['xa-khong-co'], districts: ['cho-don2'] });
    const paths = err.issues!.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.host_org', 'body.sites.0', 'body.districts.0']));
    expect(err.issues!.find((i) => i.path === 'body.sites.0')!.message).toContain('xa-khong-co');
    expect(fails({ ...base }).issues![0]!.path).toBe('body.sites');
    expect(fails({ ...base, tiers: ['province'], end: '2026-03-10T07:00' }).issues![0]!.path).toBe(
      'body.end',
    );
    expect(fails({ ...base, tiers: ['province'], start: 'mai' }).issues![0]!.message).toContain(
      '2026-03-10T08:00',
    );
    expect(fails({ ...base, tiers: ['province'], colour: 'red' }).issues![0]!.message).toContain('colour');
  });

  it('reports meetings at the same time on other sites; refuses one sharing a site or the room, naming it (issue 16)', () => {
    const a = meetings.register({ ...base, districts: ['ba-be'], room: 'Phòng họp số 2' }, 'a');
    const elsewhere = meetings.register(
      { ...base, title: 'Tập huấn', start: '2026-03-10T10:00', end: '2026-03-10T12:00', sites: ['tinh-uy'] },
      'b',
    );
    expect(elsewhere.overlaps.map((o) => [o.id, o.shared_sites])).toEqual([[a.meeting.id, []]]);
    expect(elsewhere.warnings[0]).toContain('Trùng thời gian');
    const shared = { ...base, title: 'Họp Ba Bể', start: '2026-03-10T10:00', sites: ['huyen-ba-be'] };
    let err: unknown;
    try {
      meetings.register(shared, 'c');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ClashError);
    expect((err as ClashError).status).toBe(409);
    expect((err as ClashError).message).toContain(`"${base.title}" (${a.meeting.id}`);
    expect((err as ClashError).clashes.map((c) => c.shared_sites)).toEqual([['huyen-ba-be']]);
    // the same room at the same main site clashes too; the same room name elsewhere does not
    const room = { ...base, title: 'Họp phòng 2', sites: ['ubnd-tinh'], main_site: 'ubnd-tinh' };
    const otherPlace = meetings.register({ ...room, room: 'Phòng họp số 2' }, 'd');
    expect(otherPlace.meeting.room).toBe('Phòng họp số 2');
    expect(() => meetings.register({ ...room, title: 'Họp khác', room: ' phòng họp  số 2 ' }, 'e')).toThrow(
      ClashError,
    );
    // under the 'pending' policy the clash is stored for the NOC, not announced, not seen by the alert engine
    meetings.configure({ clash: 'pending' });
    const told: string[] = [];
    meetings.onChange((c) => told.push(`${c.kind}:${c.meeting.id}`));
    const p = meetings.register(shared, 'c');
    expect(p.meeting.status).toBe('pending');
    expect(p.warnings.join(' ')).toContain('chờ');
    expect(told).toEqual([]);
    expect(meetings.forSite('huyen-ba-be', parseLocalTime('2026-03-10T10:30')!, 0).map((x) => x.id)).toEqual([
      a.meeting.id,
    ]);
    // approving it while the clash stands is refused; once the other is cancelled it is announced
    expect(() => meetings.approve(p.meeting.id, 'u-noc')).toThrow(ClashError);
    meetings.cancel(a.meeting.id, 'u-noc', 'Lùi lịch');
    expect(meetings.approve(p.meeting.id, 'u-noc').status).toBe('confirmed');
    expect(told).toContain(`registered:${p.meeting.id}`);
    expect(() => meetings.approve(p.meeting.id, 'u-noc')).toThrow(/chờ duyệt/);
  });

  it('serves the alert engine: meetings live or starting within the window, cancelled ones left out', () => {
    const r = meetings.register({ ...base, sites: ['tinh-uy', 'huyen-ba-be'] }, 'a');
    const start = parseLocalTime(base.start)!;
    expect(meetings.forSite('tinh-uy', start - 2 * 3600_000, 3600_000)).toEqual([]);
    const ref = meetings.forSite('tinh-uy', start - 2 * 3600_000, 2 * 3600_000);
    expect(ref).toEqual([
      {
        id: r.meeting.id,
        title: base.title,
        start,
        end: parseLocalTime(base.end)!,
        sites: ['huyen-ba-be', 'tinh-uy'],
      },
    ]);
    expect(meetings.forSite('tinh-uy', start + 3600_000, 0)).toHaveLength(1);
    expect(meetings.forSite('xa-bang-thanh', start + 3600_000, 0)).toEqual([]);
    expect(meetings.forSite('tinh-uy', parseLocalTime(base.end)!, DAY)).toEqual([]);
    meetings.cancel(r.meeting.id, 'u-noc', 'Lùi lịch');
    expect(meetings.forSite('tinh-uy', start + 3600_000, 0)).toEqual([]);
    expect(meetings.list().total).toBe(0);
    expect(meetings.list({ include_cancelled: true }).items[0]!.cancel_reason).toBe('Lùi lịch');
    expect(() => meetings.cancel(r.meeting.id, 'u-noc', 'x')).toThrow(/đã bị hủy/);
  });

  it('lists by host organisation, site and time range; survives reopening the database', () => {
    meetings.register({ ...base, sites: ['tinh-uy'] }, 'a');
    meetings.register(
      {
        ...base,
        host_org: 'vp-tinh-uy',
        start: '2026-04-01T08:00',
        end: '2026-04-01T09:00',
        tiers: ['district'],
      },
      'b',
    );
    expect(meetings.list({ host_org: 'vp-tinh-uy' }).items.map((m) => m.host_org)).toEqual(['vp-tinh-uy']);
    expect(meetings.list({ site: 'huyen-ba-be' }).total).toBe(1);
    expect(
      meetings.list({ from: parseLocalTime('2026-03-20')!, to: parseLocalTime('2026-05-01')! }).total,
    ).toBe(1);
    expect(meetings.list({ limit: 1 }).items).toHaveLength(1);
    const again = new DbMeetings(rt.state, rt.inventory);
    expect(again.list().total).toBe(2);
  });

  it('migration 031 keeps the meetings registered before it for the alert engine', () => {
    const db = new Database(':memory:');
    migrate(db, listMigrations(), 30);
    db.prepare(
      `INSERT INTO meetings (id, title, host_org, start_at, end_at, registered_by, registered_at)
       VALUES ('hop-1', 'Họp', 'so-tttt', 1000, 5000, 'u', 0)`,
    ).run();
    db.prepare("INSERT INTO meeting_sites (meeting_id, site) VALUES ('hop-1', 'tinh-uy')").run();
    migrate(db);
    const m = new DbMeetings(db, rt.inventory);
    expect(m.forSite('tinh-uy', 2000, 0).map((x) => x.id)).toEqual(['hop-1']);
    expect(m.forSite('tinh-uy', 5000, 0)).toEqual([]);
    db.close();
  });

  it('finds a day-long meeting near its end, and one starting at the edge of the window', () => {
    const start = parseLocalTime('2026-03-10T00:00')!;
    const r = meetings.register({ ...base, start, end: start + DAY, sites: ['tinh-uy'] }, 'a');
    expect(meetings.forSite('tinh-uy', start + DAY - 1, 0).map((x) => x.id)).toEqual([r.meeting.id]);
    expect(meetings.forSite('tinh-uy', start - 3600_000, 3600_000).map((x) => x.id)).toEqual([r.meeting.id]);
    expect(meetings.forSite('tinh-uy', start - 3600_001, 3600_000)).toEqual([]);
  });

  it('changes a meeting: an earlier start or added sites need the 3-day notice; moving later or dropping sites does not', () => {
    const r = meetings.register({ ...base, sites: ['tinh-uy', 'huyen-ba-be'] }, 'a');
    const start = r.meeting.start;
    expect(meetings.forSite('huyen-ba-be', start, 0)).toHaveLength(1); // cached sites, revision 0
    clock = start - DAY;
    const titled = meetings.update(r.meeting.id, { title: 'Giao ban (đổi tên)', note: 'Phòng họp số 2' });
    expect(titled.meeting.title).toBe('Giao ban (đổi tên)');
    const earlier = () => meetings.update(r.meeting.id, { start: start - 3600_000, end: start });
    expect(earlier).toThrow(MeetingsError);
    try {
      earlier();
    } catch (err) {
      expect((err as MeetingsError).issues![0]!.message).toContain('Điều 6');
    }
    expect(() =>
      meetings.update(r.meeting.id, { sites: ['tinh-uy', 'huyen-ba-be', 'xa-bang-thanh'] }),
    ).toThrow(/Invalid request: body.start/);
    const fewer = meetings.update(r.meeting.id, { sites: ['tinh-uy'] });
    expect(fewer.meeting.sites).toEqual(['tinh-uy']);
    expect(meetings.forSite('huyen-ba-be', start, 0)).toEqual([]);
    expect(meetings.forSite('tinh-uy', start, 0)[0]!.sites).toEqual(['tinh-uy']);
    const urgent = meetings.update(r.meeting.id, {
      start: start + 3600_000,
      end: start + 2 * 3600_000,
      emergency: true,
      emergency_reason: 'Lãnh đạo tỉnh đổi lịch',
    });
    expect(urgent.meeting.start).toBe(start + 3600_000);
    expect(meetings.get(r.meeting.id)!.note).toBe('Phòng họp số 2');
    expect(meetings.forSite('tinh-uy', start + 30 * 60_000, 0)).toEqual([]);
    expect(() => meetings.update(r.meeting.id, { host_org: 'so-tttt' })).toThrow(/host_org/);
    // issue 16: moving it later inside the 3 days needs no emergency (everyone still has the notice);
    // moving it earlier again does
    const later = meetings.update(r.meeting.id, {
      start: start + 2 * 3600_000,
      end: start + 3 * 3600_000,
      emergency: false,
    });
    expect(later.meeting.start).toBe(start + 2 * 3600_000);
    expect(() =>
      meetings.update(r.meeting.id, { start: start + 90 * 60_000, end: start + 3 * 3600_000 }),
    ).toThrow(/Invalid request: body.start/);
    clock = start + 3 * 3600_000;
    expect(() => meetings.update(r.meeting.id, { title: 'x' })).toThrow(/đã kết thúc/);
  });
});
