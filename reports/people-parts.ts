// The people section of the six-month and yearly reports (Điều 10, 13.2): site technicians replaced in
// the period (who, by whom, why, from when) and the trainings held.
import { formatNumber, num } from './document.ts';
import { dateTime, type Part, p, tr } from './document-text.ts';
import type { PeriodReport } from './period.ts';

const day = (d: string) => d.split('-').reverse().join('/');

const periodPeople: Part<PeriodReport> = (r, lang) => {
  const { technician_changes: changes, trainings } = r.people;
  const n = (v: number) => formatNumber(v, 0, lang);
  const who = (name: string | null, id: string | null) =>
    id === null ? tr(lang, 'chưa có', 'none') : `${name ?? id}`;
  return {
    title: tr(
      lang,
      'Cán bộ kỹ thuật điểm cầu: thay đổi và tập huấn (Điều 10, khoản 2 Điều 13)',
      'Site technicians: changes and training (Art. 10, 13.2)',
    ),
    blocks: [
      p(
        changes.length === 0
          ? tr(
              lang,
              'Trong kỳ không thay cán bộ kỹ thuật điểm cầu nào.',
              'No site technician was replaced in the period.',
            )
          : tr(
              lang,
              `Trong kỳ thay cán bộ kỹ thuật tại ${n(changes.length)} lượt điểm cầu; mỗi lần thay đã thông báo Sở Thông tin và Truyền thông.`,
              `Site technicians replaced in the period: ${n(changes.length)}; each replacement was notified to the Department of Information and Communications.`,
            ),
      ),
      ...(changes.length === 0
        ? []
        : [
            {
              kind: 'table' as const,
              table: {
                id: 'thay-can-bo-ky-thuat',
                caption: tr(lang, 'Thay cán bộ kỹ thuật điểm cầu', 'Site technicians replaced'),
                header: [
                  [
                    tr(lang, 'STT', 'No.'),
                    tr(lang, 'Điểm cầu', 'Site'),
                    tr(lang, 'Cán bộ cũ', 'Previous'),
                    tr(lang, 'Cán bộ mới', 'New'),
                    tr(lang, 'Từ', 'From'),
                    tr(lang, 'Lý do', 'Reason'),
                  ],
                ],
                widths: [6, 20, 18, 18, 14, 24],
                rows: changes.map((c, i) => [
                  num(i + 1),
                  c.site_name,
                  who(c.previous_name, c.previous),
                  c.person_name,
                  dateTime(c.from, lang),
                  c.reason,
                ]),
              },
            },
          ]),
      p(
        trainings.length === 0
          ? tr(
              lang,
              'Trong kỳ không có lần tập huấn nào được ghi nhận.',
              'No training was recorded in the period.',
            )
          : tr(
              lang,
              `Trong kỳ ghi nhận ${n(trainings.length)} lượt tập huấn cho ${n(new Set(trainings.map((t) => t.person)).size)} người.`,
              `Trainings recorded in the period: ${n(trainings.length)}, for ${n(new Set(trainings.map((t) => t.person)).size)} people.`,
            ),
      ),
      ...(trainings.length === 0
        ? []
        : [
            {
              kind: 'table' as const,
              table: {
                id: 'tap-huan',
                caption: tr(lang, 'Tập huấn', 'Trainings'),
                header: [
                  [
                    tr(lang, 'STT', 'No.'),
                    tr(lang, 'Ngày', 'Date'),
                    tr(lang, 'Người', 'Person'),
                    tr(lang, 'Khóa tập huấn', 'Course'),
                    tr(lang, 'Đơn vị tổ chức', 'Provider'),
                  ],
                ],
                widths: [6, 14, 26, 30, 24],
                rows: trainings.map((t, i) => [
                  num(i + 1),
                  day(t.date),
                  t.person_name,
                  t.course,
                  t.provider ?? '',
                ]),
              },
            },
          ]),
    ],
  };
};

/** The people sections of the period reports: add a part here. */
export const PEOPLE_PARTS: Part<PeriodReport>[] = [periodPeople];
