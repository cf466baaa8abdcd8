/**
 * Transfer Family's LOGICAL home directories: a virtual root that holds only the mapped entries.
 * Paths are normalised against "/" first, so ".." and absolute paths cannot leave that root.
 */
import { posix } from 'node:path';

export interface Mapping {
  Entry: string;
  Target: string;
}

export type Resolved =
  | { kind: 'virtual-dir'; path: string; children: string[] }
  | { kind: 's3'; path: string; bucket: string; key: string }
  | { kind: 'none'; path: string };

export function normalise(path: string): string {
  const p = posix.normalize(posix.join('/', path));
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** `key` is the object key under the bucket ('' for the bucket root), without a trailing slash. */
export function resolve(mappings: readonly Mapping[], rawPath: string): Resolved {
  const path = normalise(rawPath);
  for (const m of mappings) {
    const entry = m.Entry === '/' ? '/' : normalise(m.Entry);
    const inside = entry === '/' || path === entry || path.startsWith(`${entry}/`);
    if (!inside) continue;
    const rest = entry === '/' ? path : path.slice(entry.length);
    const target = normalise(`${m.Target}${rest}`);
    const [, bucket, ...keyParts] = target.split('/');
    return { kind: 's3', path, bucket: bucket!, key: keyParts.join('/') };
  }
  const prefix = path === '/' ? '/' : `${path}/`;
  const children = [...new Set(mappings.filter((m) => m.Entry.startsWith(prefix) && m.Entry !== path).map((m) => m.Entry.slice(prefix.length).split('/')[0]!))];
  return children.length > 0 ? { kind: 'virtual-dir', path, children: children.sort() } : { kind: 'none', path };
}
