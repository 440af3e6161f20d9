// The feedback section of the six-month and yearly reports (Điều 11.4: the yearly review collects
// the units' opinions; Điều 15.2: difficulties reported to Sở TT&TT): each difficulty or proposal
// filed in the period, who filed it, and the NOC's answer.
import { FEEDBACK_CATEGORY_NAMES, FEEDBACK_KIND_NAMES } from '../feedback/vocabulary.ts';
import { formatNumber, num } from './document.ts';
import { dateTime, type Part, p, tr } from './document-text.ts';
import type { PeriodReport } from './period.ts';

const periodFeedback: Part<PeriodReport> = (r, lang) => {
  const f = r.feedback;
  const n = (v: number) => formatNumber(v, 0, lang);
  const kinds = (k: 'difficulty' | 'proposal') => f.items.filter((x) => x.kind === k).length;
  return {
    title: tr(
      lang,
      'Khó khăn, vướng mắc và đề xuất, kiến nghị của các đơn vị (Điều 11.4, 15.2)',
      'Difficulties and proposals of the units (Art. 11.4, 15.2)',
    ),
    blocks:
      f.total === 0
        ? [
            p(
              tr(
                lang,
                'Trong kỳ không có ý kiến phản ánh, kiến nghị nào.',
                'No feedback was filed in the period.',
              ),
            ),
          ]
        : [
            p(
              tr(
                lang,
                `Trong kỳ, các đơn vị gửi ${n(f.total)} ý kiến (khó khăn, vướng mắc: ${n(kinds('difficulty'))}; đề xuất, kiến nghị: ${n(kinds('proposal'))}); Trung tâm đã trả lời ${n(f.answered)}, còn ${n(f.total - f.answered)} ý kiến chờ trả lời.`,
                `Feedback filed in the period: ${n(f.total)} (difficulties ${n(kinds('difficulty'))}, proposals ${n(kinds('proposal'))}); answered ${n(f.answered)}, awaiting an answer ${n(f.total - f.answered)}.`,
              ),
            ),
            {
              kind: 'table',
              table: {
                id: 'y-kien',
                caption: tr(lang, 'Ý kiến phản ánh, kiến nghị và trả lời', 'Feedback and answers'),
                header: [
                  [
                    tr(lang, 'STT', 'No.'),
                    tr(lang, 'Ngày gửi', 'Filed'),
                    tr(lang, 'Đơn vị, người gửi', 'From'),
                    tr(lang, 'Loại, lĩnh vực', 'Kind, category'),
                    tr(lang, 'Nội dung', 'Text'),
                    tr(lang, 'Trả lời của Trung tâm', "The NOC's answer"),
                  ],
                ],
                widths: [6, 14, 16, 14, 25, 25],
                rows: f.items.map((x, i) => [
                  num(i + 1),
                  dateTime(x.filed_at, lang),
                  x.site_name ? `${x.from} (${x.site_name})` : x.from,
                  `${FEEDBACK_KIND_NAMES[x.kind][lang]}; ${FEEDBACK_CATEGORY_NAMES[x.category][lang].toLowerCase()}`,
                  x.text,
                  x.answer === null
                    ? tr(lang, 'Chờ trả lời', 'Awaiting an answer')
                    : `${x.answer} (${dateTime(x.answered_at!, lang)})`,
                ]),
              },
            },
          ],
  };
};

/** The feedback sections of the period reports, after the availability: add a part here. */
export const FEEDBACK_PARTS: Part<PeriodReport>[] = [periodFeedback];
