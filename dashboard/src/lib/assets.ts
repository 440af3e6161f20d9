// The equipment register as the Assets tab shows it: the API's shapes (api/routes/assets.ts), dates as
// Bắc Kạn reads them (dd/mm/yyyy), the words of core/identity.ts in the chosen language, the filters.
import type { AssetRow } from '../../../assets/register.ts';
import {
  DEVICE_KIND_NAMES,
  DEVICE_KIND_SHORT,
  IDENTITY_CHANGE_NAMES,
  IDENTITY_NAMES,
  type Identity,
  type IdentityChangeKind,
  type IdentityField,
  WARRANTY_NAMES,
  type WarrantyState,
} from '../../../core/identity.ts';

export type DeviceKind = keyof typeof DEVICE_KIND_NAMES;
type Lang = 'vi' | 'en';

/** a row of GET /assets, as the server builds it */
export type Asset = AssetRow;
/** an item of GET /assets/{device}/history */
export type { HistoryItem } from '../../../assets/register.ts';

export const KINDS = Object.keys(DEVICE_KIND_NAMES) as DeviceKind[];

/** "2021-03-15" → "15/03/2021"; "" for none */
export function viDay(day: string | null | undefined): string {
  if (!day) return '';
  const [y, m, d] = day.split('-');
  return `${d}/${m}/${y}`;
}

export const kindName = (k: DeviceKind, lang: Lang) => DEVICE_KIND_NAMES[k][lang];
export const kindShort = (k: DeviceKind, lang: Lang) => DEVICE_KIND_SHORT[k][lang];
export const fieldName = (f: IdentityField, lang: Lang) => IDENTITY_NAMES[f][lang];
export const changeName = (k: IdentityChangeKind, lang: Lang) => IDENTITY_CHANGE_NAMES[k][lang];
export const warrantyName = (w: WarrantyState, lang: Lang) => WARRANTY_NAMES[w][lang];

/** the version column: firmware and software when both differ */
export function versionOf(id: Identity): string {
  const v = [id.firmware, id.software].filter((x): x is string => !!x);
  return [...new Set(v)].join(' / ');
}

export interface AssetFilter {
  district: string;
  kind: DeviceKind | '';
  expiring: boolean;
}

export function filterAssets(items: readonly Asset[], f: AssetFilter): Asset[] {
  return items.filter(
    (a) =>
      (f.district === '' || a.district === f.district) &&
      (f.kind === '' || a.kind === f.kind) &&
      (!f.expiring || a.warranty === 'expiring'),
  );
}

/** the PATCH body of the hand-entered form: empty fields clear, the price in whole đồng */
export function detailsBody(form: {
  install: string;
  warranty: string;
  supplier: string;
  price: string;
  notes: string;
}): Record<string, string | number | null> {
  const text = (s: string) => (s.trim() === '' ? null : s.trim());
  const digits = form.price.replace(/[.\s]/g, '');
  return {
    install_date: text(form.install),
    warranty_end: text(form.warranty),
    supplier: text(form.supplier),
    purchase_price: digits === '' ? null : Number(digits),
    notes: text(form.notes),
  };
}
