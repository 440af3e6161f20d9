// The benchmark tables in README.md and docs/ are the benchmark run's own words: each marked block
// equals what bench/results/ says, and no "met" verdict stands outside the generated blocks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AREAS, DOCUMENTS, documentBlocks, expectedBlocks, ROOT, readResults } from '../bench/results.ts';

const read = (doc: string) => readFileSync(join(ROOT, doc), 'utf8');

describe('benchmark tables in the documents', () => {
  const expected = expectedBlocks();

  it('every area has a results file written by a run (context line, tables, verdicts)', () => {
    for (const area of AREAS) {
      const r = readResults(area);
      expect(r, `bench/results/${area}.md is missing: run \`npm run bench -- ${area}\``).not.toBeNull();
      expect(r!.block).toMatch(/^From `npm run bench -- /);
      expect(r!.block).toMatch(/commit [0-9a-f]{7}/);
      expect(r!.block).toMatch(/load average at the start \d/);
      expect(r!.targetRows.length, `${area}: no verdicts against the targets`).toBeGreaterThan(0);
    }
  });

  it('README carries the targets table and every area that has results', () => {
    const blocks = documentBlocks(read('README.md'));
    expect([...blocks.keys()]).toContain('targets');
    for (const area of AREAS) if (expected.has(area)) expect([...blocks.keys()]).toContain(area);
  });

  for (const doc of DOCUMENTS) {
    it(`${doc}: each bench block equals the latest results (refresh: npm run bench:docs)`, () => {
      const text = read(doc);
      for (const [name, body] of documentBlocks(text)) {
        expect(expected.has(name), `${doc}: bench:${name} has no results file`).toBe(true);
        expect(body, `${doc}: bench:${name} differs from bench/results/${name}.md`).toBe(expected.get(name));
      }
      // a verdict typed by hand: "met"/"missed" in a table row outside the generated blocks
      const outside = text.replace(/<!-- bench:([a-z-]+) -->[\s\S]*?<!-- \/bench:\1 -->/g, '');
      const typed = outside
        .split('\n')
        .filter((l) => l.startsWith('|') && /\| *(✓ )?met\b|\bmissed\b/.test(l));
      expect(typed, `${doc}: verdicts outside the generated blocks`).toEqual([]);
    });
  }

  it('a marker pair is well formed (each opened block is closed)', () => {
    for (const doc of DOCUMENTS) {
      const text = read(doc);
      const opens = [...text.matchAll(/<!-- bench:([a-z-]+) -->/g)].map((m) => m[1]);
      const closes = [...text.matchAll(/<!-- \/bench:([a-z-]+) -->/g)].map((m) => m[1]);
      expect(closes, doc).toEqual(opens);
    }
  });
});
