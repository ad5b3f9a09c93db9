import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, type Node, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Loads a YAML file and validates it with a zod schema. Every problem is reported as
 * `file:line:col: field: message`, pointing at the offending node in the source.
 */
export function loadYamlFile<S extends z.ZodTypeAny>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      file,
    });
  }
  return parseYamlText(text, file, schema);
}

export function parseYamlText<S extends z.ZodTypeAny>(text: string, file: string, schema: S): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    throw new ConfigError(`${file}:${pos.line}:${pos.col}: YAML syntax: ${firstLine(e.message)}`, { file });
  }
  const data = doc.toJS();
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 5).map((issue) => {
    const path = issue.path as (string | number)[];
    const where = locate(doc, path, lineCounter);
    const field = path.length ? path.join('.') : '(document)';
    return `${file}:${where.line}:${where.col}: ${field}: ${issue.message}`;
  });
  const more = result.error.issues.length > 5 ? `\n… and ${result.error.issues.length - 5} more` : '';
  throw new ConfigError(lines.join('\n') + more, { file });
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/** Finds the deepest existing node on `path`, so a missing field points at its parent. */
function locate(doc: Document, path: (string | number)[], lc: LineCounter): { line: number; col: number } {
  let node: Node | null | undefined = doc.contents as Node | null;
  let best: Node | null | undefined = node;
  for (const key of path) {
    if (!node) break;
    if (isMap(node)) {
      const pair: unknown = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      const p = pair as { key: Node; value: Node | null };
      node = p.value ?? p.key;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key] as Node | undefined;
    } else {
      break;
    }
    if (node) best = node;
  }
  const offset = best?.range?.[0] ?? 0;
  return lc.linePos(offset);
}
