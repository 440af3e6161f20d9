// What people read, rendered from structured fields per language (Vietnamese first, with
// diacritics; English after): the severity word the episode has, display names and units from the
// metric vocabulary, numbers the Vietnamese way, times in Asia/Ho_Chi_Minh. SMS: one GSM-7 part.
import type { Alert, Cause, Episode } from '../api/contract.ts';
import { isMetricName, METRICS, statesOf } from '../core/metrics.ts';
import type { MeetingRef } from '../core/ports.ts';
import { CAUSE_NAMES, SEVERITIES, SEVERITY_NAMES, SEVERITY_RANK } from '../core/vocabulary.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { ascii, duration, hhmm, num, shortTime, time } from './format.ts';
import type { MessageKind } from './notify/types.ts';
import type { Explanation } from './topology.ts';

export { time } from './format.ts';

type Lang = 'vi' | 'en';
type Severity = Alert['severity'];

const SEVERITY_VI = Object.fromEntries(SEVERITIES.map((s) => [s, SEVERITY_NAMES[s].vi])) as Record<
  Severity,
  string
>;
const SEVERITY_EN = Object.fromEntries(SEVERITIES.map((s) => [s, SEVERITY_NAMES[s].en])) as Record<
  Severity,
  string
>;
const KIND: Record<MessageKind, Record<Lang, string>> = {
  alert: { vi: 'CẢNH BÁO', en: 'ALERT' },
  escalation: { vi: 'CHUYỂN CẤP', en: 'ESCALATED' },
  reminder: { vi: 'NHẮC LẠI', en: 'REMINDER' },
  resolve: { vi: 'ĐÃ KHẮC PHỤC', en: 'RESOLVED' },
  ack: { vi: 'ĐÃ TIẾP NHẬN', en: 'ACKNOWLEDGED' },
  reassign: { vi: 'CHUYỂN ĐƠN VỊ XỬ LÝ', en: 'REASSIGNED' },
  digest: { vi: 'TỔNG HỢP CẢNH BÁO NGOÀI GIỜ HỌP', en: 'DIGEST OUTSIDE MEETINGS' },
  test: { vi: 'THỬ KÊNH THÔNG BÁO', en: 'CHANNEL TEST' },
};
/** after the severity: why this message came ("[CHUYỂN CẤP NGHIÊM TRỌNG — CHƯA AI TIẾP NHẬN]") */
const KIND_NOTE: Partial<Record<MessageKind, Record<Lang, string>>> = {
  escalation: { vi: 'CHƯA AI TIẾP NHẬN', en: 'NOT ACKNOWLEDGED' },
  reminder: { vi: 'VẪN CÒN LỖI', en: 'STILL FAILING' },
};
/** SMS words, without diacritics, short */
const KIND_SMS: Record<MessageKind, string> = {
  alert: 'CANH BAO',
  escalation: 'CHUYEN CAP',
  reminder: 'NHAC LAI',
  resolve: 'DA KHAC PHUC',
  ack: 'DA TIEP NHAN',
  reassign: 'CHUYEN DON VI',
  digest: 'TONG HOP',
  test: 'THU',
};
export const TIER_VI = { province: 'cấp tỉnh', district: 'cấp huyện', commune: 'cấp xã' } as const;
const TIER_EN = { province: 'province', district: 'district', commune: 'commune' } as const;

const carrierName = (c: string) => (c === 'vnpt' ? 'VNPT' : c === 'viettel' ? 'Viettel' : c);

/** An episode as messages need it: the wire shape and the structured reasons behind it. */
export interface EpisodeView {
  e: Episode;
  explanation: Explanation;
  evidence: Record<string, number | string>;
  meeting: MeetingRef | null;
}

export interface RenderOptions {
  dashboardUrl?: string | undefined;
  /** the person's phone, where the inventory has one */
  phone?: ((person: string) => string | undefined) | undefined;
  now: number;
  ackBy?: string | undefined;
  ackComment?: string | undefined;
  /** for a reassignment: the cause and owner before */
  previous?: { cause: Cause | null; owner_org: string | null; owner_person: string | null; reason: string };
}

export interface Rendered {
  subject: string;
  text: string;
  /** one SMS part: GSM-7, at most 160 characters */
  short: string;
}

export function causeText(
  inv: LoadedInventory,
  a: Pick<Alert, 'cause' | 'owner_org'>,
): { vi: string; en: string } {
  const org = a.owner_org ? inv.organisations.get(a.owner_org) : undefined;
  switch (a.cause) {
    case 'link': {
      const c = org?.carrier ? carrierName(org.carrier) : '';
      return { vi: `${CAUSE_NAMES.link.vi} ${c}`.trim(), en: `${c} ${CAUSE_NAMES.link.en}`.trim() };
    }
    case 'power':
    case 'equipment':
    case 'mcu':
      return CAUSE_NAMES[a.cause];
    default:
      return { vi: 'chưa xác định', en: 'undetermined' };
  }
}

function siteName(inv: LoadedInventory, id: string): string {
  return (inv.sites.get(id)?.name ?? id).replace(/^Hội trường UBND /, '');
}

export function siteLabel(inv: LoadedInventory, id: string, lang: Lang = 'vi'): string {
  const s = inv.sites.get(id);
  if (!s) return id;
  const d = inv.districts.get(s.district);
  if (lang === 'vi') return `${s.name} (${TIER_VI[s.tier]}, ${d ? `${d.type} ${d.name}` : s.district})`;
  return `${s.name} (${TIER_EN[s.tier]}, ${d?.name ?? s.district})`;
}

/** A metric's value as a person reads it: "Thời gian pin còn lại: 26 phút" / "UPS runtime: 26 min". */
export function metricText(metric: string, value: number | string, lang: Lang): string {
  if (!isMetricName(metric) || typeof value !== 'number') return `${metric}: ${value}`;
  const m = METRICS[metric];
  const state = statesOf(metric)?.[value];
  if (state) return `${m[lang]}: ${state[lang]}`;
  const unit = m.unit === 'min' ? (lang === 'vi' ? 'phút' : 'min') : m.unit;
  return `${m[lang]}: ${num(value, lang)}${unit ? ` ${unit}` : ''}`;
}

/** The reasoning behind a cause, in one language. */
export function explain(inv: LoadedInventory, x: Explanation, lang: Lang): string {
  const vi = lang === 'vi';
  switch (x.code) {
    case 'power_then_dark':
      return vi
        ? `UPS chạy pin từ ${time(x.ups_since)}, sau đó điểm cầu mất kết nối lúc ${time(x.dark_since)}: mất điện lưới, không phải lỗi đường truyền`
        : `UPS on battery since ${time(x.ups_since)}, then the site went dark at ${time(x.dark_since)}: mains power, not the link`;
    case 'input_lost_then_dark':
      return vi
        ? `Điện áp vào UPS ${num(x.input_v, 'vi')} V trước khi điểm cầu mất kết nối lúc ${time(x.dark_since)}: mất điện lưới`
        : `UPS input at ${num(x.input_v, 'en')} V before the site went dark at ${time(x.dark_since)}: mains power`;
    case 'dark':
      return vi
        ? `Điểm cầu không trả lời thăm dò từ ${time(x.dark_since)}, UPS không báo chạy pin: lỗi đường truyền của nhà mạng`
        : `The site stopped answering probes at ${time(x.dark_since)} and its UPS did not report battery: the carrier's link`;
    case 'devices_dark':
      return vi
        ? `Không thiết bị nào của điểm cầu trả lời từ ${time(x.dark_since)} (điểm cầu không có đầu đo đường truyền), UPS không báo chạy pin: lỗi đường truyền của nhà mạng`
        : `No device of the site has answered since ${time(x.dark_since)} (the site has no path probe) and its UPS did not report battery: the carrier's link`;
    case 'district_link':
      return vi
        ? `${x.dark}/${x.total} điểm cầu của địa bàn mất kết nối trong vòng ${num(x.within_s, 'vi')} giây: lỗi đường truyền trục ${carrierName(x.carrier)} của huyện, không phải lỗi từng xã`
        : `${x.dark} of ${x.total} sites of the district went dark within ${num(x.within_s, 'en')} s: the district's ${carrierName(x.carrier)} backbone, not each commune`;
    case 'on_battery': {
      const rt =
        x.runtime_min !== null
          ? vi
            ? `, pin còn khoảng ${num(x.runtime_min, 'vi')} phút`
            : `, about ${num(x.runtime_min, 'en')} min of battery left`
          : '';
      const via = x.via ? (vi ? ` (báo bằng bẫy SNMP ${x.via.replace(/^trap /, '')})` : ` (${x.via})`) : '';
      return vi
        ? `UPS chuyển sang chạy pin${via}${rt}: mất điện lưới tại điểm cầu`
        : `The UPS switched to battery${via}${rt}: mains power lost at the site`;
    }
    case 'codec_silent':
      return vi
        ? 'Điểm cầu vẫn trả lời (thăm dò hoặc thiết bị khác) nhưng codec không trả lời giám sát (SNMP hoặc API) trước/trong cuộc họp: lỗi thiết bị tại điểm cầu'
        : 'The site still answers (its probes or its other devices) but the codec does not answer monitoring (SNMP or its API) around a meeting: equipment at the site';
    case 'off_in_hours':
      return vi
        ? 'Điểm cầu vẫn trả lời thăm dò nhưng codec tắt trong giờ làm việc, không có cuộc họp sắp tới: không phải sự cố, Trung tâm theo dõi'
        : 'The site answers its probes but its codec is switched off during working hours with no meeting near: not a fault, for the NOC to note';
    case 'mcu_port':
      return vi
        ? `Codec báo đang trong cuộc gọi nhưng cổng MCU${x.port ? ` số ${x.port}` : ''} không kết nối: lỗi phía MCU Viettel`
        : `The codec says it is in a call but its MCU port${x.port ? ` ${x.port}` : ''} is not connected: Viettel MCU`;
    case 'runtime': {
      const list = x.short
        .map(
          (s) =>
            `${siteName(inv, s.site)} ${num(s.runtime_min, lang)}/${num(s.needed_min, lang)} ${vi ? 'phút' : 'min'}`,
        )
        .join(', ');
      return vi
        ? `Thời gian pin UPS ít hơn thời gian cần cho cuộc họp (còn/cần): ${list}`
        : `UPS runtime shorter than the meeting needs (left/needed): ${list}`;
    }
    case 'window': {
      const m = METRICS[x.metric];
      const means = x.means.map((v) => num(v, lang)).join(vi ? '; ' : ', ');
      const unit = m.unit ? ` ${m.unit}` : '';
      return vi
        ? `${m.vi}: đa số ${Math.ceil(x.of / 2)}/${x.of} cửa sổ ${x.size_s} giây gần nhất ở mức ${SEVERITY_VI[x.level].toLowerCase()} (trung bình từng cửa sổ: ${means}${unit}) trên đường truyền ${carrierName(x.carrier)}`
        : `${m.en}: the majority of the last ${x.of} ${x.size_s}-s windows at ${SEVERITY_EN[x.level].toLowerCase()} (window means: ${means}${unit}) on the ${carrierName(x.carrier)} link`;
    }
    case 'threshold': {
      const v =
        x.value === null ? (vi ? 'không có số liệu' : 'no data') : metricText(x.metric, x.value, lang);
      const hold =
        x.for_s > 0
          ? vi
            ? ` liên tục ${duration(x.for_s * 1000, 'vi')}`
            : ` for ${duration(x.for_s * 1000, 'en')}`
          : '';
      return `${v}${hold}`;
    }
    case 'absent':
      return vi
        ? `Không nhận được số liệu thăm dò trong ${duration(x.ago_s * 1000, 'vi')}: kiểm tra bộ thu thập số liệu`
        : `No probe data for ${duration(x.ago_s * 1000, 'en')}: check the collector`;
    case 'flapping':
      return vi
        ? `${METRICS[x.metric].vi} chập chờn: ${x.onsets} lần chuyển sang lỗi trong thời gian ngắn (kể cả những lần mất ngắn hơn ngưỡng chờ)`
        : `${METRICS[x.metric].en} flapping: ${x.onsets} transitions into failure in a short time (outages shorter than the wait included)`;
  }
}

function action(inv: LoadedInventory, e: Episode, lang: Lang): string {
  const site = e.sites[0] ? inv.sites.get(e.sites[0]) : undefined;
  const vi = lang === 'vi';
  switch (e.cause) {
    case 'link':
      return vi
        ? 'Kiểm tra kênh truyền số liệu chuyên dùng, phối hợp với cán bộ kỹ thuật điểm cầu để khắc phục và báo Trung tâm điều khiển thời gian khắc phục (Điều 8.2.d, 14.2).'
        : 'Check the dedicated data-network circuit, work with the site technician, and tell the NOC when it will be fixed.';
    case 'power':
      return vi
        ? 'Kiểm tra và khôi phục nguồn điện lưới cấp cho điểm cầu; bảo đảm điện trước, trong và sau cuộc họp (Điều 14.3). Cán bộ kỹ thuật điểm cầu: theo dõi thời gian pin UPS.'
        : 'Restore mains power to the site (Điều 14.3). Site technician: watch the UPS runtime.';
    case 'equipment':
      return vi
        ? 'Cán bộ kỹ thuật điểm cầu: kiểm tra codec/UPS (nguồn, cáp mạng, đăng ký), khởi động lại nếu bị treo, báo Trung tâm điều khiển (Điều 13.2).'
        : 'Site technician: check the codec/UPS (power, network cable, registration), restart it if hung, report to the NOC.';
    case 'mcu':
      return vi
        ? `Tổ vận hành MCU Viettel: kiểm tra cổng MCU${site?.mcu_port ? ` số ${site.mcu_port}` : ''} của điểm cầu và quay số lại (Điều 14.1).`
        : `Viettel MCU team: check the site's MCU port${site?.mcu_port ? ` ${site.mcu_port}` : ''} and redial.`;
    default:
      return vi
        ? 'Trực ban NOC: kiểm tra bộ thu thập số liệu và điểm cầu.'
        : 'NOC: check the collector and the site.';
  }
}

function ownerText(
  inv: LoadedInventory,
  e: Pick<Episode, 'owner_org' | 'owner_person' | 'sites' | 'cause'>,
  o: RenderOptions,
  lang: Lang,
): string | null {
  const org = e.owner_org ? inv.organisations.get(e.owner_org) : undefined;
  const person = e.owner_person ? inv.people.get(e.owner_person) : undefined;
  const name = org ? (lang === 'en' ? (org.name_en ?? org.name) : org.name) : person?.name;
  if (!name) return null;
  const first = org ? org.contacts[0] : person?.id;
  const phone = first ? o.phone?.(first) : undefined;
  return phone ? `${name} (${lang === 'vi' ? 'ĐT' : 'tel.'} ${phone})` : name;
}

const link = (o: RenderOptions, e: Episode) =>
  o.dashboardUrl ? `${o.dashboardUrl.replace(/\/$/, '')}/alerts?episode=${encodeURIComponent(e.id)}` : null;

function ago(ms: number, lang: Lang): string {
  return lang === 'vi' ? `${duration(ms, 'vi')} trước` : `${duration(ms, 'en')} ago`;
}

/** The sites a person is told about: a site technician only their own, everyone else all. */
export function sitesFor(inv: LoadedInventory, e: Episode, person: string | null): string[] {
  if (!person) return e.sites;
  const own = e.sites.filter((s) => inv.sites.get(s)?.technician === person);
  const isOwnerContact =
    (e.owner_org && inv.organisations.get(e.owner_org)?.contacts.includes(person)) ||
    inv.organisations.get(inv.inventory.network.noc)?.contacts.includes(person);
  return own.length > 0 && !isOwnerContact ? own : e.sites;
}

function block(
  inv: LoadedInventory,
  kind: MessageKind,
  v: EpisodeView,
  sites: string[],
  o: RenderOptions,
  lang: Lang,
): string[] {
  const e = v.e;
  const vi = lang === 'vi';
  const lines: string[] = [];
  const title = vi ? e.title : e.title_en;
  lines.push(`${vi ? 'Sự cố' : 'Fault'}: ${title}`);
  if (sites.length === 1) lines.push(`${vi ? 'Điểm cầu' : 'Site'}: ${siteLabel(inv, sites[0]!, lang)}`);
  else {
    lines.push(`${vi ? 'Điểm cầu' : 'Sites'} (${sites.length}):`);
    for (const s of sites) lines.push(`  • ${siteLabel(inv, s, lang)}`);
  }
  if (sites.length === 1) {
    const s = inv.sites.get(sites[0]!);
    if (s && (e.cause === 'link' || kind === 'alert'))
      lines.push(`${vi ? 'Kênh truyền' : 'Circuit'}: ${carrierName(s.link.carrier)} ${s.link.circuit}`);
  }
  const sev = vi ? SEVERITY_VI[e.severity] : SEVERITY_EN[e.severity];
  const why =
    e.relevance === 'meeting'
      ? vi
        ? ' (đang có cuộc họp)'
        : ' (a meeting is live)'
      : e.relevance === 'soon'
        ? vi
          ? ' (sắp đến giờ họp)'
          : ' (a meeting starts soon)'
        : '';
  lines.push(`${vi ? 'Mức độ' : 'Severity'}: ${sev}${why}`);
  const c = causeText(inv, e);
  const owner = ownerText(inv, e, o, lang);
  lines.push(
    `${vi ? 'Nguyên nhân' : 'Cause'}: ${c[lang]}${owner ? ` — ${vi ? 'đơn vị xử lý' : 'owner'}: ${owner}` : ''}`,
  );
  if (kind === 'reassign' && o.previous) {
    const before = causeText(inv, o.previous);
    const prevOwner = ownerText(inv, { ...o.previous, sites: e.sites }, o, lang);
    lines.push(
      vi
        ? `Trước đây: ${before.vi}${prevOwner ? ` — ${prevOwner}` : ''}. Lý do chuyển: ${o.previous.reason}`
        : `Before: ${before.en}${prevOwner ? ` — ${prevOwner}` : ''}. Reason: ${o.previous.reason}`,
    );
  }
  lines.push(`${vi ? 'Căn cứ' : 'Reasoning'}: ${explain(inv, v.explanation, lang)}`);
  const ev = Object.entries(v.evidence)
    .filter(([k]) => isMetricName(k))
    .map(([k, val]) => metricText(k, val, lang));
  if (ev.length > 0) lines.push(`${vi ? 'Số liệu' : 'Numbers'}: ${ev.join('; ')}`);
  if (e.flapping)
    lines.push(
      vi
        ? 'Lưu ý: chập chờn (bật/tắt nhiều lần); chỉ báo khắc phục khi đã ổn định.'
        : 'Note: flapping; resolved only once stable.',
    );
  const m = v.meeting;
  if (m) lines.push(`${vi ? 'Cuộc họp' : 'Meeting'}: «${m.title}» ${hhmm(m.start)}–${hhmm(m.end)}`);
  if (kind === 'resolve') {
    const end = e.cleared_at ?? e.resolved_at ?? o.now;
    lines.push(
      vi
        ? `Đã trở lại bình thường lúc ${time(end)}; bắt đầu ${time(e.started_at)}; thời gian khôi phục ${duration(end - e.started_at, 'vi')}.`
        : `Back to normal at ${time(end)}; started ${time(e.started_at)}; time to restore ${duration(end - e.started_at, 'en')}.`,
    );
  } else if (kind === 'ack') {
    const by = o.ackBy ?? e.acknowledged_by;
    const note = o.ackComment ?? e.ack_comment;
    lines.push(
      vi
        ? `Đã tiếp nhận bởi: ${by}${note ? ` — ghi chú: ${note}` : ''}. Ngừng chuyển cấp và nhắc lại.`
        : `Acknowledged by ${by}${note ? ` — note: ${note}` : ''}. Escalation and reminders stopped.`,
    );
  } else {
    if (e.acknowledged_by)
      lines.push(
        vi
          ? `Đã tiếp nhận bởi: ${e.acknowledged_by}${e.ack_comment ? ` — ghi chú: ${e.ack_comment}` : ''}`
          : `Acknowledged by ${e.acknowledged_by}${e.ack_comment ? ` — note: ${e.ack_comment}` : ''}`,
      );
    lines.push(`${vi ? 'Bắt đầu' : 'Started'}: ${time(e.started_at)} (${ago(o.now - e.started_at, lang)})`);
    lines.push(`${vi ? 'Việc cần làm' : 'Action'}: ${action(inv, e, lang)}`);
  }
  const url = link(o, e);
  if (url) lines.push(`${vi ? 'Xem chi tiết' : 'Details'}: ${url}`);
  lines.push(`${vi ? 'Mã sự cố' : 'Episode'}: ${e.id}`);
  return lines;
}

function worst(views: EpisodeView[]): Severity {
  return views.reduce<Severity>(
    (s, v) => (SEVERITY_RANK[v.e.severity] > SEVERITY_RANK[s] ? v.e.severity : s),
    'info',
  );
}

function headline(inv: LoadedInventory, v: EpisodeView, sites: string[], lang: Lang): string {
  const title = lang === 'vi' ? v.e.title.split(' — ')[0]! : v.e.title_en.split(' — ')[0]!;
  const count = `${sites.length} ${lang === 'vi' ? 'điểm cầu' : 'sites'}`;
  // a multi-site title names its place ("— huyện Na Rì", "— 13 điểm cầu, huyện Pác Nặm")
  const place = (lang === 'vi' ? v.e.title : v.e.title_en).split(' — ')[1];
  const where =
    sites.length === 1
      ? siteName(inv, sites[0]!)
      : place && sites.length === v.e.sites.length
        ? /điểm cầu|sites/.test(place)
          ? place
          : `${place} (${count})`
        : count;
  return `${title} — ${where}`;
}

/**
 * One message to one person about one or more episodes of the same kind (pages that are due in the
 * same moment go out together): subject, full text (e-mail, Telegram, Zalo) and one SMS part.
 */
export function render(
  inv: LoadedInventory,
  kind: MessageKind,
  views: EpisodeView[],
  person: string | null,
  o: RenderOptions,
): Rendered {
  const sev = worst(views);
  const paging = kind === 'alert' || kind === 'escalation' || kind === 'reminder';
  const tag = (lang: Lang) => {
    const severity = paging ? ` ${lang === 'vi' ? SEVERITY_VI[sev] : SEVERITY_EN[sev]}` : '';
    const note = KIND_NOTE[kind];
    return `[${KIND[kind][lang]}${severity}${note ? ` — ${note[lang]}` : ''}]`;
  };
  const first = views[0]!;
  const firstSites = sitesFor(inv, first.e, person);
  const more = views.length > 1 ? ` (+${views.length - 1})` : '';
  const subject = `${tag('vi')} ${headline(inv, first, firstSites, 'vi')}${more}`;
  const lines: string[] = [subject, ''];
  for (const [i, v] of views.entries()) {
    if (i > 0) lines.push('');
    lines.push(...block(inv, kind, v, sitesFor(inv, v.e, person), o, 'vi'));
  }
  lines.push('', '— English —', `${tag('en')} ${headline(inv, first, firstSites, 'en')}${more}`, '');
  for (const [i, v] of views.entries()) {
    if (i > 0) lines.push('');
    lines.push(...block(inv, kind, v, sitesFor(inv, v.e, person), o, 'en'));
  }
  return { subject, text: `${lines.join('\n')}\n`, short: sms(inv, kind, views, person, o) };
}

const CAUSE_SMS: Record<Cause, string> = {
  link: 'duong truyen',
  power: 'mat dien luoi',
  equipment: 'thiet bi',
  mcu: 'MCU Viettel',
};

/** One SMS part (GSM-7, ≤ 160 characters): kind and severity, site, cause and owner, time, short link. */
export function sms(
  inv: LoadedInventory,
  kind: MessageKind,
  views: EpisodeView[],
  person: string | null,
  o: RenderOptions,
): string {
  const v = views[0]!;
  const e = v.e;
  const sites = sitesFor(inv, e, person);
  const sev = { critical: 'KHAN', major: 'CAO', minor: 'THAP', info: 'TT' }[worst(views)];
  // brackets are not in the GSM-7 basic set (each costs two septets): a colon instead
  const head = `${KIND_SMS[kind]}${kind === 'alert' || kind === 'escalation' ? ` ${sev}` : ''}:`;
  const org = e.owner_org ? inv.organisations.get(e.owner_org) : undefined;
  // the organisation's short name ("Viettel Bắc Kạn — trực đường truyền" → "Viettel Bắc Kạn")
  const owner =
    org?.name.split(' — ')[0] ?? (e.owner_person ? inv.people.get(e.owner_person)?.name : undefined);
  const cause = e.cause ? CAUSE_SMS[e.cause] : 'chua ro';
  const at = shortTime(kind === 'resolve' ? (e.cleared_at ?? o.now) : e.started_at);
  // the short link (/e/<id>, redirected by the API to the episode on the dashboard)
  const url = o.dashboardUrl ? `${o.dashboardUrl.replace(/\/$/, '')}/e/${e.id}` : `ma ${e.id}`;
  const more = views.length > 1 ? ` +${views.length - 1} su co` : '';
  const tail = ` NN ${cause}${owner ? `, DV ${ascii(owner)}` : ''}. ${kind === 'resolve' ? 'Het loi' : 'Tu'} ${at}.${more} ${url}`;
  const where = sites.length === 1 ? siteName(inv, sites[0]!) : `${sites.length} diem cau`;
  let title = `${ascii(e.title.split(' — ')[0]!)}: ${ascii(where)}.`;
  const room = 160 - head.length - 1 - tail.length;
  if (title.length > room) title = `${title.slice(0, Math.max(0, room - 3))}...`;
  let text = `${head} ${title}${tail}`;
  if (text.length > 160) {
    // a very long link: keep the episode id rather than cut it
    text = `${head} ${title} ${at} ma ${e.id}`.slice(0, 160);
  }
  return text;
}

/** The NOC's digest of episodes that paged nobody (no meeting at their sites for 24 h). */
export function renderDigest(inv: LoadedInventory, views: EpisodeView[], o: RenderOptions): Rendered {
  // a codec switched off within operating hours is listed but is no fault: the subject counts apart
  const off = views.filter((v) => v.explanation.code === 'off_in_hours').length;
  const faults = views.length - off;
  const count = (vi: boolean) =>
    [
      faults > 0 || off === 0 ? (vi ? `${faults} sự cố` : `${faults} episodes`) : '',
      off > 0
        ? vi
          ? `${off} codec tắt trong giờ làm việc`
          : `${off} codec${off === 1 ? '' : 's'} switched off in working hours`
        : '',
    ]
      .filter(Boolean)
      .join(', ');
  const subject = `[${KIND.digest.vi}] ${count(true)}`;
  const lines = [subject, ''];
  for (const v of views) {
    const c = causeText(inv, v.e);
    lines.push(
      `• ${v.e.title} — ${SEVERITY_VI[v.e.severity]}, nguyên nhân: ${c.vi}, từ ${time(v.e.started_at)} (${ago(o.now - v.e.started_at, 'vi')})`,
    );
    lines.push(`  ${explain(inv, v.explanation, 'vi')}`);
  }
  if (o.dashboardUrl) lines.push('', `Xem chi tiết: ${o.dashboardUrl.replace(/\/$/, '')}/alerts`);
  lines.push('', '— English —', `[${KIND.digest.en}] ${count(false)}`);
  for (const v of views) lines.push(`• ${v.e.title_en}: ${explain(inv, v.explanation, 'en')}`);
  return { subject, text: `${lines.join('\n')}\n`, short: ascii(subject).slice(0, 160) };
}
