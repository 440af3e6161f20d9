// Where a heap goes: the self size of a V8 heap snapshot summed by node type and name, largest first.
//   node --import tsx bench/heap-summary.ts FILE.heapsnapshot [TOP]
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const [file, topText] = process.argv.slice(2);
if (!file) {
  console.error('usage: bench/heap-summary.ts FILE.heapsnapshot [TOP]');
  process.exit(2);
}
const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const fields = snap.snapshot.meta.node_fields;
const types = snap.snapshot.meta.node_types[0];
const width = fields.length;
const iType = fields.indexOf('type');
const iName = fields.indexOf('name');
const iSize = fields.indexOf('self_size');
const sums = new Map<string, { size: number; count: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += width) {
  const type = types[snap.nodes[i + iType]!]!;
  const raw = snap.strings[snap.nodes[i + iName]!]!;
  const name =
    type === 'string' || type === 'concatenated string' || type === 'sliced string'
      ? '(strings)'
      : raw.slice(0, 60);
  const key = `${type}: ${name}`;
  const size = snap.nodes[i + iSize]!;
  total += size;
  const s = sums.get(key) ?? { size: 0, count: 0 };
  s.size += size;
  s.count++;
  sums.set(key, s);
}
console.log(`total self size ${(total / 1048576).toFixed(1)} MB`);
for (const [key, s] of [...sums].sort((a, b) => b[1].size - a[1].size).slice(0, Number(topText ?? 40)))
  console.log(`${(s.size / 1048576).toFixed(2).padStart(8)} MB ${String(s.count).padStart(9)}  ${key}`);
