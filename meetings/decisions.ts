// The clash policy's messages (issue 16): a meeting accepted as pending is announced to the NOC, which
// approves or rejects it; the host is told the decision. One message per person through the durable
// outbox, to the host's contacts in the catalogue (inventory people, or a name and an e-mail address).
import type { Outbox, OutboxItem } from '../alerts/outbox.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { Person } from '../inventory/schema.ts';
import type { DbHosts } from './hosts.ts';
import type { Meeting } from './store.ts';
import { viDateTime } from './time.ts';

export type Decision = 'pending' | 'approved' | 'rejected';

/** The people a host's contacts name: inventory people as they are, the others with their e-mail. */
export function hostPeople(inv: LoadedInventory, hosts: DbHosts, hostId: string): Person[] {
  const h = hosts.get(hostId);
  if (!h) return (inv.organisations.get(hostId)?.contacts ?? []).flatMap((p) => inv.people.get(p) ?? []);
  return h.contacts.flatMap((c, i): Person[] => {
    if (c.person) return inv.people.has(c.person) ? [inv.people.get(c.person)!] : [];
    return c.email
      ? [{ id: `${h.id}-lien-he-${i + 1}`, name: c.name ?? c.email, channels: { email: c.email } }]
      : [];
  });
}

export function decisionMessage(
  m: Meeting,
  d: Decision,
  hostName: string,
  reason?: string,
): { subject: string; body: string; short: string } {
  const when = `${viDateTime(m.start)} – ${viDateTime(m.end)}`;
  const head = {
    pending: ['Cuộc họp chờ duyệt', 'Meeting pending approval'],
    approved: ['Cuộc họp đã được duyệt', 'Meeting approved'],
    rejected: ['Cuộc họp không được duyệt', 'Meeting rejected'],
  }[d];
  const vi = [
    `- Cuộc họp: ${m.title}`,
    `- Cơ quan chủ trì: ${hostName}`,
    `- Thời gian: ${when} (giờ Việt Nam)`,
    d === 'pending'
      ? '- Cuộc họp trùng phòng họp hoặc điểm cầu với cuộc họp khác; đề nghị bộ phận trực duyệt hoặc từ chối.'
      : d === 'approved'
        ? '- Sở Thông tin và Truyền thông đã duyệt; các điểm cầu và đơn vị liên quan được thông báo.'
        : `- Sở Thông tin và Truyền thông không duyệt${reason ? `: ${reason}` : ''}. Đề nghị đăng ký thời gian, điểm cầu hoặc phòng họp khác.`,
  ];
  const en = `${head[1]}: "${m.title}", ${when}${d === 'rejected' && reason ? ` (${reason})` : ''}.`;
  return {
    subject: `[diemcau] ${head[0]}: ${m.title}`,
    body: [...vi, '', '---', en].join('\n'),
    short: `${head[1]}: ${m.title}`.slice(0, 160),
  };
}

/** Queues the message to the host's contacts (approved, rejected) or to the NOC (pending). */
export function notifyDecision(
  outbox: Outbox,
  inv: LoadedInventory,
  hosts: DbHosts,
  m: Meeting,
  d: Decision,
  reason?: string,
): number {
  const people =
    d === 'pending'
      ? (inv.organisations.get(inv.inventory.network.noc)?.contacts ?? []).flatMap(
          (p) => inv.people.get(p) ?? [],
        )
      : hostPeople(inv, hosts, m.host_org);
  const msg = decisionMessage(m, d, hosts.get(m.host_org)?.name ?? m.host_org, reason);
  const items: OutboxItem[] = [];
  for (const person of people)
    for (const ch of ['email', 'telegram', 'zalo', 'sms'] as const) {
      const addr = outbox.notifier(ch)?.address(person);
      if (addr)
        items.push({
          alertId: null,
          kind: 'digest',
          ...msg,
          payload: { meeting: m.id, decision: d },
          key: `meeting/${m.id}/${d}/${ch}/${person.id}`,
          channel: ch,
          recipient: addr,
          person: person.id,
        });
    }
  return outbox.enqueue(items);
}
