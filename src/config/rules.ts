/**
 * Rules that relate values to each other: within a user, within a tenant file, and across all
 * tenant files. They read the raw YAML data (not zod's output) so that they still run, and still
 * report, when some unrelated value in the same file is invalid.
 */
import { basename, extname } from 'node:path';
import { cidrContains, parseCidr, type Cidr } from './cidr';
import { checkPublicKey } from './credentials';
import { parseExpiry, roleArnPattern, TENANT_NAME_PATTERN, checkUsername, type Platform } from './schema';
import type { FieldPath } from './problems';
import { bucketName, maxTenantNameLength, normaliseUsername } from '../model/names';
import { keyArn, PLACEHOLDER_KEY_ID, renderPolicy, sessionPolicy, SESSION_POLICY_MAX_LENGTH, type Folder } from '../model/session-policy';

/** The control bucket (apply lock) is named as a tenant bucket of this name would be. */
export const RESERVED_TENANT_NAME = 'control';

export interface RuleFinding {
  path: FieldPath;
  message: string;
}

const rec = (x: unknown): Record<string, unknown> =>
  x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);

export function platformRules(raw: unknown): RuleFinding[] {
  const p = rec(raw);
  const account = str(p.accountId);
  const findings: RuleFinding[] = [];
  arr(p.adminRoleArns).forEach((arn, i) => {
    const other = roleArnPattern.exec(str(arn) ?? '')?.[1];
    if (account && other && other !== account) {
      findings.push({ path: ['adminRoleArns', i], message: `role is in account ${other}, not the platform account ${account}` });
    }
  });
  return findings;
}

export interface TenantRuleContext {
  /** The tenant file's path, for the file-name rule. */
  file: string;
  /** The valid platform settings, when there are any: names and policies depend on them. */
  platform?: Platform;
  now: Date;
}

export function tenantRules(raw: unknown, ctx: TenantRuleContext): RuleFinding[] {
  const t = rec(raw);
  const findings: RuleFinding[] = [];
  const name = str(t.name);

  if (name === RESERVED_TENANT_NAME) {
    findings.push({ path: ['name'], message: `"${RESERVED_TENANT_NAME}" is reserved: its bucket name is the one sftp-tenants uses for its apply lock` });
  }
  const stem = basename(ctx.file, extname(ctx.file));
  if (name !== undefined && name !== stem) {
    findings.push({ path: ['name'], message: `tenant name "${name}" does not match its file name; rename the file to ${name}.yaml or the tenant to "${stem}"` });
  }
  if (name !== undefined && ctx.platform && TENANT_NAME_PATTERN.test(name)) {
    const max = maxTenantNameLength(ctx.platform);
    if (name.length > max) {
      findings.push({
        path: ['name'],
        message: `tenant name has ${name.length} characters; with namePrefix "${ctx.platform.namePrefix}" at most ${max} fit the bucket name (63) and role name (64) it feeds`,
      });
    }
  }

  const tenantCidrs = arr(t.allowedCidrs).flatMap((c) => {
    const parsed = parseCidr(str(c) ?? '');
    return parsed.ok ? [parsed.value] : [];
  });

  arr(t.users).forEach((rawUser, u) => {
    const user = rec(rawUser);
    const at = (...rest: FieldPath): FieldPath => ['users', u, ...rest];

    const keys = arr(user.publicKeys);
    const generated = user.generatedPassword === true;
    if (user.passwordHash === undefined && !generated && keys.length === 0) {
      findings.push({ path: at(), message: 'a user needs a passwordHash (or generatedPassword: true), publicKeys, or both' });
    }
    if (user.passwordHash !== undefined && generated) {
      findings.push({ path: at('generatedPassword'), message: 'give either passwordHash or generatedPassword: true, not both' });
    }
    const seen = new Map<string, number>();
    keys.forEach((line, k) => {
      const key = checkPublicKey(str(line) ?? '');
      if (!key.ok) return;
      const first = seen.get(key.value.fingerprint);
      if (first !== undefined) findings.push({ path: at('publicKeys', k), message: `the same key is already listed at publicKeys[${first}]` });
      else seen.set(key.value.fingerprint, k);
    });

    (arr(user.allowedCidrs)).forEach((text, c) => {
      const cidr = parseCidr(str(text) ?? '');
      if (cidr.ok && tenantCidrs.length > 0 && !tenantCidrs.some((outer: Cidr) => cidrContains(outer, cidr.value))) {
        findings.push({
          path: at('allowedCidrs', c),
          message: `${cidr.value.text} is not inside the tenant allowlist (${tenantCidrs.map((x) => x.text).join(', ')}); a user's CIDRs may only narrow it`,
        });
      }
    });

    const expires = str(user.expires);
    const expiry = expires !== undefined ? parseExpiry(expires) : undefined;
    if (expiry && expiry.getTime() <= ctx.now.getTime()) {
      findings.push({ path: at('expires'), message: `expiry ${expires} is in the past; remove the user or extend the date` });
    }

    const folders = arr(user.folders).map(rec);
    const paths = folders.map((f) => str(f.path));
    paths.forEach((p, i) => {
      if (p === undefined) return;
      if (p === '/' && paths.length > 1) {
        findings.push({ path: at('folders', i, 'path'), message: 'a "/" folder maps the whole bucket and must be the only folder' });
        return;
      }
      const dup = paths.indexOf(p);
      if (dup !== i) {
        findings.push({ path: at('folders', i, 'path'), message: `folder ${p} is already listed at folders[${dup}]` });
        return;
      }
      const parent = paths.find((q) => q !== undefined && q !== '/' && q !== p && p.startsWith(`${q}/`));
      if (parent) findings.push({ path: at('folders', i, 'path'), message: `folder ${p} is nested inside folder ${parent}; folders must not overlap` });
    });

    const validFolders = folders.filter((f): f is Folder & Record<string, unknown> => typeof f.path === 'string' && typeof f.access === 'string');
    if (ctx.platform && name !== undefined && validFolders.length > 0 && validFolders.length === folders.length) {
      const policy = renderPolicy(
        sessionPolicy(bucketName(ctx.platform, name), keyArn(ctx.platform.region, ctx.platform.accountId, PLACEHOLDER_KEY_ID), validFolders),
      );
      if (policy.length > SESSION_POLICY_MAX_LENGTH) {
        findings.push({
          path: at('folders'),
          message: `the session policy for these folders would be ${policy.length} characters; Transfer Family accepts at most ${SESSION_POLICY_MAX_LENGTH}. Use fewer or shorter folder paths`,
        });
      }
    }
  });
  return findings;
}

export interface FileData {
  file: string;
  data: unknown;
}

export interface FleetFinding extends RuleFinding {
  file: string;
}

/** Rules across tenant files: names, usernames and keys must not be shared between tenants. */
export function fleetRules(files: readonly FileData[]): FleetFinding[] {
  const findings: FleetFinding[] = [];
  const tenantNames = new Map<string, string>();
  const usernames = new Map<string, { file: string; name: string }>();
  const keys = new Map<string, { file: string; tenant: string; user: string }>();

  for (const { file, data } of files) {
    const t = rec(data);
    const tenant = str(t.name);
    if (tenant !== undefined) {
      const other = tenantNames.get(tenant);
      if (other !== undefined) findings.push({ file, path: ['name'], message: `tenant name "${tenant}" is already used by ${other}` });
      else tenantNames.set(tenant, file);
    }
    arr(t.users).forEach((rawUser, u) => {
      const user = rec(rawUser);
      const name = str(user.name);
      if (name !== undefined && checkUsername(name).ok) {
        const norm = normaliseUsername(name);
        const other = usernames.get(norm);
        if (other) {
          const same = other.name === name ? `username "${name}"` : `username "${name}" collides with "${other.name}" (usernames are case-insensitive)`;
          findings.push({ file, path: ['users', u, 'name'], message: `${same} is already defined in ${other.file}` });
        } else usernames.set(norm, { file, name });
      }
      arr(user.publicKeys).forEach((line, k) => {
        const key = checkPublicKey(str(line) ?? '');
        if (!key.ok) return;
        const other = keys.get(key.value.fingerprint);
        if (!other) keys.set(key.value.fingerprint, { file, tenant: tenant ?? '?', user: name ?? '?' });
        else if (other.tenant !== tenant) {
          findings.push({
            file,
            path: ['users', u, 'publicKeys', k],
            message: `this key (${key.value.fingerprint}) also belongs to user "${other.user}" of tenant "${other.tenant}" (${other.file}); a key must not open two tenants`,
          });
        }
      });
    });
  }
  return findings;
}
