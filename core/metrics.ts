// The one vocabulary of metric names, from collector to dashboard, with units and labels
// (Vietnamese first, English second). State metrics name their values: a profile maps a vendor's
// enum onto these values (collector/profiles), and nothing else is accepted.

/** a name in both languages */
export interface Named {
  vi: string;
  en: string;
}

const YES_NO = (no: [string, string], yes: [string, string]) => ({
  0: { vi: no[0], en: no[1] },
  1: { vi: yes[0], en: yes[1] },
});

export const METRICS = {
  reachable: {
    unit: '',
    vi: 'Kết nối',
    en: 'Reachable',
    states: YES_NO(['Mất kết nối', 'unreachable'], ['Kết nối', 'reachable']),
  },
  rtt_ms: { unit: 'ms', vi: 'Độ trễ khứ hồi', en: 'Round-trip time' },
  loss_pct: { unit: '%', vi: 'Tỷ lệ mất gói', en: 'Packet loss' },
  jitter_ms: { unit: 'ms', vi: 'Độ biến thiên trễ', en: 'Jitter' },
  mos: { unit: '', vi: 'Điểm chất lượng MOS', en: 'MOS' },
  /** a probe's far end: a reflector that answers (1), or something that answers with other packets (0) */
  probe_ok: {
    unit: '',
    vi: 'Phép đo',
    en: 'Probe',
    states: YES_NO(
      ['Cấu hình sai — đầu xa không phải bộ phản hồi', 'misconfigured — not a reflector'],
      ['Hoạt động', 'working'],
    ),
  },
  rtp_duplicates: {
    unit: '',
    vi: 'Gói RTP trùng lặp (mỗi lượt đo)',
    en: 'RTP duplicate packets (per probe)',
  },
  rtp_reordered: {
    unit: '',
    vi: 'Gói RTP sai thứ tự (mỗi lượt đo)',
    en: 'RTP reordered packets (per probe)',
  },
  snmp_up: {
    unit: '',
    // SNMP's answer, or a device read through its management API answering it (its events)
    vi: 'Thiết bị trả lời giám sát (SNMP hoặc API)',
    en: 'Answering monitoring (SNMP or its API)',
    states: YES_NO(['Không trả lời', 'silent'], ['Trả lời', 'answering']),
  },
  uptime_s: { unit: 's', vi: 'Thời gian hoạt động', en: 'Uptime' },
  in_call: {
    unit: '',
    vi: 'Đang trong cuộc gọi',
    en: 'In call',
    states: YES_NO(['Rảnh', 'idle'], ['Trong cuộc gọi', 'in call']),
  },
  call_rate_kbps: { unit: 'kbps', vi: 'Tốc độ cuộc gọi', en: 'Call rate' },
  codec_registered: {
    unit: '',
    vi: 'Codec đã đăng ký',
    en: 'Codec registered',
    states: YES_NO(['Chưa đăng ký', 'not registered'], ['Đã đăng ký', 'registered']),
  },
  device_health: {
    unit: '',
    vi: 'Tình trạng thiết bị',
    en: 'Device health',
    states: {
      0: { vi: 'Hỏng', en: 'failed' },
      0.5: { vi: 'Suy giảm', en: 'degraded' },
      1: { vi: 'Tốt', en: 'ok' },
    },
  },
  /** the call's signalling protocol as a management API reports it (Cisco xAPI Call Protocol) */
  call_protocol: {
    unit: '',
    vi: 'Giao thức cuộc gọi',
    en: 'Call protocol',
    states: {
      0: { vi: 'Khác', en: 'other' },
      1: { vi: 'SIP', en: 'SIP' },
      2: { vi: 'H.323', en: 'H.323' },
      3: { vi: 'Webex', en: 'Webex' },
    },
  },
  /**
   * One media channel of a call as the codec or MCU reports it; `instance` names the direction and
   * the kind: rx-audio, rx-video, rx-content, tx-audio, tx-video, tx-content (rx: received by the device).
   */
  media_loss_pct: { unit: '%', vi: 'Tỷ lệ mất gói theo kênh media', en: 'Media channel packet loss' },
  media_jitter_ms: { unit: 'ms', vi: 'Độ biến thiên trễ theo kênh media', en: 'Media channel jitter' },
  media_rate_kbps: { unit: 'kbps', vi: 'Tốc độ kênh media', en: 'Media channel rate' },
  mcu_port_up: {
    unit: '',
    vi: 'Cổng MCU',
    en: 'MCU port up',
    states: YES_NO(['Chưa kết nối', 'not connected'], ['Đã kết nối', 'connected']),
  },
  mcu_participants: { unit: '', vi: 'Số điểm cầu trên MCU', en: 'MCU participants' },
  mcu_ports_used_pct: { unit: '%', vi: 'Cổng MCU đang dùng', en: 'MCU ports used' },
  ups_on_battery: {
    unit: '',
    vi: 'UPS chạy pin',
    en: 'UPS on battery',
    states: YES_NO(['Điện lưới', 'on mains'], ['Chạy pin', 'on battery']),
  },
  ups_runtime_min: { unit: 'min', vi: 'Thời gian pin còn lại', en: 'UPS runtime' },
  ups_charge_pct: { unit: '%', vi: 'Dung lượng pin', en: 'UPS charge' },
  ups_input_v: { unit: 'V', vi: 'Điện áp vào', en: 'UPS input voltage' },
  ups_load_pct: { unit: '%', vi: 'Tải UPS', en: 'UPS load' },
  ups_battery_v: { unit: 'V', vi: 'Điện áp ắc quy', en: 'UPS battery voltage' },
  ups_battery_temp_c: { unit: '°C', vi: 'Nhiệt độ ắc quy', en: 'UPS battery temperature' },
  ups_input_hz: { unit: 'Hz', vi: 'Tần số điện vào', en: 'UPS input frequency' },
  ups_on_battery_s: { unit: 's', vi: 'Thời gian đã chạy pin', en: 'UPS time on battery' },
  /** upsBatteryStatus (RFC 1628) and upsBasicBatteryStatus (APC) as one set of states */
  ups_battery_status: {
    unit: '',
    vi: 'Trạng thái ắc quy',
    en: 'UPS battery status',
    states: {
      1: { vi: 'Không rõ', en: 'unknown' },
      2: { vi: 'Bình thường', en: 'normal' },
      3: { vi: 'Pin yếu', en: 'low' },
      4: { vi: 'Hết pin', en: 'depleted' },
      5: { vi: 'Ắc quy lỗi', en: 'battery fault' },
      6: { vi: 'Không có ắc quy', en: 'no battery' },
    },
  },
  ups_replace_battery: {
    unit: '',
    vi: 'Cần thay ắc quy',
    en: 'UPS battery replacement',
    states: YES_NO(['Ắc quy tốt', 'battery good'], ['Cần thay ắc quy', 'replace battery']),
  },
  ups_alarms: { unit: '', vi: 'Số cảnh báo UPS đang có', en: 'UPS alarms present' },
  /**
   * One sample per active UPS alarm (instance: the alarm's row or name), its value the alarm: the
   * RFC 1628 well-known alarms (upsWellKnownAlarms.N = N); APC conditions are mapped onto them.
   */
  ups_alarm: {
    unit: '',
    vi: 'Cảnh báo UPS',
    en: 'UPS alarm',
    states: {
      1: { vi: 'Ắc quy hỏng, cần thay', en: 'battery bad (replace)' },
      2: { vi: 'Đang chạy pin', en: 'on battery' },
      3: { vi: 'Pin yếu', en: 'low battery' },
      4: { vi: 'Hết pin', en: 'battery depleted' },
      5: { vi: 'Nhiệt độ ngoài ngưỡng', en: 'temperature out of tolerance' },
      6: { vi: 'Điện vào ngoài ngưỡng', en: 'input out of tolerance' },
      7: { vi: 'Điện ra ngoài ngưỡng', en: 'output out of tolerance' },
      8: { vi: 'Quá tải đầu ra', en: 'output overload' },
      9: { vi: 'Đang chạy qua bypass', en: 'on bypass' },
      10: { vi: 'Nguồn bypass ngoài ngưỡng', en: 'bypass out of tolerance' },
      11: { vi: 'Đầu ra đã tắt theo lệnh', en: 'output off as requested' },
      12: { vi: 'UPS đã tắt theo lệnh', en: 'UPS off as requested' },
      13: { vi: 'Bộ sạc hỏng', en: 'charger failed' },
      14: { vi: 'Đầu ra UPS đang tắt', en: 'UPS output off' },
      15: { vi: 'Hệ thống UPS đang tắt', en: 'UPS system off' },
      16: { vi: 'Quạt hỏng', en: 'fan failure' },
      17: { vi: 'Cầu chì hỏng', en: 'fuse failure' },
      18: { vi: 'Lỗi chung', en: 'general fault' },
      19: { vi: 'Tự kiểm tra không đạt', en: 'diagnostic test failed' },
      20: { vi: 'Mất liên lạc với UPS', en: 'communications lost' },
      21: { vi: 'Chờ có điện lưới', en: 'awaiting power' },
      22: { vi: 'Sắp tắt theo lịch', en: 'shutdown pending' },
      23: { vi: 'Sắp tắt ngay', en: 'shutdown imminent' },
      24: { vi: 'Đang tự kiểm tra', en: 'test in progress' },
    },
  },
  /** APC upsAdvInputLineFailCause: why the UPS last went to battery */
  ups_transfer_cause: {
    unit: '',
    vi: 'Nguyên nhân chuyển sang pin lần cuối',
    en: 'UPS last transfer cause',
    states: {
      1: { vi: 'Chưa chuyển lần nào', en: 'no transfer' },
      2: { vi: 'Điện áp vào quá cao', en: 'high line voltage' },
      3: { vi: 'Sụt áp kéo dài', en: 'brownout' },
      4: { vi: 'Mất điện lưới', en: 'blackout' },
      5: { vi: 'Sụt áp ngắn, nhỏ', en: 'small momentary sag' },
      6: { vi: 'Sụt áp ngắn, sâu', en: 'deep momentary sag' },
      7: { vi: 'Xung áp nhỏ', en: 'small momentary spike' },
      8: { vi: 'Xung áp lớn', en: 'large momentary spike' },
      9: { vi: 'Tự kiểm tra', en: 'self test' },
      10: { vi: 'Điện áp thay đổi quá nhanh', en: 'rate of voltage change' },
    },
  },
  if_up: {
    unit: '',
    vi: 'Giao diện hoạt động',
    en: 'Interface up',
    states: YES_NO(['Ngừng', 'down'], ['Hoạt động', 'up']),
  },
  if_in_bps: { unit: 'bit/s', vi: 'Lưu lượng vào', en: 'Traffic in' },
  if_out_bps: { unit: 'bit/s', vi: 'Lưu lượng ra', en: 'Traffic out' },
  if_errors: { unit: '/s', vi: 'Lỗi giao diện', en: 'Interface errors' },
} as const;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

/** A value as a person reads it: a state metric's value with its name, a measurement with its unit. */
export function describeValue(metric: MetricName, value: number | null, lang: 'vi' | 'en'): string {
  if (value === null) return lang === 'vi' ? 'không có số liệu' : 'no data';
  const name = statesOf(metric)?.[value];
  if (name) return `${value} (${name[lang]})`;
  const unit = METRICS[metric].unit;
  // the Vietnamese way with a comma (219,6 V), the English one with a point
  const n = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    maximumFractionDigits: 2,
    useGrouping: false,
  }).format(value);
  return unit ? `${n} ${unit}` : n;
}

/** The named values of a state metric, undefined for a measurement. */
export function statesOf(metric: MetricName): Readonly<Record<number, Named>> | undefined {
  const m = METRICS[metric];
  return 'states' in m ? m.states : undefined;
}

/** Link-quality figures that several sources can report for one site. */
export const QUALITY_METRICS = [
  'loss_pct',
  'jitter_ms',
  'rtt_ms',
  'mos',
] as const satisfies readonly MetricName[];
export type QualityMetric = (typeof QUALITY_METRICS)[number];

/**
 * Where a site's quality figure comes from, in headline precedence: the MCU port's media statistics
 * while the site is in a call, else the codec's call statistics (in a call), else the path probe
 * (RTP, else ICMP), which measures whether or not a call is up.
 */
export const QUALITY_SOURCES = {
  mcu: { vi: 'Cổng MCU (thống kê cuộc gọi)', en: 'MCU port media statistics' },
  codec: { vi: 'Codec (thống kê cuộc gọi)', en: 'codec call statistics' },
  path: { vi: 'Phép đo đường truyền', en: 'path probe' },
} as const satisfies Record<string, Named>;
export type QualitySource = keyof typeof QUALITY_SOURCES;
export const QUALITY_PRECEDENCE = ['mcu', 'codec', 'path'] as const satisfies readonly QualitySource[];

/** The source of a quality sample, from its probe tag (rtp, icmp → path; codec; mcu), else its device kind. */
export function qualitySource(probe: string | undefined, deviceKind?: string): QualitySource | null {
  if (probe === 'rtp' || probe === 'icmp') return 'path';
  if (probe === 'codec' || probe === 'mcu') return probe;
  if (deviceKind === 'codec' || deviceKind === 'mcu') return deviceKind;
  return null;
}

/**
 * The numbers kept per site for the live view, the site list and /metrics (`diemcau_site_<name>`);
 * everything else is in storage. The API contract, the live hub and /metrics derive from this list.
 */
export const LIVE_METRICS = [
  'reachable',
  'probe_ok',
  'rtt_ms',
  'loss_pct',
  'jitter_ms',
  'mos',
  'in_call',
  'mcu_port_up',
  'ups_on_battery',
  'ups_on_battery_s',
  'ups_runtime_min',
  'ups_charge_pct',
  'ups_battery_status',
  'ups_battery_v',
  'ups_battery_temp_c',
  'ups_input_v',
  'ups_input_hz',
  'ups_load_pct',
  'ups_alarms',
  'ups_replace_battery',
  'ups_transfer_cause',
] as const satisfies readonly MetricName[];
export type LiveMetric = (typeof LIVE_METRICS)[number];
export function isLiveMetric(name: string): name is LiveMetric {
  return (LIVE_METRICS as readonly string[]).includes(name);
}
