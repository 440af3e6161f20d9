// The compliance figures (reports/compliance.ts) as a section of a printable report page: one
// language per rendering — Vietnamese for the filed report, English as a separate rendering.
// Numbers in the language's notation (vi-VN: "1.234,5"; percentages with 2 decimals: "99,95 %").
// A fragment (headings and tables), to be placed inside the page of reports/html.ts; it uses that
// page's classes (td.n for numbers, .bad, .na).
import { duration, isoLocal, viDateTime } from '../meetings/time.ts';
import type { Availability, Compliance, Label } from './compliance.ts';

export type Lang = 'vi' | 'en';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const LOCALE: Record<Lang, string> = { vi: 'vi-VN', en: 'en-GB' };
const dash = '<span class="na">—</span>';

export interface ComplianceHtmlOptions {
  /** the section's number in the report ("5" → "5. …", "5.1 …"); none: unnumbered */
  number?: number | string;
  /** the heading level of the section (default 2: h2, subsections h3) */
  level?: 2 | 3;
}

/** The compliance figures as HTML in one language. */
export function complianceSection(
  c: Compliance,
  lang: Lang = 'vi',
  opts: ComplianceHtmlOptions = {},
): string {
  const vi = lang === 'vi';
  const t = (l: Label) => esc(l[lang]);
  const tx = (v: string, e: string) => esc(vi ? v : e);
  const num = (v: number, digits = 0) =>
    v.toLocaleString(LOCALE[lang], { minimumFractionDigits: 0, maximumFractionDigits: digits });
  const pct = (v: number | null) =>
    v === null
      ? dash
      : `${(v * 100).toLocaleString(LOCALE[lang], { minimumFractionDigits: 2, maximumFractionDigits: 2 })} %`;
  const dur = (ms: number | null) => (ms === null ? dash : esc(duration(ms)[lang]));
  const when = (ms: number) => esc(vi ? viDateTime(ms) : isoLocal(ms));
  const n = opts.number === undefined ? '' : String(opts.number);
  const h = opts.level ?? 2;
  let sub = 0;
  const head = (text: string) => `<h${h}>${n ? `${esc(n)}. ` : ''}${text}</h${h}>`;
  const subhead = (l: Label) => {
    sub++;
    return `<h${h + 1}>${n ? `${esc(n)}.${sub}. ` : ''}${t(l)}</h${h + 1}>`;
  };
  const th = (...cols: string[]) => `<tr>${cols.map((x) => `<th>${x}</th>`).join('')}</tr>`;
  const td = (v: string) => `<td class="n">${v}</td>`;
  const none = (cols: number) => `<tr><td colspan="${cols}">${dash}</td></tr>`;

  const r = c.registrations;
  const regRows = [r.on_time, r.late, r.emergency]
    .map((x) => `<tr><td>${t(x)}</td>${td(num(x.count))}${td(pct(x.share))}</tr>`)
    .join('');
  const registrations = `${subhead(r.label)}
<table>${th(tx('Loại đăng ký', 'Registration'), tx('Số cuộc họp', 'Meetings'), tx('Tỷ lệ', 'Share'))}
${regRows}<tr><td><b>${tx('Tổng số', 'Total')}</b></td>${td(`<b>${num(r.total)}</b>`)}${td(r.total ? pct(1) : dash)}</tr></table>
<p>${tx(`Đã hủy (không tính): ${num(r.cancelled)}.`, `Cancelled (not counted): ${num(r.cancelled)}.`)}</p>
${
  r.late_meetings.length
    ? `<table>${th(tx('Cuộc họp đăng ký muộn', 'Registered late'), tx('Bắt đầu', 'Start'), tx('Đăng ký lúc', 'Registered'), tx('Trước', 'Lead time'))}
${r.late_meetings.map((m) => `<tr><td>${esc(m.title)}</td><td>${when(m.start)}</td><td>${when(m.registered_at)}</td>${td(dur(m.lead_ms))}</tr>`).join('\n')}</table>`
    : ''
}`;

  const rd = c.readiness;
  const readiness = `${subhead(rd.label)}
<table>${th(tx('Lần vận hành thử', 'Run'), tx('Số lần', 'Runs'), tx('Cuộc họp không có', 'Meetings without'), tx('Lần mọi điểm cầu sẵn sàng', 'Runs all ready'), tx('Lượt kiểm tra điểm cầu', 'Site checks'), tx('Tỷ lệ sẵn sàng', 'Ready share'))}
${rd.slots
  .map(
    (s) =>
      `<tr><td>${t(s)}</td>${td(num(s.runs))}${td(s.missing === null ? dash : s.missing > 0 ? `<span class="bad">${num(s.missing)}</span>` : '0')}${td(num(s.all_ready_runs))}${td(num(s.site_checks))}${td(pct(s.ready_share))}</tr>`,
  )
  .join('\n')}</table>
<p>${tx(`Số cuộc họp trong kỳ: ${num(rd.meetings)}; số điểm cầu được kiểm tra: ${num(rd.sites_checked)}.`, `Meetings in the period: ${num(rd.meetings)}; sites checked: ${num(rd.sites_checked)}.`)}</p>
${
  rd.never_ready.length
    ? `<table>${th(tx('Điểm cầu chưa lần nào sẵn sàng', 'Sites never ready'), tx('Số lượt kiểm tra', 'Checks'), tx('Lý do (số lượt)', 'Reasons (checks)'))}
${rd.never_ready.map((s) => `<tr><td class="bad">${esc(s.name)}</td>${td(num(s.checks))}<td>${esc(s.reasons.map((x) => `${x[lang]} (${num(x.count)})`).join(', '))}</td></tr>`).join('\n')}</table>`
    : `<p>${tx('Không có điểm cầu nào chưa lần nào sẵn sàng.', 'No site was never ready.')}</p>`
}`;

  const te = c.technicians;
  const techRow = (label: string, x: Compliance['technicians']['total']) =>
    `<tr><td>${label}</td>${td(num(x.sites))}${td(num(x.with_technician))}${td(pct(x.technician_share))}${td(num(x.with_contact))}${td(pct(x.contact_share))}${td(num(x.dedicated))}</tr>`;
  const technicians = `${subhead(te.label)}
<table>${th(tx('Cấp', 'Tier'), tx('Số điểm cầu', 'Sites'), tx('Có cán bộ kỹ thuật', 'With a technician'), tx('Tỷ lệ', 'Share'), tx('Có liên hệ', 'With a contact'), tx('Tỷ lệ', 'Share'), tx('Chuyên trách (chỉ một điểm cầu)', 'Dedicated (one site)'))}
${te.by_tier.map((x) => techRow(t(x), x)).join('\n')}
${techRow(`<b>${tx('Tổng số', 'Total')}</b>`, te.total)}</table>
<p>${tx(
    `Lần vận hành thử mà mọi điểm cầu đều có liên hệ cán bộ kỹ thuật: ${num(te.runs.all_sites_with_contact)}/${num(te.runs.runs)}`,
    `Test runs where every site had a technician contact: ${num(te.runs.all_sites_with_contact)}/${num(te.runs.runs)}`,
  )} (${pct(te.runs.share)}).</p>
<p class="${vi ? '' : 'en'}">${t(te.note)}</p>`;

  const ep = c.episodes;
  const epCells = (g: Compliance['episodes']['total']) =>
    `${td(num(g.count))}${td(g.open ? `<span class="bad">${num(g.open)}</span>` : '0')}${td(dur(g.mean_ttr_ms))}${td(dur(g.max_ttr_ms))}`;
  const epHead = (first: string) =>
    th(
      first,
      tx('Số sự cố', 'Episodes'),
      tx('Chưa khắc phục', 'Open'),
      tx('Thời gian khắc phục TB', 'Mean time to restore'),
      tx('Lâu nhất', 'Longest'),
    );
  const episodes = `${subhead(ep.label)}
<table>${epHead(tx('Nguyên nhân', 'Cause'))}
${ep.by_cause
  .filter((x) => x.count > 0 || x.cause !== 'unknown')
  .map((x) => `<tr><td>${t(x)}</td>${epCells(x)}</tr>`)
  .join('\n')}
<tr><td><b>${tx('Tổng số', 'Total')}</b></td>${epCells(ep.total)}</tr></table>
<table>${epHead(tx('Đơn vị xử lý', 'Owner'))}
${ep.by_owner.length ? ep.by_owner.map((x) => `<tr><td>${esc(vi ? x.name : x.name_en)}</td>${epCells(x)}</tr>`).join('\n') : none(5)}</table>
<p>${tx(
    'Thời gian khắc phục tính từ khi phát hiện đến khi nguyên nhân hết, trên các sự cố đã khắc phục.',
    'Time to restore: from the first evidence to when the cause cleared, over the restored episodes.',
  )}</p>`;

  const av = c.availability;
  const avCells = (a: Availability) =>
    `${td(a.availability !== null && a.availability < 0.99 ? `<span class="bad">${pct(a.availability)}</span>` : pct(a.availability))}${td(pct(a.coverage))}${td(num(a.down_ms / 60_000))}`;
  const avHead = (first: string, extra: string[] = []) =>
    `<tr><th rowspan="2">${first}</th>${extra.map((x) => `<th rowspan="2">${x}</th>`).join('')}<th colspan="3">${tx('Cả kỳ', 'Whole period')}</th><th colspan="3">${tx('Trong giờ họp', 'During meetings')}</th></tr>
<tr>${[0, 1].map(() => `<th>${tx('Sẵn sàng', 'Availability')}</th><th>${tx('Độ phủ số liệu', 'Data coverage')}</th><th>${tx('Phút mất kết nối', 'Minutes down')}</th>`).join('')}</tr>`;
  const availability = `${subhead(av.label)}
<table>${avHead(tx('Doanh nghiệp', 'Carrier'), [tx('Số kênh', 'Circuits')])}
${av.carriers.map((x) => `<tr><td>${t(x)}</td>${td(num(x.circuits))}${avCells(x.overall)}${avCells(x.meetings)}</tr>`).join('\n')}</table>
${
  av.worst.length
    ? `<table>${avHead(tx('Kênh kém nhất', 'Worst circuits'), [tx('Điểm cầu', 'Site'), tx('Doanh nghiệp', 'Carrier')])}
${av.worst
  .map(
    (x) =>
      `<tr><td>${esc(x.circuit)}</td><td>${esc(x.sites.map((s) => s.name).join(', '))}</td><td>${x.carrier === 'viettel' ? 'Viettel' : 'VNPT'}</td>${avCells(x.overall)}${avCells(x.meetings)}</tr>`,
  )
  .join('\n')}</table>`
    : `<p>${tx('Không có kênh nào mất kết nối trong kỳ.', 'No circuit was down in the period.')}</p>`
}
<p>${tx(
    `Sẵn sàng = tỷ lệ thời gian có số liệu đo mà điểm cầu trả lời (đầu đo RTP, nếu không có thì ICMP; khoảng ${num(av.bucket_ms / 60_000)} phút cho cả kỳ, ${num(av.meeting_bucket_ms / 60_000)} phút trong giờ họp); tính theo thời gian trên tất cả các kênh của doanh nghiệp, không lấy trung bình các tỷ lệ. Thời gian không có số liệu không tính là mất kết nối (xem độ phủ số liệu).`,
    `Availability = share of the measured time the site answered (RTP probe, else ICMP; ${num(av.bucket_ms / 60_000)}-minute buckets for the period, ${num(av.meeting_bucket_ms / 60_000)}-minute during meetings); per carrier weighted by time over all its circuits, not a mean of shares. Time without data is not counted as down (see data coverage).`,
  )}</p>`;

  const pw = c.power;
  const power = `${subhead(pw.label)}
<table>${th(tx('Điện lực', 'Power branch'), tx('Số lần mất điện', 'Events'), tx('Chưa khắc phục', 'Open'), tx('Tổng số phút', 'Total minutes'), tx('Ảnh hưởng cuộc họp', 'Touched a meeting'))}
${pw.branches.length ? pw.branches.map((b) => `<tr><td>${esc(vi ? b.name : b.name_en)}</td>${td(num(b.events))}${td(b.open ? `<span class="bad">${num(b.open)}</span>` : '0')}${td(num(b.minutes))}${td(b.touched_meetings ? `<span class="bad">${num(b.touched_meetings)}</span>` : '0')}</tr>`).join('\n') : none(5)}
<tr><td><b>${tx('Tổng số', 'Total')}</b></td>${td(num(pw.total.events))}${td('')}${td(num(pw.total.minutes))}${td(num(pw.total.touched_meetings))}</tr></table>`;

  const period = c.partial
    ? `<p>${tx(
        `Số liệu từ ${viDateTime(c.from)} đến ${viDateTime(c.until)} (kỳ báo cáo chưa kết thúc).`,
        `Figures from ${isoLocal(c.from)} to ${isoLocal(c.until)} (the period has not ended yet).`,
      )}</p>`
    : '';
  return `${head(tx('Đánh giá việc thực hiện Quy chế (Điều 11.3)', 'Compliance with the regulation (Điều 11.3)'))}
${period}
${registrations}
${readiness}
${technicians}
${episodes}
${availability}
${power}
`;
}
