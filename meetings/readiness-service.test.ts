// Joint readiness test runs (Điều 7.1.b, issue 16) with real parts: the Bắc Kạn inventory, the state
// database, the real metrics store and alert engine, its durable outbox delivering e-mail to a real SMTP
// server on loopback, and the HTTP routes and link page mounted as `diemcau serve` mounts them. The
// links are taken from the mails the technicians received. One virtual clock; nothing sleeps.
import { afterEach, describe, expect, it } from 'vitest';
import { startAlerts } from '../alerts/index.ts';
import type { Deps } from '../api/context.ts';
import { readinessPages, readinessRoutes } from '../api/routes/readiness.ts';
import type { Sample } from '../core/bus.ts';
import { log } from '../core/log.ts';
import { createMetricsStore } from '../storage/metrics/index.ts';
import { Clock, Fleet } from '../test/helpers/alerts.ts';
import { type Json, smtpRuntime, testApi } from '../test/helpers/meetings-api.ts';
import { storeConfig } from '../test/helpers/metrics.ts';
import type { Mail } from '../test/helpers/servers.ts';
import { linkSecret, signClaim } from './confirm.ts';
import { notifyReadiness } from './notify.ts';
import { Readiness } from './readiness.ts';
import { JointReadiness } from './readiness-service.ts';
import { DbMeetings } from './store.ts';
import { parseLocalTime } from './time.ts';

const T0 = parseLocalTime('2026-03-02T08:00')!;
const START = parseLocalTime('2026-03-10T08:00')!;
const HOUR = 3600_000;
const MIN = 60_000;
/** two districts (Pác Nặm: Viettel; Ba Bể: VNPT) */
const SITES = ['huyen-pac-nam', 'xa-bang-thanh', 'huyen-ba-be'];

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup() {
  const { smtp, rt } = await smtpRuntime(cleanup, { groupWait: '5s' });
  const clock = new Clock(T0);
  const store = await createMetricsStore({ config: storeConfig({ dataDir: rt.dir }), log });
  cleanup.push(() => store.close());
  const offStore = rt.bus.onSamples((b) => store.write(b));
  cleanup.push(offStore);
  const meetings = new DbMeetings(rt.state, rt.inventory, clock.now);
  const engine = await startAlerts(rt, { meetings, now: clock.now, tickMs: 3_600_000, env: {} });
  cleanup.push(() => engine.stop());
  const joint = new JointReadiness(rt.state, rt.inventory, {
    meetings,
    outbox: engine.outbox,
    secret: linkSecret(rt.state),
    baseUrl: 'https://noc.bac-kan.example/',
    now: clock.now,
    phone: (p) => (p === 'kt-huyen-ba-be' ? '0912 345 678' : undefined),
  });
  const told = notifyReadiness(engine.outbox, rt.inventory);
  const readiness = new Readiness(rt.state, rt.inventory, {
    meetings,
    store,
    alerts: engine,
    now: clock.now,
    onRun: (run, m) => {
      told(run, m);
      joint.onRun(run, m);
    },
  });
  const fleet = new Fleet(rt.inventory);
  const drive = (seconds: number, round: (t: number) => Sample[]) => {
    for (let s = 0; s < seconds; s += 10) {
      clock.t += 10_000;
      rt.bus.publish(round(clock.t));
      engine.tickNow();
    }
  };
  // the HTTP side as serve mounts it: the API under /api/v1 (signed in), the link page at the root
  const d: Deps = { rt, store, alerts: engine, meetings, live: null as never };
  const { app, call } = await testApi(
    rt,
    [readinessRoutes(d, joint, { readiness, now: clock.now })],
    [
      ['u-noc', 'noc', {}],
      ['u-host', 'host', { org: 'vp-ubnd-tinh' }],
      ['u-tech', 'technician', { sites: ['xa-bang-thanh'] }],
      ['u-tech-other', 'technician', { sites: ['xa-nhan-mon'] }],
      ['u-viewer', 'viewer', {}],
    ],
  );
  app.route('/', readinessPages(d, joint));
  const open = async (url: string, method: 'GET' | 'POST' = 'GET') => {
    const res = await app.request(new URL(url).pathname, { method });
    return { status: res.status, html: await res.text() };
  };
  const mails = async (prefix: string): Promise<Mail[]> => {
    expect(await engine.outbox.idle(10_000)).toBe(true);
    return smtp.mails.filter((x) => x.key.startsWith(prefix));
  };
  const register = (sites = SITES, extra: object = {}) =>
    meetings.register(
      {
        title: 'Giao ban trực tuyến tháng 3',
        host_org: 'vp-ubnd-tinh',
        start: START,
        end: START + 2 * HOUR,
        sites,
        ...extra,
      },
      'u-host',
    ).meeting;
  const healthy = (t: number) => SITES.flatMap((s) => fleet.healthy(s, t, { ups: { ups_runtime_min: 300 } }));
  return {
    rt,
    clock,
    meetings,
    engine,
    joint,
    readiness,
    fleet,
    drive,
    call,
    open,
    mails,
    register,
    healthy,
  };
}

const to = (m: Mail) => m.to.replace(/^.*<|>$/g, '');
const linkIn = (text: string, site: string, names: Map<string, string>): string => {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`- ${names.get(site)}:`));
  return /https:\/\/\S+/.exec(lines[i + 1] ?? '')![0];
};

describe('joint readiness test runs (Điều 7.1.b)', () => {
  it("the technician's link from the T-1h request opens a confirmation page and its button marks the site confirmed: who and when", async () => {
    const s = await setup();
    const inv = s.rt.inventory;
    const names = new Map([...inv.sites.values()].map((x) => [x.id, x.name]));
    const m = s.register();
    s.clock.t = START - HOUR - 2 * MIN;
    s.drive(120, s.healthy);
    const [run] = await s.readiness.tick();
    expect(run!.slot).toBe('T-1h');
    const req = await s.mails(`readiness-confirm/${m.id}/T-1h/`);
    // one request to each technician, nobody else
    expect(req.map(to).sort()).toEqual([
      'kt-huyen-ba-be@site.diemcau.example',
      'kt-huyen-pac-nam@site.diemcau.example',
      'kt-xa-bang-thanh@site.diemcau.example',
    ]);
    const mail = req.find((x) => to(x) === 'kt-xa-bang-thanh@site.diemcau.example')!;
    expect(mail.subject).toBe(
      '[diemcau] Đề nghị xác nhận vận hành thử trước 01 giờ: Giao ban trực tuyến tháng 3 (08:00 ngày 10/03/2026)',
    );
    expect(mail.text).toContain(
      'Hội trường UBND xã Bằng Thành: kiểm tra tự động: đường truyền đạt, nguồn/UPS đạt, codec đạt',
    );
    expect(mail.text).toContain('Đường dẫn có hiệu lực đến 08:00 ngày 10/03/2026');
    const link = linkIn(mail.text, 'xa-bang-thanh', names);
    expect(link).toMatch(/^https:\/\/noc\.bac-kan\.example\/kiem-tra\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    // the link names neither the meeting nor the site in clear, guessable form: it is signed
    expect(link).not.toContain(m.id);

    // opening it shows what will be confirmed and records nothing (a mail scanner may open links)
    const page = await s.open(link);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="vi">');
    expect(page.html).toContain('Xác nhận vận hành thử');
    expect(page.html).toContain('Hội trường UBND xã Bằng Thành');
    expect(page.html).toContain('Cán bộ kỹ thuật UBND xã Bằng Thành');
    expect(page.html).toContain('<form method="post">');
    expect(s.joint.confirmations(m.id)).toEqual([]);

    s.clock.t += 5 * MIN;
    const done = await s.open(link, 'POST');
    expect(done.status).toBe(200);
    expect(done.html).toContain('Đã ghi nhận: đã kiểm tra');
    expect(s.joint.confirmations(m.id)).toEqual([
      {
        meeting_id: m.id,
        site: 'xa-bang-thanh',
        slot: 'T-1h',
        person: 'kt-xa-bang-thanh',
        user_name: null,
        via: 'link',
        confirmed_at: s.clock.t,
      },
    ]);
    // opened again: the first confirmation stands
    s.clock.t += MIN;
    expect((await s.open(link, 'POST')).html).toContain('đã xác nhận trước đó');
    expect(s.joint.confirmations(m.id)[0]!.confirmed_at).toBe(s.clock.t - MIN);

    // the per-site result: each part and who confirmed
    const sites = await s.call('u-noc', 'GET', `/meetings/${m.id}/readiness/sites`);
    expect(sites.status).toBe(200);
    const bt = sites.json.items.find((x: Json) => x.site === 'xa-bang-thanh');
    expect(bt.parts).toEqual({ link: true, power: true, codec: true, confirmation: true });
    expect(bt.ready).toBe(true);
    expect(bt.confirmation.person).toBe('kt-xa-bang-thanh');
    const bb = sites.json.items.find((x: Json) => x.site === 'huyen-ba-be');
    expect(bb.parts.confirmation).toBe(false);
    expect(bb.ready).toBe(false);
  });

  it('a forged link, a link altered to another site, and an expired link are refused with their reason and change nothing', async () => {
    const s = await setup();
    const inv = s.rt.inventory;
    const names = new Map([...inv.sites.values()].map((x) => [x.id, x.name]));
    const m = s.register();
    s.clock.t = START - HOUR - 2 * MIN;
    s.drive(120, s.healthy);
    await s.readiness.tick();
    const mail = (await s.mails(`readiness-confirm/${m.id}/T-1h/kt-xa-bang-thanh`))[0]!;
    const link = linkIn(mail.text, 'xa-bang-thanh', names);
    const [base, token] = link.split('/kiem-tra/') as [string, string];
    const [body] = token.split('.') as [string, string];

    // forged: the right claim signed with another key
    const forged = signClaim(Buffer.alloc(32, 7), {
      meeting: m.id,
      site: 'xa-bang-thanh',
      slot: 'T-1h',
      person: 'kt-xa-bang-thanh',
      exp: START,
    });
    // another site: the genuine link's claim edited to Ba Bể, the genuine signature kept
    const claim = JSON.parse(Buffer.from(body, 'base64url').toString());
    const edited = Buffer.from(JSON.stringify({ ...claim, s: 'huyen-ba-be' })).toString('base64url');
    for (const [bad, status, why] of [
      [forged, 403, 'chữ ký không khớp'],
      [`${edited}.${token.split('.')[1]}`, 403, 'chữ ký không khớp'],
      [`${body}.${'A'.repeat(43)}`, 403, 'chữ ký không khớp'],
      [body, 400, 'không đúng định dạng'],
    ] as const) {
      for (const method of ['GET', 'POST'] as const) {
        const r = await s.open(`${base}/kiem-tra/${bad}`, method);
        expect(r.status, `${method} ${bad}`).toBe(status);
        expect(r.html).toContain(why);
        expect(r.html).toContain('Không có gì được ghi nhận');
      }
    }
    expect(s.joint.confirmations(m.id)).toEqual([]);

    // at the start the one-hour run is over: the genuine link has expired
    s.clock.t = START;
    const late = await s.open(link, 'POST');
    expect(late.status).toBe(410);
    expect(late.html).toContain('Đường dẫn xác nhận đã hết hạn');
    expect(s.joint.confirmations(m.id)).toEqual([]);
  });

  it("the dashboard's button: the site's own technician or the NOC confirms; other technicians, hosts and viewers are refused", async () => {
    const s = await setup();
    const m = s.register();
    s.clock.t = START - 50 * MIN;
    const path = (site: string) => `/meetings/${m.id}/readiness/sites/${site}/confirm`;
    expect((await s.call('u-tech-other', 'POST', path('xa-bang-thanh'))).status).toBe(404); // not their meeting
    expect((await s.call('u-viewer', 'POST', path('xa-bang-thanh'))).status).toBe(403);
    expect((await s.call('u-host', 'POST', path('xa-bang-thanh'))).status).toBe(403);
    expect((await s.call('u-tech', 'POST', path('huyen-ba-be'))).status).toBe(403); // not their site
    expect(s.joint.confirmations(m.id)).toEqual([]);

    const ok = await s.call('u-tech', 'POST', path('xa-bang-thanh'));
    expect(ok.status).toBe(200);
    expect(ok.json.confirmation).toMatchObject({
      site: 'xa-bang-thanh',
      slot: 'T-1h',
      person: 'kt-xa-bang-thanh',
      user_name: 'u-tech',
      via: 'dashboard',
      confirmed_at: START - 50 * MIN,
    });
    expect(ok.json.already).toBe(false);
    const noc = await s.call('u-noc', 'POST', path('huyen-ba-be'));
    expect(noc.json.confirmation.user_name).toBe('u-noc');
    expect((await s.call('u-noc', 'POST', path('xa-nhan-mon'))).status).toBe(409); // not in the meeting

    // a technician reads only their own sites' checks
    const mine = await s.call('u-tech', 'GET', `/meetings/${m.id}/readiness/sites`);
    expect(mine.json.items.map((x: Json) => x.site)).toEqual(['xa-bang-thanh']);
    expect(mine.json.items[0].confirmation.user_name).toBe('u-tech');
    expect(mine.json.items[0].parts.link).toBeNull(); // no run yet

    s.clock.t = START;
    expect((await s.call('u-noc', 'POST', path('huyen-pac-nam'))).status).toBe(409); // started
  });

  it('an unconfirmed site escalates to the NOC at T-30 min exactly once, with its technician and phone', async () => {
    const s = await setup();
    const m = s.register();
    s.clock.t = START - 50 * MIN;
    s.joint.confirmBy('u-tech', m.id, 'xa-bang-thanh');
    s.clock.t = START - 30 * MIN - 1;
    expect(s.joint.escalate()).toEqual([]);
    s.clock.t = START - 30 * MIN;
    expect(s.joint.escalate()).toEqual([m.id]);
    s.clock.t += MIN;
    expect(s.joint.escalate()).toEqual([]);
    // a new service on the same database (a restart) does not escalate again
    const again = new JointReadiness(s.rt.state, s.rt.inventory, {
      meetings: s.meetings,
      outbox: s.engine.outbox,
      secret: linkSecret(s.rt.state),
      baseUrl: 'http://x',
      now: s.clock.now,
    });
    expect(again.escalate()).toEqual([]);
    const got = await s.mails(`readiness-escalation/${m.id}`);
    expect(got.map(to).sort()).toEqual(['truc-ban-1@noc.diemcau.example', 'truc-ban-2@noc.diemcau.example']);
    const text = got[0]!.text;
    expect(got[0]!.subject).toBe(
      '[diemcau] Chưa xác nhận vận hành thử: 2 điểm cầu — Giao ban trực tuyến tháng 3',
    );
    expect(text).toContain(
      '- Hội trường UBND huyện Ba Bể: Cán bộ kỹ thuật UBND huyện Ba Bể, ĐT 0912 345 678',
    );
    expect(text).toContain('- Hội trường UBND huyện Pác Nặm: Cán bộ kỹ thuật UBND huyện Pác Nặm');
    expect(text).not.toContain('Bằng Thành'); // confirmed
  });

  it('carriers and Điện lực branches are told the test run is on: one message per organisation per run, their sites only', async () => {
    const s = await setup();
    const inv = s.rt.inventory;
    const m = s.register();
    s.clock.t = START - 12 * HOUR - 2 * MIN;
    s.drive(120, s.healthy);
    const [run] = await s.readiness.tick();
    expect(run!.slot).toBe('T-12h');
    // the same run again (a replay) adds nothing: idempotent keys
    expect(s.joint.tellOrganisations(m, 'T-12h', run!.at)).toBe(0);
    const got = await s.mails(`readiness-test/${m.id}/T-12h/`);
    const orgOf = (mail: Mail) => mail.key.split('/')[3];
    const emails = (org: string) =>
      inv.organisations.get(org)!.contacts.map((p) => inv.people.get(p)!.channels.email!);
    const expected = ['viettel', 'vnpt', 'dien-luc-pac-nam', 'dien-luc-ba-be'].flatMap(emails).sort();
    expect(got.map(to).sort()).toEqual(expected);
    expect(new Set(got.map(orgOf))).toEqual(
      new Set(['org:viettel', 'org:vnpt', 'org:dien-luc-pac-nam', 'org:dien-luc-ba-be']),
    );
    const viettel = got.find((x) => to(x) === 'truc-1@viettel.diemcau.example')!;
    expect(viettel.subject).toBe(
      '[diemcau] Đang vận hành thử trước 1/2 ngày: cuộc họp 08:00 ngày 10/03/2026 (2 điểm cầu)',
    );
    expect(viettel.text).toContain('TSLCD-BKN-VTL-0006');
    expect(viettel.text).not.toContain('Ba Bể'); // VNPT's
    const pacNam = got.find((x) => to(x) === 'truc-pac-nam@dienluc.diemcau.example')!;
    expect(pacNam.text).toContain('Hội trường UBND xã Bằng Thành');
    expect(pacNam.text).not.toContain('Ba Bể');
    expect(pacNam.text).toContain('không cắt điện theo kế hoạch');
    // no organisation of another district, no other carrier
    expect(got.some((x) => to(x).includes('ngan-son'))).toBe(false);
  });

  it('UPS shortfalls are one grouped finding per message, and the UPS rule uses the remaining time', async () => {
    const s = await setup();
    const inv = s.rt.inventory;
    const m = s.register(['tinh-uy', 'huyen-pac-nam', 'xa-bang-thanh', 'huyen-ba-be', 'xa-nhan-mon'], {
      // a 55-minute meeting
      end: START + 55 * MIN,
    });
    s.clock.t = START - 12 * HOUR - 2 * MIN;
    s.drive(120, (t) => [
      ...s.fleet.healthy('tinh-uy', t, { ups: { ups_runtime_min: 300 } }),
      ...s.fleet.healthy('huyen-pac-nam', t, { ups: { ups_runtime_min: 40 } }),
      ...s.fleet.healthy('xa-bang-thanh', t, { ups: { ups_runtime_min: 50 } }),
      ...s.fleet.healthy('huyen-ba-be', t, { ups: { ups_runtime_min: 60 } }),
      ...s.fleet.healthy('xa-nhan-mon', t, { codec: 'down', ups: { ups_runtime_min: 30 } }),
    ]);
    const [run] = await s.readiness.tick();
    // each site's own result still says it (before the start: 55 min + 10 min margin = 65 min)
    const codes = Object.fromEntries(run!.results.map((r) => [r.site, r.reasons.map((x) => x.code)]));
    expect(codes['huyen-ba-be']).toEqual(['ups_runtime_short']);
    expect(codes['xa-nhan-mon']).toEqual(['codec_not_answering', 'ups_runtime_short']);
    const summary = (await s.mails(`readiness/${m.id}/`)).find(
      (x) => to(x) === 'truc-ban-1@noc.diemcau.example',
    )!;
    expect(summary.text.match(/Thời gian pin UPS/g)).toHaveLength(1);
    expect(summary.text).toContain(
      'Nguồn dự phòng: Thời gian pin UPS không đủ cho thời gian còn lại của cuộc họp cộng dự phòng (cần 65 phút) tại 4 điểm cầu: Hội trường UBND huyện Ba Bể (60 phút), Hội trường UBND huyện Pác Nặm (40 phút), Hội trường UBND xã Bằng Thành (50 phút), Hội trường UBND xã Nhạn Môn (30 phút). Đề nghị sạc đầy UPS hoặc chuẩn bị máy phát.',
    );
    // the commune with a dead codec is listed for its codec only
    expect(summary.text).toContain(
      `- ${inv.sites.get('xa-nhan-mon')!.name}: Thiết bị codec xa-nhan-mon-codec không trả lời`,
    );
    // no separate alarm to the technicians of sites short only of UPS runtime
    const people = (await s.mails(`readiness/${m.id}/`)).map(to);
    expect(people).toContain('kt-xa-nhan-mon@site.diemcau.example');
    expect(people).not.toContain('kt-huyen-ba-be@site.diemcau.example');
    expect(people).not.toContain('kt-xa-bang-thanh@site.diemcau.example');

    // a check 10 minutes into the meeting: 45 min remain + 10 min margin = 55 min; 60 min of battery is enough
    s.clock.t = START + 10 * MIN - 2 * MIN;
    s.drive(120, (t) => s.fleet.healthy('huyen-ba-be', t, { ups: { ups_runtime_min: 60 } }));
    const mid = await s.readiness.run(m.id, 'manual', 'u-noc');
    const bb = mid.results.find((r) => r.site === 'huyen-ba-be')!;
    expect(bb.status).toBe('ready');
    expect(bb.metrics.ups_need_min).toBe(55);
  });
});
