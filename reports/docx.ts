// The administrative document (document.ts) as a Word file (.docx, the `docx` library), laid out per
// Nghị định 30/2020/NĐ-CP Phụ lục I: A4, margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New
// Roman 13 pt (header names 12–13 pt, Nơi nhận 11–12 pt); the header as a borderless two-column table
// with the short rules under the office and the motto; tables with borders and a repeated header row;
// Nơi nhận and the signature block as a borderless two-column table at the end.
import {
  AlignmentType,
  BorderStyle,
  Document,
  Packer,
  Paragraph,
  type ParagraphChild,
  Table,
  TableBorders,
  TableCell,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
} from 'docx';
import {
  type AdminDocument,
  type Cell,
  cellText,
  type Table as DocTable,
  dateLine,
  isNum,
  LABELS,
  MOTTO,
  numberLine,
  office,
} from './document.ts';

const MM = 56.6929; // twips per millimetre
const PAGE = { width: 11906, height: 16838 }; // A4
const MARGIN = { top: 20, bottom: 20, left: 30, right: 15 };
const CONTENT = Math.round((210 - MARGIN.left - MARGIN.right) * MM);
const FONT = 'Times New Roman';
const pt = (n: number) => n * 2; // half-points

interface RunOpts {
  bold?: boolean;
  italics?: boolean;
  size?: number;
}
const run = (text: string, o: RunOpts = {}) =>
  new TextRun({
    text,
    font: FONT,
    size: pt(o.size ?? 13),
    ...(o.bold && { bold: true }),
    ...(o.italics && { italics: true }),
  });

const para = (
  children: ParagraphChild[],
  o: {
    align?: (typeof AlignmentType)[keyof typeof AlignmentType];
    after?: number;
    before?: number;
    indent?: number;
  } = {},
) =>
  new Paragraph({
    children,
    alignment: o.align ?? AlignmentType.CENTER,
    spacing: { before: o.before ?? 0, after: o.after ?? 0 },
    ...(o.indent !== undefined && { indent: { firstLine: o.indent } }),
  });

/** A short centred line (the rule under the office and under the motto): a bordered empty paragraph. */
const rule = (cellWidth: number, fraction: number) => {
  const side = Math.round((cellWidth * (1 - fraction)) / 2);
  return new Paragraph({
    children: [run('', { size: 4 })],
    border: { top: { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 1 } },
    indent: { left: side, right: side },
    spacing: { before: 20, after: 60 },
  });
};

const noBorders = {
  top: { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' },
  bottom: { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' },
  left: { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' },
  right: { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' },
};

const plainCell = (width: number, children: Paragraph[]) =>
  new TableCell({ children, width: { size: width, type: WidthType.DXA }, borders: noBorders });

/** Two borderless columns of the given widths (twips). */
const twoColumns = (widths: [number, number], left: Paragraph[], right: Paragraph[]) =>
  new Table({
    width: { size: CONTENT, type: WidthType.DXA },
    columnWidths: widths,
    borders: TableBorders.NONE,
    rows: [new TableRow({ children: [plainCell(widths[0], left), plainCell(widths[1], right)] })],
  });

function header(d: AdminDocument): Table {
  const o = office(d);
  const [motto1, motto2] = MOTTO[d.lang];
  const widths: [number, number] = [Math.round(CONTENT * 0.4), CONTENT - Math.round(CONTENT * 0.4)];
  return twoColumns(
    widths,
    [
      para([run(o.parent_body.toUpperCase(), { size: 12.5 })]),
      para([run(o.office.toUpperCase(), { bold: true, size: 12.5 })]),
      rule(widths[0], 0.35),
      para([run(numberLine(d))]),
    ],
    [
      para([run(motto1, { bold: true, size: 12.5 })]),
      para([run(motto2, { bold: true })]),
      rule(widths[1], 0.55),
      para([run(dateLine(d), { italics: true })]),
    ],
  );
}

function dataCell(c: Cell, d: AdminDocument, width: number, bold = false): TableCell {
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    verticalAlign: VerticalAlign.CENTER,
    margins: { left: 80, right: 80, top: 20, bottom: 20 },
    children: [
      para([run(cellText(c, d.lang), { size: 12, bold })], {
        align: isNum(c) ? AlignmentType.RIGHT : AlignmentType.LEFT,
      }),
    ],
  });
}

function table(t: DocTable, d: AdminDocument): (Paragraph | Table)[] {
  const cols = Math.max(...t.header.map((r) => r.length), ...t.rows.map((r) => r.length), 1);
  const rel = t.widths?.length === cols ? t.widths : Array.from({ length: cols }, () => 1);
  const sum = rel.reduce((a, b) => a + b, 0);
  const widths = rel.map((w) => Math.floor((w / sum) * CONTENT));
  const headRows = t.header.map(
    (r) =>
      new TableRow({
        tableHeader: true,
        children: r.map(
          (h, i) =>
            new TableCell({
              width: { size: widths[i] ?? widths[0]!, type: WidthType.DXA },
              verticalAlign: VerticalAlign.CENTER,
              margins: { left: 80, right: 80, top: 20, bottom: 20 },
              children: [para([run(h, { size: 12, bold: true })])],
            }),
        ),
      }),
  );
  const body = t.rows.length
    ? t.rows.map(
        (r, k) =>
          new TableRow({
            children: r.map((c, i) => dataCell(c, d, widths[i]!, t.bold_rows?.includes(k) ?? false)),
          }),
      )
    : [
        new TableRow({
          children: [
            new TableCell({
              columnSpan: cols,
              children: [para([run('—', { size: 12 })], { align: AlignmentType.LEFT })],
            }),
          ],
        }),
      ];
  const totals = t.totals
    ? [new TableRow({ children: t.totals.map((c, i) => dataCell(c, d, widths[i]!, true)) })]
    : [];
  return [
    ...(t.caption
      ? [para([run(t.caption, { italics: true })], { align: AlignmentType.LEFT, before: 60 })]
      : []),
    new Table({
      width: { size: CONTENT, type: WidthType.DXA },
      columnWidths: widths,
      rows: [...headRows, ...body, ...totals],
    }),
    para([run('', { size: 6 })], { after: 60 }),
  ];
}

function signature(d: AdminDocument): Table {
  const o = office(d);
  const widths: [number, number] = [Math.round(CONTENT * 0.45), CONTENT - Math.round(CONTENT * 0.45)];
  const left = [
    para([run(`${LABELS[d.lang].recipients}:`, { bold: true, italics: true, size: 12 })], {
      align: AlignmentType.LEFT,
    }),
    ...d.office.recipients.map((r) => para([run(`- ${r}`, { size: 11 })], { align: AlignmentType.LEFT })),
  ];
  const right = [
    ...(o.authority ? [para([run(o.authority.toUpperCase(), { bold: true })])] : []),
    para([run(o.title.toUpperCase(), { bold: true })]),
    // room for the signature and the seal
    ...Array.from({ length: 4 }, () => para([run('')])),
    para([run(o.name, { bold: true })]),
  ];
  return twoColumns(widths, left, right);
}

/** The document as a .docx file. */
export async function documentDocx(d: AdminDocument): Promise<Buffer> {
  const o = office(d);
  const L = LABELS[d.lang];
  const children: (Paragraph | Table)[] = [
    header(d),
    para([run(d.kind.toUpperCase(), { bold: true, size: 14 })], { before: 360 }),
    para([run(d.title, { bold: true, size: 14 })]),
    ...(d.subtitle ? [para([run(d.subtitle, { italics: true })])] : []),
    rule(CONTENT, 0.25),
  ];
  if (o.addressees.length === 1) children.push(para([run(`${L.to}: ${o.addressees[0]}`)], { after: 240 }));
  else if (o.addressees.length > 1) {
    children.push(para([run(`${L.to}:`)]));
    for (const a of o.addressees) children.push(para([run(`- ${a}`)]));
    children.push(para([run('')], { after: 120 }));
  }
  for (const s of d.sections) {
    if (s.heading)
      children.push(
        para([run(s.heading, { bold: true })], {
          align: AlignmentType.JUSTIFIED,
          before: 120,
          after: 120,
          indent: 567,
        }),
      );
    for (const b of s.blocks) {
      if (b.kind === 'table') children.push(...table(b.table, d));
      else
        children.push(
          para([run(b.text, { ...(b.italic && { italics: true }), ...(b.bold && { bold: true }) })], {
            align: AlignmentType.JUSTIFIED,
            after: 120,
            indent: 567,
          }),
        );
    }
  }
  children.push(para([run('')], { after: 120 }), signature(d));
  const doc = new Document({
    creator: 'diemcau',
    title: `${d.kind} ${d.title}`,
    styles: { default: { document: { run: { font: FONT, size: pt(13) } } } },
    sections: [
      {
        properties: {
          page: {
            size: PAGE,
            margin: {
              top: Math.round(MARGIN.top * MM),
              bottom: Math.round(MARGIN.bottom * MM),
              left: Math.round(MARGIN.left * MM),
              right: Math.round(MARGIN.right * MM),
            },
          },
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
