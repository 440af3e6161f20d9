// The administrative document (document.ts) as one self-contained printable HTML page: A4 with the
// margins of Nghị định 30/2020 (top and bottom 20 mm, left 30 mm, right 15 mm), Times New Roman 13 pt.
// Chromium prints it to PDF (pdf.ts).
import {
  type AdminDocument,
  type Cell,
  cellText,
  dateLine,
  isNum,
  LABELS,
  MOTTO,
  numberLine,
  office,
  type Table,
} from './document.ts';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const CSS = `
@page{size:A4;margin:20mm 15mm 20mm 30mm}
*{box-sizing:border-box}
body{font-family:"Times New Roman",Tinos,"Liberation Serif",serif;font-size:13pt;line-height:1.3;color:#000;margin:0 auto;max-width:165mm;padding:0}
@media screen{body{padding:20mm 15mm 20mm 30mm;max-width:210mm}}
.head{width:100%;border-collapse:collapse}
.head td{border:none;text-align:center;vertical-align:top;padding:0}
.head .l{width:40%}.head .r{width:60%}
.parent{font-size:12.5pt;text-transform:uppercase}
.office,.motto1{font-weight:bold;font-size:12.5pt;text-transform:uppercase}
.motto2{font-weight:bold;font-size:13pt}
.rule{display:block;margin:1pt auto 6pt;border-top:1px solid #000;width:35%}
.rule.long{width:62%}
.num{font-size:13pt}.date{font-style:italic}
.kind{text-align:center;font-weight:bold;margin:16pt 0 0}
.title{text-align:center;font-weight:bold;margin:0}
.subtitle{text-align:center;font-style:italic;margin:2pt 0 0}
.to{text-align:center;margin:10pt 0}
h2{font-size:13pt;font-weight:bold;margin:10pt 0 4pt}
p.b{text-align:justify;text-indent:1cm;margin:0 0 6pt}
table.t{border-collapse:collapse;width:100%;font-size:12pt;margin:4pt 0 8pt}
table.t th,table.t td{border:1px solid #000;padding:2pt 4pt;vertical-align:top}
table.t th{text-align:center;font-weight:bold}
table.t td.n{text-align:right;white-space:nowrap}
table.t tr.total td{font-weight:bold}
caption{caption-side:top;text-align:left;font-style:italic;padding-bottom:2pt}
.foot{width:100%;border-collapse:collapse;margin-top:14pt;break-inside:avoid}
.foot td{border:none;vertical-align:top;padding:0}
.foot .l{width:45%;font-size:11pt}.foot .r{width:55%;text-align:center}
.nn{font-weight:bold;font-style:italic;font-size:12pt}
.sig b{display:block}.sig .space{height:26mm}
@media print{tr{break-inside:avoid}h2{break-after:avoid}}
`;

function cell(c: Cell, lang: AdminDocument['lang']): string {
  return isNum(c) ? `<td class="n">${esc(cellText(c, lang))}</td>` : `<td>${esc(c)}</td>`;
}

function table(t: Table, d: AdminDocument): string {
  const cols = Math.max(...t.header.map((r) => r.length), ...t.rows.map((r) => r.length), 1);
  const widths = t.widths ?? [];
  const sum = widths.reduce((a, b) => a + b, 0);
  const colgroup = widths.length
    ? `<colgroup>${widths.map((w) => `<col style="width:${((w / sum) * 100).toFixed(1)}%">`).join('')}</colgroup>`
    : '';
  const head = t.header.map((r) => `<tr>${r.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`).join('');
  const rows = t.rows.length
    ? t.rows.map((r) => `<tr>${r.map((c) => cell(c, d.lang)).join('')}</tr>`).join('\n')
    : `<tr><td colspan="${cols}">—</td></tr>`;
  const totals = t.totals ? `<tr class="total">${t.totals.map((c) => cell(c, d.lang)).join('')}</tr>` : '';
  return `<table class="t" data-table="${esc(t.id)}">${t.caption ? `<caption>${esc(t.caption)}</caption>` : ''}${colgroup}<thead>${head}</thead><tbody>${rows}${totals}</tbody></table>`;
}

export function documentHtml(d: AdminDocument): string {
  const o = office(d);
  const L = LABELS[d.lang];
  const [motto1, motto2] = MOTTO[d.lang];
  const to =
    o.addressees.length === 1
      ? `${L.to}: ${esc(o.addressees[0]!)}`
      : `${L.to}:<br>${o.addressees.map((a) => `- ${esc(a)}`).join('<br>')}`;
  const body = d.sections
    .map(
      (s) =>
        `${s.heading ? `<h2>${esc(s.heading)}</h2>\n` : ''}${s.blocks
          .map((b) =>
            b.kind === 'table'
              ? table(b.table, d)
              : `<p class="b"${b.italic ? ' style="font-style:italic"' : ''}>${b.bold ? `<b>${esc(b.text)}</b>` : esc(b.text)}</p>`,
          )
          .join('\n')}`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="${d.lang}"><head><meta charset="utf-8"><title>${esc(`${d.kind} ${d.title}`)}</title><style>${CSS}</style></head>
<body>
<table class="head"><tr>
<td class="l"><div class="parent">${esc(o.parent_body)}</div><div class="office">${esc(o.office)}</div><span class="rule"></span><div class="num">${esc(numberLine(d))}</div></td>
<td class="r"><div class="motto1">${esc(motto1)}</div><div class="motto2">${esc(motto2)}</div><span class="rule long"></span><div class="date">${esc(dateLine(d))}</div></td>
</tr></table>
<p class="kind">${esc(d.kind)}</p>
<p class="title">${esc(d.title)}</p>
${d.subtitle ? `<p class="subtitle">${esc(d.subtitle)}</p>` : ''}<span class="rule" style="width:25%"></span>
${o.addressees.length ? `<p class="to">${to}</p>` : ''}
${body}
<table class="foot"><tr>
<td class="l"><div class="nn">${esc(L.recipients)}:</div>${d.office.recipients.map((r) => `<div>- ${esc(r)}</div>`).join('')}</td>
<td class="r sig">${o.authority ? `<b>${esc(o.authority)}</b>` : ''}<b>${esc(o.title)}</b><div class="space"></div><b>${esc(o.name)}</b></td>
</tr></table>
</body></html>
`;
}
