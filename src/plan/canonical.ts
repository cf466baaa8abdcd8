/**
 * Canonical IAM policy documents, so that equal policies compare equal however AWS returns them:
 * URL-encoded or not, statements in any order, a string or a one-element array, action names in
 * any case, `"*"` or `{"AWS": "*"}` as principal, Sids ignored (they carry no meaning).
 */
import { isDeepStrictEqual } from 'node:util';

export interface CanonicalStatement {
  Effect: string;
  Principal?: Record<string, string[]>;
  NotPrincipal?: Record<string, string[]>;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

export interface CanonicalPolicy {
  Version?: string;
  Statement: CanonicalStatement[];
}

/** Parses a policy as stored or returned by AWS; undefined when it is not a policy document. */
export function parsePolicy(input: unknown): Record<string, unknown> | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input === 'object') return input as Record<string, unknown>;
  if (typeof input !== 'string') return undefined;
  for (const text of [input, safeDecode(input)]) {
    if (text === undefined) continue;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // try the next form
    }
  }
  return undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

const list = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String));
const sortedUnique = (values: string[]) => [...new Set(values)].sort();

function principal(p: unknown): Record<string, string[]> | undefined {
  if (p === undefined) return undefined;
  if (p === '*') return { AWS: ['*'] };
  if (typeof p !== 'object' || p === null) return { AWS: [typeof p === 'string' ? p : JSON.stringify(p)] };
  return Object.fromEntries(
    Object.entries(p as Record<string, unknown>)
      .map(([k, v]) => [k, sortedUnique(list(v))] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

function condition(c: unknown): Record<string, Record<string, string[]>> | undefined {
  if (c === undefined || c === null || typeof c !== 'object') return undefined;
  const out: Record<string, Record<string, string[]>> = {};
  for (const op of Object.keys(c).sort()) {
    const block = (c as Record<string, unknown>)[op];
    if (block === null || typeof block !== 'object') continue;
    out[op] = {};
    // Condition keys are case-insensitive in IAM; values are not.
    for (const [key, value] of Object.entries(block as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) {
      out[op][key.toLowerCase()] = sortedUnique(list(value));
    }
  }
  return out;
}

export function canonicalStatement(s: Record<string, unknown>): CanonicalStatement {
  const out: CanonicalStatement = { Effect: String(s.Effect) };
  const p = principal(s.Principal);
  if (p) out.Principal = p;
  const np = principal(s.NotPrincipal);
  if (np) out.NotPrincipal = np;
  // Action names are case-insensitive in IAM.
  if (s.Action !== undefined) out.Action = sortedUnique(list(s.Action).map((a) => a.toLowerCase()));
  if (s.NotAction !== undefined) out.NotAction = sortedUnique(list(s.NotAction).map((a) => a.toLowerCase()));
  if (s.Resource !== undefined) out.Resource = sortedUnique(list(s.Resource));
  if (s.NotResource !== undefined) out.NotResource = sortedUnique(list(s.NotResource));
  const c = condition(s.Condition);
  if (c && Object.keys(c).length > 0) out.Condition = c;
  return out;
}

export function canonicalPolicy(input: unknown): CanonicalPolicy | undefined {
  const doc = parsePolicy(input);
  if (!doc) return undefined;
  const raw = doc.Statement;
  const statements = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
    (s): s is Record<string, unknown> => s !== null && typeof s === 'object',
  );
  const canonical = statements.map(canonicalStatement);
  const unique = new Map(canonical.map((s) => [JSON.stringify(s), s]));
  const out: CanonicalPolicy = { Statement: [...unique.keys()].sort().map((k) => unique.get(k)!) };
  if (typeof doc.Version === 'string') out.Version = doc.Version;
  return out;
}

export function statementKey(s: CanonicalStatement): string {
  return JSON.stringify(s);
}

export function policiesEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(canonicalPolicy(a), canonicalPolicy(b));
}

/** Statements of `after` that `before` lacks, and the reverse: what a policy change adds and removes. */
export function statementDelta(before: unknown, after: unknown): { added: CanonicalStatement[]; removed: CanonicalStatement[] } {
  const b = canonicalPolicy(before)?.Statement ?? [];
  const a = canonicalPolicy(after)?.Statement ?? [];
  const bk = new Set(b.map(statementKey));
  const ak = new Set(a.map(statementKey));
  return { added: a.filter((s) => !bk.has(statementKey(s))), removed: b.filter((s) => !ak.has(statementKey(s))) };
}
