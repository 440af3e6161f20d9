// A report as a file to download, attach or write: the document (documents.ts) rendered to Word, PDF,
// CSV or the printable page, with its content type and a file name people can read (Vietnamese, with
// an ASCII fallback for old clients).
import type { Config } from '../config/config.ts';
import { documentCsv } from './csv.ts';
import type { AdminDocument, OfficeDetails } from './document.ts';
import { documentHtml } from './document-html.ts';
import { documentDocx } from './docx.ts';
import { htmlToPdf } from './pdf.ts';

export const FILE_FORMATS = ['docx', 'pdf', 'csv'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export const CONTENT_TYPES: Record<FileFormat | 'html', string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

export interface RenderedFile {
  body: Buffer;
  contentType: string;
  /** "Báo cáo 06 tháng 2026-01-01.docx" */
  filename: string;
}

export class UnknownTable extends Error {
  constructor(
    readonly table: string,
    readonly known: string[],
  ) {
    super(`no table "${table}"; the document has: ${known.join(', ')}`);
  }
}

/** The office details of the configuration's `reports:` section, as the documents take them. */
export function officeFrom(r: Config['reports']): OfficeDetails {
  return {
    parent_body: r.parent_body,
    office: r.office,
    office_name: r.office_name,
    office_abbr: r.office_abbr,
    place: r.place,
    addressees: r.addressees,
    recipients: r.recipients,
    signer: { authority: r.signer.authority, title: r.signer.title, name: r.signer.name },
    en: r.en,
  };
}

export async function renderFile(
  doc: AdminDocument,
  format: FileFormat,
  name: string,
  o: { chromium?: string | undefined; table?: string | undefined } = {},
): Promise<RenderedFile> {
  let body: Buffer;
  if (format === 'docx') body = await documentDocx(doc);
  else if (format === 'pdf') body = await htmlToPdf(documentHtml(doc), { chromium: o.chromium });
  else {
    const csv = documentCsv(doc, o.table);
    if (csv === null)
      throw new UnknownTable(
        o.table!,
        doc.sections.flatMap((s) => s.blocks.flatMap((b) => (b.kind === 'table' ? [b.table.id] : []))),
      );
    body = Buffer.from(csv, 'utf8');
  }
  const suffix = format === 'csv' && o.table ? ` ${o.table}` : '';
  return { body, contentType: CONTENT_TYPES[format], filename: `${name}${suffix}.${format}` };
}

/** "Báo cáo năm 2026.docx" → "Bao-cao-nam-2026.docx" */
export function asciiName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, (c) => (c === 'đ' ? 'd' : 'D'))
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-(?=\.)|-$/g, '');
}

/** Content-Disposition with the UTF-8 name (RFC 6266/5987) and an ASCII one for old clients. */
export function contentDisposition(filename: string, disposition: 'attachment' | 'inline' = 'attachment') {
  const utf8 = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${disposition}; filename="${asciiName(filename)}"; filename*=UTF-8''${utf8}`;
}

/** The file names of the reports, per language. */
export const FILE_NAMES = {
  meeting: (id: string, lang: 'vi' | 'en') =>
    lang === 'vi' ? `Báo cáo cuộc họp ${id}` : `Meeting report ${id} (en)`,
  'six-month': (from: string, lang: 'vi' | 'en') =>
    lang === 'vi' ? `Báo cáo 06 tháng ${from}` : `Six-month report ${from} (en)`,
  yearly: (from: string, lang: 'vi' | 'en') =>
    lang === 'vi' ? `Báo cáo năm ${from.slice(0, 4)}` : `Yearly report ${from.slice(0, 4)} (en)`,
  period: (range: string, lang: 'vi' | 'en') => (lang === 'vi' ? `Báo cáo ${range}` : `Report ${range} (en)`),
};
