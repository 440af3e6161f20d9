// Reports as administrative documents (document.ts): the post-meeting report and the six-month,
// yearly and any-period reports, in Vietnamese (the filed version) or English. The sections are small
// functions of the report (meeting-parts.ts, period-parts.ts, compliance-parts.ts), so a new part of a
// report is one more function and one line in its list; here they are put in order under the header.
import { viDate } from '../meetings/time.ts';
import { COMPLIANCE_PARTS } from './compliance-parts.ts';
import type { AdminDocument, Lang, OfficeDetails } from './document.ts';
import { dateTime, numbered, p, tr } from './document-text.ts';
import { FEEDBACK_PARTS } from './feedback-parts.ts';
import { MAINTENANCE_PARTS } from './maintenance-parts.ts';
import type { MeetingReport } from './meeting.ts';
import { MEETING_PARTS } from './meeting-parts.ts';
import { PEOPLE_PARTS } from './people-parts.ts';
import type { PeriodReport } from './period.ts';
import { PERIOD_PARTS, PERIOD_TAIL } from './period-parts.ts';

export interface DocumentOptions {
  /** the registered number (numbering: auto), or null/absent to leave it blank */
  number?: number | null;
  /** the document's date (default: when the report was made) */
  date?: number;
}

// ——— the post-meeting report ———

export function meetingDocument(
  r: MeetingReport,
  office: OfficeDetails,
  lang: Lang,
  o: DocumentOptions = {},
): AdminDocument {
  const m = r.meeting;
  const name = lang === 'en' ? (office.en?.office_name ?? office.office_name) : office.office_name;
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
      ...numbered(MEETING_PARTS.map((f) => f(r, lang))),
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
          ...(r.meetings.partial
            ? [
                p(
                  tr(
                    lang,
                    `Số liệu tính đến ${dateTime(r.meetings.counted_until, lang)} (kỳ báo cáo chưa kết thúc).`,
                    `Figures up to ${dateTime(r.meetings.counted_until, lang)} (the period has not ended).`,
                  ),
                  { italic: true },
                ),
              ]
            : []),
        ],
      },
      ...numbered([
        ...PERIOD_PARTS.map((f) => f(r, lang)),
        ...COMPLIANCE_PARTS.map((f) => f(r.compliance, lang)),
        ...PERIOD_TAIL.map((f) => f(r, lang)),
        ...MAINTENANCE_PARTS.map((f) => f(r, lang)),
        ...PEOPLE_PARTS.map((f) => f(r, lang)),
        ...FEEDBACK_PARTS.map((f) => f(r, lang)),
      ]),
      { heading: '', blocks: [p(closing(name, lang, 'period'))] },
    ],
  };
}
