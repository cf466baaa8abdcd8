/** The example configuration, loaded and validated by the real loader. */
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config/load';
import { REPO_ROOT } from './config-dir';

/** The passwords behind the example hashes (demo-only; the hashes are in tenants/). */
export const EXAMPLE_PASSWORDS = {
  'harbor.collateral': 'demo-only-password-1', // bcrypt, cost 12
  'meridian-ops': 'demo-only-password-2', // argon2id, m=19456 t=2
} as const;

export async function loadExamples(now = new Date('2026-12-01T00:00:00Z')): Promise<Config> {
  const result = await loadConfig({ tenantsDir: join(REPO_ROOT, 'tenants'), platformFile: join(REPO_ROOT, 'platform.yaml') }, { now, cwd: REPO_ROOT });
  if (!result.config) throw new Error(`examples invalid: ${JSON.stringify(result.problems)}`);
  return result.config;
}
