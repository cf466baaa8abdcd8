/**
 * A YAML file parsed with positions kept, so every problem can name its line and column.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { FieldPath, Problem } from './problems';

export interface SourceFile {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain data; undefined when it had syntax errors. */
  data: unknown;
  syntaxProblems: Problem[];
}

export async function readSource(file: string, displayName: string): Promise<SourceFile> {
  return parseSource(await readFile(file, 'utf8'), displayName);
}

export function parseSource(text: string, file: string): SourceFile {
  const lines = new LineCounter();
  // uniqueKeys (on by default) turns a repeated key into an error instead of a silent override.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntaxProblems: Problem[] = doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { file, line: pos.line, col: pos.col, path: [], message: `YAML syntax error: ${firstLine(e.message)}` };
  });
  return { file, doc, lines, data: syntaxProblems.length > 0 ? undefined : doc.toJS(), syntaxProblems };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Line and column of the node at `path`, or of its deepest existing ancestor when the path does not
 * exist (a missing required field points at the map that lacks it). With `key`, points at the key
 * of the last segment instead of its value (for unknown fields).
 */
export function locate(src: SourceFile, path: FieldPath, opts: { key?: boolean } = {}): { line: number; col: number } {
  let node: Node | null | undefined = src.doc.contents;
  let offset = node?.range?.[0] ?? 0;
  for (const [i, seg] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const keyNode = pair.key as Node;
      if (last && opts.key) {
        offset = keyNode.range?.[0] ?? offset;
        break;
      }
      node = pair.value as Node | null;
      // A block list or map starts on the line after its key; `field:` with no value has no value
      // node at all. In both cases the key is the place a reader looks for.
      offset = node && !isMap(node) && !isSeq(node) ? (node.range?.[0] ?? offset) : (keyNode.range?.[0] ?? offset);
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  const pos = src.lines.linePos(offset);
  return { line: pos.line, col: pos.col };
}

export function problemAt(src: SourceFile, path: FieldPath, message: string, opts: { key?: boolean } = {}): Problem {
  return { file: src.file, ...locate(src, path, opts), path, message };
}
