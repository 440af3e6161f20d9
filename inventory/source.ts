// YAML files validated by zod, with every error pointing at FILE:LINE.
// Used by the inventory, the configuration and the alert rules.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CORE_SCHEMA, load } from 'js-yaml';
import type { Document, LineCounter } from 'yaml';
import type { z } from 'zod';

export type Path = readonly (string | number)[];

export interface SourceError {
  file: string;
  line: number;
  message: string;
}

export function formatErrors(errors: readonly SourceError[]): string {
  return errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n');
}

export class SourceErrors extends Error {
  constructor(readonly errors: SourceError[]) {
    super(formatErrors(errors));
    this.name = 'SourceErrors';
  }
}

// `yaml` (~2 MB once loaded) is required on the first line asked for: valid files never load it
let yamlLib: typeof import('yaml') | null = null;
const yaml = () => {
  yamlLib ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yamlLib;
};

/**
 * A YAML file's value, and the line of any path in it. The value comes from js-yaml (a fifth of the
 * memory and time of a full syntax tree: it matters for a 1,000-site inventory); the syntax tree of
 * `yaml`, which knows where every node stands, is built only when a line is asked for.
 */
export class YamlSource {
  /** js-yaml's value of the whole file (undefined after release()) */
  private raw: unknown;
  private tree: { doc: Document.Parsed; lines: LineCounter } | null = null;

  constructor(
    readonly file: string,
    private readonly text: string,
  ) {
    try {
      this.raw = load(text, { schema: CORE_SCHEMA, filename: file });
    } catch (err) {
      throw new SourceErrors(this.syntaxErrors(err));
    }
  }

  get value(): unknown {
    return this.raw;
  }

  /**
   * Lets the raw value go once it has been parsed (a 10,000-device inventory's raw copy is ~2 MB of
   * heap kept for nothing); lines are still found from the text.
   */
  release(): void {
    this.raw = undefined;
  }

  /** `yaml` explains syntax errors best; js-yaml's own message is the fallback. */
  private syntaxErrors(err: unknown): SourceError[] {
    const { doc, lines } = this.parseTree();
    const errs = doc.errors.map((e) => ({
      file: this.file,
      line: lines.linePos(e.pos[0]).line,
      message: `YAML syntax: ${e.message.split('\n')[0]}`,
    }));
    if (errs.length > 0) return errs;
    const e = err as { reason?: string; mark?: { line: number }; message?: string };
    return [
      { file: this.file, line: (e.mark?.line ?? 0) + 1, message: `YAML syntax: ${e.reason ?? e.message}` },
    ];
  }

  private parseTree() {
    if (!this.tree) {
      const { LineCounter, parseDocument } = yaml();
      const lines = new LineCounter();
      const doc = parseDocument(this.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
      this.tree = { doc, lines };
    }
    return this.tree;
  }

  static read(file: string): YamlSource {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new SourceErrors([
        { file, line: 1, message: code === 'ENOENT' ? 'file not found' : `cannot read: ${String(err)}` },
      ]);
    }
    return new YamlSource(file, text);
  }

  /** Line of the deepest existing node along the path (1-based). */
  lineOf(path: Path): number {
    const { doc, lines } = this.parseTree();
    const { isMap, isSeq } = yaml();
    let node: unknown = doc.contents;
    let offset = (node as { range?: [number] } | null)?.range?.[0] ?? 0;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
        if (!pair) break;
        const keyNode = pair.key as { range?: [number] };
        node = pair.value;
        offset = (node as { range?: [number] } | null)?.range?.[0] ?? keyNode.range?.[0] ?? offset;
        // Point at the key for scalars and at the first line of a block for collections.
        if (keyNode.range && !isMap(node) && !isSeq(node)) offset = keyNode.range[0];
      } else if (isSeq(node) && typeof key === 'number' && node.items[key]) {
        node = node.items[key];
        offset = (node as { range?: [number] }).range?.[0] ?? offset;
      } else break;
    }
    return lines.linePos(offset).line;
  }

  error(path: Path, message: string): SourceError {
    return { file: this.file, line: this.lineOf(path), message };
  }

  /** Parse with a zod schema; every issue becomes FILE:LINE: path: message. */
  parse<S extends z.ZodType>(
    schema: S,
    value: unknown = this.value,
    note?: (path: Path) => string,
  ): z.infer<S> {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    const errors = r.error.issues.map((issue) => {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      const at = issue.code === 'unrecognized_keys' ? [...path, issue.keys[0]!] : path;
      const absent = issue.code !== 'unrecognized_keys' && valueAt(value, path) === undefined;
      return this.error(
        at,
        `${describePath(path)}${absent ? 'is required' : describeIssue(issue)}${note?.(path) ?? ''}`,
      );
    });
    throw new SourceErrors(dedupe(errors).sort((a, b) => a.line - b.line));
  }
}

function describePath(path: Path): string {
  if (path.length === 0) return '';
  return `${path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '')}: `;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling; see the documented fields)`;
  }
  return issue.message;
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function dedupe(errors: SourceError[]): SourceError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.line}:${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
