// Reads what a profile asks for from one agent in as few requests as the agent allows:
// one GETBULK whose non-repeaters are the scalars (asked as GETNEXT of the OID without ".0")
// and whose repeaters are the table columns; columns longer than the first answer are walked on.
// Agents that refuse GETBULK get the classic plan: GET of the scalars, then column walks.
import type { Varbind } from 'net-snmp';
import type { Profile } from './profile.ts';
import { isException, type SnmpClient, SnmpError, under } from './snmp.ts';

interface ColumnRef {
  table: string;
  column: string;
  oid: string;
}

export interface FetchPlan {
  scalarNames: string[];
  scalarOids: string[];
  /** scalars asked as GETNEXT of their parent (index of scalarNames) */
  nextScalars: number[];
  /** scalars whose instance is not .0: plain GET */
  getScalars: number[];
  columns: ColumnRef[];
  maxRepetitions: number;
}

export type Row = Map<string, Varbind>;

export interface Fetched {
  scalars: Map<string, Varbind>;
  /** table → row index (OID suffix) → column → varbind */
  tables: Map<string, Map<string, Row>>;
  requests: number;
  varbinds: number;
  /** values kept: scalars present plus table cells */
  values: number;
}

const MAX_REPETITIONS = 50;
const CONTINUE_REPETITIONS = 25;
const MAX_ROWS = 5000;
/** GET requests are split so that no PDU grows beyond what small agents accept */
const GET_CHUNK = 40;

export function planFor(p: Profile): FetchPlan {
  const scalarNames = [...p.scalars.keys()];
  const scalarOids = [...p.scalars.values()];
  const nextScalars: number[] = [];
  const getScalars: number[] = [];
  scalarOids.forEach((oid, i) => {
    (oid.endsWith('.0') ? nextScalars : getScalars).push(i);
  });
  const columns: ColumnRef[] = [];
  let rows = 0;
  for (const [table, t] of p.tables) {
    rows = Math.max(rows, t.rows);
    for (const [column, oid] of t.columns) columns.push({ table, column, oid });
  }
  return {
    scalarNames,
    scalarOids,
    nextScalars,
    getScalars,
    columns,
    maxRepetitions: Math.min(MAX_REPETITIONS, rows + 1),
  };
}

function emptyResult(plan: FetchPlan): Fetched {
  const tables = new Map<string, Map<string, Row>>();
  for (const c of plan.columns) if (!tables.has(c.table)) tables.set(c.table, new Map());
  return { scalars: new Map(), tables, requests: 0, varbinds: 0, values: 0 };
}

interface ColumnWalk {
  ref: ColumnRef;
  last: string;
  done: boolean;
  rows: number;
}

/** Takes one column's share of a GETBULK answer; false when it made no progress. */
function take(out: Fetched, w: ColumnWalk, vbs: Varbind[] | undefined): boolean {
  if (!vbs || vbs.length === 0) return false;
  const table = out.tables.get(w.ref.table)!;
  const prefixLen = w.ref.oid.length + 1;
  for (const vb of vbs) {
    out.varbinds++;
    if (isException(vb) || !under(vb.oid, w.ref.oid)) {
      w.done = true;
      return true;
    }
    const index = vb.oid.slice(prefixLen);
    let row = table.get(index);
    if (!row) {
      row = new Map();
      table.set(index, row);
    }
    row.set(w.ref.column, vb);
    out.values++;
    w.last = vb.oid;
    if (++w.rows >= MAX_ROWS) {
      w.done = true;
      return true;
    }
  }
  return true;
}

async function walkRest(client: SnmpClient, out: Fetched, walks: ColumnWalk[]): Promise<void> {
  for (let guard = 0; guard < 1000; guard++) {
    const pending = walks.filter((w) => !w.done);
    if (pending.length === 0) return;
    const res = await client.getBulk(
      pending.map((w) => w.last),
      0,
      CONTINUE_REPETITIONS,
    );
    out.requests++;
    let progress = false;
    pending.forEach((w, i) => {
      if (take(out, w, res[i] as Varbind[] | undefined)) progress = true;
    });
    if (!progress) throw new SnmpError('bad_response', 'GETBULK answer made no progress through the table');
  }
}

export async function fetchBulk(client: SnmpClient, plan: FetchPlan): Promise<Fetched> {
  const out = emptyResult(plan);
  const oids: string[] = [];
  for (const i of plan.nextScalars) oids.push(plan.scalarOids[i]!.slice(0, -2));
  for (const c of plan.columns) oids.push(c.oid);
  const walks: ColumnWalk[] = plan.columns.map((ref) => ({ ref, last: ref.oid, done: false, rows: 0 }));
  if (oids.length > 0) {
    const res = await client.getBulk(
      oids,
      plan.nextScalars.length,
      plan.columns.length > 0 ? plan.maxRepetitions : 0,
    );
    out.requests++;
    plan.nextScalars.forEach((si, k) => {
      const vb = res[k] as Varbind | undefined;
      if (!vb) return;
      out.varbinds++;
      // GETNEXT of the parent lands on the scalar's .0 instance when the agent has it
      if (vb.oid === plan.scalarOids[si] && !isException(vb)) {
        out.scalars.set(plan.scalarNames[si]!, vb);
        out.values++;
      }
    });
    const first = plan.nextScalars.length;
    walks.forEach((w, j) => {
      take(out, w, res[first + j] as Varbind[] | undefined);
    });
  }
  await getScalars(client, plan, plan.getScalars, out);
  await walkRest(client, out, walks);
  return out;
}

export async function fetchClassic(client: SnmpClient, plan: FetchPlan): Promise<Fetched> {
  const out = emptyResult(plan);
  await getScalars(client, plan, [...plan.nextScalars, ...plan.getScalars], out);
  const walks: ColumnWalk[] = plan.columns.map((ref) => ({ ref, last: ref.oid, done: false, rows: 0 }));
  await walkRest(client, out, walks);
  return out;
}

async function getScalars(client: SnmpClient, plan: FetchPlan, which: number[], out: Fetched): Promise<void> {
  for (let k = 0; k < which.length; k += GET_CHUNK) {
    const part = which.slice(k, k + GET_CHUNK);
    const res = await client.get(part.map((i) => plan.scalarOids[i]!));
    out.requests++;
    part.forEach((si, j) => {
      const vb = res[j];
      out.varbinds++;
      if (vb && !isException(vb)) {
        out.scalars.set(plan.scalarNames[si]!, vb);
        out.values++;
      }
    });
  }
}
