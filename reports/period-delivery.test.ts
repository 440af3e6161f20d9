// When a six-month period or a year closes, its report goes out once by e-mail with the .docx attached:
// the real outbox, the real e-mail notifier, a real SMTP server on loopback, the state database.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmailNotifier } from '../alerts/notify/email.ts';
import type { Channel, Notifier } from '../alerts/notify/types.ts';
import { Outbox } from '../alerts/outbox.ts';
import { ReportsConfig } from '../config/config.ts';
import { log } from '../core/log.ts';
import { parseLocalTime } from '../meetings/time.ts';
import { type SmtpSink, startSmtp } from '../test/helpers/servers.ts';
import { type World, world } from '../test/helpers/world.ts';
import { officeFrom } from './files.ts';
import { closedPeriods, PeriodDelivery, periodRecipients } from './period-delivery.ts';

let w: World;
let smtp: SmtpSink;
const outboxes: Outbox[] = [];
beforeEach(async () => {
  w = await world(parseLocalTime('2026-06-20T08:00')!);
  smtp = await startSmtp();
});
afterEach(async () => {
  for (const o of outboxes.splice(0)) await o.stop();
  await smtp.close();
  await w.stop();
});

/** A fresh outbox with the real e-mail channel, as a (re)started process has. */
function outbox(): Outbox {
  const email = new EmailNotifier({
    host: '127.0.0.1',
    port: smtp.port,
    secure: false,
    from: 'NOC Bắc Kạn <noc@example.gov.vn>',
    timeoutMs: 5000,
  });
  const o = new Outbox(w.rt.state, new Map<Channel, Notifier>([['email', email]]), {
    retryBaseMs: 100,
    retryMaxMs: 1000,
    pollMs: 50,
    log,
  });
  o.start();
  outboxes.push(o);
  return o;
}

const office = officeFrom(ReportsConfig.parse({ signer: { title: 'GIÁM ĐỐC', name: 'Nông Văn Chí' } }));
const delivery = (o: Outbox) =>
  new PeriodDelivery(w.rt.state, w.reportDeps(), {
    outbox: o,
    office,
    numbering: 'auto',
    to: ['noc-truc-ban-1', 'vanthu@ubnd.backan.gov.vn'],
    settleMs: 30 * 60_000,
  });

/** The attachments of a raw multipart mail: name, content type and bytes. */
function attachments(raw: string) {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw)?.[1];
  if (!boundary) return [];
  return raw
    .split(`--${boundary}`)
    .filter((part) => /content-disposition:\s*attachment/i.test(part))
    .map((part) => {
      const split = part.indexOf('\r\n\r\n');
      const head = part.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
      // RFC 2231 as nodemailer writes a long UTF-8 name: filename*0*=utf-8''…; filename*1=…
      const pieces = [...head.matchAll(/filename\*(\d+)\*?=([^;\r\n]+)/gi)].map((m) => m[2]!.trim());
      const plain = /filename="([^"]+)"/i.exec(head)?.[1];
      return {
        head,
        name: pieces.length ? decodeURIComponent(pieces.join('').replace(/^utf-8''/i, '')) : (plain ?? ''),
        type: /content-type:\s*([^;\r\n]+)/i.exec(head)?.[1] ?? '',
        bytes: Buffer.from(part.slice(split + 4).replace(/\s+/g, ''), 'base64'),
      };
    });
}

describe('scheduled delivery of the six-month and yearly reports', () => {
  it('names the periods that closed: six months on 1 July; six months and the year on 1 January', () => {
    const keys = (since: string, until: string) =>
      closedPeriods(parseLocalTime(since)!, parseLocalTime(until)!).map((p) => p.key);
    expect(keys('2026-06-01', '2026-07-01T00:30')).toEqual(['six-month/2026-01-01']);
    expect(keys('2026-12-15', '2027-01-01T01:00')).toEqual(['six-month/2026-07-01', 'yearly/2026-01-01']);
    // one second before local midnight of 1 July nothing has closed (Bắc Kạn time, UTC+7)
    expect(keys('2026-06-01', '2026-06-30T23:59:59')).toEqual([]);
  });

  it('e-mails the six-month report once with its .docx, and not again after a restart', async () => {
    const first = delivery(outbox());
    // before the period closes and settles: nothing
    w.clock.t = parseLocalTime('2026-07-01T00:10')!;
    expect(await first.tick()).toEqual([]);

    w.clock.t = parseLocalTime('2026-07-01T00:45')!;
    const [report] = await first.tick();
    expect(report?.kind).toBe('six-month');
    expect(await outboxes[0]!.idle(10_000)).toBe(true);
    expect(smtp.mails.map((m) => m.to).sort()).toEqual([
      'truc-ban-1@noc.diemcau.example',
      'vanthu@ubnd.backan.gov.vn',
    ]);
    const mail = smtp.mails[0]!;
    expect(mail.subject).toBe(
      '[diemcau] Báo cáo định kỳ 06 tháng đầu năm 2026 về sử dụng hệ thống hội nghị truyền hình trực tuyến',
    );
    const [file, ...more] = attachments(mail.raw);
    expect(more).toEqual([]);
    expect(file!.name).toBe('Báo cáo 06 tháng 2026-01-01.docx');
    expect(file!.type).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    // the attachment is the filed Word document, numbered
    const dir = mkdtempSync(join(tmpdir(), 'diemcau-mail-'));
    try {
      writeFileSync(join(dir, 'a.docx'), file!.bytes);
      const xml = execFileSync('unzip', ['-p', join(dir, 'a.docx'), 'word/document.xml'], {
        encoding: 'utf8',
      });
      const text = xml.replace(/<[^>]+>/g, '');
      expect(text).toContain('UBND TỈNH BẮC KẠN');
      expect(text).toContain('Số: 1/BC-STTTT');
      expect(text).toContain('Bắc Kạn, ngày 01 tháng 7 năm 2026');
      expect(text).toContain('(Từ ngày 01/01/2026 đến hết ngày 30/06/2026)');
      expect(text).toContain('Nông Văn Chí');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // again, and after a restart (a new outbox and a new delivery on the same state database)
    expect(await first.tick()).toEqual([]);
    await outboxes.shift()!.stop();
    const again = delivery(outbox());
    w.clock.t += 3600_000;
    expect(again.due()).toEqual([]);
    expect(await again.tick()).toEqual([]);
    expect(await outboxes[0]!.idle(5000)).toBe(true);
    expect(smtp.mails).toHaveLength(2);
    // the stored message keeps its attachment until it is deleted with the message
    const kept = w.rt.state.prepare('SELECT count(*) AS n FROM outbox_attachments').get() as { n: number };
    expect(kept.n).toBe(2);
  });

  it('sends a message queued before a restart, attachment included', async () => {
    // queued by a process whose worker never ran (it died first)
    const dead = new Outbox(w.rt.state, new Map(), {
      retryBaseMs: 100,
      retryMaxMs: 1000,
      pollMs: 3_600_000,
      log,
    });
    await dead.stop();
    dead.enqueue([
      {
        key: 'k/1',
        channel: 'email',
        recipient: 'a@example.gov.vn',
        person: null,
        alertId: null,
        kind: 'digest',
        subject: 'Báo cáo',
        body: 'Đính kèm',
        short: 'bc',
        payload: {},
        attachments: [
          { filename: 'Báo cáo.csv', contentType: 'text/csv', content: Buffer.from('\uFEFFĐiểm cầu;1\r\n') },
        ],
      },
    ]);
    const o = outbox();
    expect(await o.idle(10_000)).toBe(true);
    const [file] = attachments(smtp.mails[0]!.raw);
    expect(file!.name).toBe('Báo cáo.csv');
    expect(file!.bytes.toString('utf8')).toBe('\uFEFFĐiểm cầu;1\r\n');
  });

  it('refuses a recipient that is neither in the inventory nor an address', () => {
    expect(() => periodRecipients(w.rt.inventory, ['so-tttt', 'khong-co'])).toThrow(
      /reports\.delivery\.to: "khong-co" is neither a person nor an organisation/,
    );
    // an organisation: its contacts; nothing configured: the NOC's
    expect(periodRecipients(w.rt.inventory, []).length).toBeGreaterThan(0);
  });
});
