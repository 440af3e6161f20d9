// What people read: Vietnamese first (with diacritics), English after.
import type { Alert } from '../api/contract.ts';
import type { MeetingRef } from '../core/ports.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { MessageKind } from './notify/types.ts';

export const SEVERITY_VI: Record<Alert['severity'], string> = {
  critical: 'NGHIÊM TRỌNG',
  major: 'CAO',
  minor: 'THẤP',
  info: 'THÔNG TIN',
};
const SEVERITY_EN: Record<Alert['severity'], string> = {
  critical: 'CRITICAL',
  major: 'MAJOR',
  minor: 'MINOR',
  info: 'INFO',
};
const KIND_VI: Record<MessageKind, string> = {
  alert: 'CẢNH BÁO',
  escalation: 'CHUYỂN CẤP — CHƯA AI TIẾP NHẬN',
  reminder: 'NHẮC LẠI — VẪN CÒN LỖI',
  resolve: 'ĐÃ KHẮC PHỤC',
  ack: 'ĐÃ TIẾP NHẬN',
  digest: 'TỔNG HỢP CẢNH BÁO MỨC THẤP',
  test: 'THỬ KÊNH THÔNG BÁO',
};
const KIND_EN: Record<MessageKind, string> = {
  alert: 'ALERT',
  escalation: 'ESCALATED — NOT ACKNOWLEDGED',
  reminder: 'REMINDER — STILL FIRING',
  resolve: 'RESOLVED',
  ack: 'ACKNOWLEDGED',
  digest: 'LOW-PRIORITY DIGEST',
  test: 'CHANNEL TEST',
};
export const TIER_VI = { province: 'cấp tỉnh', district: 'cấp huyện', commune: 'cấp xã' } as const;

export function causeText(
  inv: LoadedInventory,
  a: Pick<Alert, 'cause' | 'owner_org' | 'site'>,
): { vi: string; en: string } {
  const org = a.owner_org ? inv.organisations.get(a.owner_org) : undefined;
  switch (a.cause) {
    case 'link':
      return {
        vi: `đường truyền ${org?.carrier === 'vnpt' ? 'VNPT' : org?.carrier === 'viettel' ? 'Viettel' : ''}`.trim(),
        en: `${org?.carrier === 'vnpt' ? 'VNPT' : org?.carrier === 'viettel' ? 'Viettel' : ''} link`.trim(),
      };
    case 'power':
      return {
        vi: `nguồn điện (${org?.name ?? 'Điện lực'})`,
        en: `mains power (${org?.name_en ?? org?.name ?? 'power company'})`,
      };
    case 'equipment':
      return { vi: 'thiết bị tại điểm cầu', en: 'equipment at the site' };
    case 'mcu':
      return { vi: 'MCU Viettel', en: 'Viettel MCU' };
    default:
      return { vi: 'chưa xác định', en: 'undetermined' };
  }
}

function action(inv: LoadedInventory, a: Alert): { vi: string; en: string } {
  const site = a.site ? inv.sites.get(a.site) : undefined;
  switch (a.cause) {
    case 'link':
      return {
        vi: `Kiểm tra kênh truyền số liệu chuyên dùng${site && a.sites.length <= 1 ? ` ${site.link.circuit}` : ''}, phối hợp với cán bộ kỹ thuật điểm cầu để khắc phục và báo Trung tâm điều khiển thời gian khắc phục (Điều 8.2.d, 14.2).`,
        en: 'Check the dedicated data-network circuit, work with the site technician, and tell the NOC when it will be fixed.',
      };
    case 'power':
      return {
        vi: 'Kiểm tra và khôi phục nguồn điện lưới cấp cho điểm cầu; bảo đảm điện trước, trong và sau cuộc họp (Điều 14.3). Cán bộ kỹ thuật điểm cầu: theo dõi thời gian pin UPS.',
        en: 'Restore mains power to the site (Điều 14.3). Site technician: watch the UPS runtime.',
      };
    case 'equipment':
      return {
        vi: 'Cán bộ kỹ thuật điểm cầu: kiểm tra codec/thiết bị (nguồn, cáp mạng, đăng ký), khởi động lại nếu bị treo, báo Trung tâm điều khiển (Điều 13.2).',
        en: 'Site technician: check the codec (power, network cable, registration), restart it if hung, report to the NOC.',
      };
    case 'mcu':
      return {
        vi: `Tổ vận hành MCU Viettel: kiểm tra cổng MCU${site?.mcu_port ? ` số ${site.mcu_port}` : ''} của điểm cầu và quay số lại (Điều 14.1).`,
        en: `Viettel MCU team: check the site's MCU port${site?.mcu_port ? ` ${site.mcu_port}` : ''} and redial.`,
      };
    default:
      return {
        vi: 'Trực ban NOC: kiểm tra bộ thu thập số liệu và điểm cầu.',
        en: 'NOC: check the collector and the site.',
      };
  }
}

const fmt = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour12: false,
});
const hm = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
export const time = (t: number) => fmt.format(new Date(t));

export function siteLabel(inv: LoadedInventory, id: string): string {
  const s = inv.sites.get(id);
  if (!s) return id;
  const d = inv.districts.get(s.district);
  const dname = d ? `${d.type} ${d.name}` : s.district;
  return `${s.name} (${TIER_VI[s.tier]}, ${dname})`;
}

function shortName(inv: LoadedInventory, id: string): string {
  return (inv.sites.get(id)?.name ?? id).replace(/^Hội trường UBND /, '');
}

export interface Rendered {
  subject: string;
  text: string;
  short: string;
}

/** One message about one or more alerts of the same rule and owner (grouping). */
/** The NOC's digest of low-priority alerts outside meetings: one line each. */
export function renderDigest(
  inv: LoadedInventory,
  alerts: Alert[],
  opts: { dashboardUrl?: string },
): Rendered {
  const subject = `[${KIND_VI.digest}] ${alerts.length} cảnh báo ngoài giờ họp`;
  const lines = [subject, ''];
  for (const a of alerts) {
    const c = causeText(inv, a);
    lines.push(`• ${a.title} — ${SEVERITY_VI[a.severity]}, nguyên nhân: ${c.vi}, từ ${time(a.started_at)}`);
    lines.push(`  ${a.reasoning.split(' / ')[0]}`);
  }
  if (opts.dashboardUrl) lines.push('', `Xem chi tiết: ${opts.dashboardUrl.replace(/\/$/, '')}/#/alerts`);
  lines.push('', '— English —', `[${KIND_EN.digest}] ${alerts.length} alerts outside meetings`);
  for (const a of alerts) lines.push(`• ${a.title_en ?? a.title}`);
  return { subject, text: `${lines.join('\n')}\n`, short: subject };
}

export function render(
  inv: LoadedInventory,
  kind: MessageKind,
  alerts: Alert[],
  opts: { dashboardUrl?: string; meeting?: MeetingRef | null; ackBy?: string; ackComment?: string },
): Rendered {
  const a = alerts[0]!;
  const sites = [...new Set(alerts.flatMap((x) => (x.sites.length > 0 ? x.sites : x.site ? [x.site] : [])))];
  const sev = alerts.reduce((s, x) => (rank(x.severity) > rank(s) ? x.severity : s), a.severity);
  const cause = causeText(inv, a);
  const act = action(inv, a);
  const baseTitle = a.title.split(' — ')[0]!;
  const baseTitleEn = (a.title_en ?? a.rule).split(' — ')[0]!;
  const district = a.district && sites.length > 1 ? inv.districts.get(a.district) : undefined;
  const where =
    sites.length === 1
      ? shortName(inv, sites[0]!)
      : `${district && alerts.every((x) => x.district === a.district) ? `${district.type} ${district.name}, ` : ''}${sites.length} điểm cầu: ${sites
          .slice(0, 12)
          .map((s) => shortName(inv, s))
          .join(', ')}${sites.length > 12 ? ', …' : ''}`;
  const prefix =
    kind === 'alert' || kind === 'escalation' || kind === 'reminder'
      ? `[${KIND_VI[kind]} ${SEVERITY_VI[sev]}]`
      : `[${KIND_VI[kind]}]`;
  const prefixEn =
    kind === 'alert' || kind === 'escalation' || kind === 'reminder'
      ? `[${KIND_EN[kind]} ${SEVERITY_EN[sev]}]`
      : `[${KIND_EN[kind]}]`;
  const subject = `${prefix} ${baseTitle} — ${where}`;
  const lines: string[] = [`${prefix} ${baseTitle}`];
  if (sites.length === 1) lines.push(`Điểm cầu: ${siteLabel(inv, sites[0]!)}`);
  else {
    lines.push(`Điểm cầu (${sites.length}):`);
    for (const s of sites) lines.push(`  • ${siteLabel(inv, s)}`);
  }
  if (a.district && sites.length > 1) {
    const d = inv.districts.get(a.district);
    if (d) lines.push(`Địa bàn: ${d.type} ${d.name}`);
  }
  lines.push(`Mức độ: ${SEVERITY_VI[sev]}`);
  const owner = a.owner_org
    ? inv.organisations.get(a.owner_org)?.name
    : a.owner_person
      ? inv.people.get(a.owner_person)?.name
      : null;
  lines.push(`Nguyên nhân: ${cause.vi}${owner ? ` — đơn vị xử lý: ${owner}` : ''}`);
  lines.push(`Căn cứ: ${a.reasoning.split(' / ')[0]}`);
  const ev = Object.entries(a.evidence)
    .map(([k, v]) => `${k} = ${v}`)
    .join('; ');
  if (ev) lines.push(`Số liệu: ${ev}`);
  const m = opts.meeting;
  if (m) lines.push(`Cuộc họp: «${m.title}» ${hm.format(new Date(m.start))}–${hm.format(new Date(m.end))}`);
  if (kind === 'resolve') {
    lines.push(
      `Đã trở lại bình thường lúc ${time(a.resolved_at ?? Date.now())} (bắt đầu ${time(a.started_at)}).`,
    );
  } else if (kind === 'ack') {
    lines.push(
      `Đã tiếp nhận bởi: ${opts.ackBy ?? a.acknowledged_by}${(opts.ackComment ?? a.ack_comment) ? ` — ghi chú: ${opts.ackComment ?? a.ack_comment}` : ''}`,
    );
    lines.push('Ngừng chuyển cấp cảnh báo này.');
  } else {
    lines.push(`Bắt đầu: ${time(a.started_at)}`);
    lines.push(`Việc cần làm: ${act.vi}`);
  }
  if (a.flapping)
    lines.push('Lưu ý: tình trạng chập chờn (bật/tắt nhiều lần); chỉ báo khắc phục khi đã ổn định.');
  if (opts.dashboardUrl)
    lines.push(`Xem chi tiết: ${opts.dashboardUrl.replace(/\/$/, '')}/#/alerts/${encodeURIComponent(a.id)}`);
  lines.push(`Mã cảnh báo: ${alerts.map((x) => x.id).join(', ')}`);
  lines.push('');
  lines.push('— English —');
  lines.push(
    `${prefixEn} ${baseTitleEn} — ${sites.length === 1 ? shortName(inv, sites[0]!) : `${sites.length} sites`}`,
  );
  lines.push(`Cause: ${cause.en}. Reasoning: ${a.reasoning.split(' / ')[1] ?? a.reasoning}`);
  if (kind === 'resolve') lines.push('Back to normal.');
  else if (kind === 'ack')
    lines.push(`Acknowledged by ${opts.ackBy ?? a.acknowledged_by}; escalation stopped.`);
  else lines.push(`Action: ${act.en}`);
  const short =
    `${prefix} ${baseTitle}: ${where}. NN: ${cause.vi}.${m ? ` Họp ${hm.format(new Date(m.start))}.` : ''} ${alerts[0]!.id}`.slice(
      0,
      300,
    );
  return { subject, text: `${lines.join('\n')}\n`, short };
}

function rank(s: Alert['severity']): number {
  return { info: 1, minor: 2, major: 3, critical: 4 }[s];
}
