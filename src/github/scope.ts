/**
 * Which tenants a pull request's plan must cover, from the paths it changes: the tenants whose
 * files it adds, edits or deletes; the whole fleet when anything else that shapes the plan
 * changes (the platform file, the tool's code or its dependencies). So a PR's plan costs what its
 * change touches, not what the fleet weighs.
 */
import { posix } from 'node:path';
import { TENANT_NAME_PATTERN } from '../config/schema';

export type PlanScope =
  | { mode: 'tenants'; tenants: string[] }
  | { mode: 'fleet'; reason: string }
  | { mode: 'none' };

/** Paths that cannot change a plan: documentation, tests and benchmarks. */
function inert(path: string): boolean {
  return /\.md$/i.test(path) || /^(test|bench|docs)\//.test(path) || path === 'LICENSE';
}

/**
 * @param changed repository-relative paths (`git diff --name-only`), deleted files included
 * @param tenantsDir the tenant directory, repository-relative (default `tenants`)
 */
export function planScope(changed: readonly string[], tenantsDir = 'tenants'): PlanScope {
  const dir = posix.normalize(tenantsDir).replace(/\/+$/, '');
  const tenants = new Set<string>();
  for (const raw of changed) {
    const path = raw.trim();
    if (!path || inert(path)) continue;
    if (posix.dirname(path) === dir) {
      const ext = posix.extname(path);
      if (ext !== '.yaml' && ext !== '.yml') continue; // a README or notes beside the tenants
      const name = posix.basename(path, ext);
      // A name the schema would refuse cannot be planned on its own; plan everything so the
      // reviewer still sees validation fail on it.
      if (!TENANT_NAME_PATTERN.test(name)) return { mode: 'fleet', reason: `${path} is not named like a tenant` };
      tenants.add(name);
      continue;
    }
    if (path.startsWith(`${dir}/`)) continue; // nested folders are not read
    return { mode: 'fleet', reason: `${path} changed` };
  }
  return tenants.size > 0 ? { mode: 'tenants', tenants: [...tenants].sort() } : { mode: 'none' };
}

/** The plan command's arguments for a scope (tenant names are DNS-safe, so plain words). */
export function scopeArgs(scope: PlanScope): string {
  return scope.mode === 'tenants' ? scope.tenants.map((t) => `--tenant ${t}`).join(' ') : '';
}
