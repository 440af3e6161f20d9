// The domain's closed vocabularies — site states, causes, severities, alert and episode states —
// with the words a person reads for them (Vietnamese first, English second). The API contract,
// the alert engine, messages and reports derive from these; nothing else lists them.
import type { Named } from './metrics.ts';

export const SITE_STATES = [
  'ok',
  'degraded',
  'down',
  'unknown',
  'on_battery',
  'maintenance',
  /** the codec was switched off outside meetings (Điều 5.6): grey, not a fault */
  'off',
] as const;
export type SiteState = (typeof SITE_STATES)[number];

/** who owns a fault: the carrier's link, the mains (Điện lực), the site's equipment, the MCU */
export const CAUSES = ['link', 'power', 'equipment', 'mcu'] as const;
export type Cause = (typeof CAUSES)[number];

export const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_STATES = ['firing', 'acknowledged', 'suppressed', 'resolved'] as const;
/** firing: paged or about to be; settling: its root cause cleared, children may still clear */
export const EPISODE_STATES = ['firing', 'acknowledged', 'suppressed', 'settling', 'resolved'] as const;
export const ATTENDANCE_EVENTS = ['joined', 'not_joined', 'left'] as const;

/** rank for comparisons: info < minor < major < critical */
export const SEVERITY_RANK: Record<Severity, number> = { info: 1, minor: 2, major: 3, critical: 4 };

/** the severity word in a message's tag ("[CẢNH BÁO NGHIÊM TRỌNG]") and its body ("Mức độ: CAO") */
export const SEVERITY_NAMES: Record<Severity, Named> = {
  critical: { vi: 'NGHIÊM TRỌNG', en: 'CRITICAL' },
  major: { vi: 'CAO', en: 'MAJOR' },
  minor: { vi: 'THẤP', en: 'MINOR' },
  info: { vi: 'THÔNG TIN', en: 'INFO' },
};

/** a cause in a sentence ("Nguyên nhân: mất điện lưới"); the carrier is named beside a link */
export const CAUSE_NAMES: Record<Cause, Named> = {
  link: { vi: 'đường truyền', en: 'link' },
  power: { vi: 'mất điện lưới', en: 'mains power' },
  equipment: { vi: 'thiết bị tại điểm cầu', en: 'equipment at the site' },
  mcu: { vi: 'MCU Viettel', en: 'Viettel MCU' },
};

/**
 * Why a site's call with the MCU ended, from the MCU's own call records (Pexip history
 * `disconnect_reason`, Cisco CDR `disconnectReason`): the vendor's value is kept beside it.
 * hangup: the site hung up; operator: the MCU or an operator ended it; network: the network or the
 * media failed; rejected: the call was refused or never answered; unknown: the MCU does not say.
 */
export const DISCONNECT_CAUSES = ['hangup', 'operator', 'network', 'rejected', 'unknown'] as const;
export type DisconnectCause = (typeof DISCONNECT_CAUSES)[number];

export const DISCONNECT_CAUSE_NAMES: Record<DisconnectCause, Named> = {
  hangup: { vi: 'Điểm cầu tự kết thúc cuộc gọi', en: 'hung up by the site' },
  operator: { vi: 'MCU hoặc người điều hành ngắt kết nối', en: 'disconnected by the MCU or an operator' },
  network: { vi: 'Lỗi mạng hoặc đường truyền hình/tiếng', en: 'network or media failure' },
  rejected: { vi: 'Cuộc gọi bị từ chối hoặc không trả lời', en: 'call rejected or not answered' },
  unknown: { vi: 'MCU không ghi rõ nguyên nhân', en: 'cause not given by the MCU' },
};
