// Issue 17: the people tab finds a person typed without diacritics, shows a site's technicians as
// replacements, and the roster's week runs Monday to Sunday over the carriers and power organisations.
import { describe, expect, it } from 'vitest';
import { errorLines, HttpError } from './api.ts';
import {
  addDays,
  canEditPerson,
  cellKey,
  explained,
  fmtDate,
  isDate,
  mondayOf,
  type OrgRef,
  personChanges,
  refusalLines,
  replacementFrom,
  replacements,
  rosterCells,
  rosterOrgs,
  searchPeople,
  weekDays,
  weekday,
} from './people.ts';

const people = [
  {
    id: 'kt-xa-bang-thanh',
    name: 'Cán bộ kỹ thuật UBND xã Bằng Thành',
    words: ['Hội trường UBND xã Bằng Thành'],
  },
  { id: 'dl-pac-nam-truc', name: 'Trực Điện lực Pác Nặm', words: ['Điện lực Pác Nặm'] },
  {
    id: 'nguyen-van-thanh',
    name: 'Nguyễn Văn Thành',
    words: ['Viettel Bắc Kạn', 'Hội trường UBND xã Nhạn Môn'],
  },
  { id: 'hoang-thi-dung', name: 'Hoàng Thị Dung', words: ['VNPT', 'kỹ sư'] },
];
const ids = (q: string) => searchPeople(people, q).map((p) => p.id);

describe('searchPeople', () => {
  it('finds names typed without diacritics, the name before the other words', () => {
    // a name's start, then a word of a name (in list order), then only in the other words
    expect(ids('nguyen')).toEqual(['nguyen-van-thanh']);
    expect(ids('thanh')).toEqual(['kt-xa-bang-thanh', 'nguyen-van-thanh']);
    expect(ids('viettel')).toEqual(['nguyen-van-thanh']);
    expect(ids('ubnd')).toEqual(['kt-xa-bang-thanh', 'nguyen-van-thanh']);
    expect(ids('dien luc pac nam')).toEqual(['dl-pac-nam-truc']);
    expect(ids('DŨNG')).toEqual(['hoang-thi-dung']);
    expect(ids('đien')).toEqual(['dl-pac-nam-truc']);
    expect(ids('nhan mon')).toEqual(['nguyen-van-thanh']);
    expect(ids('ky su dung')).toEqual(['hoang-thi-dung']);
  });
  it('keeps everyone for an empty query and nobody for a word nobody has', () => {
    expect(ids('  ')).toEqual(people.map((p) => p.id));
    expect(ids('mobifone')).toEqual([]);
  });
});

describe('replacements', () => {
  it('pairs each row with the one before, newest first, in order of start then entry', () => {
    const r = replacements([
      { id: 3, person: 'c', valid_from: 2_000, reason: 'Nghỉ hưu', by: 'noc' },
      { id: 2, person: 'b', valid_from: 2_000, reason: 'Luân chuyển', by: 'admin' },
      {
        id: 1,
        person: 'a',
        valid_from: 1_000,
        reason: 'Theo tệp danh mục / from the inventory file',
        by: 'inventory',
      },
    ]);
    expect(r).toEqual([
      { before: 'b', after: 'c', from: 2_000, reason: 'Nghỉ hưu', by: 'noc' },
      { before: 'a', after: 'b', from: 2_000, reason: 'Luân chuyển', by: 'admin' },
      {
        before: null,
        after: 'a',
        from: 1_000,
        reason: 'Theo tệp danh mục / from the inventory file',
        by: 'inventory',
      },
    ]);
    expect(replacements([])).toEqual([]);
  });
});

describe('calendar days', () => {
  it('adds days across months and leap years, and checks dates', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(isDate('2026-02-29')).toBe(false);
    expect(isDate('2026-1-05')).toBe(false);
    expect(() => addDays('07/12/2026', 1)).toThrow(/not a date/);
  });
  it('finds the Monday of a week and lists it to Sunday with today marked', () => {
    expect(weekday('2026-12-07')).toBe(1);
    expect(weekday('2026-12-13')).toBe(7);
    expect(mondayOf('2026-12-13')).toBe('2026-12-07');
    expect(mondayOf('2027-01-01')).toBe('2026-12-28');
    const w = weekDays('2026-12-10', '2026-12-09');
    expect(w.map((d) => d.date)).toEqual([
      '2026-12-07',
      '2026-12-08',
      '2026-12-09',
      '2026-12-10',
      '2026-12-11',
      '2026-12-12',
      '2026-12-13',
    ]);
    expect(w.filter((d) => d.today).map((d) => d.weekday)).toEqual([3]);
  });
  it('writes days as dd/mm/yyyy or dd/mm', () => {
    expect(fmtDate('2026-12-07')).toBe('07/12/2026');
    expect(fmtDate('2026-12-07', true)).toBe('07/12');
    expect(fmtDate('2026-12-07T01:00:00Z')).toBe('07/12/2026');
    expect(fmtDate(null)).toBe('—');
    // ms: the Bắc Kạn calendar day (00:30 on the 8th there is 17:30 UTC on the 7th)
    expect(fmtDate(Date.UTC(2026, 11, 7, 17, 30))).toBe('08/12/2026');
  });
});

describe('roster', () => {
  const orgs: OrgRef[] = [
    { id: 'so-tttt', name: 'Sở Thông tin và Truyền thông', kind: 'noc' },
    { id: 'dien-luc-pac-nam', name: 'Điện lực Pác Nặm', kind: 'power_branch' },
    { id: 'vnpt', name: 'Viễn thông Bắc Kạn (VNPT)', kind: 'carrier' },
    { id: 'pc-bac-kan', name: 'Công ty Điện lực Bắc Kạn', kind: 'power' },
    { id: 'dien-luc-ba-be', name: 'Điện lực Ba Bể', kind: 'power_branch' },
    { id: 'viettel-mcu', name: 'Viettel — MCU', kind: 'mcu_operator' },
    { id: 'viettel', name: 'Viettel Bắc Kạn', kind: 'carrier' },
  ];
  it('keeps carriers, then the power company, then its branches, by Vietnamese name', () => {
    expect(rosterOrgs(orgs).map((o) => o.id)).toEqual([
      'viettel',
      'vnpt',
      'pc-bac-kan',
      'dien-luc-ba-be',
      'dien-luc-pac-nam',
    ]);
  });
  it('groups entries by organisation and day', () => {
    const cells = rosterCells([
      { org: 'vnpt', date: '2026-12-07', person: 'vnpt-truc-1' },
      { org: 'vnpt', date: '2026-12-07', person: 'vnpt-truc-2', sites: ['xa-bang-thanh'] },
      { org: 'viettel', date: '2026-12-08', person: 'viettel-truc-1' },
    ]);
    expect(cells.get(cellKey('vnpt', '2026-12-07'))?.map((e) => e.person)).toEqual([
      'vnpt-truc-1',
      'vnpt-truc-2',
    ]);
    expect(cells.get(cellKey('viettel', '2026-12-07'))).toBeUndefined();
    expect(cells.size).toBe(2);
  });
});

describe('canEditPerson', () => {
  it('lets admin and NOC change anyone, a host office only its own staff', () => {
    expect(canEditPerson({ role: 'admin' }, null)).toBe(true);
    expect(canEditPerson({ role: 'noc' }, 'vnpt')).toBe(true);
    expect(canEditPerson({ role: 'host', org: 'vp-tinh-uy' }, 'vp-tinh-uy')).toBe(true);
    expect(canEditPerson({ role: 'host', org: 'vp-tinh-uy' }, 'vp-ubnd-tinh')).toBe(false);
    expect(canEditPerson({ role: 'host' }, null)).toBe(false);
    expect(canEditPerson({ role: 'technician' }, null)).toBe(false);
    expect(canEditPerson({ role: 'viewer' }, 'vnpt')).toBe(false);
    expect(canEditPerson(null, 'vnpt')).toBe(false);
  });
});

describe('what the forms send', () => {
  const before = { name: 'Nông Văn Hải', title: '', org: 'vp-tinh-uy', email: 'hai@x.example', phone: '' };
  it('sends only the changed fields of a person, emptied ones as null', () => {
    expect(personChanges(before, { ...before })).toEqual({});
    expect(personChanges(before, { ...before, title: ' Chuyên viên ', email: '' })).toEqual({
      title: 'Chuyên viên',
      email: null,
    });
    // a new person: what was typed
    expect(
      personChanges(null, { name: ' Hà Thị Lan ', title: '', org: '', email: 'lan@x.example', phone: '' }),
    ).toEqual({
      name: 'Hà Thị Lan',
      email: 'lan@x.example',
    });
  });
  it('starts a replacement now when the day is today, else at the midnight of that day in Bắc Kạn', () => {
    expect(replacementFrom('2026-12-07', '2026-12-07')).toBeUndefined();
    expect(replacementFrom('2026-12-01', '2026-12-07')).toBe(Date.UTC(2026, 10, 30, 17, 0));
    expect(replacementFrom('', '2026-12-07')).toBeUndefined();
  });
});

describe('refusals', () => {
  it('shows the API message and then each field problem, once each', async () => {
    const dir = new HttpError(
      400,
      'Thời điểm thay sớm hơn lúc cán bộ hiện tại bắt đầu / The replacement starts before the current technician did',
      'invalid_request',
      [{ path: 'body.from', message: 'trước lần thay trước / before the previous change' }],
    );
    expect(refusalLines(dir)).toEqual([dir.message, 'trước lần thay trước / before the previous change']);
    const same = new HttpError(409, 'Đã có / exists', 'conflict', [
      { path: 'body.id', message: 'Đã có / exists' },
    ]);
    expect(refusalLines(same)).toEqual(['Đã có / exists']);
    expect(refusalLines(new Error('mạng lỗi'))).toEqual(['mạng lỗi']);
    const rethrown = await explained(Promise.reject(dir)).catch((e: unknown) => e);
    expect(rethrown).toBeInstanceOf(HttpError);
    expect(errorLines(rethrown)).toEqual(refusalLines(dir));
    await expect(explained(Promise.resolve(7))).resolves.toBe(7);
  });
});
