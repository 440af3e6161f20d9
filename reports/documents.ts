// Reports as administrative documents (document.ts): the post-meeting report and the six-month,
// yearly and any-period reports, in Vietnamese (the filed version) or English. Each section is its own
// small function of the report, so a new part of a report is one more function and one line in the
// list; a field a report does not have yet is simply not shown.
import { duration, viDate, viDateTime } from '../meetings/time.ts';
import {
  type AdminDocument,
  type Block,
  type Lang,
  num,
  type OfficeDetails,
  type Section,
} from './document.ts';
import { TIER_LABEL } from './html.ts';
import type { MeetingReport } from './meeting.ts';
import type { PeriodReport } from './period.ts';

export interface DocumentOptions {
  /** the registered number (numbering: auto), or null/absent to leave it blank */
  number?: number | null;
  /** the document's date (default: when the report was made) */
  date?: number;
}

const tr = (lang: Lang, vi: string, en: string) => (lang === 'vi' ? vi : en);
const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];
const p = (text: string, o: { italic?: boolean } = {}): Block => ({ kind: 'paragraph', text, ...o });

/** Sections numbered I., II., … in order; null sections (nothing to say) are left out. */
function numbered(list: (Omit<Section, 'heading'> & { title: string })[]): Section[] {
  return list.map((s, i) => ({ heading: `${ROMAN[i] ?? i + 1}. ${s.title}`, blocks: s.blocks }));
}

const dateTime = (t: number, lang: Lang) =>
  lang === 'vi' ? viDateTime(t) : `${viDateTime(t).replace(' ngày ', ', ')}`;
const dur = (ms: number, lang: Lang) => duration(ms)[lang];
const pctOf = (share: number | null, digits = 1) => num(share === null ? null : share * 100, digits, '%');

// ——— the post-meeting report ———

type M = MeetingReport;
type Part = (r: M, lang: Lang) => { title: string; blocks: Block[] } | null;

const meetingInfo: Part = (r, lang) => {
  const m = r.meeting;
  const kind = m.emergency
    ? tr(lang, 'đột xuất, khẩn cấp', 'emergency') + (m.emergency_reason ? ` (${m.emergency_reason})` : '')
    : tr(lang, 'thường xuyên, đăng ký trước', 'regular, registered in advance');
  return {
    title: tr(lang, 'Thông tin cuộc họp', 'The meeting'),
    blocks: [
      p(`${tr(lang, 'Tên cuộc họp', 'Title')}: ${m.title}.`),
      p(`${tr(lang, 'Cơ quan chủ trì', 'Host office')}: ${m.host_org_name}.`),
      p(
        `${tr(lang, 'Thời gian', 'Time')}: ${tr(lang, 'từ', 'from')} ${dateTime(m.start, lang)} ${tr(lang, 'đến', 'to')} ${dateTime(m.end, lang)} (${dur(m.end - m.start, lang)}).`,
      ),
      p(`${tr(lang, 'Số điểm cầu tham gia theo đăng ký', 'Sites registered')}: ${r.summary.sites}.`),
      p(`${tr(lang, 'Hình thức', 'Kind')}: ${kind}.`),
      ...(m.cancelled_at !== null
        ? [
            p(
              `${tr(lang, 'Cuộc họp đã bị hủy lúc', 'Cancelled at')} ${dateTime(m.cancelled_at, lang)}${m.cancel_reason ? `: ${m.cancel_reason}` : ''}.`,
            ),
          ]
        : []),
    ],
  };
};

const ATTEND: Record<string, [string, string]> = {
  present: ['Có mặt', 'Present'],
  absent: ['Không kết nối', 'Absent'],
  unknown: ['Không có số liệu', 'No data'],
};

const meetingSites: Part = (r, lang) => {
  const s = r.summary;
  const stat = (v: { mean: number } | null) => v?.mean ?? null;
  return {
    title: tr(lang, 'Kết quả kết nối và chất lượng theo điểm cầu', 'Connection and quality per site'),
    blocks: [
      p(
        tr(
          lang,
          `Có ${s.present}/${s.sites} điểm cầu tham dự; ${s.absent} điểm cầu không kết nối; ${s.unknown} điểm cầu không có số liệu.`,
          `${s.present} of ${s.sites} sites attended; ${s.absent} did not connect; ${s.unknown} without data.`,
        ),
      ),
      {
        kind: 'table',
        table: {
          id: 'diem-cau',
          header: [
            [
              tr(lang, 'STT', 'No.'),
              tr(lang, 'Điểm cầu', 'Site'),
              tr(lang, 'Tham dự', 'Attendance'),
              tr(lang, 'Thời gian kết nối (%)', 'Connected (%)'),
              tr(lang, 'Mất gói TB (%)', 'Mean loss (%)'),
              tr(lang, 'Biến thiên trễ TB (ms)', 'Mean jitter (ms)'),
              tr(lang, 'Trễ khứ hồi TB (ms)', 'Mean RTT (ms)'),
              'MOS',
              tr(lang, 'Sự cố', 'Incidents'),
            ],
          ],
          widths: [5, 26, 13, 11, 10, 10, 10, 7, 8],
          rows: r.sites.map((x, i) => [
            num(i + 1),
            x.name,
            tr(lang, ...(ATTEND[x.attendance] ?? [x.attendance, x.attendance])),
            num(x.connected === null ? null : x.connected * 100, 0),
            num(stat(x.loss_pct), 2),
            num(stat(x.jitter_ms), 1),
            num(stat(x.rtt_ms), 0),
            num(stat(x.mos), 2),
            num(x.incidents),
          ]),
          totals: [
            '',
            tr(lang, 'Tổng cộng', 'Total'),
            `${s.present}/${s.sites}`,
            '',
            num(s.mean_loss_pct, 2),
            '',
            '',
            num(s.mean_mos, 2),
            num(s.incidents),
          ],
        },
      },
    ],
  };
};

const meetingReadiness: Part = (r, lang) => ({
  title: tr(lang, 'Vận hành thử trước cuộc họp (Điều 7.1.b)', 'Readiness test runs (Art. 7.1.b)'),
  blocks: r.readiness.length
    ? [
        {
          kind: 'table',
          table: {
            id: 'van-hanh-thu',
            header: [
              [
                tr(lang, 'Lần', 'Run'),
                tr(lang, 'Thời điểm', 'At'),
                tr(lang, 'Điểm cầu sẵn sàng', 'Sites ready'),
              ],
            ],
            widths: [20, 45, 35],
            rows: r.readiness.map((x) => [
              x.slot === 'manual' ? tr(lang, 'Theo yêu cầu', 'On demand') : x.slot,
              dateTime(x.at, lang),
              `${x.ready}/${x.total}`,
            ]),
          },
        },
      ]
    : [p(tr(lang, 'Chưa ghi nhận lần vận hành thử nào.', 'No readiness test run was recorded.'))],
});

const meetingIncidents: Part = (r, lang) => {
  const names = new Map(r.sites.map((s) => [s.site, s.name]));
  return {
    title: tr(lang, 'Sự cố trong cuộc họp (Điều 8.2.d)', 'Incidents during the meeting (Art. 8.2.d)'),
    blocks: r.incidents.length
      ? [
          {
            kind: 'table',
            table: {
              id: 'su-co',
              header: [
                [
                  tr(lang, 'STT', 'No.'),
                  tr(lang, 'Điểm cầu', 'Sites'),
                  tr(lang, 'Bắt đầu', 'Started'),
                  tr(lang, 'Khắc phục xong', 'Restored'),
                  tr(lang, 'Nguyên nhân', 'Cause'),
                  tr(lang, 'Giải pháp khắc phục', 'Fix'),
                ],
              ],
              widths: [5, 22, 15, 15, 23, 20],
              rows: r.incidents.map((i, k) => [
                num(k + 1),
                i.sites.map((s) => names.get(s) ?? s).join(', '),
                dateTime(i.started_at, lang),
                i.restored_at === null
                  ? tr(lang, 'Chưa khắc phục', 'Not restored')
                  : dateTime(i.restored_at, lang),
                i.cause,
                i.fix || '—',
              ]),
            },
          },
        ]
      : [
          p(
            tr(
              lang,
              'Không ghi nhận sự cố nào trong cuộc họp.',
              'No incident was logged during the meeting.',
            ),
          ),
        ],
  };
};

/** The sections of the post-meeting report, in order: add a part here. */
export const MEETING_PARTS: Part[] = [meetingInfo, meetingSites, meetingReadiness, meetingIncidents];

export function meetingDocument(
  r: MeetingReport,
  office: OfficeDetails,
  lang: Lang,
  o: DocumentOptions = {},
): AdminDocument {
  const m = r.meeting;
  const name = lang === 'en' ? (office.en?.office_name ?? office.office_name) : office.office_name;
  const parts = MEETING_PARTS.map((f) => f(r, lang)).filter((x) => x !== null);
  return {
    lang,
    office,
    code: 'BC',
    number: o.number ?? null,
    date: o.date ?? r.generated_at,
    kind: tr(lang, 'BÁO CÁO', 'REPORT'),
    title: tr(
      lang,
      `Kết quả tổ chức hội nghị truyền hình trực tuyến “${m.title}” ngày ${viDate(m.start)}`,
      `On the video conference “${m.title}” of ${viDate(m.start)}`,
    ),
    sections: [
      {
        heading: '',
        blocks: [
          p(
            tr(
              lang,
              `Thực hiện Quy chế quản lý, vận hành và sử dụng hệ thống hội nghị truyền hình trực tuyến tỉnh Bắc Kạn, ${name} báo cáo kết quả tổ chức cuộc họp trực tuyến như sau:`,
              `Under the regulation on the Bắc Kạn video-conference network, ${name} reports on the meeting as follows:`,
            ),
          ),
        ],
      },
      ...numbered(parts),
      { heading: '', blocks: [p(closing(name, lang, 'meeting'))] },
    ],
  };
}

function closing(name: string, lang: Lang, what: 'meeting' | 'period'): string {
  return tr(
    lang,
    `Trên đây là báo cáo ${what === 'meeting' ? 'kết quả tổ chức cuộc họp trực tuyến' : 'tình hình sử dụng hệ thống hội nghị truyền hình trực tuyến'} của ${name}./.`,
    `This is the report of ${name}.`,
  );
}

// ——— the six-month, yearly and any-period reports ———

type P = PeriodReport;
type PeriodPart = (r: P, lang: Lang) => { title: string; blocks: Block[] } | null;

const periodMeetings: PeriodPart = (r, lang) => {
  const mt = r.meetings;
  const total = (k: 'meetings' | 'site_sessions') => mt.by_tier.reduce((a, t) => a + t[k], 0);
  return {
    title: tr(lang, 'Số lượng cuộc họp trực tuyến (Điều 14.1.c)', 'Meetings held (Art. 14.1.c)'),
    blocks: [
      p(
        tr(
          lang,
          `Tổng số cuộc họp: ${mt.total}, trong đó đột xuất, khẩn cấp: ${mt.emergency}. Số cuộc họp đã hủy (không tính): ${mt.cancelled}.`,
          `Meetings: ${mt.total}, of which emergency: ${mt.emergency}. Cancelled (not counted): ${mt.cancelled}.`,
        ),
      ),
      {
        kind: 'table',
        table: {
          id: 'theo-co-quan',
          caption: tr(lang, 'Bảng 1. Số cuộc họp theo cơ quan chủ trì', 'Table 1. Meetings by host office'),
          header: [
            [
              tr(lang, 'STT', 'No.'),
              tr(lang, 'Cơ quan chủ trì', 'Host office'),
              tr(lang, 'Số cuộc họp', 'Meetings'),
            ],
          ],
          widths: [8, 70, 22],
          rows: mt.by_host.map((h, i) => [num(i + 1), h.name, num(h.count)]),
          totals: ['', tr(lang, 'Tổng cộng', 'Total'), num(mt.by_host.reduce((a, h) => a + h.count, 0))],
        },
      },
      {
        kind: 'table',
        table: {
          id: 'theo-cap',
          caption: tr(lang, 'Bảng 2. Số cuộc họp theo cấp điểm cầu', 'Table 2. Meetings by tier'),
          header: [
            [
              tr(lang, 'Cấp', 'Tier'),
              tr(lang, 'Số cuộc họp có điểm cầu cấp này', 'Meetings connecting this tier'),
              tr(lang, 'Lượt điểm cầu tham dự', 'Site sessions'),
            ],
          ],
          widths: [30, 40, 30],
          rows: mt.by_tier.map((t) => [
            TIER_LABEL[t.tier]?.[lang] ?? t.tier,
            num(t.meetings),
            num(t.site_sessions),
          ]),
          totals: [tr(lang, 'Tổng cộng', 'Total'), '', num(total('site_sessions'))],
        },
      },
      {
        kind: 'table',
        table: {
          id: 'theo-thang',
          caption: tr(lang, 'Bảng 3. Số cuộc họp theo tháng', 'Table 3. Meetings by month'),
          header: [[tr(lang, 'Tháng', 'Month'), tr(lang, 'Số cuộc họp', 'Meetings')]],
          widths: [50, 50],
          rows: mt.by_month.map((x) => [`${x.month.slice(5)}/${x.month.slice(0, 4)}`, num(x.count)]),
          totals: [tr(lang, 'Tổng cộng', 'Total'), num(mt.by_month.reduce((a, x) => a + x.count, 0))],
        },
      },
    ],
  };
};

const periodIncidents: PeriodPart = (r, lang) => {
  const i = r.incidents;
  return {
    title: tr(lang, 'Sự cố và khắc phục (Điều 8.2.d)', 'Incidents and restoration (Art. 8.2.d)'),
    blocks: [
      p(
        tr(
          lang,
          `Tổng số sự cố: ${i.total}; chưa khắc phục: ${i.open}; thời gian khắc phục trung bình: ${i.mean_ttr_ms === null ? '—' : dur(i.mean_ttr_ms, lang)}.`,
          `Incidents: ${i.total}; open: ${i.open}; mean time to restore: ${i.mean_ttr_ms === null ? '—' : dur(i.mean_ttr_ms, lang)}.`,
        ),
      ),
      {
        kind: 'table',
        table: {
          id: 'su-co',
          caption: tr(lang, 'Bảng 4. Sự cố theo nhóm nguyên nhân', 'Table 4. Incidents by cause'),
          header: [
            [
              tr(lang, 'Nhóm nguyên nhân', 'Cause'),
              tr(lang, 'Số sự cố', 'Incidents'),
              tr(lang, 'Đã khắc phục', 'Restored'),
              tr(lang, 'Thời gian khắc phục TB (phút)', 'Mean time to restore (min)'),
              tr(lang, 'Lâu nhất (phút)', 'Longest (min)'),
            ],
          ],
          widths: [32, 15, 15, 20, 18],
          rows: i.by_cause.map((c) => [
            lang === 'vi' ? c.vi : c.en,
            num(c.count),
            num(c.restored),
            num(c.mean_ttr_ms === null ? null : c.mean_ttr_ms / 60_000, 0),
            num(c.max_ttr_ms === null ? null : c.max_ttr_ms / 60_000, 0),
          ]),
          totals: [
            tr(lang, 'Tổng cộng', 'Total'),
            num(i.by_cause.reduce((a, c) => a + c.count, 0)),
            num(i.by_cause.reduce((a, c) => a + c.restored, 0)),
            num(i.mean_ttr_ms === null ? null : i.mean_ttr_ms / 60_000, 0),
            '',
          ],
        },
      },
    ],
  };
};

const periodAvailability: PeriodPart = (r, lang) => {
  const sites = [...r.availability.sites].sort(
    (a, b) => (a.availability ?? 2) - (b.availability ?? 2) || a.site.localeCompare(b.site),
  );
  return {
    title: tr(lang, 'Tỷ lệ sẵn sàng kết nối của các điểm cầu', 'Site availability'),
    blocks: [
      {
        kind: 'table',
        table: {
          id: 'san-sang-theo-cap',
          caption: tr(
            lang,
            'Bảng 5. Tỷ lệ sẵn sàng trung bình theo cấp',
            'Table 5. Mean availability by tier',
          ),
          header: [[tr(lang, 'Cấp', 'Tier'), tr(lang, 'Tỷ lệ sẵn sàng (%)', 'Availability (%)')]],
          widths: [50, 50],
          rows: r.availability.by_tier.map((t) => [TIER_LABEL[t.tier]?.[lang] ?? t.tier, pctOf(t.mean, 2)]),
        },
      },
      {
        kind: 'table',
        table: {
          id: 'san-sang',
          caption: tr(
            lang,
            'Bảng 6. Tỷ lệ sẵn sàng theo điểm cầu (thấp nhất trước)',
            'Table 6. Availability per site (lowest first)',
          ),
          header: [
            [
              tr(lang, 'STT', 'No.'),
              tr(lang, 'Điểm cầu', 'Site'),
              tr(lang, 'Cấp', 'Tier'),
              tr(lang, 'Tỷ lệ sẵn sàng (%)', 'Availability (%)'),
              tr(lang, 'Số phút mất kết nối', 'Minutes down'),
              tr(lang, 'Độ phủ số liệu (%)', 'Data coverage (%)'),
            ],
          ],
          widths: [7, 38, 14, 14, 14, 13],
          rows: sites.map((s, i) => [
            num(i + 1),
            s.name,
            TIER_LABEL[s.tier]?.[lang] ?? s.tier,
            pctOf(s.availability, 2),
            num(s.down_minutes),
            pctOf(s.coverage, 0),
          ]),
        },
      },
      p(
        tr(
          lang,
          'Tỷ lệ sẵn sàng: tỷ lệ các khoảng 5 phút có số liệu đo mà điểm cầu trả lời; độ phủ số liệu: tỷ lệ các khoảng 5 phút có số liệu đo.',
          'Availability: the share of measured 5-minute intervals in which the site answered; coverage: the share of intervals measured.',
        ),
        { italic: true },
      ),
    ],
  };
};

/** The sections of the period reports, in order: add a part here. */
export const PERIOD_PARTS: PeriodPart[] = [periodMeetings, periodIncidents, periodAvailability];

function periodTitle(r: PeriodReport, lang: Lang): string {
  const from = viDate(r.from);
  const year = from.slice(6);
  const last = viDate(r.to - 1);
  if (r.kind === 'yearly')
    return tr(
      lang,
      `Tình hình quản lý, vận hành và sử dụng hệ thống hội nghị truyền hình trực tuyến năm ${year}`,
      `The video-conference network in ${year}`,
    );
  if (r.kind === 'six-month') {
    const half = from.startsWith('01/01') ? 'đầu' : from.startsWith('01/07') ? 'cuối' : null;
    return half
      ? tr(
          lang,
          `Định kỳ 06 tháng ${half} năm ${year} về sử dụng hệ thống hội nghị truyền hình trực tuyến`,
          `Six-monthly report (${half === 'đầu' ? 'first' : 'second'} half of ${year}) on the video-conference network`,
        )
      : tr(
          lang,
          `Định kỳ 06 tháng về sử dụng hệ thống hội nghị truyền hình trực tuyến (từ ${from} đến ${last})`,
          `Six-monthly report on the video-conference network (${from} to ${last})`,
        );
  }
  return tr(
    lang,
    `Tình hình sử dụng hệ thống hội nghị truyền hình trực tuyến từ ngày ${from} đến ngày ${last}`,
    `The video-conference network from ${from} to ${last}`,
  );
}

export function periodDocument(
  r: PeriodReport,
  office: OfficeDetails,
  lang: Lang,
  o: DocumentOptions = {},
): AdminDocument {
  const name = lang === 'en' ? (office.en?.office_name ?? office.office_name) : office.office_name;
  const parts = PERIOD_PARTS.map((f) => f(r, lang)).filter((x) => x !== null);
  const regulation =
    r.kind === 'yearly' ? tr(lang, 'Điều 11.3', 'Art. 11.3') : tr(lang, 'Điều 14.1.c', 'Art. 14.1.c');
  return {
    lang,
    office,
    code: 'BC',
    number: o.number ?? null,
    date: o.date ?? r.generated_at,
    kind: tr(lang, 'BÁO CÁO', 'REPORT'),
    title: periodTitle(r, lang),
    subtitle: tr(
      lang,
      `(Từ ngày ${viDate(r.from)} đến hết ngày ${viDate(r.to - 1)})`,
      `(${viDate(r.from)} to ${viDate(r.to - 1)} inclusive)`,
    ),
    sections: [
      {
        heading: '',
        blocks: [
          p(
            tr(
              lang,
              `Thực hiện ${regulation} Quy chế quản lý, vận hành và sử dụng hệ thống hội nghị truyền hình trực tuyến tỉnh Bắc Kạn, ${name} báo cáo tình hình sử dụng hệ thống như sau:`,
              `Under ${regulation} of the regulation on the Bắc Kạn video-conference network, ${name} reports as follows:`,
            ),
          ),
          ...(r.to > r.generated_at
            ? [
                p(
                  tr(
                    lang,
                    `Số liệu tính đến ${viDateTime(r.generated_at)} (kỳ báo cáo chưa kết thúc).`,
                    `Figures up to ${dateTime(r.generated_at, lang)} (the period has not ended).`,
                  ),
                  { italic: true },
                ),
              ]
            : []),
        ],
      },
      ...numbered(parts),
      { heading: '', blocks: [p(closing(name, lang, 'period'))] },
    ],
  };
}
