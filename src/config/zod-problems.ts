/** Turns zod issues into located, readable problems. */
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import type { FieldPath, Problem } from './problems';
import { problemAt, type SourceFile } from './source';

type AnySchema = z.core.$ZodType;

/** The field names an object schema at `path` accepts, for "did you mean" hints. */
function knownKeysAt(schema: AnySchema, path: FieldPath): string[] {
  let current: AnySchema | undefined = schema;
  const unwrap = (s: AnySchema): AnySchema => {
    const def = s._zod.def as unknown as { type: string; innerType?: AnySchema; in?: AnySchema };
    if (def.innerType) return unwrap(def.innerType);
    if (def.type === 'pipe' && def.in) return unwrap(def.in);
    return s;
  };
  for (const seg of path) {
    if (!current) return [];
    const def = unwrap(current)._zod.def as unknown as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema };
    current = typeof seg === 'number' ? def.element : def.shape?.[seg];
  }
  if (!current) return [];
  const def = unwrap(current)._zod.def as unknown as { shape?: Record<string, AnySchema> };
  return Object.keys(def.shape ?? {});
}

function valueAt(data: unknown, path: FieldPath): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

export function zodProblems(src: SourceFile, schema: AnySchema, issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, path);
      return issue.keys.map((key) => {
        const guess = known.length > 0 ? closest(key, known) : undefined;
        const hint = guess && distance(key, guess) <= Math.max(2, Math.floor(guess.length / 3)) ? `; did you mean "${guess}"?` : known.length > 0 ? `; known fields: ${known.join(', ')}` : '';
        return problemAt(src, [...path, key], `unknown field "${key}"${hint}`, { key: true });
      });
    }
    if (issue.code === 'invalid_type' && valueAt(src.data, path) === undefined) {
      const field = path[path.length - 1];
      return [problemAt(src, path, `required field${field !== undefined ? ` "${field}"` : ''} is missing`)];
    }
    return [problemAt(src, path, issue.message.replace(/^Invalid input: /, ''))];
  });
}
