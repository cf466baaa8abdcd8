/**
 * Fleet-wide discovery: a handful of paginated batch reads that find every resource the plan may
 * need, so that per-tenant reads touch only resources known to exist (DESIGN.md §4: batch reads).
 *   KMS ListAliases, tagging GetResources (owned buckets and keys), S3 ListBuckets,
 *   IAM GetAccountAuthorizationDetails (roles with trust, inline policies and tags),
 *   Secrets Manager ListSecrets (the server's prefix) and BatchGetSecretValue (owned records).
 */
import { paginateGetAccountAuthorizationDetails, type RoleDetail } from '@aws-sdk/client-iam';
import { paginateListAliases } from '@aws-sdk/client-kms';
import { paginateGetResources } from '@aws-sdk/client-resource-groups-tagging-api';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { BatchGetSecretValueCommand, paginateListSecrets } from '@aws-sdk/client-secrets-manager';
import type { AwsClients } from './clients';
import { userSecretPrefix } from '../model/names';
import { claims, MANAGED_BY_VALUE, TAG_MANAGED_BY, tagsFromList, type Tags } from '../model/tags';

export interface DiscoveredSecret {
  name: string;
  arn: string;
  tags: Tags;
  /** Set when the secret is scheduled for deletion (recoverable until then). */
  deletedDate?: Date;
}

export interface Discovery {
  aliases: Map<string, string>;
  /** Keys carrying sftp-tenants tags, by key id. */
  taggedKeys: Map<string, { arn: string; tags: Tags }>;
  /** Buckets carrying sftp-tenants tags, by name. */
  taggedBuckets: Map<string, Tags>;
  /** Every bucket of the account, to tell "absent" from "present but not ours". */
  bucketNames: Set<string>;
  roles: Map<string, RoleDetail>;
  secrets: Map<string, DiscoveredSecret>;
  /** Values of this deployment's secrets that are not scheduled for deletion. */
  secretValues: Map<string, string>;
}

const BATCH_GET_LIMIT = 20;

export async function discover(clients: AwsClients, opts: { serverId: string; deployment: string }): Promise<Discovery> {
  const [aliases, tagged, bucketNames, roles, secrets] = await Promise.all([
    (async () => {
      const map = new Map<string, string>();
      for await (const page of paginateListAliases({ client: clients.kms }, {})) {
        for (const a of page.Aliases ?? []) if (a.AliasName && a.TargetKeyId) map.set(a.AliasName, a.TargetKeyId);
      }
      return map;
    })(),
    (async () => {
      const keys = new Map<string, { arn: string; tags: Tags }>();
      const buckets = new Map<string, Tags>();
      const pages = paginateGetResources(
        { client: clients.tagging },
        { TagFilters: [{ Key: TAG_MANAGED_BY, Values: [MANAGED_BY_VALUE] }], ResourceTypeFilters: ['s3:bucket', 'kms:key'] },
      );
      for await (const page of pages) {
        for (const r of page.ResourceTagMappingList ?? []) {
          const arn = r.ResourceARN ?? '';
          const tags = tagsFromList(r.Tags);
          if (arn.startsWith('arn:aws:s3:::')) buckets.set(arn.slice('arn:aws:s3:::'.length), tags);
          else if (arn.includes(':key/')) keys.set(arn.slice(arn.lastIndexOf('/') + 1), { arn, tags });
        }
      }
      return { keys, buckets };
    })(),
    (async () => {
      const out = await clients.s3.send(new ListBucketsCommand({}));
      return new Set((out.Buckets ?? []).map((b) => b.Name!).filter(Boolean));
    })(),
    (async () => {
      const map = new Map<string, RoleDetail>();
      for await (const page of paginateGetAccountAuthorizationDetails({ client: clients.iam }, { Filter: ['Role'] })) {
        for (const r of page.RoleDetailList ?? []) if (r.RoleName) map.set(r.RoleName, r);
      }
      return map;
    })(),
    (async () => {
      const map = new Map<string, DiscoveredSecret>();
      const prefix = userSecretPrefix(opts.serverId);
      const pages = paginateListSecrets({ client: clients.secrets }, { Filters: [{ Key: 'name', Values: [prefix] }], IncludePlannedDeletion: true });
      for await (const page of pages) {
        for (const s of page.SecretList ?? []) {
          // The name filter matches prefixes; keep exactly the server's namespace.
          if (!s.Name?.startsWith(prefix) || !s.ARN) continue;
          const entry: DiscoveredSecret = { name: s.Name, arn: s.ARN, tags: tagsFromList(s.Tags) };
          if (s.DeletedDate) entry.deletedDate = s.DeletedDate;
          map.set(s.Name, entry);
        }
      }
      return map;
    })(),
  ]);

  // Read the values of our own live records only: never an unmanaged secret's.
  const wanted = [...secrets.values()].filter((s) => !s.deletedDate && claims(s.tags, opts.deployment)).map((s) => s.name);
  const secretValues = new Map<string, string>();
  const batches: string[][] = [];
  for (let i = 0; i < wanted.length; i += BATCH_GET_LIMIT) batches.push(wanted.slice(i, i + BATCH_GET_LIMIT));
  await Promise.all(
    batches.map(async (ids) => {
      const out = await clients.secrets.send(new BatchGetSecretValueCommand({ SecretIdList: ids }));
      if (out.Errors && out.Errors.length > 0) {
        throw new Error(`BatchGetSecretValue failed for ${out.Errors.map((e) => `${e.SecretId}: ${e.ErrorCode}`).join(', ')}`);
      }
      for (const v of out.SecretValues ?? []) if (v.Name && v.SecretString !== undefined) secretValues.set(v.Name, v.SecretString);
    }),
  );

  return { aliases, taggedKeys: tagged.keys, taggedBuckets: tagged.buckets, bucketNames, roles, secrets, secretValues };
}
