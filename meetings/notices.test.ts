// Meeting notices (Điều 7.1.a, issue 16) with real parts: the real Bắc Kạn inventory, the state database,
// the alert engine's durable outbox and e-mail through a real SMTP server on loopback. Who should hear
// is derived here from the inventory on its own (technician, carrier organisation of the link, the
// district's Điện lực branch, MCU operator, host office, NOC) and compared with who did.
import { afterEach, describe, expect, it } from 'vitest';
import type { LoadedInventory } from '../inventory/load.ts';
import { mailedAlerts } from '../test/helpers/meetings-api.ts';
import type { Mail } from '../test/helpers/servers.ts';
import { WeeklyDigest } from './digest.ts';
import { startMeetingNotices } from './notices-service.ts';
import type { DbMeetings } from './store.ts';
import { parseLocalTime } from './time.ts';

const T0 = parseLocalTime('2026-03-02T08:00')!; // a Monday
const START = parseLocalTime('2026-03-10T08:00')!;
const HOUR = 3600_000;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** two districts (Pác Nặm, Ba Bể), two carriers (Viettel, VNPT) */
const SITES = ['huyen-pac-nam', 'xa-bang-thanh', 'huyen-ba-be', 'xa-banh-trach'];

async function setup(policy: ConstructorParameters<typeof DbMeetings>[3] = {}) {
  const { smtp, rt, clock, meetings, engine } = await mailedAlerts(cleanup, { t0: T0, policy });
  const svc = startMeetingNotices(rt, {
    meetings,
    outbox: engine.outbox,
    digest: { weekday: 5, hour: 15 },
    now: clock.now,
    tickMs: 3_600_000,
  });
  cleanup.push(() => svc.stop());
  /** meeting notices delivered so far (the engine's own pages share the server) */
  const mails = async (prefix = 'meeting/'): Promise<Mail[]> => {
    expect(await engine.outbox.idle(10_000)).toBe(true);
    return smtp.mails.filter((x) => x.key.startsWith(prefix));
  };
  return { rt, clock, meetings, engine, svc, smtp, mails };
}

const emails = (inv: LoadedInventory, people: string[]) =>
  people.map((p) => inv.people.get(p)?.channels.email).filter((x): x is string => !!x);

/** Who the regulation says must hear about these sites, straight from the inventory, by address. */
function expectedAudience(inv: LoadedInventory, sites: string[], host: string) {
  const byAddress = new Map<string, string>();
  const org = (id: string, what: string) => {
    for (const a of emails(inv, inv.organisations.get(id)!.contacts)) byAddress.set(a, what);
  };
  for (const id of sites) {
    const s = inv.sites.get(id)!;
    for (const a of emails(inv, [s.technician])) byAddress.set(a, `technician ${id}`);
    const carrier = inv.inventory.organisations.find(
      (o) => o.kind === 'carrier' && o.carrier === s.link.carrier,
    )!;
    org(carrier.id, carrier.id);
    org(inv.districts.get(s.district)!.power_branch, `power ${s.district}`);
  }
  org(inv.inventory.mcu.operator, 'mcu');
  org(host, 'host');
  org(inv.inventory.network.noc, 'noc');
  return byAddress;
}

const to = (m: Mail) => m.to.replace(/^.*<|>$/g, '');
const byTo = (ms: Mail[]) => new Map(ms.map((m) => [to(m), m]));

describe('meeting notices (Điều 7.1.a)', () => {
  it('registering a meeting over two districts and two carriers sends exactly one notice to each party concerned, about their own sites, and none to anyone else', async () => {
    const s = await setup();
    const inv = s.rt.inventory;
    s.meetings.register(
      {
        title: 'Giao ban trực tuyến tháng 3',
        host_org: 'vp-ubnd-tinh',
        start: START,
        end: START + 2 * HOUR,
        sites: SITES,
      },
      'u-host',
    );
    const got = await s.mails();
    const expected = expectedAudience(inv, SITES, 'vp-ubnd-tinh');
    expect(expected.size).toBe(15); // 4 technicians, 2+2 carrier on-call, 2 branches, 2 MCU, host, 2 NOC
    expect(got.map(to).sort()).toEqual([...expected.keys()].sort()); // exactly one each, nobody else
    const mail = byTo(got);

    const viettel = mail.get('truc-1@viettel.diemcau.example')!;
    expect(viettel.subject).toBe(
      '[diemcau] Thông báo cuộc họp trực tuyến 08:00 ngày 10/03/2026: Giao ban trực tuyến tháng 3',
    );
    expect(viettel.text).toContain('TSLCD-BKN-VTL-0006');
    expect(viettel.text).toContain('TSLCD-BKN-VTL-0021');
    expect(viettel.text).not.toContain('VNPT-0007'); // Ba Bể is VNPT's, not Viettel's
    expect(viettel.text).toContain(
      'Vận hành thử (Điều 7.1.b): trước 1/2 ngày lúc 20:00 ngày 09/03/2026; trước 01 giờ lúc 07:00 ngày 10/03/2026',
    );
    expect(viettel.text).toContain('Điều 14.1.e');
    expect(mail.get('truc-1@vnpt.diemcau.example')!.text).toContain('TSLCD-BKN-VNPT-0032');

    const pacNam = mail.get('truc-pac-nam@dienluc.diemcau.example')!.text;
    expect(pacNam).toContain('Điểm cầu liên quan (2)');
    expect(pacNam).toContain('Hội trường UBND xã Bằng Thành');
    expect(pacNam).not.toContain('Ba Bể)');
    expect(pacNam).toContain('không bố trí cắt điện theo kế hoạch');
    expect(pacNam).toContain('Time: 10/03/2026 08:00 to 10/03/2026 10:00 (Vietnam time).');

    const tech = mail.get('kt-xa-bang-thanh@site.diemcau.example')!.text;
    expect(tech).toContain('Điểm cầu liên quan (1)');
    expect(tech).toContain('có mặt vận hành thử');
    expect(tech).not.toContain('Huyện Pác Nặm'); // only its own site
    expect(mail.get('vp-ubnd-tinh@host.diemcau.example')!.text).toContain('Điểm cầu liên quan (4)');
    expect(mail.get('mcu-1@viettel.diemcau.example')!.text).toContain('cổng MCU / MCU port 21');
    // idempotent keys: the meeting, its revision, the party, the channel, the person
    expect(got.find((m) => to(m) === 'truc-1@viettel.diemcau.example')!.key).toMatch(
      /^meeting\/hop-[^/]+\/v0\/org:viettel\/email\/viettel-truc-1$/,
    );
  });

  it('a change tells the parties whose share changed (old → new), the newly concerned and those no longer concerned; the rest hear nothing; a cancellation tells everyone last told', async () => {
    const s = await setup();
    const inv = s.rt.inventory;
    const { meeting } = s.meetings.register(
      { title: 'Giao ban', host_org: 'vp-ubnd-tinh', start: START, end: START + 2 * HOUR, sites: SITES },
      'u-host',
    );
    const first = (await s.mails()).length;
    // Ba Bể commune out, Ngân Sơn district hall (Viettel) in; one hour later
    const after = ['huyen-pac-nam', 'xa-bang-thanh', 'huyen-ba-be', 'huyen-ngan-son'];
    s.meetings.update(meeting.id, { sites: after, start: START + HOUR, end: START + 3 * HOUR });
    const change = (await s.mails()).slice(first);
    const mail = byTo(change);
    expect(change).toHaveLength(mail.size); // one each
    // the time changed, so everyone still concerned hears, plus the newcomers and the one dropped
    const now = expectedAudience(inv, after, 'vp-ubnd-tinh');
    expect([...mail.keys()].sort()).toEqual([...now.keys(), 'kt-xa-banh-trach@site.diemcau.example'].sort());
    const dropped = mail.get('kt-xa-banh-trach@site.diemcau.example')!;
    expect(dropped.subject).toContain('Không còn tham gia cuộc họp trực tuyến');
    expect(dropped.text).toContain('Điểm cầu không còn tham gia (1)');
    const added = mail.get('truc-ngan-son@dienluc.diemcau.example')!;
    expect(added.subject).toContain('Thông báo bổ sung tham gia cuộc họp trực tuyến');
    const vnpt = mail.get('truc-1@vnpt.diemcau.example')!.text;
    expect(vnpt).toContain('Thời gian: 08:00 ngày 10/03/2026 – 10:00 → 09:00 ngày 10/03/2026 – 11:00');
    expect(vnpt).toContain('Điểm cầu không còn tham gia: Hội trường UBND xã Bành Trạch');
    expect(mail.get('truc-1@viettel.diemcau.example')!.text).toContain(
      'Điểm cầu bổ sung: Hội trường UBND huyện Ngân Sơn',
    );

    // a change of sites only: the Pác Nặm technicians and branch are not concerned by it
    const before2 = (await s.mails()).length;
    s.meetings.update(meeting.id, { sites: ['huyen-pac-nam', 'xa-bang-thanh', 'huyen-ba-be'] });
    const change2 = byTo((await s.mails()).slice(before2));
    expect(change2.has('kt-huyen-pac-nam@site.diemcau.example')).toBe(false);
    expect(change2.has('truc-pac-nam@dienluc.diemcau.example')).toBe(false);
    expect(change2.get('kt-huyen-ngan-son@site.diemcau.example')!.subject).toContain('Không còn tham gia');
    expect(change2.get('truc-ban-1@noc.diemcau.example')!.text).toContain(
      'Điểm cầu không còn tham gia: Hội trường UBND huyện Ngân Sơn',
    );

    const before3 = (await s.mails()).length;
    s.meetings.cancel(meeting.id, 'u-host', 'Lãnh đạo tỉnh bận đột xuất');
    const cancel = (await s.mails()).slice(before3);
    const told = expectedAudience(inv, ['huyen-pac-nam', 'xa-bang-thanh', 'huyen-ba-be'], 'vp-ubnd-tinh');
    expect(cancel.map(to).sort()).toEqual([...told.keys()].sort());
    expect(
      cancel.every((m) => m.subject.startsWith('[diemcau] Hủy cuộc họp trực tuyến 09:00 ngày 10/03/2026')),
    ).toBe(true);
    expect(byTo(cancel).get('vp-ubnd-tinh@host.diemcau.example')!.text).toContain(
      'Lý do hủy: Lãnh đạo tỉnh bận đột xuất',
    );
  });

  it('a restricted meeting: carriers, power branches, technicians and the MCU team read "Cuộc họp (hạn chế)"; the host office and the NOC read its title', async () => {
    const s = await setup();
    s.meetings.register(
      {
        title: 'Họp Ban Thường vụ về nhân sự',
        host_org: 'vp-tinh-uy',
        start: START,
        end: START + HOUR,
        sites: ['tinh-uy', 'huyen-pac-nam'],
        restricted: true,
      },
      'u-host',
    );
    const mail = byTo(await s.mails());
    for (const a of [
      'truc-1@viettel.diemcau.example',
      'truc-1@vnpt.diemcau.example',
      'truc-pac-nam@dienluc.diemcau.example',
      'kt-huyen-pac-nam@site.diemcau.example',
      'mcu-1@viettel.diemcau.example',
    ]) {
      const m = mail.get(a)!;
      expect(m.subject, a).toContain('Cuộc họp (hạn chế)');
      expect(m.text, a).not.toContain('Ban Thường vụ');
      expect(m.text, a).toContain('Restricted meeting');
    }
    for (const a of ['vp-tinh-uy@host.diemcau.example', 'truc-ban-1@noc.diemcau.example'])
      expect(mail.get(a)!.subject).toContain('Họp Ban Thường vụ về nhân sự');
    // the provincial halls' power is the provincial company (the inventory's site.power), told too
    expect(mail.get('truc@dienluc.diemcau.example')!.text).toContain('Văn phòng Tỉnh ủy');
  });

  it('a host known only to the catalogue (added through the API) is told at its contacts: a bare e-mail address and a person of the inventory', async () => {
    const s = await setup();
    s.meetings.hosts.create({
      id: 'so-y-te',
      name: 'Sở Y tế',
      type: 'department',
      contacts: [
        { name: 'Chánh Văn phòng Sở Y tế', email: 'vanphong@soyte.bac-kan.example' },
        { person: 'kt-xa-bang-thanh' },
      ],
    });
    s.meetings.register(
      {
        title: 'Giao ban ngành y tế',
        host_org: 'so-y-te',
        start: START,
        end: START + HOUR,
        sites: ['xa-bang-thanh', 'huyen-ba-be'],
      },
      'u-noc',
    );
    const got = byTo(await s.mails());
    const office = got.get('vanphong@soyte.bac-kan.example')!;
    expect(office.text).toContain('Kính gửi: Sở Y tế');
    expect(office.text).toContain('Giao ban ngành y tế');
    // a person of the inventory among the host's contacts hears as the host too
    expect(
      (await s.mails()).filter((m) => to(m) === 'kt-xa-bang-thanh@site.diemcau.example').map((m) => m.key),
    ).toEqual(expect.arrayContaining([expect.stringContaining('/org:so-y-te/email/kt-xa-bang-thanh')]));
    expect((await s.mails()).filter((m) => to(m) === 'vanphong@soyte.bac-kan.example')).toHaveLength(1);
    // cancelled: the host's bare address hears it too
    const m = s.meetings.list({ host_org: 'so-y-te' }).items[0]!;
    s.meetings.cancel(m.id, 'u-noc', 'Hoãn');
    const cancelled = (await s.mails(`meeting/${m.id}/cancel/`)).map(to);
    expect(cancelled).toContain('vanphong@soyte.bac-kan.example');
  });

  it('an emergency registered after its test-run times does not announce them as if ahead: it asks for a check now', async () => {
    const s = await setup();
    s.clock.t = START - 30 * 60_000; // half an hour before: both test runs (T-12 h, T-1 h) are past
    s.meetings.register(
      {
        title: 'Họp khẩn',
        host_org: 'vp-ubnd-tinh',
        start: START,
        end: START + HOUR,
        sites: ['xa-bang-thanh'],
        emergency: true,
        emergency_reason: 'chỉ đạo đột xuất',
      },
      'u-host',
    );
    const tech = byTo(await s.mails()).get('kt-xa-bang-thanh@site.diemcau.example')!;
    expect(tech.text).toContain(
      'Vận hành thử (Điều 7.1.b): đã qua các mốc vận hành thử; đề nghị kiểm tra điểm cầu ngay khi nhận thông báo này',
    );
    expect(tech.text).not.toContain('trước 01 giờ lúc');
    // two hours before: the one-hour run is still ahead, the half-day one is not announced
    s.clock.t = START + 24 * HOUR - 2 * HOUR;
    s.meetings.register(
      {
        title: 'Họp khẩn 2',
        host_org: 'vp-ubnd-tinh',
        start: START + 24 * HOUR,
        end: START + 25 * HOUR,
        sites: ['huyen-ba-be'],
        emergency: true,
        emergency_reason: 'chỉ đạo đột xuất',
      },
      'u-host',
    );
    const hall = byTo(await s.mails()).get('kt-huyen-ba-be@site.diemcau.example')!;
    expect(hall.text).toContain('Vận hành thử (Điều 7.1.b): trước 01 giờ lúc 07:00 ngày 11/03/2026');
    expect(hall.text).not.toContain('trước 1/2 ngày lúc');
  });

  it('the weekly digest goes out once per week on the configured day and hour, to each organisation concerned, also after a restart; a meeting waiting for approval is not in it', async () => {
    const s = await setup({ clash: 'pending' });
    const inv = s.rt.inventory;
    s.meetings.register(
      {
        title: 'Giao ban tuần 11',
        host_org: 'vp-ubnd-tinh',
        start: START,
        end: START + HOUR,
        sites: ['xa-bang-thanh'],
      },
      'u-host',
    );
    // the same site at the same time: held back for the NOC to decide, not announced as planned
    const waiting = s.meetings.register(
      {
        title: 'Họp chờ duyệt',
        host_org: 'vp-tinh-uy',
        start: START,
        end: START + HOUR,
        sites: ['xa-bang-thanh'],
      },
      'u-host',
    );
    expect(waiting.meeting.status).toBe('pending');
    const later = parseLocalTime('2026-03-19T14:00')!;
    s.meetings.register(
      {
        title: 'Giao ban tuần 12',
        host_org: 'vp-tinh-uy',
        start: later,
        end: later + HOUR,
        sites: ['huyen-ba-be'],
      },
      'u-host',
    );
    const digest = s.svc.digest!;
    s.clock.t = parseLocalTime('2026-03-06T14:59')!;
    expect(digest.tick(s.clock.t)).toBeNull(); // Friday, before 15:00
    s.clock.t = parseLocalTime('2026-03-06T15:00')!;
    expect(digest.tick(s.clock.t)).toBe('2026-W11');
    expect(digest.tick(s.clock.t + 60_000)).toBeNull(); // once
    // a restart: a new digest on the same database sends nothing more this week
    const again = new WeeklyDigest(s.rt.state, inv, s.meetings, s.engine.outbox, { weekday: 5, hour: 15 });
    expect(again.tick(s.clock.t + 3 * HOUR)).toBeNull();
    const week11 = await s.mails('meeting-digest/2026-W11/');
    const expected = expectedAudience(inv, ['xa-bang-thanh'], 'vp-ubnd-tinh');
    expected.delete('kt-xa-bang-thanh@site.diemcau.example'); // organisations only
    expect(week11.map(to).sort()).toEqual([...expected.keys()].sort());
    const branch = byTo(week11).get('truc-pac-nam@dienluc.diemcau.example')!;
    expect(branch.subject).toBe(
      '[diemcau] Lịch họp trực tuyến tuần tới (06/03/2026 – 15/03/2026): 1 cuộc họp',
    );
    expect(branch.text).toContain('08:00 ngày 10/03/2026 – 09:00: Giao ban tuần 11');
    expect(branch.text).not.toContain('tuần 12');
    for (const m of week11) expect(m.text).not.toContain('Họp chờ duyệt');

    s.clock.t = parseLocalTime('2026-03-13T15:30')!;
    expect(again.tick(s.clock.t)).toBe('2026-W12');
    const week12 = byTo(await s.mails('meeting-digest/2026-W12/'));
    expect(week12.get('truc-ba-be@dienluc.diemcau.example')!.text).toContain('Giao ban tuần 12');
    expect(week12.has('truc-pac-nam@dienluc.diemcau.example')).toBe(false);
    expect(week12.get('truc-ban-1@noc.diemcau.example')!.subject).toContain('1 cuộc họp');
  });
});
