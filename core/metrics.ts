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
  snmp_up: {
    unit: '',
    vi: 'Thiết bị trả lời SNMP',
    en: 'SNMP answering',
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
  return unit ? `${value} ${unit}` : String(value);
}

/** The named values of a state metric, undefined for a measurement. */
export function statesOf(metric: MetricName): Readonly<Record<number, Named>> | undefined {
  const m = METRICS[metric];
  return 'states' in m ? m.states : undefined;
}
