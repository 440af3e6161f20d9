// A device's identity as SNMP reports it (model, serial number, firmware …): the closed list of
// fields, their words (Vietnamese first), and which changes are events. Profiles name the objects
// that fill each field (collector/profiles/*.yaml `identity:`); the asset register stores them.
import type { Named } from './metrics.ts';

export const IDENTITY_FIELDS = [
  'manufacturer',
  'model',
  'serial',
  'firmware',
  'software',
  'hardware_rev',
  /** sysDescr: free text, often model and firmware together */
  'description',
  /** sysObjectID: the vendor's product identifier */
  'object_id',
] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];
export type Identity = Partial<Record<IdentityField, string>>;

export const IDENTITY_NAMES: Record<IdentityField, Named> = {
  manufacturer: { vi: 'Hãng sản xuất', en: 'Manufacturer' },
  model: { vi: 'Model', en: 'Model' },
  serial: { vi: 'Số sê-ri', en: 'Serial number' },
  firmware: { vi: 'Phiên bản firmware', en: 'Firmware version' },
  software: { vi: 'Phiên bản phần mềm', en: 'Software version' },
  hardware_rev: { vi: 'Phiên bản phần cứng', en: 'Hardware revision' },
  description: { vi: 'Mô tả hệ thống (sysDescr)', en: 'System description (sysDescr)' },
  object_id: { vi: 'Mã sản phẩm (sysObjectID)', en: 'Product identifier (sysObjectID)' },
};

export function isIdentityField(s: string): s is IdentityField {
  return (IDENTITY_FIELDS as readonly string[]).includes(s);
}

/**
 * Changes kept in the identity history: a new firmware or software version is an upgrade; a new
 * serial number or model means the unit itself was swapped.
 */
export const IDENTITY_CHANGES = {
  firmware: 'upgrade',
  software: 'upgrade',
  hardware_rev: 'upgrade',
  serial: 'replaced',
  model: 'replaced',
} as const satisfies Partial<Record<IdentityField, string>>;
export type IdentityChangeKind = (typeof IDENTITY_CHANGES)[keyof typeof IDENTITY_CHANGES];

export const IDENTITY_CHANGE_NAMES: Record<IdentityChangeKind, Named> = {
  upgrade: { vi: 'Thay đổi phiên bản', en: 'Version change' },
  replaced: { vi: 'Thay thiết bị', en: 'Unit replaced' },
};

/** the tracked fields whose value differs (a field absent on either side is no change) */
export function identityChanges(
  before: Identity,
  after: Identity,
): { field: keyof typeof IDENTITY_CHANGES; kind: IdentityChangeKind; before: string; after: string }[] {
  const out = [];
  for (const [f, kind] of Object.entries(IDENTITY_CHANGES) as [
    keyof typeof IDENTITY_CHANGES,
    IdentityChangeKind,
  ][]) {
    const b = before[f];
    const a = after[f];
    if (b !== undefined && a !== undefined && b !== a) out.push({ field: f, kind, before: b, after: a });
  }
  return out;
}

/** the register's words for a device kind (inventory/schema.ts DeviceKind) */
export const DEVICE_KIND_NAMES: Record<'codec' | 'ups' | 'router' | 'mcu', Named> = {
  codec: { vi: 'Thiết bị đầu cuối (codec)', en: 'Codec' },
  ups: { vi: 'Bộ lưu điện (UPS)', en: 'UPS' },
  router: { vi: 'Thiết bị định tuyến', en: 'Router' },
  mcu: { vi: 'Thiết bị điều khiển đa điểm (MCU)', en: 'MCU' },
};

/** warranty as of today: none entered, ended, ending within a year, valid beyond a year */
export const WARRANTY_STATES = ['unknown', 'expired', 'expiring', 'valid'] as const;
export type WarrantyState = (typeof WARRANTY_STATES)[number];
export const WARRANTY_NAMES: Record<WarrantyState, Named> = {
  unknown: { vi: 'Chưa nhập', en: 'Not entered' },
  expired: { vi: 'Đã hết bảo hành', en: 'Expired' },
  expiring: { vi: 'Hết bảo hành trong 12 tháng', en: 'Expires within a year' },
  valid: { vi: 'Còn bảo hành', en: 'Under warranty' },
};

/** a device kind in a narrow column or a filter */
export const DEVICE_KIND_SHORT: Record<keyof typeof DEVICE_KIND_NAMES, Named> = {
  codec: { vi: 'Codec', en: 'Codec' },
  ups: { vi: 'UPS', en: 'UPS' },
  router: { vi: 'Bộ định tuyến', en: 'Router' },
  mcu: { vi: 'MCU', en: 'MCU' },
};
