// Small helpers shared by the parts of the filed documents (meeting-parts.ts, period-parts.ts,
// compliance-parts.ts): one language per rendering, Vietnamese for the filed version.
import { duration, isoLocal, viDateTime, viTime } from '../meetings/time.ts';
import type { Block, Lang, Section } from './document.ts';
import { num } from './document.ts';

export type { Lang };

/** A section of a document before it is numbered; null: nothing to say, left out. */
export type Part<R> = (r: R, lang: Lang) => { title: string; blocks: Block[] } | null;

/** the tiers' names, from the one table of them (compliance.ts) */
export { TIER_NAMES as TIER_LABEL } from './compliance.ts';

export const tr = (lang: Lang, vi: string, en: string) => (lang === 'vi' ? vi : en);

export const p = (text: string, o: { italic?: boolean; bold?: boolean } = {}): Block => ({
  kind: 'paragraph',
  text,
  ...o,
});

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII', 'XIII', 'XIV', 'XV'];

/** Sections numbered I., II., … in order; null sections (nothing to say) are left out. */
export function numbered(list: ({ title: string; blocks: Block[] } | null)[]): Section[] {
  return list
    .filter((s) => s !== null)
    .map((s, i) => ({ heading: `${ROMAN[i] ?? i + 1}. ${s.title}`, blocks: s.blocks }));
}

/** "08:00 ngày 10/03/2026" / "2026-03-10 08:00" */
export const dateTime = (t: number, lang: Lang) => (lang === 'vi' ? viDateTime(t) : isoLocal(t));
/** "08:00" */
export const clock = (t: number | null) => (t === null ? '—' : viTime(t));
export const dur = (ms: number, lang: Lang) => duration(ms)[lang];
export const pctOf = (share: number | null, digits = 1) =>
  num(share === null ? null : share * 100, digits, '%');
