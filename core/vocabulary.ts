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
