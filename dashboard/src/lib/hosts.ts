// The host catalogue's contacts as the hosts page edits them: one a line, "Họ tên, thư điện tử" for a
// person outside the inventory, "@id" for a person of the inventory (their channels come from there).
import type { Host } from './meetings.ts';

export type HostContact = Host['contacts'][number];

/** The contacts as lines to edit. */
export function formatContacts(contacts: readonly HostContact[]): string {
  return contacts
    .map((c) => (c.person ? `@${c.person}` : [c.name ?? '', c.email ?? ''].filter(Boolean).join(', ')))
    .join('\n');
}

/** Lines back to contacts; empty lines are dropped. The API checks the e-mail addresses and persons. */
export function parseContacts(text: string): HostContact[] {
  const out: HostContact[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('@')) {
      out.push({ person: line.slice(1).trim() });
      continue;
    }
    const comma = line.lastIndexOf(',');
    const tail = comma >= 0 ? line.slice(comma + 1).trim() : '';
    if (tail.includes('@')) out.push({ name: line.slice(0, comma).trim(), email: tail });
    else out.push({ name: line });
  }
  return out;
}
