// An administrative document as Nghị định 30/2020/NĐ-CP (Phụ lục I) lays it out, independent of the
// file format: the header (parent body and issuing office top-left, national motto top-right), the
// number and the place-and-date line, the kind and summary line, "Kính gửi", a body of sections with
// paragraphs and tables, "Nơi nhận" bottom-left and the signature block bottom-right.
// The renderers (docx.ts, document-html.ts → pdf.ts, csv.ts) each turn this model into one format;
// the mappers (documents.ts) turn a report into it. The filed version is Vietnamese only; English is
// a separate rendering of the same model (`lang`).
import { localParts } from '../core/time.ts';

export type Lang = 'vi' | 'en';

/** The office that files the document: configuration `reports:` (config/config.ts). */
export interface OfficeDetails {
  /** cơ quan chủ quản, e.g. "UBND TỈNH BẮC KẠN" */
  parent_body: string;
  /** cơ quan ban hành, e.g. "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" */
  office: string;
  /** for the number's symbol "BC-STTTT" */
  office_abbr: string;
  /** how the office names itself in running text: "Sở Thông tin và Truyền thông" */
  office_name: string;
  /** địa danh of the date line, e.g. "Bắc Kạn" */
  place: string;
  /** Kính gửi */
  addressees: string[];
  /** Nơi nhận, each line as written ("Như trên;", "Lưu: VT, CNTT.") */
  recipients: string[];
  signer: { authority?: string | undefined; title: string; name: string };
  /** the English rendering's names; each falls back to the Vietnamese one */
  en?:
    | {
        parent_body?: string | undefined;
        office?: string | undefined;
        office_name?: string | undefined;
        place?: string | undefined;
        addressees?: string[] | undefined;
        signer_authority?: string | undefined;
        signer_title?: string | undefined;
      }
    | undefined;
}

/** A number in a table: formatted per language by the renderers, written as a number in CSV. */
export interface NumCell {
  n: number | null;
  /** decimals shown (default 0) */
  digits?: number;
  /** shown after the number in documents ("%"); CSV carries the number alone, the unit in the header */
  unit?: string;
}
export type Cell = string | NumCell;

export interface Table {
  /** short name: the CSV file and the `table=` choice of the API */
  id: string;
  caption?: string;
  /** header rows (one or more), each a list of column titles */
  header: string[][];
  rows: Cell[][];
  /** the totals row ("Tổng cộng"), shown bold after the rows */
  totals?: Cell[];
  /** relative column widths (default equal) */
  widths?: number[];
  /** indexes of rows shown bold (highlighted: a warranty ending within a year) */
  bold_rows?: number[];
}

export type Block =
  | { kind: 'paragraph'; text: string; italic?: boolean; bold?: boolean }
  | { kind: 'table'; table: Table };

export interface Section {
  /** "I. Tình hình tổ chức …"; empty: paragraphs without a heading (the closing sentence) */
  heading: string;
  blocks: Block[];
}

export interface AdminDocument {
  lang: Lang;
  office: OfficeDetails;
  /** the document kind's code in the number ("BC" for báo cáo) */
  code: string;
  /** the registered number, or null: the number line is left blank for the clerk */
  number: number | null;
  /** the date of the place-and-date line (ms) */
  date: number;
  /** "BÁO CÁO" */
  kind: string;
  /** trích yếu: "Kết quả tổ chức hội nghị truyền hình trực tuyến …" */
  title: string;
  /** text under the title (a period "Từ ngày … đến ngày …"); may be empty */
  subtitle?: string;
  sections: Section[];
}

export const isNum = (c: Cell): c is NumCell => typeof c === 'object' && c !== null;

/** A number as the language writes it: "1.234,5" in Vietnamese, "1,234.5" in English. */
export function formatNumber(n: number, digits: number, lang: Lang): string {
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(n);
}

/** A cell's text in a document (not CSV): numbers formatted, the unit after them, "—" for none. */
export function cellText(c: Cell, lang: Lang): string {
  if (!isNum(c)) return c;
  if (c.n === null) return '—';
  const s = formatNumber(c.n, c.digits ?? 0, lang);
  return c.unit ? `${s}${c.unit === '%' ? ' %' : ` ${c.unit}`}` : s;
}

export const num = (n: number | null, digits = 0, unit?: string): NumCell =>
  unit === undefined ? { n, digits } : { n, digits, unit };

/** "Số: 12/BC-STTTT", or "Số:      /BC-STTTT" with the number left for the clerk. */
export function numberLine(d: AdminDocument): string {
  const symbol = `${d.code}-${d.office.office_abbr}`;
  const label = d.lang === 'vi' ? 'Số' : 'No.';
  return d.number === null ? `${label}:        /${symbol}` : `${label}: ${d.number}/${symbol}`;
}

const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * "Bắc Kạn, ngày 06 tháng 3 năm 2026" (local date): per Nghị định 30, a day below 10 and the months
 * 1 and 2 are written with a leading zero; other months without. English: "Bắc Kạn, 6 March 2026".
 */
export function dateLine(d: AdminDocument): string {
  const p = localParts(d.date);
  const [day, month] = [Number(p.d), Number(p.mo)];
  if (d.lang === 'en') return `${office(d).place}, ${day} ${EN_MONTHS[month - 1]} ${p.y}`;
  const mo = month <= 2 ? `0${month}` : String(month);
  return `${d.office.place}, ngày ${p.d} tháng ${mo} năm ${p.y}`;
}

export const MOTTO = {
  vi: ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc'],
  en: ['SOCIALIST REPUBLIC OF VIETNAM', 'Independence - Freedom - Happiness'],
} as const;

/** The office's names in the document's language. */
export function office(d: AdminDocument) {
  const o = d.office;
  const en = d.lang === 'en' ? (o.en ?? {}) : {};
  return {
    parent_body: en.parent_body ?? o.parent_body,
    office: en.office ?? o.office,
    office_name: en.office_name ?? o.office_name,
    place: en.place ?? o.place,
    addressees: en.addressees ?? o.addressees,
    authority: d.lang === 'en' ? (en.signer_authority ?? o.signer.authority) : o.signer.authority,
    title: en.signer_title ?? o.signer.title,
    name: o.signer.name,
  };
}

export const LABELS = {
  vi: { to: 'Kính gửi', recipients: 'Nơi nhận', total: 'Tổng cộng' },
  en: { to: 'To', recipients: 'Recipients', total: 'Total' },
} as const;

/** Every table of the document, in order (CSV, tests). */
export function tables(d: AdminDocument): Table[] {
  return d.sections.flatMap((s) => s.blocks.flatMap((b) => (b.kind === 'table' ? [b.table] : [])));
}
