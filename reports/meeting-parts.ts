// The sections of the post-meeting report as filed: the meeting, what happened (the conclusion),
// each site's connection (joined, left, minutes, drops) and link quality over its connected time, the
// drops with their causes, the fault episodes, the readiness test runs and the incident log.
import { type Block, formatNumber, type Lang, num } from './document.ts';
import { clock, dateTime, dur, type Part, p, tr } from './document-text.ts';
import type { MeetingReport } from './meeting.ts';

type M = MeetingReport;
const n = (v: number, lang: Lang, digits = 0) => formatNumber(v, digits, lang);

const meetingInfo: Part<M> = (r, lang) => {
  const m = r.meeting;
  const kind = m.emergency
    ? tr(lang, 'đột xuất, khẩn cấp', 'emergency') + (m.emergency_reason ? ` (${m.emergency_reason})` : '')
    : tr(lang, 'thường xuyên, đăng ký trước', 'regular, registered in advance');
  const held = r.sites.filter((s) => s.registered && s.joined_at !== null);
  const first = held.length ? Math.min(...held.map((s) => s.joined_at!)) : null;
  return {
    title: tr(lang, 'Thông tin cuộc họp', 'The meeting'),
    blocks: [
      p(`${tr(lang, 'Tên cuộc họp', 'Title')}: ${m.title}.`),
      p(`${tr(lang, 'Cơ quan chủ trì', 'Host office')}: ${m.host_org_name}.`),
      p(
        `${tr(lang, 'Thời gian đăng ký', 'Registered time')}: ${tr(lang, 'từ', 'from')} ${dateTime(m.start, lang)} ${tr(lang, 'đến', 'to')} ${dateTime(m.end, lang)} (${dur(m.end - m.start, lang)}).`,
      ),
      p(
        first === null
          ? tr(
              lang,
              'Thực tế: không ghi nhận điểm cầu đăng ký nào kết nối với MCU.',
              'As held: no registered site was seen connected to the MCU.',
            )
          : tr(
              lang,
              `Thực tế: điểm cầu đầu tiên kết nối lúc ${dateTime(first, lang)}.`,
              `As held: the first site connected at ${dateTime(first, lang)}.`,
            ),
      ),
      p(`${tr(lang, 'Số điểm cầu tham gia theo đăng ký', 'Sites registered')}: ${n(r.summary.sites, lang)}.`),
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

/** The conclusion: "không có sự cố" only when nothing of any kind happened. */
const meetingConclusion: Part<M> = (r, lang) => {
  const s = r.summary;
  const facts = [
    [s.absent, 'điểm cầu không kết nối', 'site(s) never connected'],
    [s.drops, 'lần rớt kết nối', 'drop(s)'],
    [s.episodes, 'đợt sự cố kỹ thuật', 'fault episode(s)'],
    [
      s.lossy_sites,
      'điểm cầu mất gói trên 1 % quá 10 % thời gian kết nối',
      'site(s) losing over 1 % for over 10 % of their time',
    ],
    [s.unknown, 'điểm cầu không có số liệu', 'site(s) without data'],
    [s.uninvited, 'điểm cầu không có trong danh sách đăng ký (Điều 8.2.c)', 'site(s) not registered for it'],
    [s.incidents, 'sự cố trong nhật ký (Điều 8.2.d)', 'logged incident(s)'],
  ] as const;
  const said = facts.filter(([k]) => k > 0).map(([k, vi, en]) => `${n(k, lang)} ${tr(lang, vi, en)}`);
  return {
    title: tr(lang, 'Kết quả chung', 'Outcome'),
    blocks: [
      p(
        tr(
          lang,
          `Có ${n(s.present, lang)}/${n(s.sites, lang)} điểm cầu tham dự.`,
          `${n(s.present, lang)} of ${n(s.sites, lang)} sites attended.`,
        ),
      ),
      p(
        !r.held
          ? tr(
              lang,
              'Cuộc họp không diễn ra trên hệ thống (không điểm cầu nào kết nối).',
              'The meeting did not take place on the network.',
            )
          : s.clean
            ? tr(lang, 'Không có sự cố.', 'No fault.')
            : `${tr(lang, 'Ghi nhận', 'Seen')}: ${said.join('; ')}.`,
        { bold: true },
      ),
    ],
  };
};

const ATTEND: Record<string, [string, string]> = {
  present: ['Có mặt', 'Present'],
  absent: ['Không kết nối', 'Absent'],
  unknown: ['Không có số liệu', 'No data'],
};

const meetingSites: Part<M> = (r, lang) => {
  const s = r.summary;
  const sum = (k: 'connected' | 'total' | 'no_data') => r.sites.reduce((a, x) => a + x.minutes[k], 0);
  return {
    title: tr(lang, 'Kết nối và chất lượng theo điểm cầu', 'Connection and quality per site'),
    blocks: [
      {
        kind: 'table',
        table: {
          id: 'diem-cau',
          header: [
            [
              tr(lang, 'STT', 'No.'),
              tr(lang, 'Điểm cầu', 'Site'),
              tr(lang, 'Tham dự', 'Attendance'),
              tr(lang, 'Vào lúc', 'Joined'),
              tr(lang, 'Rời lúc', 'Left'),
              tr(lang, 'Số phút kết nối', 'Minutes connected'),
              tr(lang, 'Số phút không có số liệu', 'Minutes without data'),
              tr(lang, 'Số lần rớt', 'Drops'),
              tr(lang, 'Mất gói TB (%)', 'Mean loss (%)'),
              tr(lang, 'Trễ khứ hồi TB (ms)', 'Mean RTT (ms)'),
              'MOS',
            ],
          ],
          widths: [5, 24, 10, 8, 8, 9, 9, 7, 8, 7, 5],
          rows: r.sites.map((x, i) => [
            num(i + 1),
            x.registered ? x.name : `${x.name} (${tr(lang, 'ngoài đăng ký', 'not registered')})`,
            tr(lang, ...(ATTEND[x.attendance] ?? [x.attendance, x.attendance])),
            clock(x.joined_at),
            clock(x.left_at),
            `${formatNumber(x.minutes.connected, 0, lang)}/${formatNumber(x.minutes.total, 0, lang)}`,
            num(x.minutes.no_data),
            num(x.drops.length),
            num(x.loss_pct?.mean ?? null, 2),
            num(x.rtt_ms?.mean ?? null, 0),
            num(x.mos?.mean ?? null, 2),
          ]),
          totals: [
            '',
            tr(lang, 'Tổng cộng', 'Total'),
            `${formatNumber(s.present, 0, lang)}/${formatNumber(s.sites, 0, lang)}`,
            '',
            '',
            `${formatNumber(sum('connected'), 0, lang)}/${formatNumber(sum('total'), 0, lang)}`,
            num(sum('no_data')),
            num(s.drops),
            num(s.mean_loss_pct, 2),
            '',
            num(s.mean_mos, 2),
          ],
        },
      },
      p(
        tr(
          lang,
          'Một phút được tính là có kết nối khi điểm cầu kết nối quá nửa phút đó (theo trạng thái cổng MCU, nếu không có thì theo codec); phút không có số liệu không tính là mất kết nối. Chất lượng (thống kê media của cổng MCU, nếu không có thì của codec, rồi đến đầu đo RTP, cuối cùng là ICMP) chỉ tính trong thời gian điểm cầu kết nối.',
          'A minute counts as connected when the site was connected for most of it (MCU port, else codec); a minute without data is not counted as disconnected. Quality (the MCU port’s media statistics, else the codec’s, else the RTP probe, else ICMP) is over connected time only.',
        ),
        { italic: true },
      ),
    ],
  };
};

const meetingDrops: Part<M> = (r, lang) => {
  const rows = r.sites.flatMap((s) => s.drops.map((d) => ({ s, d })));
  if (rows.length === 0) return null;
  return {
    title: tr(lang, 'Rớt kết nối trong cuộc họp', 'Drops during the meeting'),
    blocks: [
      {
        kind: 'table',
        table: {
          id: 'rot-ket-noi',
          header: [
            [
              tr(lang, 'STT', 'No.'),
              tr(lang, 'Điểm cầu', 'Site'),
              tr(lang, 'Rớt lúc', 'Dropped'),
              tr(lang, 'Kết nối lại', 'Back'),
              tr(lang, 'Nguyên nhân', 'Cause'),
            ],
          ],
          widths: [6, 26, 12, 12, 44],
          rows: rows.map(({ s, d }, i) => [
            num(i + 1),
            s.name,
            clock(d.at),
            d.back_at === null ? tr(lang, 'Không kết nối lại', 'Did not return') : clock(d.back_at),
            d.cause[lang],
          ]),
        },
      },
    ],
  };
};

/** Every join and leave of every site, with why it left as the MCU recorded it (its call records). */
const meetingLegs: Part<M> = (r, lang) => {
  const rows = r.sites.flatMap((s) => s.legs.map((l) => ({ s, l })));
  if (!rows.some(({ l }) => l.record_id !== null)) return null;
  return {
    title: tr(
      lang,
      'Các lần vào, rời cuộc họp và nguyên nhân MCU ghi nhận',
      'Joins, leaves and the causes the MCU recorded',
    ),
    blocks: [
      {
        kind: 'table',
        table: {
          id: 'vao-roi',
          header: [
            [
              tr(lang, 'STT', 'No.'),
              tr(lang, 'Điểm cầu', 'Site'),
              tr(lang, 'Vào lúc', 'Joined'),
              tr(lang, 'Rời lúc', 'Left'),
              tr(lang, 'Nguyên nhân rời', 'Why it left'),
            ],
          ],
          widths: [6, 26, 12, 12, 44],
          rows: rows.map(({ s, l }, i) => [
            num(i + 1),
            s.name,
            clock(l.joined_at),
            l.left_at === null ? tr(lang, 'Còn kết nối', 'Still connected') : clock(l.left_at),
            (lang === 'vi' ? l.cause_vi : l.cause_en) ?? '',
          ]),
        },
      },
    ],
  };
};

const meetingEpisodes: Part<M> = (r, lang) => {
  if (r.episodes.length === 0) return null;
  const names = new Map(r.sites.map((s) => [s.site, s.name]));
  return {
    title: tr(lang, 'Sự cố kỹ thuật hệ thống ghi nhận', 'Fault episodes the system saw'),
    blocks: [
      {
        kind: 'table',
        table: {
          id: 'dot-su-co',
          header: [
            [
              tr(lang, 'STT', 'No.'),
              tr(lang, 'Sự cố', 'Fault'),
              tr(lang, 'Điểm cầu', 'Sites'),
              tr(lang, 'Nguyên nhân', 'Cause'),
              tr(lang, 'Đơn vị xử lý', 'Owner'),
              tr(lang, 'Bắt đầu', 'Started'),
              tr(lang, 'Khắc phục', 'Restored'),
              tr(lang, 'Tiếp nhận', 'Acknowledged by'),
            ],
          ],
          widths: [5, 22, 16, 12, 15, 10, 10, 10],
          rows: r.episodes.map((e, i) => [
            num(i + 1),
            lang === 'vi' ? e.title : e.title_en,
            e.sites.map((s) => names.get(s) ?? s).join(', '),
            lang === 'vi' ? e.cause_vi : e.cause_en,
            e.owner_name ?? tr(lang, 'Trực NOC', 'NOC'),
            clock(e.started_at),
            e.restored_at === null ? tr(lang, 'Chưa', 'Not yet') : clock(e.restored_at),
            e.acknowledged_by ?? '—',
          ]),
        },
      },
    ],
  };
};

const meetingReadiness: Part<M> = (r, lang) => {
  const names = new Map(r.sites.map((s) => [s.site, s.name]));
  const blocks: Block[] = r.readiness.length
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
                tr(lang, 'Chưa sẵn sàng', 'Not ready'),
              ],
            ],
            widths: [14, 26, 16, 44],
            rows: r.readiness.map((x) => [
              x.slot === 'manual' ? tr(lang, 'Theo yêu cầu', 'On demand') : x.slot,
              dateTime(x.at, lang),
              `${x.ready}/${x.total}`,
              x.not_ready.map((s) => names.get(s) ?? s).join(', ') || '—',
            ]),
          },
        },
      ]
    : [p(tr(lang, 'Chưa ghi nhận lần vận hành thử nào.', 'No readiness test run was recorded.'))];
  return {
    title: tr(lang, 'Vận hành thử trước cuộc họp (Điều 7.1.b)', 'Readiness test runs (Art. 7.1.b)'),
    blocks,
  };
};

const meetingIncidents: Part<M> = (r, lang) => {
  const names = new Map(r.sites.map((s) => [s.site, s.name]));
  return {
    title: tr(lang, 'Nhật ký sự cố (Điều 8.2.d)', 'Incident log (Art. 8.2.d)'),
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
                  tr(lang, 'Đơn vị chịu trách nhiệm', 'Responsible'),
                  tr(lang, 'Giải pháp khắc phục', 'Fix'),
                ],
              ],
              widths: [5, 18, 13, 13, 21, 13, 17],
              rows: r.incidents.map((i, k) => [
                num(k + 1),
                i.sites.map((s) => names.get(s) ?? s).join(', '),
                dateTime(i.started_at, lang),
                i.restored_at === null
                  ? tr(lang, 'Chưa khắc phục', 'Not restored')
                  : dateTime(i.restored_at, lang),
                i.cause,
                i.responsible_name ?? '—',
                i.fix || '—',
              ]),
            },
          },
        ]
      : [p(tr(lang, 'Không có sự cố nào được ghi vào nhật ký.', 'No incident was logged.'))],
  };
};

/** The sections of the post-meeting report, in order: add a part here. */
export const MEETING_PARTS: Part<M>[] = [
  meetingInfo,
  meetingConclusion,
  meetingSites,
  meetingDrops,
  meetingLegs,
  meetingEpisodes,
  meetingReadiness,
  meetingIncidents,
];
