// The document's tables as CSV (csv-stringify), for the spreadsheets offices work in.
//
// What Excel opens by double-click without the import dialog:
// - UTF-8 with a byte-order mark ("\uFEFF"): without it Excel reads the file in the PC's ANSI code
//   page (Windows-1258 in Vietnam) and the Vietnamese letters come out garbled. (A "sep=;" first line
//   would pin the separator, but Excel then ignores the BOM — so no "sep=" line.)
// - The field separator Excel expects is Windows' "list separator" of the regional format, and the
//   decimal mark its "decimal symbol". Vietnamese (vi-VN) has "," as the decimal symbol and ";" as the
//   list separator (the reason Vietnamese Excel formulas read =SUM(A1;B1)). So the Vietnamese rendering
//   is ";"-separated with comma decimals ("99,5"), the English one ","-separated with point decimals.
//   Numbers are written bare (no thousands grouping, no unit: the unit is in the column title), so
//   Excel takes them as numbers that sum and chart, not as text. A PC set to an English regional
//   format opens the English rendering directly, or the Vietnamese one through Data → From Text/CSV.
// - CRLF line ends, fields quoted only when they hold the separator, a quote or a line break.
import { stringify } from 'csv-stringify/sync';
import { type AdminDocument, type Cell, isNum, type Table, tables } from './document.ts';

export const CSV_BOM = '\uFEFF';

export function csvDialect(lang: AdminDocument['lang']) {
  return lang === 'vi' ? { delimiter: ';', decimal: ',' } : { delimiter: ',', decimal: '.' };
}

function value(c: Cell, decimal: string): string {
  if (!isNum(c)) return c;
  if (c.n === null) return '';
  const s = c.n.toFixed(c.digits ?? 0);
  return decimal === '.' ? s : s.replace('.', decimal);
}

function records(t: Table, lang: AdminDocument['lang']): string[][] {
  const { decimal } = csvDialect(lang);
  const unitOf = (i: number) => {
    const c = t.rows.find((r) => isNum(r[i] ?? ''))?.[i];
    return c && isNum(c) && c.unit && !t.header.at(-1)?.[i]?.includes(`(${c.unit})`) ? ` (${c.unit})` : '';
  };
  const last = t.header.length - 1;
  return [
    ...t.header.map((r, k) => (k === last ? r.map((h, i) => `${h}${unitOf(i)}`) : r)),
    ...t.rows.map((r) => r.map((c) => value(c, decimal))),
    ...(t.totals ? [t.totals.map((c) => value(c, decimal))] : []),
  ];
}

/**
 * One table of the document (by id) as CSV; without an id every table, each under its caption and
 * separated by an empty line. Returns null for an unknown table id.
 */
export function documentCsv(d: AdminDocument, tableId?: string): string | null {
  const { delimiter } = csvDialect(d.lang);
  const all = tables(d);
  const chosen = tableId === undefined ? all : all.filter((t) => t.id === tableId);
  if (chosen.length === 0 && tableId !== undefined) return null;
  const rows: string[][] = [];
  if (tableId === undefined) rows.push([`${d.kind} ${d.title}`], ...(d.subtitle ? [[d.subtitle]] : []), []);
  chosen.forEach((t, i) => {
    if (i > 0) rows.push([]);
    if (tableId === undefined && t.caption) rows.push([t.caption]);
    rows.push(...records(t, d.lang));
  });
  return CSV_BOM + stringify(rows, { delimiter, record_delimiter: 'windows', quoted_match: /^\s|\s$/ });
}
