// How numbers, times and durations are written for people: the Vietnamese way first (comma
// decimals, dd/mm/yyyy, Asia/Ho_Chi_Minh), and the plain ASCII that one GSM-7 SMS part carries.
import { localParts } from '../core/time.ts';

const NUM: Record<'vi' | 'en', Intl.NumberFormat> = {
  vi: new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 }),
  en: new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }),
};

/** 25.982333 → "26" / 0.25 → "0,3" (vi) or "0.3" (en); at most one decimal. */
export function num(v: number, lang: 'vi' | 'en'): string {
  return NUM[lang].format(v);
}

const parts = (t: number) => {
  const p = localParts(t);
  return { d: p.d, m: p.mo, y: p.y, h: p.h, min: p.mi, s: p.s };
};

/** "08:05:12 30/11/2026" in Asia/Ho_Chi_Minh. */
export function time(t: number): string {
  const p = parts(t);
  return `${p.h}:${p.min}:${p.s} ${p.d}/${p.m}/${p.y}`;
}

/** "08:05" in Asia/Ho_Chi_Minh. */
export function hhmm(t: number): string {
  const p = parts(t);
  return `${p.h}:${p.min}`;
}

/** "08:05 30/11" in Asia/Ho_Chi_Minh (for an SMS). */
export function shortTime(t: number): string {
  const p = parts(t);
  return `${p.h}:${p.min} ${p.d}/${p.m}`;
}

/** 4,500 s → "1 giờ 15 phút" / "1 h 15 min"; under a minute in seconds. */
export function duration(ms: number, lang: 'vi' | 'en'): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return lang === 'vi' ? `${s} giây` : `${s} s`;
  const m = Math.round(s / 60);
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (h === 0) return lang === 'vi' ? `${m} phút` : `${m} min`;
  if (lang === 'vi') return rest ? `${h} giờ ${rest} phút` : `${h} giờ`;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

/** Vietnamese without diacritics, as Vietnamese SMS gateways send it ("Điện lực" → "Dien luc"). */
export function ascii(s: string): string {
  return s
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[–—]/g, '-')
    .replace(/[«»“”]/g, '"')
    .replace(/…/g, '...');
}

/** The GSM 03.38 default alphabet (basic set, no escapes): what one 160-character SMS part carries. */
const GSM7 = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

export function isGsm7(s: string): boolean {
  for (const ch of s) if (!GSM7.has(ch)) return false;
  return true;
}
