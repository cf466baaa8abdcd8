/**
 * `sftp-tenants ci-policies`: the IAM roles the GitHub workflows assume, with their trust and
 * permission policies, for whoever sets up the repository (README, "Setting up a repository").
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { ciRoles, missingAdminRoles, REPOSITORY_PATTERN } from '../ci/policies';
import { UsageError } from '../errors';
import type { Io } from './io';
import { loadValidConfig, type ConfigOptions } from './validate';

export interface CiPoliciesOptions extends ConfigOptions {
  repo?: string;
  format?: string;
  outDir?: string;
}

export async function ciPoliciesCommand(opts: CiPoliciesOptions, io: Io): Promise<number> {
  const repository = opts.repo ?? io.env.GITHUB_REPOSITORY;
  if (!repository) throw new UsageError('name the GitHub repository whose workflows assume the roles: --repo OWNER/NAME');
  if (!REPOSITORY_PATTERN.test(repository)) throw new UsageError(`--repo ${JSON.stringify(repository)} is not of the form OWNER/NAME`);
  const format = opts.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`unknown --format ${format}; use text or json`);
  const { config } = await loadValidConfig(opts, io);
  const roles = ciRoles(config.platform, repository);

  if (format === 'json') {
    io.stdout(`${JSON.stringify({ repository, roles }, null, 2)}\n`);
  } else {
    for (const r of roles) {
      io.stdout(`# ${r.name}: ${r.purpose}\n# ARN ${r.arn}; assumed by GitHub Actions jobs whose OIDC subject is ${r.subject}\n`);
      io.stdout(`## trust policy\n${JSON.stringify(r.trustPolicy, null, 2)}\n## permission policy (inline, ${JSON.stringify(r.policy).length} characters)\n${JSON.stringify(r.policy, null, 2)}\n\n`);
    }
  }

  if (opts.outDir) {
    const dir = isAbsolute(opts.outDir) ? opts.outDir : join(io.cwd, opts.outDir);
    await mkdir(dir, { recursive: true });
    for (const r of roles) {
      await writeFile(join(dir, `${r.name}.trust.json`), `${JSON.stringify(r.trustPolicy, null, 2)}\n`);
      await writeFile(join(dir, `${r.name}.policy.json`), `${JSON.stringify(r.policy, null, 2)}\n`);
    }
    io.stderr(`wrote ${roles.length * 2} files to ${opts.outDir} (<role>.trust.json, <role>.policy.json)\n`);
  }

  const missing = missingAdminRoles(config.platform);
  if (missing.length > 0) {
    io.stderr(
      `note: platform.yaml's adminRoleArns lacks ${missing.join(', ')}.\n` +
        '      Every tenant bucket policy denies all principals but the tenant role and adminRoleArns, so add them there.\n',
    );
  }
  return 0;
}
