/**
 * The tenant's S3 bucket: SSE-KMS under the tenant key with bucket keys, every public-access block,
 * BucketOwnerEnforced, versioning, lifecycle, and a bucket policy admitting only the tenant role and
 * the platform roles over TLS.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListObjectVersionsCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { withPropagationRetry } from '../apply/retry';
import type { Platform } from '../config/schema';
import { bucketName } from '../model/names';
import { bucketPolicy } from '../model/policies';
import { claims, managedTags, ownershipTags, TAG_ON_REMOVAL, tagsFromList, type Tags } from '../model/tags';
import { plainAttribute, policyAttribute, tagsAttribute } from './attributes';
import type { ApplyContext, DesiredResource, ReadContext, ResourceKind } from './types';

export const ABORT_MULTIPART_DAYS = 7;

export interface LifecycleRuleView {
  id: string;
  enabled: boolean;
  expirationDays?: number;
  noncurrentExpirationDays?: number;
  abortIncompleteMultipartDays?: number;
}

export function desiredLifecycle(expireAfterDays: number | undefined): LifecycleRuleView[] {
  const rules: LifecycleRuleView[] = [{ id: 'sftp-tenants-abort-incomplete-uploads', enabled: true, abortIncompleteMultipartDays: ABORT_MULTIPART_DAYS }];
  if (expireAfterDays !== undefined) {
    rules.push({ id: 'sftp-tenants-expiry', enabled: true, expirationDays: expireAfterDays, noncurrentExpirationDays: expireAfterDays });
  }
  return rules;
}

function lifecycleView(rules: LifecycleRule[] | undefined): LifecycleRuleView[] {
  return (rules ?? [])
    .map((r) => {
      const v: LifecycleRuleView = { id: r.ID ?? '', enabled: r.Status === 'Enabled' };
      if (r.Expiration?.Days !== undefined) v.expirationDays = r.Expiration.Days;
      if (r.NoncurrentVersionExpiration?.NoncurrentDays !== undefined) v.noncurrentExpirationDays = r.NoncurrentVersionExpiration.NoncurrentDays;
      if (r.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== undefined) v.abortIncompleteMultipartDays = r.AbortIncompleteMultipartUpload.DaysAfterInitiation;
      return v;
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** S3 may report the default key as a key id, an ARN or an alias; plans compare ARNs. */
function keyReference(platform: Platform, ref: string | undefined): string | null {
  if (!ref) return null;
  if (ref.startsWith('arn:')) return ref;
  if (ref.startsWith('alias/')) return `arn:aws:kms:${platform.region}:${platform.accountId}:${ref}`;
  return `arn:aws:kms:${platform.region}:${platform.accountId}:key/${ref}`;
}

/** An absent configuration answers with an error whose name says so. */
async function orAbsent<T>(call: Promise<T>, absent: string[]): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof Error && absent.includes(err.name)) return undefined;
    throw err;
  }
}

export async function bucketIsEmpty(ctx: Pick<ReadContext, 'clients'>, bucket: string): Promise<boolean> {
  const out = await ctx.clients.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1 }));
  return (out.Versions?.length ?? 0) === 0 && (out.DeleteMarkers?.length ?? 0) === 0;
}

function lifecycleRules(rules: readonly LifecycleRuleView[]): LifecycleRule[] {
  return rules.map((r) => {
    const rule: LifecycleRule = { ID: r.id, Status: r.enabled ? 'Enabled' : 'Disabled', Filter: { Prefix: '' } };
    if (r.expirationDays !== undefined) rule.Expiration = { Days: r.expirationDays };
    if (r.noncurrentExpirationDays !== undefined) rule.NoncurrentVersionExpiration = { NoncurrentDays: r.noncurrentExpirationDays };
    if (r.abortIncompleteMultipartDays !== undefined) rule.AbortIncompleteMultipartUpload = { DaysAfterInitiation: r.abortIncompleteMultipartDays };
    return rule;
  });
}

/** Writes the named attributes of the desired bucket, in an order where each write is valid. */
async function writeBucket(ctx: ApplyContext, d: DesiredResource, attributes: readonly string[]): Promise<void> {
  const { clients, retry } = ctx;
  const Bucket = d.id;
  const a = d.attributes;
  if (attributes.includes('tags')) {
    // PutBucketTagging replaces the whole set: keep the tags that are not ours.
    const current = await orAbsent(clients.s3.send(new GetBucketTaggingCommand({ Bucket })), ['NoSuchTagSet']);
    const merged = { ...managedOthers(tagsFromList(current?.TagSet)), ...(a.tags as Tags) };
    await clients.s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: Object.entries(merged).map(([Key, Value]) => ({ Key, Value })) } }));
  }
  if (attributes.includes('publicAccessBlock')) {
    await clients.s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: a.publicAccessBlock as Record<string, boolean> }));
  }
  if (attributes.includes('ownership')) {
    await clients.s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
  }
  if (attributes.includes('encryption')) {
    const enc = a.encryption as { keyArn: string };
    await clients.s3.send(
      new PutBucketEncryptionCommand({
        Bucket,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: enc.keyArn }, BucketKeyEnabled: true }] },
      }),
    );
  }
  if (attributes.includes('versioning')) {
    await clients.s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: a.versioning as 'Enabled' | 'Suspended' } }));
  }
  if (attributes.includes('lifecycle')) {
    await clients.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: lifecycleRules(a.lifecycle as LifecycleRuleView[]) } }));
  }
  if (attributes.includes('policy')) {
    // The policy names the tenant role, which S3 refuses until IAM has propagated it.
    await withPropagationRetry(retry, () => clients.s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(a.policy) })));
  }
}

/** Tags of others on the bucket (everything that is not an sftp-tenants tag). */
function managedOthers(tags: Tags): Tags {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => !k.startsWith('sftp-tenants:')));
}

async function emptyBucket(ctx: ApplyContext, Bucket: string): Promise<void> {
  for (;;) {
    const page = await ctx.clients.s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 1000 }));
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId! }));
    if (objects.length === 0) return;
    await ctx.clients.s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: objects, Quiet: true } }));
  }
}

export const bucketKind: ResourceKind = {
  kind: 'bucket',
  dependsOn: ['key', 'role'],
  attributes: [
    plainAttribute('encryption', (before, after) => {
      const b = before as { algorithm?: string } | null;
      const a = after as { algorithm?: string } | null;
      return b?.algorithm === 'aws:kms' && a?.algorithm !== 'aws:kms' ? { class: 'security-broadening', reason: 'default encryption no longer uses the tenant key' } : undefined;
    }),
    plainAttribute('publicAccessBlock', (before, after) => {
      const b = (before ?? {}) as Record<string, boolean>;
      const a = (after ?? {}) as Record<string, boolean>;
      const off = Object.keys(b).filter((k) => b[k] === true && a[k] !== true);
      return off.length > 0 ? { class: 'security-broadening', reason: `public access blocks turned off: ${off.join(', ')}` } : undefined;
    }),
    plainAttribute('ownership'),
    plainAttribute('versioning', (before, after) =>
      before === 'Enabled' && after !== 'Enabled' ? { class: 'data-loss', reason: 'versioning suspended: overwritten and deleted objects are no longer kept' } : undefined,
    ),
    plainAttribute('lifecycle', (before, after) => {
      const days = (v: unknown) => (Array.isArray(v) ? (v as LifecycleRuleView[]) : []).find((r) => r.enabled && r.expirationDays !== undefined)?.expirationDays;
      const b = days(before);
      const a = days(after);
      return a !== undefined && (b === undefined || a < b) ? { class: 'data-loss', reason: `objects will be deleted ${a} days after upload` } : undefined;
    }),
    policyAttribute('policy'),
    tagsAttribute,
  ],

  desired({ config, tenant, keyArn }) {
    const { platform } = config;
    return [
      {
        kind: 'bucket',
        tenant: tenant.name,
        id: bucketName(platform, tenant.name),
        attributes: {
          encryption: { algorithm: 'aws:kms', keyArn, bucketKey: true },
          publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
          ownership: 'BucketOwnerEnforced',
          versioning: tenant.storage.versioning ? 'Enabled' : 'Suspended',
          lifecycle: desiredLifecycle(tenant.storage.expireAfterDays),
          policy: bucketPolicy(platform, tenant.name, keyArn),
          tags: { ...ownershipTags(platform.namePrefix, tenant.name), [TAG_ON_REMOVAL]: tenant.storage.onRemoval },
        },
      },
    ];
  },

  async read({ config, clients, discovery }, tenant) {
    const { platform } = config;
    const Bucket = bucketName(platform, tenant);
    if (!discovery.bucketNames.has(Bucket)) return [];
    const [enc, pab, own, ver, lc, pol, tagging] = await Promise.all([
      orAbsent(clients.s3.send(new GetBucketEncryptionCommand({ Bucket })), ['ServerSideEncryptionConfigurationNotFoundError']),
      orAbsent(clients.s3.send(new GetPublicAccessBlockCommand({ Bucket })), ['NoSuchPublicAccessBlockConfiguration']),
      orAbsent(clients.s3.send(new GetBucketOwnershipControlsCommand({ Bucket })), ['OwnershipControlsNotFoundError']),
      clients.s3.send(new GetBucketVersioningCommand({ Bucket })),
      orAbsent(clients.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })), ['NoSuchLifecycleConfiguration']),
      orAbsent(clients.s3.send(new GetBucketPolicyCommand({ Bucket })), ['NoSuchBucketPolicy']),
      discovery.taggedBuckets.has(Bucket) ? Promise.resolve(undefined) : orAbsent(clients.s3.send(new GetBucketTaggingCommand({ Bucket })), ['NoSuchTagSet']),
    ]);
    const tags: Tags = discovery.taggedBuckets.get(Bucket) ?? tagsFromList(tagging?.TagSet);
    // CreateBucket cannot tag, so an apply interrupted right after it leaves an untagged bucket at
    // our name (which embeds our prefix and account id). Adopt it only while it is still untouched:
    // no tags at all, no policy, no objects. Anything else there is someone else's.
    const adoptable = Object.keys(tags).length === 0 && !pol && (await bucketIsEmpty({ clients }, Bucket));
    const rule = enc?.ServerSideEncryptionConfiguration?.Rules?.[0];
    const pabConfig = pab?.PublicAccessBlockConfiguration;
    return [
      {
        kind: 'bucket',
        tenant,
        id: Bucket,
        owned: claims(tags, platform.namePrefix) || adoptable,
        attributes: {
          encryption: rule
            ? {
                algorithm: rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? null,
                keyArn: keyReference(platform, rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID),
                bucketKey: rule.BucketKeyEnabled === true,
              }
            : null,
          publicAccessBlock: {
            BlockPublicAcls: pabConfig?.BlockPublicAcls === true,
            IgnorePublicAcls: pabConfig?.IgnorePublicAcls === true,
            BlockPublicPolicy: pabConfig?.BlockPublicPolicy === true,
            RestrictPublicBuckets: pabConfig?.RestrictPublicBuckets === true,
          },
          ownership: own?.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? null,
          // A bucket never versioned reports no status; for a desired "off" it equals Suspended.
          versioning: ver.Status ?? 'Suspended',
          lifecycle: lifecycleView(lc?.Rules),
          policy: pol?.Policy ?? null,
          tags: managedTags(tags),
        },
        meta: { arn: `arn:aws:s3:::${Bucket}`, onRemoval: tags[TAG_ON_REMOVAL], adopted: adoptable },
      },
    ];
  },

  async create(ctx, d) {
    const region = ctx.config.platform.region;
    await ctx.clients.s3.send(
      new CreateBucketCommand({ Bucket: d.id, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }) }),
    );
    // Tags first: a bucket without them would not be recognised as ours after an interruption.
    await writeBucket(ctx, d, ['tags', 'publicAccessBlock', 'ownership', 'encryption', 'versioning', 'lifecycle', 'policy']);
    return { meta: { arn: `arn:aws:s3:::${d.id}` } };
  },

  async update(ctx, d, l, attributes) {
    await writeBucket(ctx, d, attributes);
    return { meta: l.meta };
  },

  async delete(ctx, l) {
    if (!(await bucketIsEmpty(ctx, l.id))) {
      if (!ctx.allowDestroyData) throw new Error(`bucket ${l.id} still holds objects; refusing to delete it without --allow-destroy-data`);
      await emptyBucket(ctx, l.id);
    }
    await ctx.clients.s3.send(new DeleteBucketCommand({ Bucket: l.id }));
  },

  deleteRisks: () => [
    { class: 'destroy', reason: 'the bucket is deleted' },
    { class: 'data-loss', reason: 'the tenant data in it is gone for good' },
  ],
};
