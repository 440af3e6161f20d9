// The benchmarks' results as files, and the documents' copies of them. Each area's run writes
// bench/results/AREA.md (its tables, preceded by the date, commit, machine and load of the run, and its
// verdicts against the issues' targets); README.md and docs/*.md carry those tables between
// `<!-- bench:AREA -->` … `<!-- /bench:AREA -->` markers, and the targets table of every area between
// `<!-- bench:targets -->` markers, refreshed from the files (`npm run bench:docs`, and after every
// `npm run bench`). No measured figure is typed by hand: test/bench-docs.test.ts fails when a
// document's copy differs from the results.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');
/** the documents that carry copies of the tables */
export const DOCUMENTS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
/** the order in which areas appear in the targets table */
export const AREAS = [
  'simulator',
  'collector',
  'storage',
  'api',
  'alerts',
  'dashboard',
  'drivers',
  'backbone',
] as const;

export interface Target {
  /** what the issue asked, e.g. "collector CPU at 10,000 devices every 30 s < 50 % of one core" */
  target: string;
  /** what this run measured, with its unit */
  measured: string;
  /** null: reported, no pass/fail */
  met: boolean | null;
}

export interface BenchOutput {
  /** the area's tables and the words that say how they were measured (Markdown) */
  markdown: string;
  targets: Target[];
  /** false: a partial run (other sizes, --quick): printed, not written to results or documents */
  complete: boolean;
}

/** Where and on what this run happens: the first line of every results block. */
export function runContext(command: string): string {
  const commit = (() => {
    try {
      const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
        cwd: ROOT,
        encoding: 'utf8',
      }).trim();
      // the documents and results a run itself rewrites do not make the measured code another commit
      const dirty = execFileSync(
        'git',
        [
          'status',
          '--porcelain',
          '--untracked-files=no',
          '--',
          '.',
          ':!bench/results',
          ':!README.md',
          ':!docs',
        ],
        { cwd: ROOT, encoding: 'utf8' },
      ).trim();
      return dirty ? `${sha} + uncommitted changes` : sha;
    } catch {
      return 'unknown commit';
    }
  })();
  const cpu = cpus();
  const model = (cpu[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
  const [l1, l5] = loadavg();
  const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
  return (
    `From \`${command}\`, ${date}, commit ${commit}; ${cpu.length} × ${model}, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}; ` +
    `load average at the start ${l1!.toFixed(2)} (1 min), ${l5!.toFixed(2)} (5 min).`
  );
}

const TARGETS_MARK = '<!-- targets -->';

/** The results file of `area`: the block the documents copy, then the targets as table rows. */
export function writeResults(area: string, context: string, out: BenchOutput): string {
  const file = join(RESULTS_DIR, `${area}.md`);
  const rows = out.targets.map((t) => targetRow(area, t));
  writeFileSync(
    file,
    `<!-- written by \`npm run bench -- ${area}\`; do not edit -->\n${context}\n\n${out.markdown.trim()}\n\n${TARGETS_MARK}\n${rows.join('\n')}\n`,
  );
  return file;
}

function targetRow(area: string, t: Target): string {
  const verdict = t.met === null ? '—' : t.met ? '✓ met' : '✗ missed';
  return `| ${area} | ${t.target} | ${t.measured} | ${verdict} |`;
}

interface Results {
  block: string;
  targetRows: string[];
}

export function readResults(area: string): Results | null {
  const file = join(RESULTS_DIR, `${area}.md`);
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8');
  const body = text.slice(text.indexOf('\n') + 1);
  const at = body.indexOf(TARGETS_MARK);
  const block = (at < 0 ? body : body.slice(0, at)).trim();
  const targetRows =
    at < 0
      ? []
      : body
          .slice(at + TARGETS_MARK.length)
          .trim()
          .split('\n')
          .filter(Boolean);
  return { block, targetRows };
}

/** Every block a document may carry: each area's, and `targets` (all areas' verdicts). */
export function expectedBlocks(): Map<string, string> {
  const blocks = new Map<string, string>();
  const rows: string[] = [];
  for (const area of AREAS) {
    const r = readResults(area);
    if (!r) continue;
    blocks.set(area, r.block);
    rows.push(...r.targetRows);
  }
  blocks.set(
    'targets',
    [
      'Every verdict below is computed by the benchmark run of its area (bench/results/AREA.md).',
      '',
      '| area | target (from the issues) | measured | verdict |',
      '| --- | --- | --- | --- |',
      ...rows,
    ].join('\n'),
  );
  return blocks;
}

const MARKER = /<!-- bench:([a-z-]+) -->\n([\s\S]*?)\n?<!-- \/bench:\1 -->/g;

/** The blocks a document carries now: name → its text between the markers. */
export function documentBlocks(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(MARKER)) out.set(m[1]!, m[2]!.trim());
  return out;
}

/** Rewrites every marked block of every document from the results; returns the files changed. */
export function refreshDocuments(): string[] {
  const blocks = expectedBlocks();
  const changed: string[] = [];
  for (const doc of DOCUMENTS) {
    const file = join(ROOT, doc);
    const text = readFileSync(file, 'utf8');
    const next = text.replace(MARKER, (whole, name: string) => {
      const b = blocks.get(name);
      if (b === undefined) return whole;
      return `<!-- bench:${name} -->\n${b}\n<!-- /bench:${name} -->`;
    });
    if (next !== text) {
      writeFileSync(file, next);
      changed.push(doc);
    }
  }
  return changed;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const changed = refreshDocuments();
  console.log(changed.length ? `refreshed: ${changed.join(', ')}` : 'documents already match bench/results/');
}
