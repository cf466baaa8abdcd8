/**
 * The identity record: one Secrets Manager secret per SFTP user, `sftp/<serverId>/<username>`,
 * holding exactly what the identity provider needs to answer Transfer Family. Apply writes it from
 * the tenant files (buildIdentityRecord); the identity provider reads it (parseIdentityRecord).
 * Both sides use this module, so they cannot disagree about the format.
 */
import { z } from 'zod';
import type { Platform, Tenant, TenantUser } from '../config/schema';
import { bucketName, roleArn } from './names';
import { homeDirectoryMappings, renderPolicy, sessionPolicy, SESSION_POLICY_MAX_LENGTH } from './session-policy';

export const IDENTITY_RECORD_VERSION = 1;

/**
 * Stands for the hash of a password that apply generates: a plan cannot know it, and a record
 * holding it admits nobody (it is not a hash any verifier accepts).
 */
export const GENERATED_PASSWORD = '(generated at apply)';

export const identityRecordSchema = z.strictObject({
  version: z.literal(IDENTITY_RECORD_VERSION),
  tenant: z.string().min(1),
  username: z.string().min(1),
  role: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/),
  homeDirectoryType: z.literal('LOGICAL'),
  homeDirectoryDetails: z
    .array(z.strictObject({ Entry: z.string().startsWith('/'), Target: z.string().startsWith('/') }))
    .min(1),
  /** The session policy exactly as Transfer Family receives it. */
  policy: z.string().min(1).max(SESSION_POLICY_MAX_LENGTH),
  passwordHash: z.string().min(1).optional(),
  publicKeys: z.array(z.string().min(1)),
  /** The effective allowlist: the user's own CIDRs, else the tenant's. Never empty. */
  allowedCidrs: z.array(z.string().min(1)).min(1),
  /** ISO 8601 instant at which access ends. */
  expires: z.iso.datetime({ offset: true }).optional(),
});

export type IdentityRecord = z.output<typeof identityRecordSchema>;

export function buildIdentityRecord(platform: Platform, tenant: Tenant, user: TenantUser, tenantKeyArn: string, expiresAt?: Date): IdentityRecord {
  const bucket = bucketName(platform, tenant.name);
  const record: IdentityRecord = {
    version: IDENTITY_RECORD_VERSION,
    tenant: tenant.name,
    username: user.name,
    role: roleArn(platform, tenant.name),
    homeDirectoryType: 'LOGICAL',
    homeDirectoryDetails: homeDirectoryMappings(bucket, user.folders),
    policy: renderPolicy(sessionPolicy(bucket, tenantKeyArn, user.folders)),
    publicKeys: [...(user.publicKeys ?? [])],
    allowedCidrs: [...(user.allowedCidrs ?? tenant.allowedCidrs)],
  };
  if (user.passwordHash !== undefined) record.passwordHash = user.passwordHash;
  else if (user.generatedPassword === true) record.passwordHash = GENERATED_PASSWORD;
  if (expiresAt !== undefined) record.expires = expiresAt.toISOString();
  return record;
}

/** The record as stored: stable key order, so that equal records are equal strings. */
export function serialiseIdentityRecord(record: IdentityRecord): string {
  return JSON.stringify(identityRecordSchema.parse(record));
}

/** undefined when the text is not a well-formed record of this version. */
export function parseIdentityRecord(text: string): IdentityRecord | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = identityRecordSchema.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}
