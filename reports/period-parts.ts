// The sections of the six-month, yearly and any-period reports as filed: meetings held (counts and
// the logbook, Điều 14.1.c), registrations not held, the incident log, site availability; the
// compliance figures are in compliance-parts.ts.

import { viDate } from '../meetings/time.ts';
import { formatNumber, type Lang, num } from './document.ts';
import { clock, dateTime, dur, type Part, p, pctOf, TIER_LABEL, tr } from './document-text.ts';
import { HELD_KIND_LABEL } from './logbook.ts';
import type { PeriodReport } from './period.ts';

type P = PeriodReport;
const n = (v: number, lang: Lang) => formatNumber(v, 0, lang);

const periodMeetings: Part<P> = (r, lang) => {
  const mt = r.meetings;
  const k = mt.by_kind;
  return {
    title: tr(lang, 'Số lượng cuộc họp trực tuyến đã tổ chức (Điều 14.1.c)', 'Meetings held (Art. 14.1.c)'),
    blocks: [
      p(
        tr(
          lang,
          `Tổng số cuộc họp đã diễn ra trên hệ thống: ${n(mt.total, lang)}, trong đó: đăng ký trước ${n(k.registered, lang)}; đột xuất, khẩn cấp ${n(k.emergency, lang)}; do Trung ương chủ trì ${n(k.central, lang)}; do cấp huyện chủ trì ${n(k.district_hosted, lang)}; chưa đăng ký ${n(k.unregistered, lang)}. Tổng thời lượng: ${dur(mt.minutes * 60_000, lang)}.`,
          `Meetings held on the network: ${n(mt.total, lang)}: registered ${n(k.registered, lang)}; emergency ${n(k.emergency, lang)}; central ${n(k.central, lang)}; district-hosted ${n(k.district_hosted, lang)}; unregistered ${n(k.unregistered, lang)}. Total time: ${dur(mt.minutes * 60_000, lang)}.`,
        ),
      ),
      p(
        tr(
          lang,
          `Không tính: ${n(mt.cancelled, lang)} cuộc họp đã hủy; ${n(mt.not_observed, lang)} cuộc họp đã đăng ký nhưng không ghi nhận điểm cầu nào kết nối; ${n(mt.upcoming, lang)} cuộc họp chưa đến giờ.`,
          `Not counted: ${n(mt.cancelled, lang)} cancelled; ${n(mt.not_observed, lang)} registered but never seen connected; ${n(mt.upcoming, lang)} not yet started.`,
        ),
      ),
      {
        kind: 'table',
        table: {
          id: 'theo-co-quan',
          caption: tr(lang, 'Số cuộc họp theo cơ quan chủ trì', 'Meetings by host office'),
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
          caption: tr(lang, 'Số cuộc họp theo cấp điểm cầu', 'Meetings by tier'),
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
          totals: [
            tr(lang, 'Tổng cộng', 'Total'),
            '',
            num(mt.by_tier.reduce((a, t) => a + t.site_sessions, 0)),
          ],
        },
      },
      {
        kind: 'table',
        table: {
          id: 'theo-thang',
          caption: tr(lang, 'Số cuộc họp theo tháng', 'Meetings by month'),
          header: [[tr(lang, 'Tháng', 'Month'), tr(lang, 'Số cuộc họp', 'Meetings')]],
          widths: [50, 50],
          rows: mt.by_month.map((x) => [`${x.month.slice(5)}/${x.month.slice(0, 4)}`, num(x.count)]),
          totals: [tr(lang, 'Tổng cộng', 'Total'), num(mt.by_month.reduce((a, x) => a + x.count, 0))],
        },
      },
    ],
  };
};

/** One row per meeting held: what Viettel keeps as the meeting log (Điều 14.1.c). */
const periodLogbook: Part<P> = (r, lang) => {
  const rows = r.meetings.logbook;
  const tier = (t: 'province' | 'district' | 'commune') => rows.reduce((a, x) => a + x.sites[t], 0);
  return {
    title: tr(lang, 'Nhật ký cuộc họp đã tổ chức', 'Log of the meetings held'),
    blocks: rows.length
      ? [
          {
            kind: 'table',
            table: {
              id: 'nhat-ky',
              header: [
                [
                  tr(lang, 'STT', 'No.'),
                  tr(lang, 'Ngày', 'Date'),
                  tr(lang, 'Bắt đầu', 'Start'),
                  tr(lang, 'Kết thúc', 'End'),
                  tr(lang, 'Cơ quan chủ trì', 'Host'),
                  tr(lang, 'Nội dung', 'Title'),
                  tr(lang, 'Tỉnh', 'Prov.'),
                  tr(lang, 'Huyện', 'Dist.'),
                  tr(lang, 'Xã', 'Comm.'),
                  tr(lang, 'Thời lượng (phút)', 'Minutes'),
                  tr(lang, 'Hình thức', 'Kind'),
                  tr(lang, 'Sự cố', 'Faults'),
                ],
              ],
              widths: [5, 9, 6, 6, 15, 21, 5, 5, 5, 7, 10, 6],
              rows: rows.map((x) => [
                num(x.n),
                viDate(x.start),
                clock(x.start),
                clock(x.end),
                x.host_name,
                x.title,
                num(x.sites.province),
                num(x.sites.district),
                num(x.sites.commune),
                num(x.minutes),
                HELD_KIND_LABEL[x.kind][lang],
                num(x.episodes),
              ]),
              totals: [
                '',
                tr(lang, 'Tổng cộng', 'Total'),
                '',
                '',
                '',
                `${n(rows.length, lang)} ${tr(lang, 'cuộc họp', 'meetings')}`,
                num(tier('province')),
                num(tier('district')),
                num(tier('commune')),
                num(rows.reduce((a, x) => a + x.minutes, 0)),
                '',
                num(rows.reduce((a, x) => a + x.episodes, 0)),
              ],
            },
          },
        ]
      : [p(tr(lang, 'Không có cuộc họp nào diễn ra trong kỳ.', 'No meeting was held in the period.'))],
  };
};

const periodNotHeld: Part<P> = (r, lang) => {
  const list = r.meetings.not_held;
  if (list.length === 0) return null;
  return {
    title: tr(lang, 'Cuộc họp đã đăng ký nhưng không tổ chức', 'Registered meetings not held'),
    blocks: [
      {
        kind: 'table',
        table: {
          id: 'khong-to-chuc',
          header: [
            [
              tr(lang, 'STT', 'No.'),
              tr(lang, 'Thời gian đăng ký', 'Registered for'),
              tr(lang, 'Cơ quan chủ trì', 'Host'),
              tr(lang, 'Nội dung', 'Title'),
              tr(lang, 'Lý do không tính', 'Why not counted'),
            ],
          ],
          widths: [6, 18, 22, 30, 24],
          rows: list.map((x, i) => [
            num(i + 1),
            dateTime(x.start, lang),
            x.host_name,
            x.title,
            x.reason === 'cancelled'
              ? tr(lang, 'Đã hủy', 'Cancelled')
              : tr(lang, 'Không điểm cầu nào kết nối', 'No site connected'),
          ]),
        },
      },
    ],
  };
};

const periodIncidents: Part<P> = (r, lang) => {
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
          caption: tr(lang, 'Sự cố trong nhật ký theo nhóm nguyên nhân', 'Logged incidents by cause'),
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

const periodAvailability: Part<P> = (r, lang) => {
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
          caption: tr(lang, 'Tỷ lệ sẵn sàng trung bình theo cấp', 'Mean availability by tier'),
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
            'Tỷ lệ sẵn sàng theo điểm cầu (thấp nhất trước)',
            'Availability per site (lowest first)',
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

/** The sections of the period reports before the compliance figures, in order: add a part here. */
export const PERIOD_PARTS: Part<P>[] = [periodMeetings, periodLogbook, periodNotHeld, periodIncidents];
/** …and after them */
export const PERIOD_TAIL: Part<P>[] = [periodAvailability];
