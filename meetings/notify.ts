// Readiness results to people (Điều 7, 13.4.b): after each test run the host office, the NOC and the
// technician of every site that is not ready get one message through the alert engine's durable outbox.
// UPS runtimes too short for the meeting are one grouped finding per message, not one alarm per site.
import type { Outbox, OutboxItem } from '../alerts/outbox.ts';
import type { Logger } from '../core/log.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { Party } from './audience.ts';
import { ascii, enDateTime, siteLine, titleFor } from './notices.ts';
import { partsOf, type ReadinessRun, type SiteReadiness } from './readiness.ts';
import type { Meeting } from './store.ts';
import { viDate, viDateTime, viTime } from './time.ts';

const SLOT_VI: Record<string, [string, string]> = {
  'T-12h': ['trước 1/2 ngày', 'half a day before'],
  'T-1h': ['trước 01 giờ', 'one hour before'],
  manual: ['theo yêu cầu', 'on demand'],
};

const otherReasons = (r: SiteReadiness) => r.reasons.filter((x) => x.code !== 'ups_runtime_short');

/** The sites whose UPS runtime is short of the meeting, as ONE finding (the per-site results still say it). */
export function upsFinding(
  results: readonly SiteReadiness[],
  inv: LoadedInventory,
): { vi: string; en: string; sites: string[] } | null {
  const short = results.filter((r) => r.reasons.some((x) => x.code === 'ups_runtime_short'));
  if (short.length === 0) return null;
  const need = Math.max(...short.map((r) => r.metrics.ups_need_min ?? 0));
  const each = short.map(
    (r) => `${inv.sites.get(r.site)?.name ?? r.site} (${r.metrics.ups_runtime_min ?? '?'} phút)`,
  );
  return {
    vi: `Thời gian pin UPS không đủ cho thời gian còn lại của cuộc họp cộng dự phòng (cần ${need} phút) tại ${short.length} điểm cầu: ${each.join(', ')}. Đề nghị sạc đầy UPS hoặc chuẩn bị máy phát.`,
    en: `UPS runtime short of the meeting's remaining time plus margin (${need} min needed) at ${short.length} sites: ${short.map((r) => r.site).join(', ')}.`,
    sites: short.map((r) => r.site),
  };
}

export function readinessMessage(
  run: ReadinessRun,
  m: Meeting,
  inv: LoadedInventory,
): { subject: string; text: string; short: string } {
  const [vi, en] = SLOT_VI[run.slot]!;
  // each site once with its reasons but the UPS runtime, which is one grouped finding below
  const bad = run.results.filter((r) => r.status === 'not_ready' && otherReasons(r).length > 0);
  const ups = upsFinding(run.results, inv);
  const name = (id: string) => inv.sites.get(id)?.name ?? id;
  const subject = `[diemcau] Vận hành thử ${vi}: ${run.ready}/${run.total} điểm cầu sẵn sàng — ${m.title}`;
  const lines = [
    `Cuộc họp: ${m.title}`,
    `Thời gian: ${viDateTime(m.start)} – ${viDateTime(m.end)}`,
    `Vận hành thử ${vi} (Điều 7.1.b) lúc ${viDateTime(run.at)}: ${run.ready}/${run.total} điểm cầu sẵn sàng.`,
    '',
    ...(bad.length
      ? [
          'Điểm cầu chưa sẵn sàng:',
          ...bad.map(
            (r) =>
              `- ${name(r.site)}: ${otherReasons(r)
                .map((x) => x.vi)
                .join('; ')}`,
          ),
        ]
      : ups
        ? []
        : ['Tất cả điểm cầu đã sẵn sàng.']),
    ...(ups ? ['', `Nguồn dự phòng: ${ups.vi}`] : []),
    '',
    '---',
    `Readiness test run ${en} for "${m.title}": ${run.ready}/${run.total} sites ready.`,
    ...bad.map(
      (r) =>
        `- ${r.site}: ${otherReasons(r)
          .map((x) => x.en)
          .join('; ')}`,
    ),
    ...(ups ? [`Backup power: ${ups.en}`] : []),
  ];
  const short = `Van hanh thu ${run.slot}: ${run.ready}/${run.total} san sang — ${m.title}`.slice(0, 160);
  return { subject, text: lines.join('\n'), short };
}

/** Host office and NOC contacts of a meeting: who hears about it. */
export function meetingAudience(inv: LoadedInventory, m: Meeting): Set<string> {
  const people = new Set<string>();
  for (const org of [m.host_org, inv.inventory.network.noc]) {
    for (const p of inv.organisations.get(org)?.contacts ?? []) people.add(p);
  }
  return people;
}

/**
 * One message to each person on every channel they have, plus the webhook (unless `webhook: false`),
 * through the durable outbox; `key` makes each delivery idempotent. Returns how many were queued.
 */
export function enqueueForPeople(
  outbox: Outbox,
  inv: LoadedInventory,
  people: Iterable<string>,
  key: string,
  msg: { subject: string; body: string; short: string; payload: Record<string, unknown> },
  opts: { webhook?: boolean; emails?: Iterable<string> } = {},
): number {
  const base = { alertId: null, kind: 'digest' as const, ...msg };
  const items: OutboxItem[] = [];
  for (const pid of people) {
    const person = inv.people.get(pid);
    if (!person) continue;
    for (const ch of ['email', 'telegram', 'zalo', 'sms'] as const) {
      const addr = outbox.notifier(ch)?.address(person);
      if (addr)
        items.push({ ...base, key: `${key}/${ch}/${pid}`, channel: ch, recipient: addr, person: pid });
    }
  }
  // contacts known only by an e-mail address (a host of the catalogue)
  if (outbox.has('email'))
    for (const addr of new Set(opts.emails ?? []))
      items.push({ ...base, key: `${key}/email/${addr}`, channel: 'email', recipient: addr, person: null });
  if (opts.webhook !== false && outbox.has('webhook'))
    items.push({ ...base, key: `${key}/webhook`, channel: 'webhook', recipient: 'webhook', person: null });
  return outbox.enqueue(items);
}

/** An `onRun` for startReadiness: one message per run to the host office, the NOC and the technicians of sites not ready. */
export function notifyReadiness(
  outbox: Outbox,
  inv: LoadedInventory,
  log?: Logger,
): (run: ReadinessRun, m: Meeting) => void {
  return (run, m) => {
    const people = meetingAudience(inv, m);
    for (const r of run.results) {
      // a site short only of UPS runtime is in the grouped finding, not an alarm to its technician
      if (r.status !== 'not_ready' || otherReasons(r).length === 0) continue;
      const tech = inv.sites.get(r.site)?.technician;
      if (tech) people.add(tech);
    }
    const msg = readinessMessage(run, m, inv);
    const n = enqueueForPeople(outbox, inv, people, `readiness/${m.id}/${run.id}`, {
      subject: msg.subject,
      body: msg.text,
      short: msg.short,
      payload: { readiness: run, meeting: m.id },
    });
    log?.info({ meeting: m.id, run: run.id, messages: n }, 'readiness result queued for delivery');
  };
}

// ——— Joint readiness (Điều 7.1.b, meetings/readiness-service.ts): the technician's request to confirm,
// the carriers' and power branches' "the test run is on", the NOC's escalation at T-30 min ———

/** One site in a technician's request: the automatic check's result and the signed link. */
export interface ConfirmRequestSite {
  site: string;
  result: SiteReadiness | undefined;
  link: string;
}

function resultLine(r: SiteReadiness | undefined): { vi: string; en: string } {
  if (!r) return { vi: 'chưa có kết quả', en: 'no result' };
  const parts = partsOf(r);
  const mark = (ok: boolean) => (ok ? 'đạt' : 'chưa đạt');
  const vi = `đường truyền ${mark(parts.link)}, nguồn/UPS ${mark(parts.power)}, codec ${mark(parts.codec)}`;
  const en = `link ${parts.link ? 'ok' : 'failed'}, power/UPS ${parts.power ? 'ok' : 'failed'}, codec ${parts.codec ? 'ok' : 'failed'}`;
  return r.reasons.length
    ? {
        vi: `${vi} — ${r.reasons.map((x) => x.vi).join('; ')}`,
        en: `${en} — ${r.reasons.map((x) => x.en).join('; ')}`,
      }
    : { vi, en };
}

/** The request to a technician: check the sites, then open each site's "Đã kiểm tra" link. */
export function confirmRequestMessage(
  inv: LoadedInventory,
  m: Meeting,
  o: { person: string; slot: 'T-12h' | 'T-1h'; sites: ConfirmRequestSite[]; expires: number },
): { subject: string; body: string; short: string } {
  const [vi, en] = SLOT_VI[o.slot]!;
  const title = titleFor(m, { roles: ['technician'] });
  const name = (id: string) => inv.sites.get(id)?.name ?? id;
  const body = [
    `Kính gửi: ${inv.people.get(o.person)?.name ?? o.person}`,
    '',
    `Vận hành thử ${vi} (Điều 7.1.b) cuộc họp "${title.vi}", ${viDateTime(m.start)} – ${viDateTime(m.end)}.`,
    'Đề nghị đồng chí kiểm tra thiết bị tại điểm cầu (âm thanh, hình ảnh, đường truyền, nguồn điện và UPS), gọi thử vào phòng họp MCU, rồi xác nhận "Đã kiểm tra" cho từng điểm cầu bằng đường dẫn dưới đây (hoặc nút "Đã kiểm tra" trên trang cuộc họp):',
    ...o.sites.flatMap((s) => [
      `- ${name(s.site)}: kiểm tra tự động: ${resultLine(s.result).vi}`,
      `  Đã kiểm tra: ${s.link}`,
    ]),
    `Đường dẫn có hiệu lực đến ${viDateTime(o.expires)}; chỉ dùng cho điểm cầu và lần vận hành thử này.`,
    '',
    '---',
    `Readiness test run ${en} for "${title.en}" (${enDateTime(m.start)}). Please check the site, make a test call, then confirm each site with its "Đã kiểm tra / Checked" link:`,
    ...o.sites.map((s) => `- ${s.site}: automatic check: ${resultLine(s.result).en}`),
    `The links work until ${enDateTime(o.expires)}.`,
  ];
  return {
    subject: `[diemcau] Đề nghị xác nhận vận hành thử ${vi}: ${title.vi} (${viDateTime(m.start)})`,
    body: body.join('\n'),
    short: ascii(
      `Van hanh thu ${o.slot} ${viTime(m.start)} ${viDate(m.start)}: kiem tra diem cau roi bam "Da kiem tra" (email/dashboard)`,
    ).slice(0, 160),
  };
}

/** To a carrier or a power branch: the test run is on now, for these of its sites. */
export function testRunNotice(
  inv: LoadedInventory,
  m: Meeting,
  party: Party,
  slot: 'T-12h' | 'T-1h',
  at: number,
): { subject: string; body: string; short: string } {
  const [vi, en] = SLOT_VI[slot]!;
  const title = titleFor(m, party);
  const org = party.org ? (inv.organisations.get(party.org)?.name ?? party.org) : party.key;
  const ask = party.roles.includes('carrier')
    ? 'Đề nghị quý đơn vị bảo đảm đường truyền các kênh trên và cán bộ kỹ thuật thường trực sẵn sàng xử lý sự cố ngay trong lần vận hành thử này (Điều 14.1.e, 14.2.b).'
    : 'Đề nghị quý đơn vị bảo đảm nguồn điện cho các điểm cầu trên trong lần vận hành thử này và đến khi cuộc họp kết thúc; không cắt điện theo kế hoạch (Điều 14.3).';
  const body = [
    `Kính gửi: ${org}`,
    '',
    `Sở Thông tin và Truyền thông thông báo: đang vận hành thử ${vi} (Điều 7.1.b), bắt đầu lúc ${viDateTime(at)}, cho cuộc họp "${title.vi}" ${viDateTime(m.start)} – ${viDateTime(m.end)}.`,
    `Điểm cầu liên quan (${party.sites.length}):`,
    ...party.sites.map((s) => `  - ${siteLine(inv, s, party)}`),
    '',
    ask,
    '',
    'Trân trọng./.',
    '',
    '---',
    `The readiness test run ${en} is on now (${enDateTime(at)}) for "${title.en}" at ${enDateTime(m.start)}; your sites: ${party.sites.length}. Please stand by.`,
  ];
  return {
    subject: `[diemcau] Đang vận hành thử ${vi}: cuộc họp ${viDateTime(m.start)} (${party.sites.length} điểm cầu)`,
    body: body.join('\n'),
    short: ascii(
      `Dang van hanh thu ${slot} cuoc hop ${viTime(m.start)} ${viDate(m.start)}: ${party.sites.length} diem cau cua don vi`,
    ).slice(0, 160),
  };
}

/** One unconfirmed site for the NOC: its technician and phone, where the inventory has them. */
export interface Unconfirmed {
  site: string;
  technician: string | null;
  phone: string | null;
}

/** To the NOC at T-30 min: the sites whose technician has not confirmed the test run. */
export function escalationMessage(
  inv: LoadedInventory,
  m: Meeting,
  sites: Unconfirmed[],
): { subject: string; body: string; short: string } {
  const who = (u: Unconfirmed) => {
    const name = u.technician
      ? (inv.people.get(u.technician)?.name ?? u.technician)
      : 'chưa có cán bộ kỹ thuật';
    return `${name}${u.phone ? `, ĐT ${u.phone}` : ''}`;
  };
  const body = [
    `Cuộc họp: ${m.title}`,
    `Thời gian: ${viDateTime(m.start)} – ${viDateTime(m.end)}`,
    `${sites.length} điểm cầu chưa xác nhận "Đã kiểm tra" lần vận hành thử trước 01 giờ (Điều 7.1.b). Đề nghị trực ban liên hệ cán bộ kỹ thuật:`,
    ...sites.map((u) => `- ${inv.sites.get(u.site)?.name ?? u.site}: ${who(u)}`),
    '',
    '---',
    `${sites.length} sites have not confirmed the one-hour test run of "${m.title}" (${enDateTime(m.start)}):`,
    ...sites.map(
      (u) => `- ${u.site}: ${u.technician ?? 'no technician'}${u.phone ? `, phone ${u.phone}` : ''}`,
    ),
  ];
  return {
    subject: `[diemcau] Chưa xác nhận vận hành thử: ${sites.length} điểm cầu — ${m.title}`,
    body: body.join('\n'),
    short: ascii(
      `Chua xac nhan van hanh thu: ${sites.length} diem cau, hop ${viTime(m.start)} — ${m.title}`,
    ).slice(0, 160),
  };
}
