// A maintenance plan over registered meetings (Điều 13.3, 14.1.b): when a plan is created or changed,
// the host office of every meeting still ahead that falls in one of its windows at a covered site gets
// one message through the durable outbox — the plan, its meetings, the affected sites, whom to call —
// Vietnamese first; when it is cancelled, the same offices are told it no longer applies. Keys name the
// plan's revision, so a retried request never sends twice.
import type { Outbox } from '../alerts/outbox.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { type MaintenancePlan, planOccurrences, planSites, scopeText } from '../maintenance/plans.ts';
import type { HostDirectory } from './hosts.ts';
import { enDateTime } from './notices.ts';
import { enqueueForPeople } from './notify.ts';
import type { DbMeetings, Meeting } from './store.ts';
import { viDateTime, viTime } from './time.ts';

/** how far ahead a recurring plan is compared with the register */
const HORIZON = 366 * 86_400_000;

export interface TouchedMeeting {
  meeting: Meeting;
  /** the meeting's sites the plan covers */
  sites: string[];
  /** the plan's windows over the meeting */
  windows: { from: number; to: number }[];
}

/** Registered meetings not yet over that one of the plan's windows overlaps at a covered site. */
export function meetingsTouched(
  inv: LoadedInventory,
  meetings: Pick<DbMeetings, 'list'>,
  plan: MaintenancePlan,
  now: number,
): TouchedMeeting[] {
  if (plan.cancelled_at !== null) return [];
  const covered = new Set(planSites(inv, plan));
  const to =
    plan.kind === 'once' ? (plan.ends_at ?? now) : Math.min(plan.ends_at ?? now + HORIZON, now + HORIZON);
  const from = Math.max(now, plan.kind === 'once' ? plan.starts_at : now);
  const out: TouchedMeeting[] = [];
  for (const m of meetings.list({ from: Math.min(from, plan.starts_at), to }).items) {
    if (m.end <= now || m.status === 'rejected') continue;
    const sites = m.sites.filter((s) => covered.has(s));
    if (sites.length === 0) continue;
    const windows = planOccurrences(plan, m.start, m.end);
    if (windows.length) out.push({ meeting: m, sites, windows });
  }
  return out;
}

/** Who to call about the plan: the person doing it and the NOC's first contact, with their e-mail. */
function contacts(inv: LoadedInventory, plan: MaintenancePlan): { vi: string[]; en: string[] } {
  const vi: string[] = [];
  const en: string[] = [];
  const who = (id: string) => {
    const p = inv.people.get(id);
    if (!p) return id;
    // a phone written as plain data (the people directory); a secret reference is not shown
    const phone = (p.channels as { phone?: unknown }).phone;
    const reach = [typeof phone === 'string' ? phone : '', p.channels.email ?? ''].filter(Boolean);
    return `${p.name}${reach.length ? ` (${reach.join(', ')})` : ''}`;
  };
  if (plan.by_person) {
    vi.push(`Người thực hiện: ${who(plan.by_person)}${plan.by_text ? `, ${plan.by_text}` : ''}`);
    en.push(`Done by: ${who(plan.by_person)}${plan.by_text ? `, ${plan.by_text}` : ''}`);
  } else {
    vi.push(`Người thực hiện: ${plan.by_text}`);
    en.push(`Done by: ${plan.by_text}`);
  }
  const noc = inv.organisations.get(inv.inventory.network.noc);
  const first = noc?.contacts[0];
  if (noc && first) {
    vi.push(`Trực ban ${noc.name}: ${who(first)}`);
    en.push(`NOC on duty (${noc.name}): ${who(first)}`);
  }
  return { vi, en };
}

export type NoticeKind = 'new' | 'changed' | 'cancelled';

const WORD: Record<NoticeKind, string> = {
  new: 'Kế hoạch bảo trì',
  changed: 'Điều chỉnh kế hoạch bảo trì',
  cancelled: 'Hủy kế hoạch bảo trì',
};

/** The message to one host office about the meetings of its that the plan touches. */
export function planNoticeMessage(
  inv: LoadedInventory,
  plan: MaintenancePlan,
  hostName: string,
  touched: TouchedMeeting[],
  kind: NoticeKind,
): { subject: string; body: string; short: string } {
  const scope = scopeText(inv, plan);
  const names = (ids: string[]) => ids.map((s) => inv.sites.get(s)?.name ?? s).join(', ');
  const span = (w: { from: number; to: number }) => `${viDateTime(w.from)} đến ${viDateTime(w.to)}`;
  const who = contacts(inv, plan);
  const first = touched[0]!.meeting;
  const word = WORD[kind];
  const cancelled = kind === 'cancelled';
  const subject =
    touched.length === 1
      ? `[diemcau] ${word} trùng cuộc họp "${first.title}" lúc ${viDateTime(first.start)}`
      : `[diemcau] ${word} trùng ${touched.length} cuộc họp của ${hostName}`;
  const lines = [
    `Kính gửi: ${hostName}`,
    '',
    cancelled
      ? 'Trung tâm giám sát hội nghị truyền hình thông báo hủy kế hoạch bảo trì dưới đây, trước đó trùng với cuộc họp đã đăng ký của Quý cơ quan (Điều 13.3, Quy chế):'
      : `Trung tâm giám sát hội nghị truyền hình thông báo ${kind === 'changed' ? 'kế hoạch bảo trì đã được điều chỉnh' : 'kế hoạch bảo trì'} trùng với cuộc họp đã đăng ký của Quý cơ quan (Điều 13.3, Quy chế):`,
    '',
    `Kế hoạch bảo trì: ${plan.work}`,
    `Phạm vi: ${scope.vi}`,
    ...who.vi,
    '',
    ...touched.flatMap((t) => [
      `Cuộc họp: "${t.meeting.title}", ${viDateTime(t.meeting.start)} – ${viTime(t.meeting.end)}`,
      `  ${cancelled ? 'Đã hủy bảo trì' : 'Bảo trì'}: ${t.windows.map(span).join('; ')}`,
      `  Điểm cầu bị ảnh hưởng (${t.sites.length}): ${names(t.sites)}`,
    ]),
    '',
    cancelled
      ? 'Các điểm cầu nêu trên không còn lịch bảo trì trong thời gian cuộc họp.'
      : 'Đề nghị Quý cơ quan liên hệ với người thực hiện hoặc trực ban nêu trên để thống nhất dời lịch bảo trì, đổi điểm cầu hoặc chuẩn bị phương án dự phòng.',
    '',
    '---',
    cancelled
      ? `A maintenance plan that fell in meetings registered by ${hostName} is cancelled.`
      : `${kind === 'changed' ? 'A changed maintenance plan' : 'A maintenance plan'} falls in meetings registered by ${hostName}.`,
    `Plan: ${plan.work}; scope: ${scope.en}.`,
    ...who.en,
    ...touched.flatMap((t) => [
      `Meeting "${t.meeting.title}", ${enDateTime(t.meeting.start)}–${viTime(t.meeting.end)}: maintenance ${t.windows
        .map((w) => `${enDateTime(w.from)}–${enDateTime(w.to)}`)
        .join('; ')}, ${t.sites.length} site(s) affected: ${t.sites.join(', ')}`,
    ]),
    cancelled
      ? 'The sites above are no longer in maintenance during the meeting.'
      : 'Please call the person above or the NOC to move the work, change sites or prepare a fallback.',
  ];
  const short =
    `${cancelled ? 'Huy bao tri' : 'Bao tri'} trung ${touched.length} cuoc hop: ${plan.work}`.slice(0, 160);
  return { subject, body: lines.join('\n'), short };
}

/**
 * Queues one message per host office whose meetings the plan touches (a cancelled plan: touched as it
 * was); returns the host offices told and the outbox rows added.
 */
export function notifyPlanHosts(
  outbox: Outbox,
  inv: LoadedInventory,
  hosts: HostDirectory,
  plan: MaintenancePlan,
  touched: TouchedMeeting[],
  kind: NoticeKind = plan.revision > 1 ? 'changed' : 'new',
): { hosts: string[]; messages: number } {
  const byHost = new Map<string, TouchedMeeting[]>();
  for (const t of touched) byHost.set(t.meeting.host_org, [...(byHost.get(t.meeting.host_org) ?? []), t]);
  let messages = 0;
  const told: string[] = [];
  for (const [host, list] of byHost) {
    const r = hosts.recipients(host);
    if (!r) continue;
    const msg = planNoticeMessage(inv, plan, r.name, list, kind);
    const n = enqueueForPeople(
      outbox,
      inv,
      r.people,
      `maintenance-plan/${plan.id}/r${plan.revision}/${host}`,
      {
        ...msg,
        payload: { maintenance_plan: plan.id, host, meetings: list.map((t) => t.meeting.id) },
      },
      { webhook: false, emails: r.emails },
    );
    messages += n;
    told.push(host);
  }
  return { hosts: told, messages };
}
