// The notice to Sở TT&TT when a site's technician is replaced (Điều 10, 13.2: "thông báo với Sở Thông
// tin và Truyền thông"): Vietnamese first, English second.
import { localParts } from '../core/time.ts';

/** How the directory sends mail: one e-mail per person, through the durable outbox (wired in cli/serve.ts). */
export interface Mailer {
  /** `to`: person ids; `key` makes each delivery idempotent. Returns how many were queued. */
  mail(m: { key: string; to: string[]; subject: string; text: string; short: string }): number;
}

export interface TechnicianChange {
  site: { id: string; name: string };
  previous: { id: string; name: string } | null;
  next: { id: string; name: string; title?: string | undefined; org?: string | undefined };
  reason: string;
  from: number;
  by: string;
  at: number;
  trainings: { course: string; date: string }[];
}

const viDateTime = (t: number) => {
  const p = localParts(t);
  return `${p.h}:${p.mi} ngày ${p.d}/${p.mo}/${p.y}`;
};
const enDateTime = (t: number) => {
  const p = localParts(t);
  return `${p.d}/${p.mo}/${p.y} ${p.h}:${p.mi} (Vietnam time)`;
};
const viDate = (d: string) => d.split('-').reverse().join('/');
const who = (p: { id: string; name: string }) => `${p.name} (${p.id})`;

export function technicianNotice(c: TechnicianChange): { subject: string; text: string; short: string } {
  const next = [who(c.next), c.next.title, c.next.org].filter(Boolean).join(', ');
  const subject = `[Thay cán bộ kỹ thuật] ${c.site.name}: ${c.next.name} / Site technician replaced`;
  const vi = [
    'Kính gửi: Sở Thông tin và Truyền thông',
    '',
    `Cán bộ kỹ thuật phụ trách điểm cầu ${c.site.name} (${c.site.id}) đã được thay (Điều 10, khoản 2 Điều 13 Quy chế):`,
    `- Cán bộ cũ: ${c.previous ? who(c.previous) : 'chưa có'}`,
    `- Cán bộ mới: ${next}`,
    `- Lý do: ${c.reason}`,
    `- Từ: ${viDateTime(c.from)}`,
    `- Người thay đổi: ${c.by}, lúc ${viDateTime(c.at)}`,
    c.trainings.length === 0
      ? '- Lưu ý: cán bộ mới chưa có hồ sơ tập huấn nào; có thể cần lập kế hoạch tập huấn (khoản 2 Điều 13).'
      : `- Đã tập huấn: ${c.trainings.map((t) => `${t.course} (${viDate(t.date)})`).join('; ')}`,
  ];
  const en = [
    `The technician of site ${c.site.name} (${c.site.id}) has been replaced (Articles 10 and 13.2 of the regulation):`,
    `- Previous: ${c.previous ? who(c.previous) : 'none'}`,
    `- New: ${next}`,
    `- Reason: ${c.reason}`,
    `- From: ${enDateTime(c.from)}`,
    `- Changed by: ${c.by}, at ${enDateTime(c.at)}`,
    c.trainings.length === 0
      ? '- Note: the new technician has no training record; a training plan may be needed.'
      : `- Trained: ${c.trainings.map((t) => `${t.course} (${viDate(t.date)})`).join('; ')}`,
  ];
  const text = `${vi.join('\n')}\n\n— English —\n${en.join('\n')}\n`;
  const short = `diemcau: thay can bo ky thuat ${c.site.id}: ${c.next.id}`;
  return { subject, text, short };
}
