// Incidents to people (Điều 8.2.d: "thông báo kịp thời … báo cáo đơn vị chủ trì cuộc họp"): the host
// office of the meeting and the NOC are told once when an incident is logged (created by a person, or a
// system draft confirmed) and once when it is restored, through the durable outbox. Drafts nobody has
// confirmed are not announced.
import type { Outbox } from '../alerts/outbox.ts';
import type { Logger } from '../core/log.ts';
import { localParts } from '../core/time.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { CAUSE_LABEL, type Incident, type IncidentListener } from './incidents.ts';
import { enqueueForPeople, meetingAudience } from './notify.ts';
import type { DbMeetings, Meeting } from './store.ts';
import { duration } from './time.ts';

export type IncidentEvent = 'logged' | 'restored';

/** "10/03/2026 08:00" (Asia/Ho_Chi_Minh) */
export function dmyHm(t: number): string {
  const p = localParts(t);
  return `${p.d}/${p.mo}/${p.y} ${p.h}:${p.mi}`;
}

/** Which message a change calls for: confirmed now (logged), or a confirmed one restored now. */
export function incidentEvent(inc: Incident, before: Incident | null): IncidentEvent | null {
  if (inc.status === 'draft') return null;
  if (before === null || before.status === 'draft') return 'logged';
  if (inc.restored_at !== null && before.restored_at === null) return 'restored';
  return null;
}

export function incidentMessage(
  ev: IncidentEvent,
  inc: Incident,
  m: Meeting | undefined,
  inv: LoadedInventory,
  publicUrl?: string,
): { subject: string; text: string; short: string } {
  const siteNames = inc.sites.map((s) => inv.sites.get(s)?.name ?? s);
  const org = inc.responsible_org ? inv.organisations.get(inc.responsible_org) : undefined;
  const orgVi = org?.name ?? inc.responsible_org ?? 'chưa xác định';
  const orgEn = org ? (org.name_en ?? org.name) : (inc.responsible_org ?? 'not determined');
  const label = CAUSE_LABEL[inc.cause_class];
  const link = publicUrl ? `${publicUrl.replace(/\/$/, '')}/incidents/${encodeURIComponent(inc.id)}` : null;
  const restored = inc.restored_at !== null;
  const ttr = inc.time_to_restore_ms !== null ? duration(inc.time_to_restore_ms) : null;
  const eta = inc.estimated_restore_at !== null ? dmyHm(inc.estimated_restore_at) : null;
  const headVi = ev === 'restored' ? 'Đã khắc phục sự cố' : restored ? 'Sự cố (đã khắc phục)' : 'Sự cố';
  const headEn =
    ev === 'restored'
      ? 'Incident restored'
      : restored
        ? 'Incident logged (already restored)'
        : 'Incident logged';
  const where = m ? ` — ${m.title}` : '';
  const subject = `[diemcau] ${headVi}: ${siteNames.join(', ')}${where}`;
  const lines = [
    `${headVi} (Điều 8.2.d)`,
    ...(m ? [`Cuộc họp: ${m.title} (${dmyHm(m.start)} – ${dmyHm(m.end)})`] : []),
    `Điểm cầu: ${siteNames.join(', ')}`,
    `Xảy ra lúc: ${dmyHm(inc.started_at)}`,
    `Nguyên nhân: ${label.vi} — ${inc.cause}`,
    `Đơn vị chịu trách nhiệm khắc phục: ${orgVi}`,
    restored
      ? `Đã khắc phục lúc: ${dmyHm(inc.restored_at!)}${ttr ? ` (sau ${ttr.vi})` : ''}`
      : `Dự kiến khắc phục: ${eta ?? 'chưa xác định'}`,
    ...(inc.fix ? [`Giải pháp: ${inc.fix}`] : []),
    ...(link ? [`Chi tiết: ${link}`] : []),
    '',
    '---',
    `${headEn}${m ? ` during "${m.title}"` : ''}`,
    `Sites: ${inc.sites.join(', ')}`,
    `Started: ${dmyHm(inc.started_at)}`,
    `Cause: ${label.en} — ${inc.cause}`,
    `Responsible: ${orgEn}`,
    restored
      ? `Restored: ${dmyHm(inc.restored_at!)}${ttr ? ` (after ${ttr.en})` : ''}`
      : `Estimated restore: ${eta ?? 'not determined'}`,
    ...(link ? [`Details: ${link}`] : []),
  ];
  const short = (
    ev === 'restored'
      ? `Da khac phuc su co: ${inc.sites.join(', ')} luc ${dmyHm(inc.restored_at ?? inc.updated_at)}`
      : `Su co: ${inc.sites.join(', ')} (${inc.cause_class}), DV xu ly: ${inc.responsible_org ?? '?'}${eta ? `, du kien ${eta}` : ''}`
  ).slice(0, 160);
  return { subject, text: lines.join('\n'), short };
}

/**
 * An IncidentLog listener: the host office of the incident's meeting (when there is one) and the NOC,
 * once per incident for 'logged' and once for 'restored' (the outbox key makes each idempotent).
 */
export function notifyIncidents(
  outbox: Outbox,
  inv: LoadedInventory,
  meetings: Pick<DbMeetings, 'get'>,
  opts: { publicUrl?: string; log?: Logger } = {},
): IncidentListener {
  return ({ incident, before }) => {
    const ev = incidentEvent(incident, before);
    if (!ev) return;
    const m = incident.meeting_id ? meetings.get(incident.meeting_id) : undefined;
    const people = m
      ? meetingAudience(inv, m)
      : new Set(inv.organisations.get(inv.inventory.network.noc)?.contacts ?? []);
    const msg = incidentMessage(ev, incident, m, inv, opts.publicUrl);
    const n = enqueueForPeople(outbox, inv, people, `incident/${incident.id}/${ev}`, {
      subject: msg.subject,
      body: msg.text,
      short: msg.short,
      payload: { incident: incident.id, event: ev, meeting: incident.meeting_id },
    });
    opts.log?.info({ incident: incident.id, event: ev, messages: n }, 'incident notification queued');
  };
}
