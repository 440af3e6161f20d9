// Reading filed documents back in tests: Word through the real unzip, PDF through pdftotext.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function viaFile<T>(bytes: Buffer, ext: string, read: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-doc-'));
  try {
    const f = join(dir, `doc.${ext}`);
    writeFileSync(f, bytes);
    return read(f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** word/document.xml of a .docx, through the real unzip */
export function documentXml(docx: Buffer): string {
  return viaFile(docx, 'docx', (f) =>
    execFileSync('unzip', ['-p', f, 'word/document.xml'], { encoding: 'utf8' }),
  );
}

/** the text of Word XML, a line per paragraph */
export const xmlText = (xml: string) =>
  xml
    .replace(/<\/w:p>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'");

/** the Word tables, each as its rows' texts */
export const wordTables = (xml: string) =>
  [...xml.matchAll(/<w:tbl>[\s\S]*?<\/w:tbl>/g)].map((t) =>
    [...t[0].matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((r) => xmlText(r[0]).replace(/\n/g, ' ').trim()),
  );

/** pdftotext (poppler-utils) of a PDF; `layout` keeps each table row on one line */
export function pdfText(pdf: Buffer, o: { layout?: boolean } = {}): string {
  return viaFile(pdf, 'pdf', (f) =>
    execFileSync('pdftotext', [...(o.layout ? ['-layout'] : []), f, '-'], { encoding: 'utf8' }),
  );
}

/**
 * The row numbers (STT) of the table after `marker` up to the next numbered section: lines "N Name…"
 * with a capital after the number.
 */
export function rowNumbers(text: string, marker: string): number[] {
  const at = text.indexOf(marker);
  if (at < 0) return [];
  const after = text.slice(at);
  const end = after.search(/\n[IVX]+\. /);
  return [...(end > 0 ? after.slice(0, end) : after).matchAll(/^(\d+) \p{Lu}/gmu)].map((m) => Number(m[1]));
}
