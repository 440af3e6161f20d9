// Feedback in the state database (migration 043): difficulties and proposals filed by host offices,
// technicians and the NOC (Điều 15.2), the NOC's answers, and what the reports list (Điều 11.4).
import { localDayStart } from '../core/time.ts';
import type { StateDb } from '../storage/state-db.ts';
import type { FeedbackCategory, FeedbackKind, FeedbackStatus } from './vocabulary.ts';

export interface Feedback {
  id: number;
  kind: FeedbackKind;
  category: FeedbackCategory;
  site: string | null;
  text: string;
  filed_by: string;
  filed_role: string;
  /** the filer's organisation (a host office: its host catalogue id) */
  org: string | null;
  filed_at: number;
  status: FeedbackStatus;
  answer: string | null;
  answered_by: string | null;
  answered_at: number | null;
  /** the addresses the answer was sent to */
  notified: string[];
}

interface Row extends Omit<Feedback, 'status' | 'notified'> {
  notified: string;
}

export type NewFeedback = Pick<
  Feedback,
  'kind' | 'category' | 'site' | 'text' | 'filed_by' | 'filed_role' | 'org'
>;

export interface FeedbackFilter {
  status?: FeedbackStatus | undefined;
  /** the Bắc Kạn calendar year it was filed in */
  year?: number | undefined;
  /** filed by this account */
  filed_by?: string | undefined;
  /** filed by this organisation (a host office) */
  org?: string | undefined;
}

const toFeedback = (r: Row): Feedback => ({
  ...r,
  status: r.answered_at === null ? 'pending' : 'answered',
  notified: JSON.parse(r.notified) as string[],
});

/** Start of a Bắc Kạn calendar year (ms). */
export const yearStart = (year: number) => localDayStart(Date.parse(`${year}-01-01T12:00:00+07:00`));

export class FeedbackStore {
  constructor(private readonly db: StateDb) {}

  file(x: NewFeedback, now: number): Feedback {
    const r = this.db
      .prepare(
        `INSERT INTO feedback (kind, category, site, text, filed_by, filed_role, org, filed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(x.kind, x.category, x.site, x.text, x.filed_by, x.filed_role, x.org, now) as { id: number };
    return this.get(r.id)!;
  }

  get(id: number): Feedback | null {
    const r = this.db.prepare('SELECT * FROM feedback WHERE id = ?').get(id) as Row | undefined;
    return r ? toFeedback(r) : null;
  }

  /** Newest first. */
  list(f: FeedbackFilter = {}): Feedback[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.status === 'pending') where.push('answered_at IS NULL');
    if (f.status === 'answered') where.push('answered_at IS NOT NULL');
    if (f.year !== undefined) {
      where.push('filed_at >= ? AND filed_at < ?');
      args.push(yearStart(f.year), yearStart(f.year + 1));
    }
    if (f.filed_by !== undefined) {
      where.push('filed_by = ?');
      args.push(f.filed_by);
    }
    if (f.org !== undefined) {
      where.push('org = ?');
      args.push(f.org);
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM feedback ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY filed_at DESC, id DESC`,
      )
      .all(...args) as Row[];
    return rows.map(toFeedback);
  }

  /** Filed in [from, to), oldest first: what a report of that period lists. */
  filedIn(from: number, to: number): Feedback[] {
    const rows = this.db
      .prepare('SELECT * FROM feedback WHERE filed_at >= ? AND filed_at < ? ORDER BY filed_at, id')
      .all(from, to) as Row[];
    return rows.map(toFeedback);
  }

  /** Records (or replaces) the NOC's answer; what it was and what it became. */
  answer(id: number, text: string, by: string, now: number): { before: Feedback; after: Feedback } | null {
    const before = this.get(id);
    if (!before) return null;
    this.db
      .prepare('UPDATE feedback SET answer = ?, answered_by = ?, answered_at = ? WHERE id = ?')
      .run(text, by, now, id);
    return { before, after: this.get(id)! };
  }

  setNotified(id: number, addresses: string[]): void {
    this.db.prepare('UPDATE feedback SET notified = ? WHERE id = ?').run(JSON.stringify(addresses), id);
  }
}

/** Whether a table exists (a report over a database without migration 043 lists no feedback). */
export function hasFeedback(db: StateDb): boolean {
  return (
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feedback'").get() !== undefined
  );
}
