// The register as the filed document behind the yearly budget proposal for repair and replacement
// (Điều 12, 13.5): devices by age, faults per device over 12 months, the warranties ending within a
// year listed first and in bold. Rendered by reports/ (Word per Nghị định 30/2020, CSV).
import { DEVICE_KIND_NAMES, WARRANTY_NAMES } from '../core/identity.ts';
import { localParts } from '../core/time.ts';
import { type AdminDocument, type Cell, num, type OfficeDetails, type Table } from '../reports/document.ts';
import { type AssetRow, viDay } from './register.ts';

const HEADER = [
  'STT',
  'Thiết bị',
  'Loại',
  'Điểm cầu',
  'Huyện',
  'Hãng sản xuất',
  'Model',
  'Số sê-ri',
  'Firmware / phần mềm',
  'Ngày lắp đặt',
  'Tuổi (năm)',
  'Hết bảo hành',
  'Tình trạng bảo hành',
  'Số sự cố 12 tháng',
  'Nhà cung cấp',
];

function cells(r: AssetRow, i: number): Cell[] {
  const version = [r.identity.firmware, r.identity.software].filter(Boolean).join(' / ');
  const left =
    r.warranty === 'expiring' && r.warranty_days_left !== null
      ? `${WARRANTY_NAMES.expiring.vi} (còn ${r.warranty_days_left} ngày)`
      : WARRANTY_NAMES[r.warranty].vi;
  return [
    String(i + 1),
    r.device,
    DEVICE_KIND_NAMES[r.kind].vi,
    r.site_name ?? 'Trung tâm (MCU)',
    r.district_name ?? '',
    r.identity.manufacturer ?? '',
    r.identity.model ?? '',
    r.identity.serial ?? '',
    version,
    viDay(r.install_date),
    num(r.age_years, 1),
    viDay(r.warranty_end),
    left,
    num(r.faults_12m),
    r.supplier ?? '',
  ];
}

/** oldest first; devices without an install date after them, by faults */
export function byAge(rows: AssetRow[]): AssetRow[] {
  return [...rows].sort(
    (a, b) =>
      (b.age_years ?? -1) - (a.age_years ?? -1) ||
      b.faults_12m - a.faults_12m ||
      a.device.localeCompare(b.device),
  );
}

export function registerTable(rows: AssetRow[]): Table {
  const sorted = byAge(rows);
  return {
    id: 'thiet-bi',
    caption: 'Bảng 2. Danh mục thiết bị theo tuổi (cũ nhất trước); in đậm: hết bảo hành trong 12 tháng tới',
    header: [HEADER],
    rows: sorted.map(cells),
    bold_rows: sorted.flatMap((r, i) => (r.warranty === 'expiring' ? [i] : [])),
    widths: [3, 9, 7, 9, 7, 6, 7, 7, 7, 6, 4, 6, 8, 4, 7],
  };
}

export function expiringTable(rows: AssetRow[]): Table {
  const list = rows
    .filter((r) => r.warranty === 'expiring')
    .sort((a, b) => (a.warranty_days_left ?? 0) - (b.warranty_days_left ?? 0));
  return {
    id: 'het-bao-hanh',
    caption: 'Bảng 1. Thiết bị hết bảo hành trong 12 tháng tới',
    header: [HEADER],
    rows: list.map(cells),
    bold_rows: list.map((_, i) => i),
    widths: [3, 9, 7, 9, 7, 6, 7, 7, 7, 6, 4, 6, 8, 4, 7],
  };
}

export function budgetDocument(
  rows: AssetRow[],
  o: { office: OfficeDetails; now: number; number?: number | null },
): AdminDocument {
  const year = Number(localParts(o.now).y);
  const expiring = rows.filter((r) => r.warranty === 'expiring').length;
  const expired = rows.filter((r) => r.warranty === 'expired').length;
  const unknown = rows.filter((r) => r.install_date === null).length;
  const faults = rows.reduce((s, r) => s + r.faults_12m, 0);
  const old = rows.filter((r) => (r.age_years ?? 0) >= 5).length;
  return {
    lang: 'vi',
    office: o.office,
    code: 'BC',
    number: o.number ?? null,
    date: o.now,
    kind: 'Báo cáo',
    title: `Danh mục thiết bị hệ thống hội nghị truyền hình trực tuyến phục vụ đề xuất kinh phí sửa chữa, thay thế năm ${year + 1}`,
    subtitle: `Số liệu đến ngày ${localParts(o.now).d}/${localParts(o.now).mo}/${year}`,
    sections: [
      {
        heading: 'I. Tổng hợp',
        blocks: [
          {
            kind: 'paragraph',
            text: `Hệ thống có ${rows.length} thiết bị được giám sát; ${old} thiết bị đã sử dụng từ 5 năm trở lên; ${unknown} thiết bị chưa có ngày lắp đặt.`,
          },
          {
            kind: 'paragraph',
            text: `${expiring} thiết bị hết bảo hành trong 12 tháng tới (Bảng 1); ${expired} thiết bị đã hết bảo hành.`,
          },
          {
            kind: 'paragraph',
            text: `Tổng số sự cố liên quan đến thiết bị (do thiết bị hoặc mất điện tại điểm cầu) trong 12 tháng qua: ${faults}.`,
          },
        ],
      },
      {
        heading: 'II. Thiết bị hết bảo hành trong 12 tháng tới',
        blocks: [{ kind: 'table', table: expiringTable(rows) }],
      },
      {
        heading: 'III. Danh mục thiết bị',
        blocks: [{ kind: 'table', table: registerTable(rows) }],
      },
    ],
  };
}
