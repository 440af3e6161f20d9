// Who must prepare for a meeting (Điều 7.1.a, 13.4.c, 14): each site's technician, the carrier on call
// for each site's link, the power organisation each site names (its district's Điện lực branch), the
// MCU team, the host office and the NOC — each with the sites that concern it. Owners come from the
// alert routing (alerts/topology.ts siteOwner), so a notice goes where a fault of that cause would.
import { siteOwner } from '../alerts/topology.ts';
import type { LoadedInventory } from '../inventory/load.ts';
import type { HostDirectory } from './hosts.ts';
import type { Meeting } from './store.ts';

export const ROLES = ['technician', 'carrier', 'power', 'mcu', 'host', 'noc'] as const;
export type AudienceRole = (typeof ROLES)[number];

export interface Party {
  /** "person:<id>" for a technician, "org:<id>" for an organisation */
  key: string;
  /** what it does for the meeting; an organisation can be both host and NOC */
  roles: AudienceRole[];
  /** the organisation, or null for a technician */
  org: string | null;
  /** the people who receive its messages: the technician, or the organisation's contacts */
  people: string[];
  /** bare e-mail addresses of a catalogue host's contacts who are not people of the inventory */
  emails?: string[];
  /** its name, for an organisation the inventory does not have (a host of the catalogue) */
  name?: string;
  /** the meeting's sites that concern it, sorted */
  sites: string[];
}

/** Only the NOC, admins and the host office read a restricted meeting's title (Điều 14.1.g). */
export function seesTitle(p: Pick<Party, 'roles'>): boolean {
  return p.roles.includes('host') || p.roles.includes('noc');
}

/** Every party concerned by the meeting's sites, by key. */
export function audience(
  inv: LoadedInventory,
  m: Pick<Meeting, 'sites' | 'host_org'>,
  hosts?: HostDirectory,
): Map<string, Party> {
  const out = new Map<string, Party>();
  const add = (key: string, role: AudienceRole, org: string | null, people: string[], sites: string[]) => {
    let p = out.get(key);
    if (!p) {
      p = { key, roles: [], org, people, sites: [] };
      out.set(key, p);
    }
    if (!p.roles.includes(role)) p.roles.push(role);
    for (const s of sites) if (!p.sites.includes(s)) p.sites.push(s);
  };
  const addOrg = (id: string | null, role: AudienceRole, sites: string[]) => {
    const org = id ? inv.organisations.get(id) : undefined;
    if (org) add(`org:${org.id}`, role, org.id, org.contacts, sites);
  };
  for (const id of m.sites) {
    const site = inv.sites.get(id);
    if (!site) continue;
    const tech = siteOwner(inv, site, 'equipment').owner_person;
    if (tech && inv.people.has(tech)) add(`person:${tech}`, 'technician', null, [tech], [id]);
    addOrg(siteOwner(inv, site, 'link').owner_org, 'carrier', [id]);
    addOrg(siteOwner(inv, site, 'power').owner_org, 'power', [id]);
    addOrg(siteOwner(inv, site, 'mcu').owner_org, 'mcu', [id]);
  }
  // the host as the catalogue knows it (its contacts may have been changed there, or it is not in the
  // inventory at all: a department or a central body added through the API)
  const host = hosts?.recipients(m.host_org);
  if (host) {
    add(`org:${m.host_org}`, 'host', m.host_org, host.people, m.sites);
    const p = out.get(`org:${m.host_org}`)!;
    if (!inv.organisations.has(m.host_org)) p.name = host.name;
    if (host.emails.length) p.emails = [...new Set([...(p.emails ?? []), ...host.emails])];
  } else addOrg(m.host_org, 'host', m.sites);
  addOrg(inv.inventory.network.noc, 'noc', m.sites);
  for (const p of out.values()) p.sites.sort();
  return out;
}
