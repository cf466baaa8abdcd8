/** A configuration problem, located in its file. */
export type FieldPath = ReadonlyArray<string | number>;

export interface Problem {
  /** Path as given to the tool (relative to the working directory when under it). */
  file: string;
  line: number;
  col: number;
  /** Field path inside the document; empty for the whole document or a syntax error. */
  path: FieldPath;
  message: string;
}

export function formatPath(path: FieldPath): string {
  if (path.length === 0) return '(document)';
  return path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${formatPath(p.path)}: ${p.message}`;
}

export function compareProblems(a: Problem, b: Problem): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.message.localeCompare(b.message);
}
