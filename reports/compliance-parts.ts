// The compliance figures (compliance.ts) as sections of the filed period reports: registrations
// (Điều 6), readiness test runs (Điều 7.1.b), technicians (Điều 13.2), fault episodes by cause and
// owner, availability per carrier and circuit (Điều 14.2), power events per Điện lực branch (Điều 14.3).
import type { Availability, Compliance } from './compliance.ts';
import { type Block, type Cell, formatNumber, type Lang, num } from './document.ts';
import { dateTime, dur, type Part, p, pctOf, tr } from './document-text.ts';

type P = Compliance;
const n = (v: number, lang: Lang) => formatNumber(v, 0, lang);
const durCell = (ms: number | null, lang: Lang): Cell => (ms === null ? '—' : dur(ms, lang));

const registrations: Part<P> = (r, lang) => {
  const x = r.registrations;
  const blocks: Block[] = [
    {
      kind: 'table',
      table: {
        id: 'dang-ky',
        header: [
          [
            tr(lang, 'Loại đăng ký', 'Registration'),
            tr(lang, 'Số cuộc họp', 'Meetings'),
            tr(lang, 'Tỷ lệ (%)', 'Share (%)'),
          ],
        ],
        widths: [50, 25, 25],
        rows: [x.on_time, x.late, x.emergency].map((c) => [c[lang], num(c.count), pctOf(c.share, 2)]),
        totals: [tr(lang, 'Tổng cộng', 'Total'), num(x.total), x.total ? pctOf(1, 2) : '—'],
      },
    },
    p(
      tr(
        lang,
        `Đã hủy (không tính): ${n(x.cancelled, lang)}.`,
        `Cancelled (not counted): ${n(x.cancelled, lang)}.`,
      ),
    ),
  ];
  if (x.late_meetings.length)
    blocks.push({
      kind: 'table',
      table: {
        id: 'dang-ky-muon',
        caption: tr(lang, 'Cuộc họp đăng ký muộn', 'Meetings registered late'),
        header: [
          [
            tr(lang, 'Cuộc họp', 'Meeting'),
            tr(lang, 'Bắt đầu', 'Start'),
            tr(lang, 'Đăng ký lúc', 'Registered'),
            tr(lang, 'Trước', 'Lead time'),
          ],
        ],
        widths: [40, 20, 20, 20],
        rows: x.late_meetings.map((m) => [
          m.title,
          dateTime(m.start, lang),
          dateTime(m.registered_at, lang),
          dur(m.lead_ms, lang),
        ]),
      },
    });
  return { title: `${x.label[lang]} (${tr(lang, 'Điều 6', 'Art. 6')})`, blocks };
};

const readiness: Part<P> = (r, lang) => {
  const x = r.readiness;
  return {
    title: `${x.label[lang]} (${tr(lang, 'Điều 7.1.b', 'Art. 7.1.b')})`,
    blocks: [
      {
        kind: 'table',
        table: {
          id: 'van-hanh-thu',
          header: [
            [
              tr(lang, 'Lần vận hành thử', 'Run'),
              tr(lang, 'Số lần', 'Runs'),
              tr(lang, 'Cuộc họp không có', 'Meetings without'),
              tr(lang, 'Lần mọi điểm cầu sẵn sàng', 'Runs all ready'),
              tr(lang, 'Lượt kiểm tra điểm cầu', 'Site checks'),
              tr(lang, 'Tỷ lệ sẵn sàng (%)', 'Ready (%)'),
            ],
          ],
          widths: [22, 12, 16, 18, 16, 16],
          rows: x.slots.map((s) => [
            s[lang],
            num(s.runs),
            num(s.missing),
            num(s.all_ready_runs),
            num(s.site_checks),
            pctOf(s.ready_share, 2),
          ]),
        },
      },
      p(
        tr(
          lang,
          `Số cuộc họp trong kỳ: ${n(x.meetings, lang)}; số điểm cầu được kiểm tra: ${n(x.sites_checked, lang)}; chưa lần nào sẵn sàng: ${n(x.never_ready.length, lang)}.`,
          `Meetings in the period: ${n(x.meetings, lang)}; sites checked: ${n(x.sites_checked, lang)}; never ready: ${n(x.never_ready.length, lang)}.`,
        ),
      ),
      ...(x.never_ready.length
        ? [
            {
              kind: 'table' as const,
              table: {
                id: 'chua-san-sang',
                caption: tr(lang, 'Điểm cầu chưa lần nào sẵn sàng', 'Sites never ready'),
                header: [
                  [
                    tr(lang, 'Điểm cầu', 'Site'),
                    tr(lang, 'Số lượt kiểm tra', 'Checks'),
                    tr(lang, 'Lý do (số lượt)', 'Reasons (checks)'),
                  ],
                ],
                widths: [35, 15, 50],
                rows: x.never_ready.map((s) => [
                  s.name,
                  num(s.checks),
                  s.reasons.map((q) => `${q[lang]} (${n(q.count, lang)})`).join('; '),
                ]),
              },
            },
          ]
        : []),
    ],
  };
};

const technicians: Part<P> = (r, lang) => {
  const x = r.technicians;
  const row = (label: string, t: Compliance['technicians']['total']): Cell[] => [
    label,
    num(t.sites),
    num(t.with_technician),
    num(t.with_contact),
    pctOf(t.contact_share, 2),
    num(t.dedicated),
  ];
  return {
    title: `${x.label[lang]} (${tr(lang, 'Điều 13.2', 'Art. 13.2')})`,
    blocks: [
      {
        kind: 'table',
        table: {
          id: 'can-bo-ky-thuat',
          header: [
            [
              tr(lang, 'Cấp', 'Tier'),
              tr(lang, 'Số điểm cầu', 'Sites'),
              tr(lang, 'Có cán bộ kỹ thuật', 'With a technician'),
              tr(lang, 'Có liên hệ', 'With a contact'),
              tr(lang, 'Tỷ lệ có liên hệ (%)', 'With a contact (%)'),
              tr(lang, 'Chuyên trách một điểm cầu', 'Dedicated to one site'),
            ],
          ],
          widths: [20, 14, 16, 16, 16, 18],
          rows: x.by_tier.map((t) => row(t[lang], t)),
          totals: row(tr(lang, 'Tổng cộng', 'Total'), x.total),
        },
      },
      p(
        tr(
          lang,
          `Lần vận hành thử mà mọi điểm cầu đều có liên hệ cán bộ kỹ thuật: ${n(x.runs.all_sites_with_contact, lang)}/${n(x.runs.runs, lang)}.`,
          `Test runs where every site had a technician contact: ${n(x.runs.all_sites_with_contact, lang)}/${n(x.runs.runs, lang)}.`,
        ),
      ),
      p(x.note[lang], { italic: true }),
    ],
  };
};

const episodes: Part<P> = (r, lang) => {
  const x = r.episodes;
  const cells = (g: Compliance['episodes']['total']): Cell[] => [
    num(g.count),
    num(g.open),
    durCell(g.mean_ttr_ms, lang),
    durCell(g.max_ttr_ms, lang),
  ];
  const head = (first: string) => [
    [
      first,
      tr(lang, 'Số sự cố', 'Episodes'),
      tr(lang, 'Chưa khắc phục', 'Open'),
      tr(lang, 'Thời gian khắc phục TB', 'Mean time to restore'),
      tr(lang, 'Lâu nhất', 'Longest'),
    ],
  ];
  return {
    title: x.label[lang],
    blocks: [
      {
        kind: 'table',
        table: {
          id: 'dot-su-co-nguyen-nhan',
          caption: tr(lang, 'Theo nguyên nhân', 'By cause'),
          header: head(tr(lang, 'Nguyên nhân', 'Cause')),
          widths: [34, 14, 14, 20, 18],
          rows: x.by_cause
            .filter((c) => c.count > 0 || c.cause !== 'unknown')
            .map((c) => [c[lang], ...cells(c)]),
          totals: [tr(lang, 'Tổng cộng', 'Total'), ...cells(x.total)],
        },
      },
      {
        kind: 'table',
        table: {
          id: 'dot-su-co-don-vi',
          caption: tr(lang, 'Theo đơn vị xử lý', 'By owner'),
          header: head(tr(lang, 'Đơn vị xử lý', 'Owner')),
          widths: [34, 14, 14, 20, 18],
          rows: x.by_owner.map((o) => [lang === 'vi' ? o.name : o.name_en, ...cells(o)]),
        },
      },
      p(
        tr(
          lang,
          'Thời gian khắc phục tính từ khi phát hiện đến khi nguyên nhân hết, trên các sự cố đã khắc phục.',
          'Time to restore: from the first evidence to when the cause cleared, over the restored episodes.',
        ),
        { italic: true },
      ),
    ],
  };
};

const availCells = (a: Availability): Cell[] => [
  pctOf(a.availability, 2),
  pctOf(a.coverage, 1),
  num(Math.round(a.down_ms / 60_000)),
];

const carriers: Part<P> = (r, lang) => {
  const x = r.availability;
  const head = (first: string[]) => [
    [
      ...first,
      tr(lang, 'Sẵn sàng cả kỳ (%)', 'Available, period (%)'),
      tr(lang, 'Độ phủ số liệu (%)', 'Coverage (%)'),
      tr(lang, 'Phút mất kết nối', 'Minutes down'),
      tr(lang, 'Sẵn sàng trong giờ họp (%)', 'Available in meetings (%)'),
      tr(lang, 'Độ phủ (%)', 'Coverage (%)'),
      tr(lang, 'Phút mất kết nối trong giờ họp', 'Minutes down in meetings'),
    ],
  ];
  return {
    title: `${x.label[lang]} (${tr(lang, 'Điều 14.2', 'Art. 14.2')})`,
    blocks: [
      {
        kind: 'table',
        table: {
          id: 'doanh-nghiep',
          caption: tr(lang, 'Theo doanh nghiệp cung cấp đường truyền', 'By carrier'),
          header: head([tr(lang, 'Doanh nghiệp', 'Carrier'), tr(lang, 'Số kênh', 'Circuits')]),
          widths: [16, 9, 13, 12, 12, 14, 10, 14],
          rows: x.carriers.map((c) => [
            c[lang],
            num(c.circuits),
            ...availCells(c.overall),
            ...availCells(c.meetings),
          ]),
        },
      },
      x.worst.length
        ? {
            kind: 'table',
            table: {
              id: 'kenh-kem-nhat',
              caption: tr(lang, 'Các kênh kém nhất', 'Worst circuits'),
              header: head([tr(lang, 'Kênh', 'Circuit'), tr(lang, 'Điểm cầu', 'Site')]),
              widths: [14, 18, 12, 10, 10, 14, 8, 14],
              rows: x.worst.map((c) => [
                `${c.circuit} (${c.carrier === 'viettel' ? 'Viettel' : 'VNPT'})`,
                c.sites.map((s) => s.name).join(', '),
                ...availCells(c.overall),
                ...availCells(c.meetings),
              ]),
            },
          }
        : p(tr(lang, 'Không có kênh nào mất kết nối trong kỳ.', 'No circuit was down in the period.')),
      p(
        tr(
          lang,
          'Sẵn sàng: tỷ lệ thời gian có số liệu đo mà điểm cầu trả lời (đầu đo RTP, nếu không có thì ICMP), tính theo thời gian trên tất cả các kênh của doanh nghiệp; thời gian không có số liệu không tính là mất kết nối (xem độ phủ). Điểm cầu mất điện cũng tính là mất kết nối tại đây; các lần mất điện được thống kê riêng theo Điện lực.',
          'Availability: the share of the measured time the site answered (RTP probe, else ICMP), time-weighted over all the carrier’s circuits; time without data is not down (see coverage). A site dark from a power cut is down here too; power events are listed per branch.',
        ),
        { italic: true },
      ),
    ],
  };
};

const power: Part<P> = (r, lang) => {
  const x = r.power;
  return {
    title: `${x.label[lang]} (${tr(lang, 'Điều 14.3', 'Art. 14.3')})`,
    blocks: x.branches.length
      ? [
          {
            kind: 'table',
            table: {
              id: 'dien-luc',
              header: [
                [
                  tr(lang, 'Điện lực', 'Power branch'),
                  tr(lang, 'Số lần mất điện', 'Events'),
                  tr(lang, 'Chưa khắc phục', 'Open'),
                  tr(lang, 'Tổng số phút', 'Minutes'),
                  tr(lang, 'Ảnh hưởng cuộc họp', 'Touched a meeting'),
                ],
              ],
              widths: [36, 16, 16, 16, 16],
              rows: x.branches.map((b) => [
                lang === 'vi' ? b.name : b.name_en,
                num(b.events),
                num(b.open),
                num(b.minutes),
                num(b.touched_meetings),
              ]),
              totals: [
                tr(lang, 'Tổng cộng', 'Total'),
                num(x.total.events),
                '',
                num(x.total.minutes),
                num(x.total.touched_meetings),
              ],
            },
          },
        ]
      : [p(tr(lang, 'Không ghi nhận lần mất điện nào.', 'No power event was seen.'))],
  };
};

/** The compliance sections, in order. */
export const COMPLIANCE_PARTS: Part<P>[] = [registrations, readiness, technicians, episodes, carriers, power];
