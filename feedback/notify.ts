// The NOC's answer to the one who filed it (Điều 15.2): an e-mail through the durable outbox, to the
// host office's contacts (host catalogue, else its inventory organisation) or to the filer's own
// person in the inventory (a technician without one: the site's technician).
import type { Outbox, OutboxItem } from '../alerts/outbox.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import { hostPeople } from '../meetings/decisions.ts';
import type { DbHosts } from '../meetings/hosts.ts';
import { viDateTime } from '../meetings/time.ts';
import type { Feedback } from './store.ts';
import { FEEDBACK_CATEGORY_NAMES, FEEDBACK_KIND_NAMES } from './vocabulary.ts';

export interface Recipient {
  address: string;
  /** the inventory person, when the address is one's */
  person: string | null;
  name: string;
}

/** Who is told of the answer, by e-mail address (none: nobody has one). */
export function answerRecipients(inv: LoadedInventory, hosts: DbHosts, f: Feedback): Recipient[] {
  const people =
    f.org !== null
      ? hostPeople(inv, hosts, f.org)
      : [
          inv.people.get(f.filed_by) ??
            (f.site ? inv.people.get(inv.sites.get(f.site)?.technician ?? '') : undefined),
        ].filter((p) => p !== undefined);
  const out: Recipient[] = [];
  for (const p of people) {
    const address = p.channels.email;
    if (address && !out.some((r) => r.address === address))
      out.push({ address, person: inv.people.has(p.id) ? p.id : null, name: p.name });
  }
  return out;
}

export function answerMessage(
  inv: LoadedInventory,
  f: Feedback,
): { subject: string; body: string; short: string } {
  const site = f.site ? (inv.sites.get(f.site)?.name ?? f.site) : null;
  const kind = FEEDBACK_KIND_NAMES[f.kind];
  const cat = FEEDBACK_CATEGORY_NAMES[f.category];
  const body = [
    `Trung tâm giám sát đã trả lời ý kiến số ${f.id} (${kind.vi.toLowerCase()}, lĩnh vực ${cat.vi.toLowerCase()}) gửi lúc ${viDateTime(f.filed_at)}${site ? `, điểm cầu ${site}` : ''}.`,
    '',
    'Nội dung ý kiến:',
    f.text,
    '',
    `Trả lời (${viDateTime(f.answered_at ?? f.filed_at)}):`,
    f.answer ?? '',
    '',
    '---',
    `The NOC answered feedback no. ${f.id} (${kind.en.toLowerCase()}, ${cat.en.toLowerCase()})${f.site ? ` about ${site}` : ''}. Answer above.`,
  ].join('\n');
  return {
    subject: `[diemcau] Trả lời ý kiến số ${f.id}: ${kind.vi} — ${cat.vi}`,
    body,
    short: `Tra loi y kien so ${f.id}`,
  };
}

/** Queues the answer's e-mails; returns the addresses queued (none without e-mail configured). */
export function enqueueAnswer(box: Outbox, inv: LoadedInventory, f: Feedback, to: Recipient[]): string[] {
  if (!box.has('email') || to.length === 0) return [];
  const msg = answerMessage(inv, f);
  const items: OutboxItem[] = to.map((r) => ({
    key: `feedback/${f.id}/answer/${f.answered_at}/email/${r.address}`,
    channel: 'email',
    recipient: r.address,
    person: r.person,
    alertId: null,
    kind: 'digest',
    ...msg,
    payload: { feedback: f.id },
  }));
  box.enqueue(items);
  return to.map((r) => r.address);
}
