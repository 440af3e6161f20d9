// Vietnamese first (default), English as a switch. Every string a person reads comes from here.
import type { Cause, SiteState } from '../../../api/contract.ts';

export type Lang = 'vi' | 'en';

const vi = {
  app_title: 'Giám sát hội nghị truyền hình Bắc Kạn',
  app_short: 'NOC HNTH Bắc Kạn',
  nav_map: 'Sơ đồ điểm cầu',
  nav_alerts: 'Cảnh báo',
  nav_meetings: 'Cuộc họp',
  nav_incidents: 'Sự cố',
  nav_reports: 'Báo cáo',
  nav_soon: 'sắp có',
  logout: 'Đăng xuất',
  login: 'Đăng nhập',
  login_title: 'Đăng nhập hệ thống giám sát',
  username: 'Tên đăng nhập',
  password: 'Mật khẩu',
  login_failed: 'Đăng nhập không thành công',
  language: 'Ngôn ngữ',
  live: 'Trực tiếp',
  stale: 'Dữ liệu cũ',
  stale_since: 'Mất kết nối trực tiếp — dữ liệu cập nhật lần cuối lúc',
  connecting: 'Đang kết nối…',
  reconnecting: 'Đang kết nối lại…',
  view_tiers: 'Sơ đồ ba cấp',
  view_geo: 'Bản đồ địa lý',
  filter: 'Lọc',
  filter_all: 'Tất cả điểm cầu',
  filter_district: 'Huyện/thành phố',
  filter_tier: 'Cấp',
  filter_connected: 'Đang kết nối MCU',
  all_districts: 'Tất cả huyện/thành phố',
  all_tiers: 'Tất cả các cấp',
  tier_province: 'Cấp tỉnh',
  tier_district: 'Cấp huyện',
  tier_commune: 'Cấp xã',
  mcu: 'MCU Viettel',
  sites_shown: 'điểm cầu',
  no_coords: 'Không có tọa độ',
  legend: 'Chú giải',
  state_ok: 'hoạt động bình thường',
  state_degraded: 'chất lượng suy giảm',
  state_down: 'mất kết nối',
  state_unknown: 'chưa rõ trạng thái',
  state_on_battery: 'đang chạy pin UPS',
  state_maintenance: 'đang bảo trì',
  cause_link: 'sự cố đường truyền',
  cause_power: 'mất điện',
  cause_equipment: 'lỗi thiết bị',
  cause_mcu: 'sự cố MCU',
  cause: 'Nguyên nhân',
  rtt: 'Độ trễ',
  loss: 'Mất gói',
  jitter: 'Biến thiên trễ',
  mos: 'MOS',
  ups: 'UPS',
  ups_on_battery: 'Đang chạy pin',
  ups_mains: 'Điện lưới',
  ups_runtime: 'Thời gian pin còn lại',
  ups_charge: 'Dung lượng pin',
  ups_input: 'Điện áp vào',
  minutes: 'phút',
  in_meeting: 'Đang họp',
  connected: 'Đang kết nối MCU',
  not_connected: 'Chưa kết nối MCU',
  technician: 'Kỹ thuật viên',
  carrier: 'Nhà mạng',
  circuit: 'Mã kênh truyền',
  bandwidth: 'Băng thông',
  district: 'Huyện/thành phố',
  tier: 'Cấp',
  gso: 'Mã hành chính',
  since: 'Từ lúc',
  updated: 'Cập nhật',
  open_site: 'Mở trang điểm cầu',
  live_quality: 'Chất lượng trực tiếp',
  worst_first: 'xếp từ kém nhất',
  show_more: 'Hiện thêm',
  site: 'Điểm cầu',
  devices: 'Thiết bị',
  contacts: 'Liên hệ',
  alert_history: 'Lịch sử cảnh báo',
  incidents_history: 'Lịch sử sự cố',
  incidents_later: 'Sự cố sẽ hiển thị ở đây khi mô-đun sự cố hoạt động.',
  charts: 'Biểu đồ',
  range_1h: '1 giờ',
  range_24h: '24 giờ',
  range_7d: '7 ngày',
  no_data: 'Chưa có dữ liệu',
  loading: 'Đang tải…',
  not_found: 'Không tìm thấy',
  back_to_map: 'Về sơ đồ',
  alerts_firing: 'Đang cảnh báo',
  alerts_acknowledged: 'Đã xác nhận',
  alerts_suppressed: 'Đã tạm ẩn',
  alerts_resolved: 'Đã khắc phục',
  silences: 'Tạm ẩn cảnh báo',
  acknowledge: 'Xác nhận',
  ack_comment: 'Ghi chú xác nhận',
  ack_comment_ph: 'Ví dụ: đã báo Điện lực, đang xử lý',
  acknowledged_by: 'Xác nhận bởi',
  severity_critical: 'Nghiêm trọng',
  severity_major: 'Cao',
  severity_minor: 'Thấp',
  severity_info: 'Thông tin',
  owner: 'Đơn vị xử lý',
  started: 'Bắt đầu',
  reasoning: 'Căn cứ',
  no_alerts: 'Không có cảnh báo',
  silence_new: 'Tạo tạm ẩn',
  silence_end: 'Kết thúc tạm ẩn',
  silence_duration: 'Thời lượng',
  silence_comment: 'Lý do',
  silence_until: 'đến',
  silence_site: 'Điểm cầu',
  silence_district: 'Huyện/thành phố',
  silence_any: '(bất kỳ)',
  create: 'Tạo',
  cancel: 'Hủy',
  hours: 'giờ',
  no_silences: 'Không có tạm ẩn nào đang hiệu lực',
  error: 'Lỗi',
  coming_soon: 'Chức năng này sẽ có trong phiên bản sau.',
  role: 'Vai trò',
  role_admin: 'Quản trị',
  role_noc: 'Trực NOC',
  role_technician: 'Kỹ thuật viên',
  role_host: 'Đơn vị chủ trì',
  role_viewer: 'Xem',
  summary_counts: 'Tổng quan',
  yes: 'Có',
  status: 'Trạng thái',
  host_org: 'Đơn vị sử dụng',
  mcu_port: 'Cổng MCU',
  no: 'Không',
};

export type Key = keyof typeof vi;

const en: Record<Key, string> = {
  app_title: 'Bắc Kạn video-conference NOC',
  app_short: 'Bắc Kạn VC NOC',
  nav_map: 'Endpoint map',
  nav_alerts: 'Alerts',
  nav_meetings: 'Meetings',
  nav_incidents: 'Incidents',
  nav_reports: 'Reports',
  nav_soon: 'soon',
  logout: 'Log out',
  login: 'Log in',
  login_title: 'Log in to the NOC',
  username: 'Username',
  password: 'Password',
  login_failed: 'Login failed',
  language: 'Language',
  live: 'Live',
  stale: 'Stale',
  stale_since: 'Live feed lost — data last updated at',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  view_tiers: 'Three-tier map',
  view_geo: 'Geographic map',
  filter: 'Filter',
  filter_all: 'All endpoints',
  filter_district: 'District',
  filter_tier: 'Tier',
  filter_connected: 'Connected to MCU',
  all_districts: 'All districts',
  all_tiers: 'All tiers',
  tier_province: 'Province',
  tier_district: 'District',
  tier_commune: 'Commune',
  mcu: 'Viettel MCU',
  sites_shown: 'endpoints',
  no_coords: 'No coordinates',
  legend: 'Legend',
  state_ok: 'ok',
  state_degraded: 'degraded',
  state_down: 'down',
  state_unknown: 'unknown',
  state_on_battery: 'on UPS battery',
  state_maintenance: 'in maintenance',
  cause_link: 'link fault',
  cause_power: 'power cut',
  cause_equipment: 'equipment fault',
  cause_mcu: 'MCU fault',
  cause: 'Cause',
  rtt: 'RTT',
  loss: 'Loss',
  jitter: 'Jitter',
  mos: 'MOS',
  ups: 'UPS',
  ups_on_battery: 'On battery',
  ups_mains: 'Mains',
  ups_runtime: 'Battery runtime left',
  ups_charge: 'Battery charge',
  ups_input: 'Input voltage',
  minutes: 'min',
  in_meeting: 'In meeting',
  connected: 'Connected to MCU',
  not_connected: 'Not connected to MCU',
  technician: 'Technician',
  carrier: 'Carrier',
  circuit: 'Circuit',
  bandwidth: 'Bandwidth',
  district: 'District',
  tier: 'Tier',
  gso: 'GSO code',
  since: 'Since',
  updated: 'Updated',
  open_site: 'Open site page',
  live_quality: 'Live quality',
  worst_first: 'worst first',
  show_more: 'Show more',
  site: 'Site',
  devices: 'Devices',
  contacts: 'Contacts',
  alert_history: 'Alert history',
  incidents_history: 'Incident history',
  incidents_later: 'Incidents will appear here once the incidents module is running.',
  charts: 'Charts',
  range_1h: '1 hour',
  range_24h: '24 hours',
  range_7d: '7 days',
  no_data: 'No data yet',
  loading: 'Loading…',
  not_found: 'Not found',
  back_to_map: 'Back to map',
  alerts_firing: 'Firing',
  alerts_acknowledged: 'Acknowledged',
  alerts_suppressed: 'Silenced',
  alerts_resolved: 'Resolved',
  silences: 'Silences',
  acknowledge: 'Acknowledge',
  ack_comment: 'Acknowledgement note',
  ack_comment_ph: 'e.g. power company notified, working on it',
  acknowledged_by: 'Acknowledged by',
  severity_critical: 'Critical',
  severity_major: 'Major',
  severity_minor: 'Minor',
  severity_info: 'Info',
  owner: 'Owner',
  started: 'Started',
  reasoning: 'Reasoning',
  no_alerts: 'No alerts',
  silence_new: 'New silence',
  silence_end: 'End silence',
  silence_duration: 'Duration',
  silence_comment: 'Reason',
  silence_until: 'until',
  silence_site: 'Site',
  silence_district: 'District',
  silence_any: '(any)',
  create: 'Create',
  cancel: 'Cancel',
  hours: 'hours',
  no_silences: 'No active silences',
  error: 'Error',
  coming_soon: 'This arrives in a later version.',
  role: 'Role',
  role_admin: 'Administrator',
  role_noc: 'NOC operator',
  role_technician: 'Technician',
  role_host: 'Host office',
  role_viewer: 'Viewer',
  summary_counts: 'Overview',
  yes: 'Yes',
  status: 'State',
  host_org: 'Host office',
  mcu_port: 'MCU port',
  no: 'No',
};

const dicts: Record<Lang, Record<Key, string>> = { vi, en };

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem('diemcau.lang');
    if (saved === 'vi' || saved === 'en') return saved;
  } catch {
    /* storage may be blocked */
  }
  return 'vi';
}

export const i18n = $state({ lang: initialLang() });

export function setLang(lang: Lang): void {
  i18n.lang = lang;
  document.documentElement.lang = lang;
  try {
    localStorage.setItem('diemcau.lang', lang);
  } catch {
    /* ignore */
  }
}

export function t(key: Key): string {
  return dicts[i18n.lang][key];
}

/** The API writes one line in both languages, "tiếng Việt / English": show the part for the chosen language. */
export function bi(text: string | null | undefined): string {
  if (!text) return '';
  const i = text.indexOf(' / ');
  if (i < 0) return text;
  return i18n.lang === 'vi' ? text.slice(0, i) : text.slice(i + 3);
}

/** An alert's title in the chosen language (the API may add `title_en`). */
export function alertTitle(a: { title: string; title_en?: string | undefined }): string {
  return i18n.lang === 'en' && a.title_en ? a.title_en : a.title;
}

export function stateLabel(s: SiteState): string {
  return t(`state_${s}` as Key);
}

export function causeLabel(c: Cause | null): string | null {
  return c ? t(`cause_${c}` as Key) : null;
}

/** "Hội trường UBND xã Bằng Thành: mất điện, đang chạy pin UPS" — the accessible name of an endpoint. */
export function siteAccessibleName(name: string, state: SiteState, cause: Cause | null): string {
  const c = causeLabel(cause);
  return c ? `${name}: ${c}, ${stateLabel(state)}` : `${name}: ${stateLabel(state)}`;
}

export function fmtTime(ms: number | null | undefined): string {
  if (!ms) return '—';
  return new Date(ms).toLocaleTimeString(i18n.lang === 'vi' ? 'vi-VN' : 'en-GB', { hour12: false });
}

export function fmtDateTime(ms: number | null | undefined): string {
  if (!ms) return '—';
  return new Date(ms).toLocaleString(i18n.lang === 'vi' ? 'vi-VN' : 'en-GB', { hour12: false });
}

export function fmtNum(v: number | undefined | null, digits = 1): string {
  if (v === undefined || v === null || Number.isNaN(v)) return '—';
  return v.toLocaleString(i18n.lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: digits });
}
