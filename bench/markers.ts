// A benchmark writes its own tables into the documents: between `<!-- bench:NAME -->` and
// `<!-- /bench:NAME -->` (each on a line of its own), so no measured number is typed by hand.
// The markers stay; everything between them is replaced.
import { readFileSync, writeFileSync } from 'node:fs';

/** Replaces what lies between the markers of `name` in `file`; throws if the file lacks them. */
export function writeBetweenMarkers(file: string, name: string, markdown: string): void {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  if (a < 0 || b < a || text.indexOf(open, a + 1) >= 0)
    throw new Error(`${file}: needs one "${open}" … "${close}" pair for the ${name} benchmark's tables`);
  const body = markdown.trim();
  writeFileSync(file, `${text.slice(0, a + open.length)}\n${body}\n${text.slice(b)}`);
}
