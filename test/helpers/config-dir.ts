/** Temporary configuration directories: platform.yaml beside tenants/<files>. */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
export const EXAMPLE_PLATFORM = readFileSync(join(REPO_ROOT, 'platform.yaml'), 'utf8');

export interface ConfigDir {
  root: string;
  tenantsDir: string;
  platformFile: string;
  cleanup(): void;
}

export function makeConfigDir(files: Record<string, string>, platform = EXAMPLE_PLATFORM): ConfigDir {
  const root = mkdtempSync(join(tmpdir(), 'sftp-tenants-'));
  const tenantsDir = join(root, 'tenants');
  mkdirSync(tenantsDir);
  writeFileSync(join(root, 'platform.yaml'), platform);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(tenantsDir, name), text);
  return { root, tenantsDir, platformFile: join(root, 'platform.yaml'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
