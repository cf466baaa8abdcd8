/**
 * Deterministic names of the AWS resources derived from a tenant. Every later stage (plan, apply,
 * identity provider, smoke) takes names from here, so one change here renames consistently.
 *
 *   S3 bucket   <prefix>-<tenant>-<accountId>      (S3: 3 to 63 characters, globally unique)
 *   IAM role    <prefix>-tenant-<tenant>           (IAM: at most 64 characters)
 *   KMS alias   alias/<prefix>/<tenant>
 *   user secret sftp/<serverId>/<username, lower-cased>
 *   hand-off    sftp-tenants/<prefix>/password-handoff/<username, lower-cased>  (generated passwords)
 *
 * Usernames are unique case-insensitively (validation enforces it) and the secret name uses the
 * lower-cased form, so a login as "Alice" and as "alice" reach the same identity record.
 */

export interface NamingContext {
  accountId: string;
  region: string;
  serverId: string;
  namePrefix: string;
}

export const BUCKET_NAME_MAX = 63;
export const ROLE_NAME_MAX = 64;

export function bucketName(ctx: NamingContext, tenant: string): string {
  return `${ctx.namePrefix}-${tenant}-${ctx.accountId}`;
}

export function roleName(ctx: NamingContext, tenant: string): string {
  return `${ctx.namePrefix}-tenant-${tenant}`;
}

export function roleArn(ctx: NamingContext, tenant: string): string {
  return `arn:aws:iam::${ctx.accountId}:role/${roleName(ctx, tenant)}`;
}

export function keyAlias(ctx: NamingContext, tenant: string): string {
  return `alias/${ctx.namePrefix}/${tenant}`;
}

export function normaliseUsername(username: string): string {
  return username.toLowerCase();
}

export function userSecretPrefix(serverId: string): string {
  return `sftp/${serverId}/`;
}

export function userSecretName(serverId: string, username: string): string {
  return `${userSecretPrefix(serverId)}${normaliseUsername(username)}`;
}

/** The longest tenant name whose derived names all fit AWS's limits under this naming context. */
export function maxTenantNameLength(ctx: Pick<NamingContext, 'namePrefix' | 'accountId'>): number {
  const bucketRoom = BUCKET_NAME_MAX - `${ctx.namePrefix}--${ctx.accountId}`.length;
  const roleRoom = ROLE_NAME_MAX - `${ctx.namePrefix}-tenant-`.length;
  return Math.min(bucketRoom, roleRoom);
}

/**
 * Where apply leaves a generated password for operators to hand over. Outside the server's
 * sftp/<serverId>/ namespace, so the identity provider's role cannot read it.
 */
export function handoffSecretName(namePrefix: string, username: string): string {
  return `sftp-tenants/${namePrefix}/password-handoff/${normaliseUsername(username)}`;
}

/** The smoke test's canary user of a tenant (the prefix is reserved for it). */
export function canaryUsername(tenant: string): string {
  return `sftp-tenants-canary.${tenant}`;
}

/** Where apply keeps a canary's SSH key pair, for the smoke job (never in git, never printed). */
export function canarySecretName(namePrefix: string, tenant: string): string {
  return `sftp-tenants/${namePrefix}/canary/${tenant}`;
}
