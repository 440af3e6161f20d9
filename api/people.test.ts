// People, site technicians and duty rosters through HTTP (issue 17; Điều 10, 13.2, 14.1.e, 14.2.b): real
// accounts and tokens, the real state DB, the real alert engine judging samples, and e-mail through a
// real SMTP server on loopback. A replaced technician's history is kept, Sở TT&TT is told, and the next
// page for that site goes to the new person; a carrier's person on duty is paged first, that day only.
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../core/bus.ts';
import { Fleet } from '../test/helpers/alerts.ts';
import { type Cleanup, mailedAlerts, STAFF, testApi } from '../test/helpers/meetings-api.ts';
import type { Deps } from './context.ts';
import { peopleRoutes } from './routes/people.ts';

// Monday 2 March 2026, 08:00 Bắc Kạn time: a working day, no meeting
const T0 = Date.parse('2026-03-02T08:00:00+07:00');
const NOC = ['truc-ban-1@noc.diemcau.example', 'truc-ban-2@noc.diemcau.example'];
const cleanup: Cleanup = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup() {
  const { smtp, rt, clock, engine } = await mailedAlerts(cleanup, { t0: T0, groupWait: '1s' });
  const deps: Deps = { rt, store: null as never, alerts: engine, meetings: undefined, live: null as never };
  const api = await testApi(rt, [peopleRoutes(deps)], STAFF);
  const fleet = new Fleet(rt.inventory);
  /** `seconds` of poll rounds, every 10 s, of the sites `round` gives samples for */
  const drive = (seconds: number, round: (t: number) => Sample[]) => {
    for (let s = 0; s < seconds; s += 10) {
      clock.t += 10_000;
      rt.bus.publish(round(clock.t));
      engine.tickNow();
    }
  };
  return { smtp, rt, clock, engine, api, fleet, drive };
}

describe('site technicians (Điều 10, 13.2)', () => {
  it('a replacement keeps the history, tells Sở TT&TT, and the next power page for the site goes to the new person', async () => {
    const { smtp, engine, api, fleet, drive } = await setup();
    const added = await api.call('u-noc', 'POST', '/people', {
      id: 'kt-phuc-loc-moi',
      name: 'Hoàng Văn Mới',
      title: 'Công chức văn phòng',
      email: 'hoang-van-moi@site.diemcau.example',
      phone: '+84 912 345 678',
    });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ id: 'kt-phuc-loc-moi', sites: [], from_inventory: false });
    expect(added.json.channels).toMatchObject({
      email: 'hoang-van-moi@site.diemcau.example',
      phone: '+84 912 345 678',
    });

    const r = await api.call('u-noc', 'POST', '/sites/xa-phuc-loc/technician', {
      person: 'kt-phuc-loc-moi',
      reason: 'Cán bộ cũ chuyển công tác',
    });
    expect(r.status).toBe(200);
    expect(r.json.previous).toMatchObject({ person: 'kt-xa-phuc-loc', valid_to: r.json.current.valid_from });
    expect(r.json.current).toMatchObject({ person: 'kt-phuc-loc-moi', valid_to: null, by: 'u-noc' });
    expect(r.json.notified).toBe(2);

    const h = await api.call('u-viewer', 'GET', '/sites/xa-phuc-loc/technicians');
    expect(h.status).toBe(200);
    expect(h.json.current.person).toBe('kt-phuc-loc-moi');
    expect(h.json.history.map((x: { person: string; reason: string }) => [x.person, x.reason])).toEqual([
      ['kt-phuc-loc-moi', 'Cán bộ cũ chuyển công tác'],
      ['kt-xa-phuc-loc', 'Theo tệp danh mục / from the inventory file'],
    ]);
    // the people list follows: the new person serves the site, the old one no longer
    const people = (await api.call('u-admin', 'GET', '/people')).json.items as {
      id: string;
      sites: string[];
    }[];
    expect(people.find((p) => p.id === 'kt-phuc-loc-moi')!.sites).toEqual(['xa-phuc-loc']);
    expect(people.find((p) => p.id === 'kt-xa-phuc-loc')!.sites).toEqual([]);
    // a viewer reads names, not channels
    const asViewer = (await api.call('u-viewer', 'GET', '/people/kt-phuc-loc-moi')).json;
    expect(asViewer).toMatchObject({ name: 'Hoàng Văn Mới', channels: null });

    // Sở TT&TT's contacts are e-mailed once each, Vietnamese first, with the training reminder
    expect(await engine.outbox.idle(10_000)).toBe(true);
    const notices = smtp.mails.filter((m) => m.subject.startsWith('[Thay cán bộ kỹ thuật]'));
    expect(notices.map((m) => m.to).sort()).toEqual(NOC);
    const text = notices[0]!.text;
    expect(notices[0]!.subject).toBe(
      '[Thay cán bộ kỹ thuật] Hội trường UBND xã Phúc Lộc: Hoàng Văn Mới / Site technician replaced',
    );
    expect(text.indexOf('Kính gửi: Sở Thông tin và Truyền thông')).toBe(0);
    expect(text).toContain('- Cán bộ cũ: Cán bộ kỹ thuật UBND xã Phúc Lộc (kt-xa-phuc-loc)');
    expect(text).toContain('- Cán bộ mới: Hoàng Văn Mới (kt-phuc-loc-moi), Công chức văn phòng');
    expect(text).toContain('- Lý do: Cán bộ cũ chuyển công tác');
    expect(text).toContain('- Người thay đổi: u-noc');
    expect(text).toContain('chưa có hồ sơ tập huấn');
    expect(text.indexOf('— English —')).toBeGreaterThan(text.indexOf('Lý do'));
    expect(text).toContain('a training plan may be needed');

    // a power cut at Phúc Lộc: its branch and the new technician are paged, the old one is not
    drive(90, (t) =>
      fleet.healthy('xa-phuc-loc', t, { ups: { ups_on_battery: 1, ups_input_v: 0, ups_runtime_min: 26 } }),
    );
    expect(await engine.outbox.idle(10_000)).toBe(true);
    const pages = smtp.mails.filter((m) => m.subject.includes('UPS đang chạy pin'));
    expect(pages.map((m) => m.to)).toContain('hoang-van-moi@site.diemcau.example');
    expect(pages.map((m) => m.to)).toContain('truc-ba-be@dienluc.diemcau.example');
    expect(pages.filter((m) => m.to === 'hoang-van-moi@site.diemcau.example')).toHaveLength(1);
    expect(smtp.mails.filter((m) => m.to === 'kt-xa-phuc-loc@site.diemcau.example')).toEqual([]);
    // the new technician reads their own site's message
    const own = pages.find((m) => m.to === 'hoang-van-moi@site.diemcau.example')!;
    expect(own.subject).toContain('xã Phúc Lộc');
  }, 30_000);

  it('refuses bad input with the reason, and a viewer or a host office where it is not theirs', async () => {
    const { api } = await setup();
    const cases: [string, string, string, unknown, number, string | null][] = [
      [
        'u-noc',
        'POST',
        '/sites/xa-phuc-loc/technician',
        { person: 'khong-co', reason: 'thay' },
        400,
        'body.person',
      ],
      [
        'u-noc',
        'POST',
        '/sites/khong-co/technician',
        { person: 'kt-xa-phuc-loc', reason: 'thay' },
        404,
        'path.id',
      ],
      [
        'u-noc',
        'POST',
        '/sites/xa-phuc-loc/technician',
        { person: 'kt-xa-phuc-loc', reason: 'thay' },
        409,
        'body.person',
      ],
      [
        'u-noc',
        'POST',
        '/sites/xa-phuc-loc/technician',
        { person: 'kt-xa-bang-thanh', reason: '' },
        400,
        'body.reason',
      ],
      [
        'u-noc',
        'POST',
        '/sites/xa-phuc-loc/technician',
        { person: 'kt-xa-bang-thanh', reason: 'thay', from: '2099-01-01T08:00' },
        400,
        'body.from',
      ],
      [
        'u-noc',
        'POST',
        '/sites/xa-phuc-loc/technician',
        { person: 'kt-xa-bang-thanh', reason: 'thay', from: '10/03/2026' },
        400,
        'body.from',
      ],
      [
        'u-viewer',
        'POST',
        '/sites/xa-phuc-loc/technician',
        { person: 'kt-xa-bang-thanh', reason: 'thay' },
        403,
        null,
      ],
      [
        'u-tech',
        'POST',
        '/sites/xa-bang-thanh/technician',
        { person: 'kt-xa-phuc-loc', reason: 'thay' },
        403,
        null,
      ],
      [
        'u-noc',
        'PUT',
        '/roster',
        { org: 'viettel', date: '02/03/2026', person: 'viettel-truc-1' },
        400,
        'body.date',
      ],
      [
        'u-noc',
        'PUT',
        '/roster',
        { org: 'viettel', date: '2026-02-30', person: 'viettel-truc-1' },
        400,
        'body.date',
      ],
      [
        'u-noc',
        'PUT',
        '/roster',
        { org: 'khong-co', date: '2026-03-02', person: 'viettel-truc-1' },
        400,
        'body.org',
      ],
      [
        'u-noc',
        'PUT',
        '/roster',
        { org: 'so-tttt', date: '2026-03-02', person: 'viettel-truc-1' },
        400,
        'body.org',
      ],
      [
        'u-noc',
        'PUT',
        '/roster',
        { org: 'viettel', date: '2026-03-02', person: 'khong-co' },
        400,
        'body.person',
      ],
      ['u-noc', 'PUT', '/org-technicians/viettel/khong-co', { person: 'viettel-truc-1' }, 404, 'path.site'],
      ['u-noc', 'POST', '/people', { id: 'Sai Mã', name: 'x' }, 400, 'body.id'],
      ['u-noc', 'POST', '/people', { id: 'kt-xa-phuc-loc', name: 'x' }, 409, 'body.id'],
      ['u-noc', 'POST', '/people', { id: 'nguoi-moi', name: 'x', org: 'khong-co' }, 400, 'body.org'],
      ['u-noc', 'POST', '/people', { id: 'nguoi-moi', name: 'x', phone: 'gọi tôi' }, 400, 'body.phone'],
      ['u-host', 'POST', '/people', { id: 'nguoi-moi', name: 'x', org: 'vp-tinh-uy' }, 403, null],
      ['u-host', 'PATCH', '/people/kt-xa-phuc-loc', { name: 'x' }, 403, null],
      ['u-noc', 'PATCH', '/people/khong-co', { name: 'x' }, 404, 'path.id'],
      [
        'u-noc',
        'POST',
        '/people/kt-xa-phuc-loc/trainings',
        { course: 'Vận hành codec', date: '2026-3-1' },
        400,
        'body.date',
      ],
      [
        'u-viewer',
        'PUT',
        '/roster',
        { org: 'viettel', date: '2026-03-02', person: 'viettel-truc-1' },
        403,
        null,
      ],
    ];
    const wrong: string[] = [];
    for (const [user, method, path, body, status, field] of cases) {
      const r = await api.call(user, method, path, body);
      const got = [r.status, r.json.error?.issues?.[0]?.path ?? null];
      if (
        r.status !== status ||
        (field !== null && got[1] !== field) ||
        !/ \/ /.test(r.json.error?.message ?? '')
      )
        wrong.push(
          `${user} ${method} ${path} ${JSON.stringify(body)} → ${JSON.stringify(got)} ${r.json.error?.message}`,
        );
    }
    expect(wrong).toEqual([]);
    // a host office adds and edits its own staff, and records their training
    const own = await api.call('u-host', 'POST', '/people', {
      id: 'vp-ubnd-van-thu',
      name: 'Văn thư',
      org: 'vp-ubnd-tinh',
    });
    expect(own.status).toBe(201);
    expect((await api.call('u-host', 'PATCH', '/people/vp-ubnd-van-thu', { title: 'Văn thư' })).status).toBe(
      200,
    );
    const t = await api.call('u-host', 'POST', '/people/vp-ubnd-van-thu/trainings', {
      course: 'Vận hành hội trường trực tuyến',
      date: '2026-02-20',
      provider: 'Sở TT&TT',
    });
    expect(t.status).toBe(201);
    expect((await api.call('u-viewer', 'GET', '/people/vp-ubnd-van-thu/trainings')).json.items).toHaveLength(
      1,
    );
    // nothing was changed by the refusals
    expect((await api.call('u-noc', 'GET', '/sites/xa-phuc-loc/technicians')).json.history).toHaveLength(1);
    expect((await api.call('u-noc', 'GET', '/roster?from=2026-03-01&to=2026-03-31')).json.items).toEqual([]);
  }, 30_000);
});

describe('carrier and power rosters (Điều 14.1.e, 14.2.b)', () => {
  it('a rostered carrier technician is paged first for a link fault at a site that day, and not on another day', async () => {
    const { engine, api, fleet, drive, rt, clock } = await setup();
    expect(rt.inventory.sites.get('xa-bang-thanh')!.link.carrier).toBe('viettel');
    const person = await api.call('u-noc', 'POST', '/people', {
      id: 'viettel-kt-pac-nam',
      name: 'Kỹ thuật Viettel Pác Nặm',
      org: 'viettel',
      email: 'kt-pac-nam@viettel.diemcau.example',
    });
    expect(person.status).toBe(201);
    // on duty on 3 March only, for Bằng Thành; and named for Bằng Thành's neighbour (not this site)
    const duty = await api.call('u-noc', 'PUT', '/roster', {
      org: 'viettel',
      date: '2026-03-03',
      person: 'viettel-kt-pac-nam',
      sites: ['xa-bang-thanh'],
    });
    expect(duty.status).toBe(200);
    expect(duty.json).toMatchObject({ org: 'viettel', date: '2026-03-03', sites: ['xa-bang-thanh'] });
    const list = await api.call('u-viewer', 'GET', '/roster?from=2026-03-01&to=2026-03-31&org=viettel');
    expect(list.json.items).toHaveLength(1);

    const linkDown = (site: string) => (t: number) => fleet.healthy(site, t, { probe: { reachable: 0 } });
    const pagedFor = (site: string) => {
      const ep = engine.episodes({ site }).find((e) => e.cause === 'link');
      expect(ep, `an episode at ${site}`).toBeDefined();
      return engine.outbox
        .rows({ alertId: ep!.id })
        .filter((r) => r.channel === 'email' && r.kind === 'alert')
        .sort((a, b) => a.id - b.id)
        .map((r) => r.person);
    };

    // 2 March (not on duty): Viettel's contacts, not the rostered person
    drive(180, linkDown('xa-bang-thanh'));
    expect(await engine.outbox.idle(10_000)).toBe(true);
    const monday = pagedFor('xa-bang-thanh');
    expect(monday).toContain('viettel-truc-1');
    expect(monday).not.toContain('viettel-kt-pac-nam');
    drive(20 * 60, (t) => fleet.healthy('xa-bang-thanh', t));

    expect(engine.episodes({ site: 'xa-bang-thanh' }).every((e) => e.state === 'resolved')).toBe(true);

    // Viettel names its technician for Bằng Thành (not for a VNPT site)
    const named = await api.call('u-noc', 'POST', '/people', {
      id: 'viettel-kt-bang-thanh',
      name: 'Kỹ thuật Viettel Bằng Thành',
      org: 'viettel',
      email: 'kt-bang-thanh@viettel.diemcau.example',
    });
    expect(named.status).toBe(201);
    const vnptSite = await api.call('u-noc', 'PUT', '/org-technicians/viettel/xa-binh-van', {
      person: 'viettel-kt-bang-thanh',
    });
    expect([vnptSite.status, vnptSite.json.error.issues[0].path]).toEqual([400, 'path.site']);
    const put = await api.call('u-noc', 'PUT', '/org-technicians/viettel/xa-bang-thanh', {
      person: 'viettel-kt-bang-thanh',
    });
    expect(put.status).toBe(200);
    expect((await api.call('u-viewer', 'GET', '/org-technicians?org=viettel')).json.items).toMatchObject([
      { org: 'viettel', site: 'xa-bang-thanh', person: 'viettel-kt-bang-thanh', by: 'u-noc' },
    ]);

    // 3 March 08:00: the rostered person first, Viettel's technician of the site, then its contacts
    clock.t = Date.parse('2026-03-03T07:59:00+07:00');
    drive(60, (t) => fleet.healthy('xa-bang-thanh', t));
    drive(180, linkDown('xa-bang-thanh'));
    expect(await engine.outbox.idle(10_000)).toBe(true);
    const eps = engine.episodes({ site: 'xa-bang-thanh' }).filter((e) => e.cause === 'link');
    const latest = eps.sort((a, b) => b.started_at - a.started_at)[0]!;
    const order = engine.outbox
      .rows({ alertId: latest.id })
      .filter((r) => r.channel === 'email' && r.kind === 'alert')
      .sort((a, b) => a.id - b.id)
      .map((r) => r.person);
    expect(order.slice(0, 2)).toEqual(['viettel-kt-pac-nam', 'viettel-kt-bang-thanh']);
    expect(order).toContain('viettel-truc-1');
    expect(order.filter((p) => p === 'viettel-kt-pac-nam')).toHaveLength(1);
  }, 60_000);
});
