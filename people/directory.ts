// The live directory of people (issue 17): people, site technicians with their history, trainings, the
// per-site technicians of carriers and power organisations, and their duty rosters, in the state DB.
// The inventory file is the seed: at start every person and site technician of the file is copied in
// (a copy nobody edited follows the file; an edited one wins), and the DB's people and technicians are
// written into the loaded inventory's maps, so every reader (paging, messages, notices) sees the edits
// without a change of its own. One directory per state database (directoryFor).
import type { LoadedInventory } from '../inventory/load.ts';
import type { Person, SecretRef, Site } from '../inventory/schema.ts';
import type { StateDb } from '../storage/state-db.ts';
import type { NewPerson, NewTraining, PersonPatch, Replacement, RosterInput } from './input.ts';
import { type Mailer, technicianNotice } from './notice.ts';
import { ROSTER_KINDS, serves } from './roster.ts';

/** A refused change: status, code and a Vietnamese / English reason (the API answers it as is). */
export class PeopleError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

const SEEDER = 'inventory';
const SEED_REASON = 'Theo tệp danh mục / from the inventory file';

interface PersonRow {
  id: string;
  name: string;
  title: string | null;
  org: string | null;
  email: string | null;
  phone: string | null;
  phone_ref: string | null;
  telegram: string | null;
  zalo: string | null;
  created_at: number;
  created_by: string;
  edited_at: number | null;
  edited_by: string | null;
}

export interface PersonRecord {
  id: string;
  name: string;
  title: string | null;
  org: string | null;
  email: string | null;
  /** a plain number; null when none or kept as a secret reference (phone_secret) */
  phone: string | null;
  phone_secret: SecretRef | null;
  telegram: SecretRef | null;
  zalo: SecretRef | null;
  /** the sites whose technician this person is now */
  sites: string[];
  /** from the inventory file and never edited */
  from_inventory: boolean;
  edited_at: number | null;
  edited_by: string | null;
}

export interface TechnicianRow {
  id: number;
  site: string;
  person: string;
  valid_from: number;
  valid_to: number | null;
  reason: string;
  by: string;
  at: number;
}

export interface TrainingRow {
  id: number;
  person: string;
  course: string;
  date: string;
  provider: string | null;
  notes: string | null;
  by: string;
  at: number;
}

export interface OrgTechnicianRow {
  org: string;
  site: string;
  person: string;
  by: string;
  at: number;
}

export interface RosterRow {
  id: number;
  org: string;
  date: string;
  person: string;
  /** null: every site of the organisation */
  sites: string[] | null;
  by: string;
  at: number;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
const parse = <T>(v: string | null): T | null => (v === null ? null : (JSON.parse(v) as T));

export interface DirectoryOptions {
  now?: () => number;
  /** how the replacement notice reaches Sở TT&TT (none: not sent) */
  mailer?: Mailer | null;
}

const byDb = new WeakMap<StateDb, PeopleDirectory>();

/** The directory of this state database, created (seeded, applied to `inv`) on first use. */
export function directoryFor(db: StateDb, inv: LoadedInventory, o: DirectoryOptions = {}): PeopleDirectory {
  let d = byDb.get(db);
  if (!d || d.inv !== inv) {
    d = new PeopleDirectory(db, inv, o);
    byDb.set(db, d);
  } else {
    if (o.mailer !== undefined) d.mailer = o.mailer;
    if (o.now) d.now = o.now;
  }
  return d;
}

export class PeopleDirectory {
  mailer: Mailer | null;
  now: () => number;
  /** people the inventory file no longer has and nobody edited: kept for the history, not listed */
  private readonly gone = new Set<string>();

  constructor(
    private readonly db: StateDb,
    readonly inv: LoadedInventory,
    o: DirectoryOptions = {},
  ) {
    this.now = o.now ?? Date.now;
    this.mailer = o.mailer ?? null;
    this.seed();
    this.apply();
  }

  // ------------------------------------------------------------------ seed and apply

  /** Copies the inventory's people and technicians in; copies nobody edited follow the file. */
  private seed(): void {
    const at = this.now();
    const get = this.db.prepare('SELECT edited_at FROM people WHERE id = ?');
    const insert = this.db.prepare(
      `INSERT INTO people (id, name, title, org, email, phone, phone_ref, telegram, zalo, created_at, created_by)
       VALUES (@id, @name, @title, @org, @email, @phone, @phone_ref, @telegram, @zalo, @at, '${SEEDER}')`,
    );
    const refresh = this.db.prepare(
      `UPDATE people SET name = @name, title = @title, org = @org, email = @email, phone = @phone,
       phone_ref = @phone_ref, telegram = @telegram, zalo = @zalo WHERE id = @id AND edited_at IS NULL`,
    );
    const current = this.db.prepare('SELECT * FROM site_technicians WHERE site = ? AND valid_to IS NULL');
    this.db.transaction(() => {
      for (const p of this.inv.inventory.people) {
        const c = p.channels;
        const row = {
          id: p.id,
          name: p.name,
          title: p.title ?? null,
          org: p.org ?? null,
          email: c.email ?? null,
          phone: typeof c.phone === 'string' ? c.phone : null,
          phone_ref: c.phone && typeof c.phone !== 'string' ? json(c.phone) : null,
          telegram: json(c.telegram),
          zalo: json(c.zalo),
          at,
        };
        if (get.get(p.id) === undefined) insert.run(row);
        else refresh.run(row);
      }
      for (const s of this.inv.inventory.sites) {
        const cur = current.get(s.id) as TechnicianRow | undefined;
        if (cur && (cur.by !== SEEDER || cur.person === s.technician)) continue;
        if (cur) this.db.prepare('UPDATE site_technicians SET valid_to = ? WHERE id = ?').run(at, cur.id);
        this.db
          .prepare(
            'INSERT INTO site_technicians (site, person, valid_from, reason, by, at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(s.id, s.technician, at, SEED_REASON, SEEDER, at);
      }
    })();
  }

  private toPerson(r: PersonRow): Person {
    const phone = r.phone ?? parse<SecretRef>(r.phone_ref);
    const telegram = parse<SecretRef>(r.telegram);
    const zalo = parse<SecretRef>(r.zalo);
    return {
      id: r.id,
      name: r.name,
      ...(r.title !== null && { title: r.title }),
      ...(r.org !== null && { org: r.org }),
      channels: {
        ...(r.email !== null && { email: r.email }),
        ...(phone !== null && { phone }),
        ...(telegram && { telegram }),
        ...(zalo && { zalo }),
      },
    };
  }

  /** Writes one person of the DB into the loaded inventory (the same object, so every holder sees it). */
  private applyPerson(r: PersonRow): void {
    const next = this.toPerson(r);
    const held = this.inv.people.get(r.id);
    if (held) {
      for (const k of Object.keys(held) as (keyof Person)[]) delete held[k];
      Object.assign(held, next);
    } else {
      this.inv.inventory.people.push(next);
      this.inv.people.set(next.id, next);
    }
  }

  /**
   * Reads the people and the sites' technicians again from the state database into the loaded
   * inventory: the edits replicated from the other server (two servers, bus/standby.ts), so the engine
   * pages whom the active server's edits name.
   */
  reload(): void {
    this.apply();
  }

  private apply(): void {
    const rows = this.db
      .prepare('SELECT site, person FROM site_technicians WHERE valid_to IS NULL')
      .all() as { site: string; person: string }[];
    const serving = new Set(rows.map((r) => r.person));
    const inFile = new Set(this.inv.people.keys());
    for (const r of this.db.prepare('SELECT * FROM people ORDER BY rowid').all() as PersonRow[]) {
      // taken out of the file, never edited, serving no site: gone (the row stays for the history)
      if (r.created_by === SEEDER && r.edited_at === null && !inFile.has(r.id) && !serving.has(r.id))
        this.gone.add(r.id);
      else this.applyPerson(r);
    }
    for (const r of rows) {
      const s = this.inv.sites.get(r.site);
      if (s) s.technician = r.person;
    }
  }

  // ------------------------------------------------------------------ lookups

  private site(id: string, path = 'path.id'): Site {
    const s = this.inv.sites.get(id);
    if (!s)
      throw new PeopleError(404, 'not_found', `Không có điểm cầu "${id}" / Unknown site "${id}"`, [
        { path, message: `không có điểm cầu "${id}" / unknown site` },
      ]);
    return s;
  }

  private personRow(id: string, path = 'path.id', status: 400 | 404 = 404): PersonRow {
    const r = this.db.prepare('SELECT * FROM people WHERE id = ?').get(id) as PersonRow | undefined;
    if (!r)
      throw new PeopleError(
        status,
        status === 404 ? 'not_found' : 'invalid_request',
        `Không có người "${id}" trong danh bạ / Unknown person "${id}"`,
        [{ path, message: `không có người "${id}" / unknown person` }],
      );
    return r;
  }

  private checkOrg(id: string, path: string, kinds?: readonly string[]) {
    const o = this.inv.organisations.get(id);
    if (!o)
      throw new PeopleError(
        400,
        'invalid_request',
        `Không có tổ chức "${id}" / Unknown organisation "${id}"`,
        [{ path, message: `không có tổ chức "${id}" / unknown organisation` }],
      );
    if (kinds && !kinds.includes(o.kind))
      throw new PeopleError(
        400,
        'invalid_request',
        `Tổ chức "${id}" không phải nhà mạng hay điện lực / "${id}" is a ${o.kind}, not a carrier or power organisation`,
        [{ path, message: 'cần nhà mạng hoặc điện lực / a carrier or power organisation' }],
      );
    return o;
  }

  /** person → the sites they serve now (all people, or one) */
  private serving(person?: string): Map<string, string[]> {
    const rows = this.db
      .prepare(
        `SELECT person, site FROM site_technicians WHERE valid_to IS NULL ${person ? 'AND person = ?' : ''} ORDER BY site`,
      )
      .all(...(person ? [person] : [])) as { person: string; site: string }[];
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.person, [...(out.get(r.person) ?? []), r.site]);
    return out;
  }

  private record(r: PersonRow, serving = this.serving(r.id)): PersonRecord {
    const sites = serving.get(r.id) ?? [];
    return {
      id: r.id,
      name: r.name,
      title: r.title,
      org: r.org,
      email: r.email,
      phone: r.phone,
      phone_secret: parse<SecretRef>(r.phone_ref),
      telegram: parse<SecretRef>(r.telegram),
      zalo: parse<SecretRef>(r.zalo),
      sites,
      from_inventory: r.edited_at === null && r.created_by === SEEDER,
      edited_at: r.edited_at,
      edited_by: r.edited_by,
    };
  }

  // ------------------------------------------------------------------ people

  people(): PersonRecord[] {
    const serving = this.serving();
    return (this.db.prepare('SELECT * FROM people ORDER BY org, name, id').all() as PersonRow[])
      .filter((r) => !this.gone.has(r.id))
      .map((r) => this.record(r, serving));
  }

  person(id: string): PersonRecord {
    return this.record(this.personRow(id));
  }

  createPerson(p: NewPerson, by: string): PersonRecord {
    if (this.db.prepare('SELECT 1 FROM people WHERE id = ?').get(p.id) !== undefined)
      throw new PeopleError(409, 'exists', `Đã có người mã "${p.id}" / A person "${p.id}" already exists`, [
        { path: 'body.id', message: 'mã đã dùng / id taken' },
      ]);
    if (p.org !== undefined) this.checkOrg(p.org, 'body.org');
    const at = this.now();
    this.db
      .prepare(
        `INSERT INTO people (id, name, title, org, email, phone, created_at, created_by, edited_at, edited_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(p.id, p.name, p.title ?? null, p.org ?? null, p.email ?? null, p.phone ?? null, at, by, at, by);
    const row = this.personRow(p.id);
    this.applyPerson(row);
    return this.record(row);
  }

  updatePerson(id: string, patch: PersonPatch, by: string): { before: PersonRecord; after: PersonRecord } {
    const row = this.personRow(id);
    const before = this.record(row);
    if (patch.org) this.checkOrg(patch.org, 'body.org');
    const next: PersonRow = {
      ...row,
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.title !== undefined && { title: patch.title }),
      ...(patch.org !== undefined && { org: patch.org }),
      ...(patch.email !== undefined && { email: patch.email }),
      // a number written here replaces the inventory's reference to one
      ...(patch.phone !== undefined && { phone: patch.phone, phone_ref: null }),
      edited_at: this.now(),
      edited_by: by,
    };
    this.db
      .prepare(
        `UPDATE people SET name = @name, title = @title, org = @org, email = @email, phone = @phone,
         phone_ref = @phone_ref, edited_at = @edited_at, edited_by = @edited_by WHERE id = @id`,
      )
      .run(next);
    this.applyPerson(next);
    return { before, after: this.record(next) };
  }

  // ------------------------------------------------------------------ site technicians

  technicians(siteId: string): { site: string; current: TechnicianRow | null; history: TechnicianRow[] } {
    this.site(siteId);
    const history = this.db
      .prepare('SELECT * FROM site_technicians WHERE site = ? ORDER BY valid_from DESC, id DESC')
      .all(siteId) as TechnicianRow[];
    return { site: siteId, current: history.find((r) => r.valid_to === null) ?? null, history };
  }

  /** Every replacement (not the inventory's seed rows) that took effect in [from, to), with who it replaced. */
  changes(from: number, to: number): (TechnicianRow & { previous: string | null })[] {
    return this.db
      .prepare(
        `SELECT t.*, (SELECT p.person FROM site_technicians p WHERE p.site = t.site AND p.id != t.id
           AND p.valid_to = t.valid_from ORDER BY p.id DESC LIMIT 1) AS previous
         FROM site_technicians t WHERE t.by != '${SEEDER}' AND t.valid_from >= ? AND t.valid_from < ?
         ORDER BY t.valid_from, t.id`,
      )
      .all(from, to) as (TechnicianRow & { previous: string | null })[];
  }

  /**
   * A new technician for a site from `from` (default now; never in the future, never before the
   * current one started): the current row is closed, the new one opened, the loaded inventory
   * follows, and Sở TT&TT's contacts are e-mailed.
   */
  replaceTechnician(
    siteId: string,
    r: Omit<Replacement, 'from'> & { from?: number | undefined },
    by: string,
  ): { previous: TechnicianRow | null; current: TechnicianRow; notified: number } {
    const site = this.site(siteId);
    const person = this.personRow(r.person, 'body.person', 400);
    const at = this.now();
    const from = r.from ?? at;
    const { current: prev } = this.technicians(siteId);
    if (prev?.person === person.id)
      throw new PeopleError(
        409,
        'unchanged',
        `${person.name} đã là cán bộ kỹ thuật của điểm cầu này / ${person.id} is already this site's technician`,
        [{ path: 'body.person', message: 'không thay đổi / no change' }],
      );
    if (from > at + 60_000)
      throw new PeopleError(
        400,
        'invalid_request',
        'Thời điểm thay không được ở tương lai: ghi lại khi đã thay / The replacement cannot start in the future: record it when it happens',
        [{ path: 'body.from', message: 'ở tương lai / in the future' }],
      );
    if (prev && from < prev.valid_from)
      throw new PeopleError(
        400,
        'invalid_request',
        'Thời điểm thay sớm hơn lúc cán bộ hiện tại bắt đầu / The replacement starts before the current technician did',
        [{ path: 'body.from', message: 'trước lần thay trước / before the previous change' }],
      );
    let id = 0;
    this.db.transaction(() => {
      if (prev) this.db.prepare('UPDATE site_technicians SET valid_to = ? WHERE id = ?').run(from, prev.id);
      id = Number(
        this.db
          .prepare(
            'INSERT INTO site_technicians (site, person, valid_from, reason, by, at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(siteId, person.id, from, r.reason, by, at).lastInsertRowid,
      );
    })();
    site.technician = person.id;
    const current = this.db.prepare('SELECT * FROM site_technicians WHERE id = ?').get(id) as TechnicianRow;
    const previous = prev ? { ...prev, valid_to: from } : null;
    return { previous, current, notified: this.notify(site, previous, current) };
  }

  private notify(site: Site, prev: TechnicianRow | null, cur: TechnicianRow): number {
    if (!this.mailer) return 0;
    const noc = this.inv.organisations.get(this.inv.inventory.network.noc);
    const to = noc?.contacts ?? [];
    if (to.length === 0) return 0;
    const p = this.inv.people.get(cur.person)!;
    const old = prev ? this.inv.people.get(prev.person) : undefined;
    const org = p.org ? this.inv.organisations.get(p.org)?.name : undefined;
    const m = technicianNotice({
      site: { id: site.id, name: site.name },
      previous: prev ? { id: prev.person, name: old?.name ?? prev.person } : null,
      next: { id: p.id, name: p.name, title: p.title, org },
      reason: cur.reason,
      from: cur.valid_from,
      by: cur.by,
      at: cur.at,
      trainings: this.trainings(cur.person),
    });
    return this.mailer.mail({ key: `technician.${site.id}.${cur.id}`, to: [...new Set(to)], ...m });
  }

  // ------------------------------------------------------------------ trainings

  trainings(person: string): TrainingRow[] {
    this.personRow(person);
    return this.db
      .prepare('SELECT * FROM person_trainings WHERE person = ? ORDER BY date DESC, id DESC')
      .all(person) as TrainingRow[];
  }

  /** Trainings held in [fromDate, toDate) (yyyy-mm-dd). */
  trainingsBetween(fromDate: string, toDate: string): TrainingRow[] {
    return this.db
      .prepare('SELECT * FROM person_trainings WHERE date >= ? AND date < ? ORDER BY date, id')
      .all(fromDate, toDate) as TrainingRow[];
  }

  addTraining(person: string, t: NewTraining, by: string): TrainingRow {
    this.personRow(person);
    const id = this.db
      .prepare(
        'INSERT INTO person_trainings (person, course, date, provider, notes, by, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(person, t.course, t.date, t.provider ?? null, t.notes ?? null, by, this.now()).lastInsertRowid;
    return this.db.prepare('SELECT * FROM person_trainings WHERE id = ?').get(id) as TrainingRow;
  }

  // ------------------------------------------------------------------ per-site technicians of carriers and power

  private checkServes(orgId: string, siteIds: readonly string[], path: string) {
    const org = this.checkOrg(orgId, path === 'path.site' ? 'path.org' : 'body.org', ROSTER_KINDS);
    siteIds.forEach((id, i) => {
      const p = path === 'path.site' ? path : `${path}.${i}`;
      const s = this.site(id, p);
      if (!serves(this.inv, org, s))
        throw new PeopleError(
          400,
          'invalid_request',
          `${org.name} không phục vụ điểm cầu "${id}" / ${org.id} does not serve site "${id}"`,
          [{ path: p, message: 'tổ chức không phục vụ điểm cầu này / not served by this organisation' }],
        );
    });
    return org;
  }

  orgTechnicians(org?: string): OrgTechnicianRow[] {
    return (
      org === undefined
        ? this.db.prepare('SELECT * FROM org_site_technicians ORDER BY org, site').all()
        : this.db.prepare('SELECT * FROM org_site_technicians WHERE org = ? ORDER BY site').all(org)
    ) as OrgTechnicianRow[];
  }

  setOrgTechnician(
    org: string,
    site: string,
    person: string,
    by: string,
  ): { before: OrgTechnicianRow | null; after: OrgTechnicianRow } {
    this.checkServes(org, [site], 'path.site');
    this.personRow(person, 'body.person', 400);
    const get = () =>
      (this.db.prepare('SELECT * FROM org_site_technicians WHERE org = ? AND site = ?').get(org, site) as
        | OrgTechnicianRow
        | undefined) ?? null;
    const before = get();
    this.db
      .prepare(
        `INSERT INTO org_site_technicians (org, site, person, by, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (org, site) DO UPDATE SET person = excluded.person, by = excluded.by, at = excluded.at`,
      )
      .run(org, site, person, by, this.now());
    return { before, after: get()! };
  }

  deleteOrgTechnician(org: string, site: string): OrgTechnicianRow {
    const row = this.db
      .prepare('SELECT * FROM org_site_technicians WHERE org = ? AND site = ?')
      .get(org, site) as OrgTechnicianRow | undefined;
    if (!row)
      throw new PeopleError(
        404,
        'not_found',
        `${org} chưa có cán bộ kỹ thuật cho điểm cầu "${site}" / No technician of ${org} at site "${site}"`,
      );
    this.db.prepare('DELETE FROM org_site_technicians WHERE org = ? AND site = ?').run(org, site);
    return row;
  }

  // ------------------------------------------------------------------ duty roster

  private rosterRow(r: Omit<RosterRow, 'sites'> & { sites: string | null }): RosterRow {
    return { ...r, sites: parse<string[]>(r.sites) };
  }

  /** Roster entries for days in [from, to] (yyyy-mm-dd), optionally one organisation's. */
  roster(from: string, to: string, org?: string): RosterRow[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM duty_roster WHERE date >= ? AND date <= ? ${org ? 'AND org = ?' : ''} ORDER BY date, org, id`,
      )
      .all(...(org ? [from, to, org] : [from, to])) as (Omit<RosterRow, 'sites'> & {
      sites: string | null;
    })[];
    return rows.map((r) => this.rosterRow(r));
  }

  putRoster(e: RosterInput, by: string): { before: RosterRow | null; after: RosterRow } {
    const sites = e.sites ? [...new Set(e.sites)] : null;
    this.checkServes(e.org, sites ?? [], 'body.sites');
    this.personRow(e.person, 'body.person', 400);
    const get = () => {
      const r = this.db
        .prepare('SELECT * FROM duty_roster WHERE org = ? AND date = ? AND person = ?')
        .get(e.org, e.date, e.person) as (Omit<RosterRow, 'sites'> & { sites: string | null }) | undefined;
      return r ? this.rosterRow(r) : null;
    };
    const before = get();
    this.db
      .prepare(
        `INSERT INTO duty_roster (org, date, person, sites, by, at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (org, date, person) DO UPDATE SET sites = excluded.sites, by = excluded.by, at = excluded.at`,
      )
      .run(e.org, e.date, e.person, json(sites), by, this.now());
    return { before, after: get()! };
  }

  deleteRoster(id: number): RosterRow {
    const r = this.db.prepare('SELECT * FROM duty_roster WHERE id = ?').get(id) as
      | (Omit<RosterRow, 'sites'> & { sites: string | null })
      | undefined;
    if (!r) throw new PeopleError(404, 'not_found', `Không có ca trực số ${id} / No roster entry ${id}`);
    this.db.prepare('DELETE FROM duty_roster WHERE id = ?').run(id);
    return this.rosterRow(r);
  }
}
