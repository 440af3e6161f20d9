// The equipment register's tables (storage/migrations/042-assets.sql): the identity the collector last
// read per device, the history of its changes, and the fields entered by hand.
import {
  IDENTITY_FIELDS,
  type Identity,
  type IdentityChangeKind,
  type IdentityField,
  identityChanges,
} from '../core/identity.ts';
import type { StateDb } from '../storage/state-db.ts';

export interface StoredIdentity extends Identity {
  device: string;
  first_seen: number;
  last_seen: number;
  problem: string | null;
  problem_at: number | null;
}

export interface IdentityChange {
  id: number;
  device: string;
  at: number;
  field: IdentityField;
  kind: IdentityChangeKind;
  before: string;
  after: string;
}

export interface AssetDetails {
  device: string;
  /** YYYY-MM-DD */
  install_date: string | null;
  warranty_end: string | null;
  supplier: string | null;
  /** đồng */
  purchase_price: number | null;
  notes: string | null;
  updated_at: number;
  updated_by: string;
}

export type DetailsPatch = Partial<
  Pick<AssetDetails, 'install_date' | 'warranty_end' | 'supplier' | 'purchase_price' | 'notes'>
>;

type Row = Record<string, unknown>;

function identityOf(r: Row): StoredIdentity {
  const out: StoredIdentity = {
    device: r.device as string,
    first_seen: r.first_seen as number,
    last_seen: r.last_seen as number,
    problem: (r.problem as string | null) ?? null,
    problem_at: (r.problem_at as number | null) ?? null,
  };
  for (const f of IDENTITY_FIELDS) if (typeof r[f] === 'string') out[f] = r[f] as string;
  return out;
}

export class AssetStore {
  constructor(private readonly db: StateDb) {}

  identity(device: string): StoredIdentity | null {
    const r = this.db.prepare('SELECT * FROM asset_identity WHERE device = ?').get(device) as Row | undefined;
    return r ? identityOf(r) : null;
  }

  identities(): Map<string, StoredIdentity> {
    const rows = this.db.prepare('SELECT * FROM asset_identity').all() as Row[];
    return new Map(rows.map((r) => [r.device as string, identityOf(r)]));
  }

  /**
   * Stores what a read found: fields present replace the stored ones, absent ones are kept (an object
   * that did not answer this time is not a change). Returns the tracked changes, also stored.
   */
  recordIdentity(device: string, read: Identity, at: number): IdentityChange[] {
    return this.db.transaction(() => {
      const before = this.identity(device);
      const changes = before ? identityChanges(before, read) : [];
      const merged: Identity = {};
      for (const f of IDENTITY_FIELDS) {
        const v = read[f] ?? before?.[f];
        if (v !== undefined) merged[f] = v;
      }
      this.db
        .prepare(
          `INSERT INTO asset_identity (device, ${IDENTITY_FIELDS.join(', ')}, first_seen, last_seen, problem, problem_at)
           VALUES (@device, ${IDENTITY_FIELDS.map((f) => `@${f}`).join(', ')}, @at, @at, NULL, NULL)
           ON CONFLICT (device) DO UPDATE SET ${IDENTITY_FIELDS.map((f) => `${f} = @${f}`).join(', ')},
             last_seen = @at`,
        )
        .run({ device, at, ...Object.fromEntries(IDENTITY_FIELDS.map((f) => [f, merged[f] ?? null])) });
      const insert = this.db.prepare(
        'INSERT INTO asset_identity_changes (device, at, field, kind, before, after) VALUES (?, ?, ?, ?, ?, ?)',
      );
      return changes.map((c) => {
        const id = Number(insert.run(device, at, c.field, c.kind, c.before, c.after).lastInsertRowid);
        return { id, device, at, ...c };
      });
    })();
  }

  /** The identity objects answered garbage (null: they answer well again). */
  recordProblem(device: string, problem: string | null, at: number): void {
    const r = this.db
      .prepare('UPDATE asset_identity SET problem = ?, problem_at = ? WHERE device = ?')
      .run(problem, problem ? at : null, device);
    if (r.changes === 0 && problem)
      this.db
        .prepare(
          'INSERT INTO asset_identity (device, first_seen, last_seen, problem, problem_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(device, at, at, problem, at);
  }

  changes(device?: string): IdentityChange[] {
    const rows = (
      device
        ? this.db
            .prepare('SELECT * FROM asset_identity_changes WHERE device = ? ORDER BY at DESC, id DESC')
            .all(device)
        : this.db.prepare('SELECT * FROM asset_identity_changes ORDER BY at DESC, id DESC').all()
    ) as IdentityChange[];
    return rows;
  }

  details(device: string): AssetDetails | null {
    return (
      (this.db.prepare('SELECT * FROM asset_details WHERE device = ?').get(device) as
        | AssetDetails
        | undefined) ?? null
    );
  }

  allDetails(): Map<string, AssetDetails> {
    const rows = this.db.prepare('SELECT * FROM asset_details').all() as AssetDetails[];
    return new Map(rows.map((r) => [r.device, r]));
  }

  /** Applies a checked patch (undefined: unchanged, null: cleared); returns before and after. */
  updateDetails(
    device: string,
    patch: DetailsPatch,
    by: string,
    at: number,
  ): { before: AssetDetails | null; after: AssetDetails } {
    return this.db.transaction(() => {
      const before = this.details(device);
      const after: AssetDetails = {
        device,
        install_date: before?.install_date ?? null,
        warranty_end: before?.warranty_end ?? null,
        supplier: before?.supplier ?? null,
        purchase_price: before?.purchase_price ?? null,
        notes: before?.notes ?? null,
        ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
        updated_at: at,
        updated_by: by,
      };
      this.db
        .prepare(
          `INSERT INTO asset_details (device, install_date, warranty_end, supplier, purchase_price, notes, updated_at, updated_by)
           VALUES (@device, @install_date, @warranty_end, @supplier, @purchase_price, @notes, @updated_at, @updated_by)
           ON CONFLICT (device) DO UPDATE SET install_date = @install_date, warranty_end = @warranty_end,
             supplier = @supplier, purchase_price = @purchase_price, notes = @notes,
             updated_at = @updated_at, updated_by = @updated_by`,
        )
        .run(after);
      return { before, after };
    })();
  }
}
