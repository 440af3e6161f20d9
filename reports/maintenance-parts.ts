// The maintenance section of the six-month and yearly reports (Điều 11.5, 13.3, 14.1.b): the plans of
// the period (what, where, when, by whom, how many windows fell in it, cancelled ones said so) and the
// maintenance done from the log (planned or not, findings, parts replaced).
import { formatNumber, num } from './document.ts';
import { dateTime, type Part, p, tr } from './document-text.ts';
import type { PeriodReport } from './period.ts';

const WEEKDAY = {
  vi: ['', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy', 'Chủ nhật'],
  en: ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
};

type PlanItem = PeriodReport['maintenance']['plans'][number];

function schedule(x: PlanItem, lang: 'vi' | 'en'): string {
  if (x.kind === 'once')
    return `${dateTime(x.starts_at, lang)} – ${dateTime(x.ends_at ?? x.starts_at, lang)}`;
  const days = x.weekdays.length
    ? x.weekdays.map((d) => WEEKDAY[lang][d]).join(', ')
    : tr(lang, 'hằng ngày', 'every day');
  return tr(
    lang,
    `Định kỳ ${days}, ${x.start_local}, ${x.duration_min} phút`,
    `Recurring ${days}, ${x.start_local}, ${x.duration_min} min`,
  );
}

const periodMaintenance: Part<PeriodReport> = (r, lang) => {
  const m = r.maintenance;
  const n = (v: number) => formatNumber(v, 0, lang);
  const planned = m.done.filter((x) => x.plan_id !== null).length;
  const sites = new Set(m.done.map((x) => x.site ?? 'mcu')).size;
  const parts = m.done.filter((x) => x.parts).length;
  const active = m.plans.filter((x) => !x.cancelled);
  return {
    title: tr(
      lang,
      'Công tác bảo trì, bảo dưỡng thiết bị (Điều 11.5, 13.3)',
      'Maintenance of the equipment (Art. 11.5, 13.3)',
    ),
    blocks: [
      p(
        m.plans.length === 0
          ? tr(lang, 'Trong kỳ không có kế hoạch bảo trì nào.', 'No maintenance was planned in the period.')
          : tr(
              lang,
              `Trong kỳ có ${n(m.plans.length)} kế hoạch bảo trì (thực hiện ${n(active.length)}, hủy ${n(m.plans.length - active.length)}), với ${n(active.reduce((s, x) => s + x.windows, 0))} đợt bảo trì.`,
              `Maintenance plans in the period: ${n(m.plans.length)} (${n(active.length)} carried, ${n(m.plans.length - active.length)} cancelled), ${n(active.reduce((s, x) => s + x.windows, 0))} windows.`,
            ),
      ),
      p(
        m.done.length === 0
          ? tr(
              lang,
              'Nhật ký bảo trì không ghi nhận công việc nào trong kỳ.',
              'The maintenance log has no entry in the period.',
            )
          : tr(
              lang,
              `Nhật ký bảo trì ghi nhận ${n(m.done.length)} lượt bảo trì, sửa chữa (theo kế hoạch: ${n(planned)}; đột xuất: ${n(m.done.length - planned)}) tại ${n(sites)} điểm cầu; ${n(parts)} lượt có thay thế vật tư.`,
              `The maintenance log has ${n(m.done.length)} entries (planned ${n(planned)}, unplanned ${n(m.done.length - planned)}) at ${n(sites)} sites; parts were replaced ${n(parts)} times.`,
            ),
      ),
      ...(m.plans.length
        ? [
            {
              kind: 'table' as const,
              table: {
                id: 'ke-hoach-bao-tri',
                caption: tr(lang, 'Kế hoạch bảo trì trong kỳ', 'Maintenance plans of the period'),
                header: [
                  [
                    tr(lang, 'STT', 'No.'),
                    tr(lang, 'Nội dung công việc', 'Work'),
                    tr(lang, 'Phạm vi', 'Scope'),
                    tr(lang, 'Thời gian', 'When'),
                    tr(lang, 'Người thực hiện', 'Done by'),
                    tr(lang, 'Số đợt trong kỳ', 'Windows in the period'),
                  ],
                ],
                widths: [6, 26, 18, 22, 16, 12],
                rows: m.plans.map((x, i) => [
                  num(i + 1),
                  x.work,
                  x.scope_name,
                  schedule(x, lang),
                  x.by,
                  x.cancelled ? tr(lang, 'Đã hủy', 'Cancelled') : num(x.windows),
                ]),
              },
            },
          ]
        : []),
      ...(m.done.length
        ? [
            {
              kind: 'table' as const,
              table: {
                id: 'nhat-ky-bao-tri',
                caption: tr(lang, 'Công việc bảo trì, sửa chữa đã thực hiện', 'Maintenance done'),
                header: [
                  [
                    tr(lang, 'STT', 'No.'),
                    tr(lang, 'Thời gian', 'When'),
                    tr(lang, 'Điểm cầu, thiết bị', 'Site, devices'),
                    tr(lang, 'Việc đã làm', 'Work done'),
                    tr(lang, 'Phát hiện', 'Findings'),
                    tr(lang, 'Vật tư thay thế', 'Parts replaced'),
                    tr(lang, 'Người thực hiện', 'Done by'),
                  ],
                ],
                widths: [6, 14, 18, 20, 16, 12, 14],
                rows: m.done.map((x, i) => [
                  num(i + 1),
                  dateTime(x.at, lang),
                  x.devices.length ? `${x.site_name} (${x.devices.join(', ')})` : x.site_name,
                  x.plan_id ? x.done : `${x.done} (${tr(lang, 'đột xuất', 'unplanned')})`,
                  x.findings || '—',
                  x.parts || '—',
                  x.by,
                ]),
              },
            },
          ]
        : []),
    ],
  };
};

/** The maintenance sections of the period reports, after the availability: add a part here. */
export const MAINTENANCE_PARTS: Part<PeriodReport>[] = [periodMaintenance];
