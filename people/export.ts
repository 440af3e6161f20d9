// `diemcau inventory export`: the inventory file with the directory's people and site technicians
// written back. The file is edited in place at the spans the `yaml` package finds, so its comments,
// order and style stay: a person that differs from the file is rewritten there (one line, flow style),
// one added through the API is appended to `people:`, and each site's `technician:` is the directory's.
// Trainings, per-site technicians of carriers and power, and rosters have no place in the inventory
// schema: they stay in the state database.
import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from 'yaml';
import type { Person } from '../inventory/schema.ts';

/** A person as the inventory writes one: no empty title, org or channels. */
function plain(p: Person): Record<string, unknown> {
  const channels = Object.fromEntries(Object.entries(p.channels).filter(([, v]) => v !== undefined));
  return {
    id: p.id,
    name: p.name,
    ...(p.title !== undefined && { title: p.title }),
    ...(p.org !== undefined && { org: p.org }),
    ...(Object.keys(channels).length > 0 && { channels }),
  };
}

export interface ExportResult {
  text: string;
  /** person ids rewritten, added; sites whose technician changed */
  changed: string[];
  added: string[];
  technicians: string[];
}

const BARE = /^[A-Za-z0-9][A-Za-z0-9@._-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|~|[-+]?[0-9._]+(e[-+]?[0-9]+)?|0x[0-9a-f]+|0o[0-7]+)$/i;

/** One value in YAML flow style, as the generator writes the inventory (bare ids, quoted text). */
function flow(v: unknown): string {
  if (typeof v === 'string') return BARE.test(v) && !RESERVED.test(v) ? v : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (v && typeof v === 'object')
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${flow(x)}`)
      .join(', ')} }`;
  return JSON.stringify(v);
}

/**
 * `text`: the inventory file; `people`: every person of the directory; `technicians`: site id → the
 * current technician. Returns the file with them merged in; every other byte as it was.
 */
export function exportInventory(
  text: string,
  people: readonly Person[],
  technicians: ReadonlyMap<string, string>,
): ExportResult {
  const doc = parseDocument(text);
  const out: ExportResult = { text: '', changed: [], added: [], technicians: [] };
  const edits: { from: number; to: number; text: string }[] = [];
  const seq = doc.get('people', true);
  if (!isSeq(seq) || seq.items.length === 0)
    throw new Error('inventory: no people: list to write the directory into');
  const index = new Map<string, YAMLMap>();
  for (const item of seq.items) if (isMap(item)) index.set(String(item.get('id')), item);
  const last = seq.items.at(-1) as YAMLMap;
  const lineStart = text.lastIndexOf('\n', last.range![0]) + 1;
  const indent = text.slice(lineStart, last.range![0]).replace(/-\s*$/, '');
  const lineEnd = text.indexOf('\n', last.range![1] - 1);
  const end = lineEnd === -1 ? text.length : lineEnd;
  for (const p of people) {
    const want = plain(p);
    const item = index.get(p.id);
    if (!item) {
      edits.push({ from: end, to: end, text: `\n${indent}- ${flow(want)}` });
      out.added.push(p.id);
      continue;
    }
    if (isDeepStrictEqual(item.toJSON(), want)) continue;
    const [from, to] = item.range!;
    const span = text.slice(from, to);
    edits.push({ from, to: span.endsWith('\n') ? to - 1 : to, text: flow(want) });
    out.changed.push(p.id);
  }
  const sites = doc.get('sites', true);
  if (isSeq(sites))
    for (const item of sites.items) {
      if (!isMap(item)) continue;
      const id = String(item.get('id'));
      const t = technicians.get(id);
      const node = item.get('technician', true);
      if (t === undefined || !isScalar(node) || node.value === t) continue;
      edits.push({ from: node.range![0], to: node.range![1], text: flow(t) });
      out.technicians.push(id);
    }
  let result = text;
  for (const e of edits.sort((a, b) => b.from - a.from))
    result = result.slice(0, e.from) + e.text + result.slice(e.to);
  out.text = result;
  return out;
}
