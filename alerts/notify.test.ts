// Notifications end to end: real SMTP server, real HTTP receivers for Telegram, Zalo, SMS and
// the webhook; SMTP down then back; every message carries a stable idempotency key.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Person } from '../inventory/schema.ts';
import { Clock, Fleet, testRuntime } from '../test/helpers/alerts.ts';
import {
  freePort,
  type HttpSink,
  type SmtpSink,
  startHttp,
  startSmtp,
  until,
} from '../test/helpers/servers.ts';
import { isGsm7 } from './format.ts';
import { type AlertService, StaticMeetings, startAlerts } from './index.ts';
import { messageId } from './notify/email.ts';
import { ZaloNotifier } from './notify/http.ts';

const T0 = Date.UTC(2026, 10, 30, 1, 0, 0);
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const ENV = {
  TG_TOKEN: '123456:ABC-test',
  ZALO_TOKEN: 'zalo-oa-token',
  SMS_TOKEN: 'sms-secret',
  HOOK_SECRET: 'hook-secret',
  DIEMCAU_TELEGRAM_NOC: '-100200300',
  DIEMCAU_PHONE_VIETTEL_1: '+84912000001',
};

async function setup(smtpPort: number, http: HttpSink, extra = '', meetings = new StaticMeetings()) {
  const rt = testRuntime(
    `alerts:
  group_wait: 1s
  dashboard_url: http://noc.bac-kan.example/
  outbox: { retry_base: 100ms, retry_max: 1s, poll: 50ms, send_timeout: 3s }
${extra}notify:
  email: { host: 127.0.0.1, port: ${smtpPort}, from: "diemcau NOC <noc@diemcau.example>" }
  telegram: { base_url: "${http.url}/tg", token: { env: TG_TOKEN } }
  zalo: { base_url: "${http.url}/zalo", access_token: { env: ZALO_TOKEN } }
  sms: { url: "${http.url}/sms/send", token: { env: SMS_TOKEN } }
  webhook: { url: "${http.url}/hook", secret: { env: HOOK_SECRET } }
`,
  );
  const clock = new Clock(T0);
  const engine: AlertService = await startAlerts(rt, {
    meetings,
    now: clock.now,
    env: ENV,
    tickMs: 3_600_000,
  });
  cleanup.push(() => engine.stop());
  const fleet = new Fleet(rt.inventory);
  const drive = (seconds: number, round: (t: number) => ReturnType<Fleet['healthy']>) => {
    for (let s = 0; s < seconds; s += 10) {
      clock.t += 10_000;
      rt.bus.publish(round(clock.t));
      engine.tickNow();
    }
  };
  return { rt, engine, clock, fleet, drive };
}

async function servers(): Promise<{ smtp: SmtpSink; http: HttpSink }> {
  const smtp = await startSmtp();
  const http = await startHttp();
  cleanup.push(
    () => smtp.close(),
    () => http.close(),
  );
  return { smtp, http };
}

describe('notifiers', () => {
  it('e-mails in Vietnamese through a real SMTP server, and Telegram, SMS and webhook over HTTP', async () => {
    const { smtp, http } = await servers();
    // Bằng Thành (Pác Nặm) on a Viettel link, in a meeting: 5 % loss
    const meetings = new StaticMeetings([
      { id: 'hop', title: 'Giao ban tuần', start: T0, end: T0 + 3600_000, sites: ['xa-bang-thanh'] },
    ]);
    const { engine, fleet, drive } = await setup(smtp.port, http, '', meetings);
    drive(90, (t) => fleet.healthy('xa-bang-thanh', t, { probe: { loss_pct: 5.25 } }));
    const ok = await engine.outbox.idle(5000);
    if (!ok) console.log(engine.outbox.rows({}).map((r) => [r.channel, r.state, r.attempts, r.last_error]));
    expect(ok).toBe(true);

    const ep = engine.episodes().find((e) => e.rule === 'link-loss')!;
    const alert = engine.list().find((a) => a.rule === 'link-loss')!;
    expect(alert.episode).toBe(ep.id);
    expect(smtp.mails.map((m) => m.to).sort()).toEqual([
      'truc-1@viettel.diemcau.example',
      'truc-ban-1@noc.diemcau.example',
    ]);
    const mail = smtp.mails.find((m) => m.to === 'truc-1@viettel.diemcau.example')!;
    // the severity word is the episode's (critical in a meeting), never another one
    expect(mail.subject).toBe('[CẢNH BÁO NGHIÊM TRỌNG] Mất gói trên đường truyền — xã Bằng Thành');
    expect(mail.text).toContain('Mức độ: NGHIÊM TRỌNG (đang có cuộc họp)');
    expect(mail.text).not.toMatch(/mức major|mức critical/);
    expect(mail.text).toContain('Điểm cầu: Hội trường UBND xã Bằng Thành (cấp xã, huyện Pác Nặm)');
    expect(mail.text).toMatch(/Kênh truyền: Viettel TSLCD-BKN-VTL-/);
    // the owner's phone, from the inventory
    expect(mail.text).toContain(
      'Nguyên nhân: đường truyền Viettel — đơn vị xử lý: Viettel Bắc Kạn — trực đường truyền (ĐT +84912000001)',
    );
    // the reasoning whole (window means are not joined with the language separator), comma decimals
    expect(mail.text).toMatch(
      /Căn cứ: Tỷ lệ mất gói: đa số 2\/3 cửa sổ 20 giây gần nhất ở mức nghiêm trọng \(trung bình từng cửa sổ: 5,3; 5,3 %\) trên đường truyền Viettel/,
    );
    expect(mail.text).toContain('Số liệu: Tỷ lệ mất gói: 5,3 %');
    expect(mail.text).not.toMatch(/loss_pct|\d\.\d{3}/);
    expect(mail.text).toContain('Cuộc họp: «Giao ban tuần» 08:00–09:00');
    expect(mail.text).toContain('Việc cần làm: Kiểm tra kênh truyền số liệu chuyên dùng');
    expect(mail.text).toContain(`Xem chi tiết: http://noc.bac-kan.example/alerts?episode=${ep.id}`);
    expect(mail.text).toContain('— English —');
    expect(mail.text).toMatch(
      /Reasoning: Packet loss: the majority of the last 3 20-s windows at critical \(window means: 5\.3, 5\.3 %\) on the Viettel link/,
    );
    expect(mail.messageId).toBe(messageId(mail.key));
    expect(mail.key).toBe(`${ep.id}.alert.0/email/viettel-truc-1`);

    const tg = http.requests.filter((r) => r.path === `/tg/bot${ENV.TG_TOKEN}/sendMessage`);
    expect(tg).toHaveLength(1);
    expect(tg[0]!.json.chat_id).toBe(ENV.DIEMCAU_TELEGRAM_NOC);
    expect(String(tg[0]!.json.text)).toContain('Mất gói trên đường truyền');

    // SMS: one GSM-7 part, Vietnamese without diacritics, the link whole
    const sms = http.requests.filter((r) => r.path === '/sms/send');
    expect(sms).toHaveLength(1);
    expect(sms[0]!.json.to).toBe(ENV.DIEMCAU_PHONE_VIETTEL_1);
    expect(sms[0]!.headers.authorization).toBe(`Bearer ${ENV.SMS_TOKEN}`);
    expect(sms[0]!.headers['idempotency-key']).toBe(`${ep.id}.alert.0/sms/viettel-truc-1`);
    const text = String(sms[0]!.json.text);
    expect(text.length).toBeLessThanOrEqual(160);
    expect(isGsm7(text)).toBe(true);
    expect(text).toMatch(
      /^CANH BAO KHAN: Mat goi tren duong truyen: xa Bang Thanh\. NN duong truyen, DV Viettel Bac Kan\. Tu 08:0\d 30\/11\. /,
    );
    expect(text.endsWith(`http://noc.bac-kan.example/e/${ep.id}`)).toBe(true);

    const hook = http.requests.filter((r) => r.path === '/hook');
    expect(hook).toHaveLength(1);
    expect(hook[0]!.headers['idempotency-key']).toBe(`${ep.id}.alert.0/webhook`);
    expect(hook[0]!.headers['x-diemcau-signature']).toBe(
      `sha256=${createHmac('sha256', ENV.HOOK_SECRET).update(hook[0]!.body).digest('hex')}`,
    );
    expect((hook[0]!.json.episodes as { id: string }[])[0]!.id).toBe(ep.id);

    // acknowledgement: everyone already paged is told
    engine.acknowledge(alert.id, 'noc-truc-ban-1', 'Đã gọi Viettel');
    expect(engine.episode(ep.id)!.state).toBe('acknowledged');
    expect(await engine.outbox.idle()).toBe(true);
    const acks = smtp.mails.filter((m) => m.subject.startsWith('[ĐÃ TIẾP NHẬN]'));
    expect(acks).toHaveLength(2);
    expect(acks[0]!.text).toContain('Đã tiếp nhận bởi: noc-truc-ban-1 — ghi chú: Đã gọi Viettel');
    // it clears and settles (settle: the longest clear time of the rules, if-errors' 5 min, + 20 s):
    // the resolve goes to the same people, with the time to restore
    drive(600, (t) => fleet.healthy('xa-bang-thanh', t));
    expect(await engine.outbox.idle()).toBe(true);
    const resolved = smtp.mails.filter((m) => m.subject.startsWith('[ĐÃ KHẮC PHỤC]'));
    expect(resolved).toHaveLength(2);
    expect(resolved[0]!.text).toMatch(/Đã trở lại bình thường lúc .*; thời gian khôi phục \d+ phút/);
    // delivery history is visible per episode
    const deliveries = engine.deliveries(ep.id);
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((d) => d.state === 'sent' && d.attempts_log.length === 1)).toBe(true);
    expect(new Set(smtp.mails.map((m) => m.key)).size).toBe(smtp.mails.length);
    // send test: every channel that reaches the person
    const keys = engine.testNotification('noc-truc-ban-1', 'admin');
    expect(keys.map((k) => k.split('/').at(-1))).toEqual(['email', 'telegram']);
    expect(await engine.outbox.idle()).toBe(true);
    expect(smtp.mails.at(-1)!.subject).toBe('[THỬ KÊNH THÔNG BÁO] diemcau — kiểm tra kênh nhận cảnh báo');
    expect(String(http.requests.at(-1)!.json.text)).toContain('kênh thông báo của bạn đang hoạt động');
  });

  it('keeps e-mails while the SMTP server is down and delivers each once when it is back', async () => {
    const http = await startHttp();
    cleanup.push(() => http.close());
    const port = await freePort();
    // a meeting at Tân Sơn in 30 minutes: its codec silent is a readiness failure, not "switched off"
    const meetings = new StaticMeetings([
      { id: 'hop', title: 'Giao ban', start: T0 + 1800_000, end: T0 + 5400_000, sites: ['xa-tan-son'] },
    ]);
    const { engine, fleet, drive, rt } = await setup(port, http, '', meetings);
    // a codec hang at a Chợ Mới commune, and a UPS on battery at a Ba Bể commune
    drive(90, (t) => [
      ...fleet.healthy('xa-tan-son', t, { codec: 'down' }),
      ...fleet.healthy('xa-phuc-loc', t, {
        ups: { ups_on_battery: 1, ups_input_v: 0, ups_runtime_min: 25.982333 },
      }),
    ]);
    const pending = () => engine.outbox.rows({ state: 'pending' }).filter((r) => r.channel === 'email');
    await until(
      () => pending().length > 0 && pending().every((r) => r.attempts >= 1) && pending()[0]!.attempts >= 3,
      20_000,
      'retries',
    );
    const failedFirst = pending()[0]!;
    expect(failedFirst.last_error).toMatch(/SMTP|ECONNREFUSED|connect/i);
    const smtp = await startSmtp(port);
    cleanup.push(() => smtp.close());
    expect(await engine.outbox.idle(20_000)).toBe(true);
    const rows = engine.outbox.rows({}).filter((r) => r.channel === 'email');
    expect(rows.every((r) => r.state === 'sent')).toBe(true);
    expect(smtp.mails.map((m) => m.key).sort()).toEqual(rows.map((r) => r.idempotency_key).sort());
    const codec = smtp.mails.find((m) => m.to === 'kt-xa-tan-son@site.diemcau.example')!;
    expect(codec.subject).toBe('[CẢNH BÁO NGHIÊM TRỌNG] Thiết bị codec không phản hồi — xã Tân Sơn');
    expect(codec.text).toContain('Mức độ: NGHIÊM TRỌNG (sắp đến giờ họp)');
    expect(codec.text).toContain(
      'Nguyên nhân: thiết bị tại điểm cầu — đơn vị xử lý: Cán bộ kỹ thuật UBND xã Tân Sơn',
    );
    const power = smtp.mails.find((m) => m.to === 'truc-ba-be@dienluc.diemcau.example')!;
    // no meeting at Phúc Lộc: a power cut still pages its branch (rule: outside_meetings page), at its own severity
    expect(power.subject).toBe('[CẢNH BÁO CAO] UPS đang chạy pin, mất điện lưới — xã Phúc Lộc');
    expect(power.text).toContain('Nguyên nhân: mất điện lưới — đơn vị xử lý: Điện lực Ba Bể');
    // rounded and named: no raw metric names, no 25.982333
    expect(power.text).toContain('pin còn khoảng 26 phút');
    expect(power.text).toContain('Thời gian pin còn lại: 26 phút');
    expect(power.text).toContain('UPS chạy pin: Chạy pin');
    expect(power.text).not.toMatch(/ups_on_battery|25[.,]98/);
    expect(power.text).toContain('Việc cần làm: Kiểm tra và khôi phục nguồn điện lưới');
    // the failed attempts are in the delivery log
    const log = rt.state
      .prepare('SELECT ok, detail FROM delivery_log WHERE outbox_id = ? ORDER BY id')
      .all(failedFirst.id) as {
      ok: number;
    }[];
    expect(log.filter((l) => l.ok === 0).length).toBeGreaterThanOrEqual(3);
    expect(log.at(-1)!.ok).toBe(1);
    // nobody acknowledged the codec hang: 15 minutes on, the next contacts read why it came to them
    // after the severity word, not glued to it ("…CHƯA AI TIẾP NHẬN NGHIÊM TRỌNG" read as one phrase)
    drive(16 * 60, (t) => [
      ...fleet.healthy('xa-tan-son', t, { codec: 'down' }),
      ...fleet.healthy('xa-phuc-loc', t, {
        ups: { ups_on_battery: 1, ups_input_v: 0, ups_runtime_min: 25.982333 },
      }),
    ]);
    expect(await engine.outbox.idle(20_000)).toBe(true);
    const escalated = smtp.mails.filter((m) => m.subject.startsWith('[CHUYỂN CẤP'));
    expect(escalated.map((m) => m.subject)).toContain(
      '[CHUYỂN CẤP NGHIÊM TRỌNG — CHƯA AI TIẾP NHẬN] Thiết bị codec không phản hồi — xã Tân Sơn',
    );
  });

  it('a Telegram message a crash left half-sent is sent again marked as a possible repeat, with its key', async () => {
    const http = await startHttp();
    cleanup.push(() => http.close());
    const rt = testRuntime();
    const { Outbox } = await import('./outbox.ts');
    const { TelegramNotifier } = await import('./notify/http.ts');
    const tg = new TelegramNotifier({ baseUrl: `${http.url}/tg`, token: 't', timeoutMs: 3000 }, () => '42');
    const notifiers = new Map([['telegram' as const, tg]]);
    const quiet = {
      retryBaseMs: 100,
      retryMaxMs: 1000,
      pollMs: 50,
      log: rt.log.child({}, { level: 'error' }),
    };
    const item = (key: string) => ({
      key,
      channel: 'telegram' as const,
      recipient: '42',
      person: 'noc-truc-ban-1',
      alertId: null,
      kind: 'alert' as const,
      subject: 'Thử',
      body: 'Mất kết nối — xã Bằng Thành',
      short: 'Thử',
      payload: {},
    });
    // a first process wrote two rows and was killed while sending the second
    const first = new Outbox(rt.state, notifiers, quiet);
    first.enqueue([item('e-1.alert.0/telegram/noc-truc-ban-1'), item('e-2.alert.0/telegram/noc-truc-ban-1')]);
    expect(await first.idle(5000)).toBe(true);
    await first.stop();
    rt.state.prepare(`UPDATE outbox SET state = 'sending' WHERE idempotency_key LIKE 'e-2.%'`).run();
    http.requests.length = 0;
    // the restarted process sends it again, and says so
    const second = new Outbox(rt.state, notifiers, quiet);
    second.start();
    cleanup.push(() => second.stop());
    expect(await second.idle(5000)).toBe(true);
    expect(http.requests).toHaveLength(1);
    const text = String(http.requests[0]!.json.text);
    expect(
      text.startsWith('[GỬI LẠI — có thể trùng tin trước / RESENT — may repeat an earlier message]\n'),
    ).toBe(true);
    expect(text).toContain('Mất kết nối — xã Bằng Thành');
    expect(text.endsWith('Mã tin / message key: e-2.alert.0/telegram/noc-truc-ban-1')).toBe(true);
  });

  it('speaks the Zalo OA message API', async () => {
    const http = await startHttp();
    cleanup.push(() => http.close());
    const zalo = new ZaloNotifier(
      { baseUrl: `${http.url}/zalo`, accessToken: 'tok', timeoutMs: 3000 },
      () => '84901234567',
    );
    const person: Person = { id: 'p', name: 'Người nhận', channels: { zalo: { env: 'X' } } };
    expect(zalo.address(person)).toBe('84901234567');
    await zalo.send('84901234567', {
      key: 'k1',
      kind: 'test',
      subject: 'Thử',
      text: 'Thử kênh Zalo — điểm cầu Bằng Thành',
      short: 'Thử',
      payload: {},
    });
    expect(http.requests[0]!.path).toBe('/zalo/v3.0/oa/message/cs');
    expect(http.requests[0]!.headers.access_token).toBe('tok');
    expect(http.requests[0]!.json).toEqual({
      recipient: { user_id: '84901234567' },
      message: { text: 'Thử kênh Zalo — điểm cầu Bằng Thành\n\nMã tin / message key: k1' },
    });
    http.status = 503;
    await expect(
      zalo.send('84901234567', { key: 'k2', kind: 'test', subject: 'x', text: 'x', short: 'x', payload: {} }),
    ).rejects.toThrow(/503/);
  });
});
