// The people directory's mail (a technician replaced: Sở TT&TT told) through the durable outbox, by
// e-mail to each person the inventory gives an address.
import type { LoadedInventory } from '../inventory/load.ts';
import type { Mailer } from '../people/notice.ts';
import type { Outbox, OutboxItem } from './outbox.ts';

export function outboxMailer(outbox: Outbox, inv: LoadedInventory): Mailer {
  return {
    mail(m) {
      const email = outbox.notifier('email');
      if (!email) return 0;
      const items: OutboxItem[] = [];
      for (const id of m.to) {
        const p = inv.people.get(id);
        const addr = p && email.address(p);
        if (!addr) continue;
        items.push({
          key: `${m.key}/email/${id}`,
          channel: 'email',
          recipient: addr,
          person: id,
          alertId: null,
          kind: 'digest',
          subject: m.subject,
          body: m.text,
          short: m.short,
          payload: { notice: m.key },
        });
      }
      return items.length > 0 ? outbox.enqueue(items) : 0;
    },
  };
}
