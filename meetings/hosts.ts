// The host catalogue (Điều 2.3): every organisation that may host a meeting — Tỉnh ủy, HĐND tỉnh,
// UBND tỉnh, Đoàn ĐBQH tỉnh, provincial departments (sở, ban, ngành), district hosts (Huyện ủy, UBND
// huyện, thành phố) and central bodies — with its type, its sites, its main site and its contacts.
// Seeded once from the inventory (its host and NOC organisations, and two district hosts per district:
// the Party committee and the People's Committee with the district's hall and communes), then managed
// through the API (api/routes/hosts.ts). A host deleted through the API is not seeded again.
import { z } from 'zod';
import type { LoadedInventory } from '../inventory/load.ts';
import type { Organisation } from '../inventory/schema.ts';
import type { StateDb } from '../storage/state-db.ts';
import { fromZod, invalid, MeetingsError, notFound } from './errors.ts';

export const HOST_TYPES = [
  'tinh_uy',
  'hdnd',
  'ubnd',
  'doan_dbqh',
  'department',
  'district',
  'central',
] as const;
export type HostType = (typeof HOST_TYPES)[number];

export const HOST_TYPE_NAMES: Record<HostType, { vi: string; en: string }> = {
  tinh_uy: { vi: 'Tỉnh ủy', en: 'Provincial Party Committee' },
  hdnd: { vi: 'Hội đồng nhân dân tỉnh', en: "Provincial People's Council" },
  ubnd: { vi: 'Ủy ban nhân dân tỉnh', en: "Provincial People's Committee" },
  doan_dbqh: { vi: 'Đoàn đại biểu Quốc hội tỉnh', en: 'National Assembly delegation' },
  department: { vi: 'Sở, ban, ngành tỉnh', en: 'Provincial department' },
  district: { vi: 'Huyện ủy, UBND huyện, thành phố', en: 'District host' },
  central: { vi: 'Cơ quan Trung ương', en: 'Central body' },
};

const slug = z
  .string()
  .min(2)
  .max(100)
  .regex(
    /^[a-z0-9][a-z0-9-]*$/,
    'cần mã viết thường không dấu, ví dụ "so-y-te" / a lowercase slug such as "so-y-te"',
  );

export const HostContact = z
  .object({
    /** a person of the inventory: their name and channels come from there */
    person: z.string().max(100).optional(),
    name: z.string().trim().min(1).max(200).optional(),
    title: z.string().trim().max(200).optional(),
    email: z.email('cần địa chỉ thư điện tử / must be an e-mail address').optional(),
  })
  .strict()
  .refine((c) => c.person !== undefined || c.name !== undefined, {
    message: 'cần person (người trong danh mục) hoặc name / give person or name',
  });
export type HostContact = z.infer<typeof HostContact>;

const HostFields = {
  name: z.string().trim().min(1, 'cần tên cơ quan / a name is required').max(300),
  name_en: z.string().trim().max(300).optional(),
  type: z.enum(HOST_TYPES),
  /** district hosts: their district (inventory id) */
  district: z.string().max(100).optional(),
  /** the host's own sites; a district host without them gets its district's hall and communes */
  sites: z.array(z.string().max(100)).max(500).optional(),
  /** điểm cầu chính its meetings are run from by default (Điều 2.5); one of its sites when it has any */
  main_site: z.string().max(100).nullable().optional(),
  contacts: z.array(HostContact).max(20).default([]),
};

export const NewHost = z.object({ id: slug, ...HostFields }).strict();
export const HostPatch = z
  .object({
    name: HostFields.name.optional(),
    name_en: HostFields.name_en.nullable(),
    type: HostFields.type.optional(),
    district: HostFields.district.nullable(),
    sites: HostFields.sites,
    main_site: HostFields.main_site,
    contacts: z.array(HostContact).max(20).optional(),
  })
  .strict();

/** A host's recipients: inventory people (every channel they have) and bare e-mail addresses. */
export interface HostRecipients {
  name: string;
  people: string[];
  emails: string[];
}

/** What the audience needs of the catalogue (DbHosts, or a stand-in in tests). */
export interface HostDirectory {
  recipients(id: string): HostRecipients | null;
}

export interface Host {
  id: string;
  name: string;
  name_en: string | null;
  type: HostType;
  district: string | null;
  sites: string[];
  main_site: string | null;
  contacts: HostContact[];
  created_at: number;
  updated_at: number;
}

interface Row {
  id: string;
  name: string;
  name_en: string | null;
  type: string;
  district: string | null;
  sites: string;
  main_site: string | null;
  contacts: string;
  created_at: number;
  updated_at: number;
}

/** The host type an inventory organisation most likely is, from its id and name. */
export function inferType(o: Pick<Organisation, 'id' | 'name' | 'kind'>): HostType {
  const s = `${o.id} ${o.name}`.toLowerCase();
  if (/tinh-uy|tỉnh ủy/.test(s)) return 'tinh_uy';
  if (/hdnd|hđnd|hội đồng nhân dân/.test(s)) return 'hdnd';
  if (/dbqh|đbqh|quốc hội/.test(s)) return 'doan_dbqh';
  if (/ubnd-tinh|ubnd tỉnh|ủy ban nhân dân tỉnh/.test(s)) return 'ubnd';
  if (/trung-uong|trung ương|chinh-phu|chính phủ/.test(s)) return 'central';
  if (o.id.startsWith('huyen') || /huyện/.test(s)) return 'district';
  return 'department';
}

/** Whether the catalogue holds this host (for places that only have the database, e.g. user accounts). */
export function hostExists(db: StateDb, id: string): boolean {
  return db.prepare('SELECT 1 FROM meeting_hosts WHERE id = ?').get(id) !== undefined;
}

export class DbHosts implements HostDirectory {
  constructor(
    private readonly db: StateDb,
    private readonly inv: LoadedInventory,
    private readonly now: () => number = Date.now,
  ) {
    this.seed();
  }

  /** The inventory's host offices and NOC, and per district its Party and People's Committees, once each. */
  private seed(): void {
    const seeded = this.db.prepare('INSERT OR IGNORE INTO meeting_hosts_seeded (source) VALUES (?)');
    const add = (source: string, h: Omit<Host, 'created_at' | 'updated_at'>) => {
      if (seeded.run(source).changes === 0 || this.get(h.id)) return;
      this.insert(h);
    };
    const siteOf = (org: string) => [...this.inv.sites.values()].find((s) => s.host_org === org)?.id;
    const nocSite = [...this.inv.sites.values()].find((s) => s.id === this.inv.inventory.network.noc)?.id;
    this.db.transaction(() => {
      for (const o of this.inv.organisations.values()) {
        if (o.kind !== 'host' && o.kind !== 'noc') continue;
        const site = o.kind === 'noc' ? (nocSite ?? siteOf(o.id)) : siteOf(o.id);
        add(`org:${o.id}`, {
          id: o.id,
          name: o.name,
          name_en: o.name_en ?? null,
          type: inferType(o),
          district: o.district ?? null,
          sites: site ? [site] : [],
          main_site: site ?? null,
          contacts: o.contacts.map((p) => ({ person: p })),
        });
      }
      for (const d of this.inv.districts.values()) {
        const sites = this.districtSites(d.id);
        const hall = this.hall(d.id);
        const city = d.type === 'thành phố';
        const place = `${d.type} ${d.name}`;
        add(`district:${d.id}:ubnd`, {
          id: `ubnd-${d.id}`,
          name: `UBND ${place}`,
          name_en: `${d.name} ${city ? 'City' : 'District'} People's Committee`,
          type: 'district',
          district: d.id,
          sites,
          main_site: hall ?? null,
          contacts: hall ? [{ person: this.inv.sites.get(hall)!.technician }] : [],
        });
        add(`district:${d.id}:uy`, {
          id: `${city ? 'thanh' : 'huyen'}-uy-${d.id}`,
          name: `${city ? 'Thành ủy' : 'Huyện ủy'} ${d.name}`,
          name_en: `${d.name} ${city ? 'City' : 'District'} Party Committee`,
          type: 'district',
          district: d.id,
          sites,
          main_site: hall ?? null,
          contacts: [],
        });
      }
    })();
  }

  /** A district's hall and communes (Điều 2.2.b–c). */
  districtSites(district: string): string[] {
    return [...this.inv.sites.values()]
      .filter((s) => s.district === district && s.tier !== 'province')
      .map((s) => s.id)
      .sort();
  }

  private hall(district: string): string | undefined {
    return [...this.inv.sites.values()].find((s) => s.district === district && s.tier === 'district')?.id;
  }

  list(): Host[] {
    return (this.db.prepare('SELECT * FROM meeting_hosts ORDER BY type, name').all() as Row[]).map(toHost);
  }

  get(id: string): Host | undefined {
    const r = this.db.prepare('SELECT * FROM meeting_hosts WHERE id = ?').get(id) as Row | undefined;
    return r ? toHost(r) : undefined;
  }

  /**
   * Who hears for a host: the catalogue's contacts (people of the inventory, or bare e-mail addresses),
   * else the inventory organisation's; null for a host nobody knows.
   */
  recipients(id: string): HostRecipients | null {
    const h = this.get(id);
    if (h) {
      const people = h.contacts.flatMap((c) => (c.person && this.inv.people.has(c.person) ? [c.person] : []));
      const emails = h.contacts.flatMap((c) => (!c.person && c.email ? [c.email] : []));
      return { name: h.name, people, emails };
    }
    const o = this.inv.organisations.get(id);
    return o ? { name: o.name, people: [...o.contacts], emails: [] } : null;
  }

  require(id: string): Host {
    const h = this.get(id);
    if (!h) throw notFound(`cơ quan chủ trì "${id}"`);
    return h;
  }

  create(input: unknown): Host {
    const parsed = NewHost.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error);
    const b = parsed.data;
    if (this.get(b.id))
      throw new MeetingsError(409, 'conflict', `Đã có cơ quan chủ trì "${b.id}" / Host "${b.id}" exists`);
    const h = this.complete({
      id: b.id,
      name: b.name,
      name_en: b.name_en ?? null,
      type: b.type,
      district: b.district ?? null,
      sites: b.sites,
      main_site: b.main_site,
      contacts: b.contacts,
    });
    this.insert(h);
    return this.require(h.id);
  }

  update(id: string, input: unknown): { before: Host; after: Host } {
    const before = this.require(id);
    const parsed = HostPatch.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error);
    const p = parsed.data;
    const type = p.type ?? before.type;
    const district = p.district !== undefined ? p.district : before.district;
    const h = this.complete({
      id,
      name: p.name ?? before.name,
      name_en: p.name_en !== undefined ? p.name_en : before.name_en,
      type,
      district,
      // a district host moved to another district gets that district's sites unless told otherwise
      sites: p.sites ?? (district !== before.district ? undefined : before.sites),
      main_site: p.main_site !== undefined ? p.main_site : p.sites ? undefined : before.main_site,
      contacts: p.contacts ?? before.contacts,
    });
    this.db
      .prepare(
        `UPDATE meeting_hosts SET name = ?, name_en = ?, type = ?, district = ?, sites = ?, main_site = ?,
           contacts = ?, updated_at = ? WHERE id = ?`,
      )
      .run(
        h.name,
        h.name_en,
        h.type,
        h.district,
        JSON.stringify(h.sites),
        h.main_site,
        JSON.stringify(h.contacts),
        this.now(),
        id,
      );
    return { before, after: this.require(id) };
  }

  /** Deletes a host that has no meetings (the meetings of one that has keep naming it: 409). */
  delete(id: string): Host {
    const h = this.require(id);
    const n = (
      this.db.prepare('SELECT count(*) AS n FROM meetings WHERE host_org = ?').get(id) as { n: number }
    ).n;
    if (n > 0)
      throw new MeetingsError(
        409,
        'conflict',
        `"${h.name}" đã chủ trì ${n} cuộc họp, không xóa được (hồ sơ cuộc họp cần tên cơ quan) / the host has ${n} meeting(s) and cannot be deleted`,
      );
    this.db.prepare('DELETE FROM meeting_hosts WHERE id = ?').run(id);
    return h;
  }

  /** The checks across references, and the defaults: a district host's sites, the main site. */
  private complete(
    h: Omit<Host, 'created_at' | 'updated_at' | 'sites' | 'main_site'> & {
      sites: string[] | undefined;
      main_site: string | null | undefined;
    },
  ): Omit<Host, 'created_at' | 'updated_at'> {
    const issues: { path: string; message: string }[] = [];
    if (h.type === 'district' && !h.district)
      issues.push({
        path: 'body.district',
        message: 'cơ quan cấp huyện cần huyện (district) / a district host needs its district',
      });
    if (h.district && !this.inv.districts.has(h.district))
      issues.push({
        path: 'body.district',
        message: `huyện "${h.district}" không có trong danh mục / unknown district`,
      });
    const sites = h.sites ?? (h.type === 'district' && h.district ? this.districtSites(h.district) : []);
    sites.forEach((s, i) => {
      if (!this.inv.sites.has(s))
        issues.push({
          path: `body.sites.${i}`,
          message: `điểm cầu "${s}" không có trong danh mục / unknown site`,
        });
    });
    const main =
      h.main_site === undefined
        ? ((h.type === 'district' && h.district ? this.hall(h.district) : undefined) ?? sites[0] ?? null)
        : h.main_site;
    if (main !== null && !this.inv.sites.has(main))
      issues.push({
        path: 'body.main_site',
        message: `điểm cầu "${main}" không có trong danh mục / unknown site`,
      });
    else if (main !== null && sites.length > 0 && !sites.includes(main))
      issues.push({
        path: 'body.main_site',
        message: 'điểm cầu chính phải là một điểm cầu của cơ quan / the main site must be one of its sites',
      });
    h.contacts.forEach((c, i) => {
      if (c.person !== undefined && !this.inv.people.has(c.person))
        issues.push({
          path: `body.contacts.${i}.person`,
          message: `người "${c.person}" không có trong danh mục / unknown person`,
        });
    });
    if (issues.length) throw invalid(issues);
    return { ...h, sites: [...new Set(sites)].sort(), main_site: main };
  }

  private insert(h: Omit<Host, 'created_at' | 'updated_at'>): void {
    const now = this.now();
    this.db
      .prepare(
        `INSERT INTO meeting_hosts (id, name, name_en, type, district, sites, main_site, contacts, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        h.id,
        h.name,
        h.name_en,
        h.type,
        h.district,
        JSON.stringify(h.sites),
        h.main_site,
        JSON.stringify(h.contacts),
        now,
        now,
      );
  }
}

function toHost(r: Row): Host {
  return {
    id: r.id,
    name: r.name,
    name_en: r.name_en,
    type: r.type as HostType,
    district: r.district,
    sites: JSON.parse(r.sites) as string[],
    main_site: r.main_site,
    contacts: JSON.parse(r.contacts) as HostContact[],
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}
