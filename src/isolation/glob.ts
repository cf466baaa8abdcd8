/**
 * IAM wildcard patterns (`*` any run, `?` one character). `intersects` decides whether two
 * patterns can match one same string: the question "can this statement's resource be that
 * tenant's resource?" when both sides may hold wildcards.
 */
export function intersects(a: string, b: string, caseInsensitive = false): boolean {
  const x = caseInsensitive ? a.toLowerCase() : a;
  const y = caseInsensitive ? b.toLowerCase() : b;
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (y.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === x.length && j === y.length) r = true;
    else if (i < x.length && x[i] === '*') r = go(i + 1, j) || (j < y.length && go(i, j + 1)) || (j < y.length && y[j] === '*' && go(i + 1, j + 1));
    else if (j < y.length && y[j] === '*') r = go(i, j + 1) || (i < x.length && go(i + 1, j));
    else if (i < x.length && j < y.length && (x[i] === '?' || y[j] === '?' || x[i] === y[j])) r = go(i + 1, j + 1);
    else r = false;
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

export function hasWildcard(p: string): boolean {
  return p.includes('*') || p.includes('?');
}

/** Policy variables (`${aws:username}`, `${transfer:HomeBucket}`) could be anything: a wildcard. */
export function variablesAsWildcards(p: string): string {
  return p.replace(/\$\{[^}]*\}/g, '*');
}
