// Document numbers (Nghị định 30/2020: "Số: 12/BC-STTTT"): with reports.numbering 'auto', each
// document gets the next number of the year it is first issued in, kept in the state database so the
// same document always carries the same number and date; with 'blank' the clerk writes it by hand.
import { localParts } from '../core/time.ts';
import type { StateDb } from '../storage/state-db.ts';

export interface IssuedNumber {
  number: number | null;
  /** the date the number was given (the document's date); `at` for a blank number */
  date: number;
}

export function documentNumber(
  db: StateDb,
  numbering: 'blank' | 'auto',
  docKey: string,
  at: number,
): IssuedNumber {
  if (numbering === 'blank') return { number: null, date: at };
  const get = db.prepare('SELECT seq, issued_at FROM document_numbers WHERE doc_key = ?');
  return db
    .transaction(() => {
      const had = get.get(docKey) as { seq: number; issued_at: number } | undefined;
      if (had) return { number: had.seq, date: had.issued_at };
      const year = Number(localParts(at).y);
      const next = (
        db
          .prepare('SELECT coalesce(max(seq), 0) + 1 AS n FROM document_numbers WHERE year = ?')
          .get(year) as {
          n: number;
        }
      ).n;
      db.prepare('INSERT INTO document_numbers (year, seq, doc_key, issued_at) VALUES (?, ?, ?, ?)').run(
        year,
        next,
        docKey,
        at,
      );
      return { number: next, date: at };
    })
    .immediate();
}
