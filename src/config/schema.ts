/**
 * The configuration schema: the single source of truth for tenant and platform files.
 * `npm run schema` writes the JSON Schema that editors use into schema/; a test fails when it is stale.
 *
 * The schema holds the shape and every rule about a single value. Rules that relate values to each
 * other (within a file or across files) live in rules.ts, which runs them on the raw data so that a
 * bad value elsewhere does not hide them.
 */
import { z } from 'zod';
import { checkPasswordHash, checkPublicKey } from './credentials';
import { parseCidr } from './cidr';

const refineWith =
  <T>(check: (value: string) => { ok: true; value: T } | { ok: false; message: string }) =>
  (value: string, ctx: z.RefinementCtx) => {
    const result = check(value);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: result.message });
  };

// ---------------------------------------------------------------- platform

const ACCOUNT_ID_HINT = 'an AWS account id is a string of 12 digits; quote it in YAML ("123456789012") so leading zeros survive';
const accountId = z.string({ error: ACCOUNT_ID_HINT }).regex(/^\d{12}$/, ACCOUNT_ID_HINT);
export const roleArnPattern = /^arn:aws(?:-cn|-us-gov)?:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

export const platformSchema = z
  .strictObject({
    accountId: accountId.describe('The AWS account that holds the Transfer server and every tenant resource.'),
    region: z
      .string()
      .regex(/^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/, 'not an AWS region name (e.g. eu-west-2)')
      .describe('The AWS region of the Transfer server and the tenant resources.'),
    serverId: z
      .string()
      .regex(/^s-[0-9a-f]{17}$/, 'a Transfer Family server id looks like s-0123456789abcdef0 (s- and 17 hex digits)')
      .describe('The Transfer Family server whose users this repository manages; user secrets live under sftp/<serverId>/.'),
    namePrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/, 'use 1 to 20 lower-case letters, digits and inner hyphens')
      .describe('Leads every resource name: bucket <prefix>-<tenant>-<accountId>, role <prefix>-tenant-<tenant>, key alias alias/<prefix>/<tenant>.'),
    adminRoleArns: z
      .array(z.string().regex(roleArnPattern, 'not an IAM role ARN (arn:aws:iam::<account>:role/<name>)'))
      .min(1, 'name at least one admin or reconciler role; bucket policies deny every other principal')
      .describe('Roles of the platform team and of this tool that bucket policies admit besides each tenant role.'),
    canary: z
      .strictObject({
        allowedCidrs: z
          .array(z.string().superRefine(refineWith(parseCidr)))
          .min(1)
          .describe('Where the smoke test connects from (the runners of the nightly job; 127.0.0.1/32 for the local stack).'),
      })
      .optional()
      .describe('One canary SFTP user per tenant, with an SSH key pair kept in a secret, for `sftp-tenants smoke`.'),
    defaults: z
      .strictObject({
        keyDeletionWindowDays: z.number().int().min(7).max(30).default(30).describe('Waiting period when a tenant key is scheduled for deletion.'),
        secretRecoveryWindowDays: z.number().int().min(7).max(30).default(30).describe('Recovery window when a user secret is deleted.'),
      })
      .prefault({}),
  })
  .describe('sftp-tenants platform settings (platform.yaml)');

export type Platform = z.output<typeof platformSchema>;

// ---------------------------------------------------------------- tenant

/** Canary users are named `<prefix><tenant>`; no declared user may take such a name. */
export const CANARY_USER_PREFIX = 'sftp-tenants-canary.';

export const TENANT_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const USERNAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.@-]{2,99}$/;

export function checkUsername(name: string): { ok: true; value: string } | { ok: false; message: string } {
  if (name === '$default$') return { ok: false, message: '"$default$" is a catch-all user that would admit any username; it is never allowed' };
  if (name.length < 3 || name.length > 100) return { ok: false, message: `a username has 3 to 100 characters (this one has ${name.length})` };
  if (/^[-.@]/.test(name)) return { ok: false, message: 'a username must not start with "-", "." or "@"' };
  if (!USERNAME_PATTERN.test(name)) return { ok: false, message: 'a username may contain only letters, digits and _ . @ -' };
  if (name.toLowerCase().startsWith(CANARY_USER_PREFIX)) return { ok: false, message: `usernames starting with "${CANARY_USER_PREFIX}" are reserved for the smoke test's canaries` };
  return { ok: true, value: name };
}

function checkFolderPath(path: string): { ok: true; value: string } | { ok: false; message: string } {
  if (!path.startsWith('/')) return { ok: false, message: `folder path must be absolute (start with "/"), e.g. /${path}` };
  if (path === '/') return { ok: true, value: path };
  if (path.includes('//')) return { ok: false, message: 'folder path must not contain "//"' };
  if (path.endsWith('/')) return { ok: false, message: `folder path must not end with "/" (write ${path.replace(/\/+$/, '')})` };
  const segments = path.slice(1).split('/');
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, message: 'folder path must not contain "." or ".." segments' };
  if (segments.some((s) => !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s))) {
    return { ok: false, message: 'folder path segments may contain only letters, digits and _ . - (and must not start with . or -)' };
  }
  return { ok: true, value: path };
}

const cidrList = z.array(z.string().superRefine(refineWith(parseCidr)));

const DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** `2027-06-30` means access ends at the start of that day, UTC. */
export function parseExpiry(text: string): Date | undefined {
  if (!DATE.test(text)) return undefined;
  const date = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(date.getTime())) return undefined;
  // Date() rolls 2027-02-30 over to March; a calendar date must survive the round trip.
  if (text.length === 10 && date.toISOString().slice(0, 10) !== text) return undefined;
  return date;
}

export const folderSchema = z.strictObject({
  path: z.string().superRefine(refineWith(checkFolderPath)).describe('Logical path in the tenant bucket, e.g. /inbound; "/" alone maps the whole bucket.'),
  access: z.enum(['read-only', 'write-only', 'read-write'], 'access must be read-only, write-only or read-write').describe('read-only: list and download; write-only: list and upload; read-write: also delete and rename.'),
});

export const userSchema = z
  .strictObject({
    name: z.string().superRefine(refineWith(checkUsername)).describe('Transfer Family username: 3 to 100 of A-Z a-z 0-9 _ . @ -, not starting with - . or @; unique case-insensitively across all tenants.'),
    passwordHash: z
      .string()
      .superRefine(refineWith(checkPasswordHash))
      .optional()
      .describe('argon2id (m>=19456, t>=2) or bcrypt (cost>=10) hash of the password; never the password itself.'),
    generatedPassword: z
      .boolean()
      .optional()
      .describe('true: apply generates a strong password, stores only its hash, and hands the password to operators in a separate secret. Instead of passwordHash.'),
    publicKeys: z
      .array(z.string().superRefine(refineWith(checkPublicKey)))
      .optional()
      .describe('OpenSSH public keys (ed25519, ECDSA, or RSA of 2048 bits or more).'),
    allowedCidrs: cidrList.min(1, 'an empty list would admit nobody; omit the field to use the tenant allowlist').optional().describe("Narrows the tenant's allowlist for this user; each block must lie inside one of the tenant's."),
    expires: z
      .string()
      .refine((s) => parseExpiry(s) !== undefined, 'not a valid date; write YYYY-MM-DD or an ISO 8601 timestamp with a zone')
      .optional()
      .describe('Access ends at this instant (a bare date means 00:00 UTC that day).'),
    folders: z.array(folderSchema).min(1, 'a user needs at least one folder').describe('Logical folders in the tenant bucket that the user sees at its SFTP root.'),
  });

export const tenantSchema = z
  .strictObject({
    name: z
      .string()
      .regex(TENANT_NAME_PATTERN, 'a tenant name is DNS-safe: lower-case letters, digits and inner hyphens (it feeds bucket and role names)')
      .describe('DNS-safe tenant name; must equal the file name without .yaml.'),
    description: z.string().min(1).max(256).describe('Who the tenant is, for reviewers.'),
    owner: z
      .strictObject({
        name: z.string().min(1).optional(),
        email: z.email('not an e-mail address'),
      })
      .describe('Who to contact about this tenant.'),
    allowedCidrs: cidrList
      .min(1, 'an empty allowlist would admit nobody; list the client\'s source address ranges')
      .describe('Source address ranges the tenant may connect from.'),
    storage: z
      .strictObject({
        versioning: z.boolean().default(true).describe('Keep previous versions of overwritten and deleted objects.'),
        expireAfterDays: z.number().int().min(1).max(36500).optional().describe('Delete objects this many days after upload.'),
        onRemoval: z
          .enum(['retain', 'destroy'], 'onRemoval must be retain or destroy')
          .default('retain')
          .describe('When the tenant file is deleted: retain keeps bucket, objects and key; destroy allows deleting them (with an operator flag).'),
      })
      .prefault({}),
    encryption: z
      .strictObject({
        keyRotation: z.boolean().default(true).describe('Yearly automatic rotation of the tenant KMS key.'),
      })
      .prefault({}),
    users: z.array(userSchema).min(1, 'a tenant needs at least one user'),
  })
  .describe('One sftp-tenants tenant (tenants/<name>.yaml)');

export type Tenant = z.output<typeof tenantSchema>;
export type TenantUser = z.output<typeof userSchema>;
