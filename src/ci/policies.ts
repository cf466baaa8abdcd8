/**
 * The IAM roles the GitHub workflows assume through OIDC, each with the least privilege its job
 * needs: `plan` (read-only, pull requests), `apply` (write, the production environment) and
 * `smoke` (the nightly drift check and SFTP smoke test).
 *
 * Derived from the calls the tool makes: every grant lists SDK operations (as the call counter of
 * src/aws/clients.ts names them, `service.Operation`), and the IAM actions come from one table of
 * operations. A test checks that every operation src/ calls is in the table and that the
 * operations recorded while plan, apply and smoke run against the emulator are granted to the
 * role of that job, so a new call cannot ship without its permission.
 *
 * Pure: platform and repository in, policy documents out.
 */
import type { Platform } from '../config/schema';
import { bucketName, canarySecretName, handoffSecretName, keyAlias, roleName, userSecretPrefix } from '../model/names';
import type { PolicyDocument, PolicyStatement } from '../model/session-policy';
import { TAG_DEPLOYMENT } from '../model/tags';

export type CiRoleKind = 'plan' | 'apply' | 'smoke';
export const CI_ROLE_KINDS: readonly CiRoleKind[] = ['plan', 'apply', 'smoke'];

/**
 * The IAM actions each SDK operation needs. Most are `prefix:Operation`; S3 spells many of its
 * own differently, and a few operations need two actions.
 */
export const OPERATION_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'sts.GetCallerIdentity': [], // needs no permission
  'tagging.GetResources': ['tag:GetResources'],
  'iam.GetAccountAuthorizationDetails': ['iam:GetAccountAuthorizationDetails'],
  'iam.CreateRole': ['iam:CreateRole', 'iam:TagRole'], // tags at creation need TagRole too
  'iam.DeleteRole': ['iam:DeleteRole'],
  'iam.PutRolePolicy': ['iam:PutRolePolicy'],
  'iam.DeleteRolePolicy': ['iam:DeleteRolePolicy'],
  'iam.DetachRolePolicy': ['iam:DetachRolePolicy'],
  'iam.UpdateAssumeRolePolicy': ['iam:UpdateAssumeRolePolicy'],
  'iam.TagRole': ['iam:TagRole'],
  'iam.UntagRole': ['iam:UntagRole'],
  'kms.ListAliases': ['kms:ListAliases'],
  'kms.DescribeKey': ['kms:DescribeKey'],
  'kms.GetKeyPolicy': ['kms:GetKeyPolicy'],
  'kms.GetKeyRotationStatus': ['kms:GetKeyRotationStatus'],
  'kms.ListResourceTags': ['kms:ListResourceTags'],
  'kms.CreateKey': ['kms:CreateKey', 'kms:TagResource'],
  'kms.CreateAlias': ['kms:CreateAlias'],
  'kms.EnableKeyRotation': ['kms:EnableKeyRotation'],
  'kms.DisableKeyRotation': ['kms:DisableKeyRotation'],
  'kms.EnableKey': ['kms:EnableKey'],
  'kms.CancelKeyDeletion': ['kms:CancelKeyDeletion'],
  'kms.ScheduleKeyDeletion': ['kms:ScheduleKeyDeletion'],
  'kms.PutKeyPolicy': ['kms:PutKeyPolicy'],
  'kms.TagResource': ['kms:TagResource'],
  'kms.UntagResource': ['kms:UntagResource'],
  's3.ListBuckets': ['s3:ListAllMyBuckets'],
  's3.HeadBucket': ['s3:ListBucket'],
  's3.CreateBucket': ['s3:CreateBucket'],
  's3.DeleteBucket': ['s3:DeleteBucket'],
  's3.GetBucketTagging': ['s3:GetBucketTagging'],
  's3.PutBucketTagging': ['s3:PutBucketTagging'],
  's3.GetBucketEncryption': ['s3:GetEncryptionConfiguration'],
  's3.PutBucketEncryption': ['s3:PutEncryptionConfiguration'],
  's3.GetPublicAccessBlock': ['s3:GetBucketPublicAccessBlock'],
  's3.PutPublicAccessBlock': ['s3:PutBucketPublicAccessBlock'],
  's3.GetBucketOwnershipControls': ['s3:GetBucketOwnershipControls'],
  's3.PutBucketOwnershipControls': ['s3:PutBucketOwnershipControls'],
  's3.GetBucketVersioning': ['s3:GetBucketVersioning'],
  's3.PutBucketVersioning': ['s3:PutBucketVersioning'],
  's3.GetBucketLifecycleConfiguration': ['s3:GetLifecycleConfiguration'],
  's3.PutBucketLifecycleConfiguration': ['s3:PutLifecycleConfiguration'],
  's3.GetBucketPolicy': ['s3:GetBucketPolicy'],
  's3.PutBucketPolicy': ['s3:PutBucketPolicy'],
  's3.ListObjectsV2': ['s3:ListBucket'],
  's3.ListObjectVersions': ['s3:ListBucketVersions'],
  's3.HeadObject': ['s3:GetObject'],
  's3.GetObject': ['s3:GetObject'],
  's3.PutObject': ['s3:PutObject'],
  's3.DeleteObject': ['s3:DeleteObject'],
  // Emptying a destroyed tenant's versioned bucket deletes object versions.
  's3.DeleteObjects': ['s3:DeleteObject', 's3:DeleteObjectVersion'],
  'secrets.ListSecrets': ['secretsmanager:ListSecrets'],
  // BatchGetSecretValue is authorised on '*' and then GetSecretValue on each secret it returns.
  'secrets.BatchGetSecretValue': ['secretsmanager:BatchGetSecretValue'],
  'secrets.GetSecretValue': ['secretsmanager:GetSecretValue'],
  'secrets.CreateSecret': ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
  'secrets.PutSecretValue': ['secretsmanager:PutSecretValue'],
  'secrets.DeleteSecret': ['secretsmanager:DeleteSecret'],
  'secrets.RestoreSecret': ['secretsmanager:RestoreSecret'],
  'secrets.TagResource': ['secretsmanager:TagResource'],
  'secrets.UntagResource': ['secretsmanager:UntagResource'],
};

interface Grant {
  sid: string;
  /** SDK operations, as the call counter names them. */
  operations: readonly string[];
  /** Extra actions an operation implies beyond its own (BatchGetSecretValue reads each secret). */
  alsoActions?: readonly string[];
  resources: (p: Platform) => string[];
  condition?: (p: Platform) => Record<string, Record<string, string | string[]>>;
}

const arn = {
  tenantBuckets: (p: Platform) => `arn:aws:s3:::${bucketName(p, '*')}`,
  controlBucket: (p: Platform) => `arn:aws:s3:::${bucketName(p, 'control')}`,
  tenantRoles: (p: Platform) => `arn:aws:iam::${p.accountId}:role/${roleName(p, '*')}`,
  keys: (p: Platform) => `arn:aws:kms:${p.region}:${p.accountId}:key/*`,
  aliases: (p: Platform) => `arn:aws:kms:${p.region}:${p.accountId}:${keyAlias(p, '*')}`,
  // Secrets Manager appends 6 random characters to every secret ARN.
  secret: (p: Platform, name: string) => `arn:aws:secretsmanager:${p.region}:${p.accountId}:secret:${name}`,
};

const ownKeys = (p: Platform) => ({ StringEquals: { [`aws:ResourceTag/${TAG_DEPLOYMENT}`]: p.namePrefix } });

/** Plan reads everything it diffs, and writes nothing. */
const READ: readonly Grant[] = [
  {
    sid: 'DiscoverAccountWide',
    // These list or search the account and have no narrower resource.
    operations: ['tagging.GetResources', 'iam.GetAccountAuthorizationDetails', 'kms.ListAliases', 's3.ListBuckets', 'secrets.ListSecrets', 'secrets.BatchGetSecretValue', 'sts.GetCallerIdentity'],
    resources: () => ['*'],
  },
  {
    sid: 'ReadTenantKeys',
    // Not narrowed by tag: a key whose tags drifted must still be readable to be reported.
    operations: ['kms.DescribeKey', 'kms.GetKeyPolicy', 'kms.GetKeyRotationStatus', 'kms.ListResourceTags'],
    resources: (p) => [arn.keys(p)],
  },
  {
    sid: 'ReadTenantBuckets',
    operations: [
      's3.GetBucketTagging',
      's3.GetBucketEncryption',
      's3.GetPublicAccessBlock',
      's3.GetBucketOwnershipControls',
      's3.GetBucketVersioning',
      's3.GetBucketLifecycleConfiguration',
      's3.GetBucketPolicy',
      's3.ListObjectVersions',
    ],
    resources: (p) => [arn.tenantBuckets(p)],
  },
  {
    sid: 'ReadIdentityRecords',
    // What BatchGetSecretValue checks for each record it returns. The identity records only:
    // never a password hand-off or a canary key.
    operations: [],
    alsoActions: ['secretsmanager:GetSecretValue'],
    resources: (p) => [arn.secret(p, `${userSecretPrefix(p.serverId)}*`)],
  },
];

const WRITE: readonly Grant[] = [
  {
    sid: 'CreateTaggedKeys',
    operations: ['kms.CreateKey'],
    resources: () => ['*'],
    condition: (p) => ({ StringEquals: { [`aws:RequestTag/${TAG_DEPLOYMENT}`]: p.namePrefix } }),
  },
  {
    sid: 'ManageOwnKeys',
    // Only keys tagged as this deployment's: another team's key cannot be scheduled for deletion.
    operations: ['kms.CreateAlias', 'kms.EnableKeyRotation', 'kms.DisableKeyRotation', 'kms.EnableKey', 'kms.CancelKeyDeletion', 'kms.ScheduleKeyDeletion', 'kms.PutKeyPolicy', 'kms.TagResource', 'kms.UntagResource'],
    resources: (p) => [arn.keys(p)],
    condition: ownKeys,
  },
  {
    sid: 'ManageOwnAliases',
    // CreateAlias is authorised on the alias as well as on the key.
    operations: ['kms.CreateAlias'],
    resources: (p) => [arn.aliases(p)],
  },
  {
    sid: 'ManageTenantRoles',
    operations: ['iam.CreateRole', 'iam.DeleteRole', 'iam.PutRolePolicy', 'iam.DeleteRolePolicy', 'iam.DetachRolePolicy', 'iam.UpdateAssumeRolePolicy', 'iam.TagRole', 'iam.UntagRole'],
    resources: (p) => [arn.tenantRoles(p)],
  },
  {
    sid: 'ManageTenantBuckets',
    operations: [
      's3.CreateBucket',
      's3.DeleteBucket',
      's3.PutBucketTagging',
      's3.PutBucketEncryption',
      's3.PutPublicAccessBlock',
      's3.PutBucketOwnershipControls',
      's3.PutBucketVersioning',
      's3.PutBucketLifecycleConfiguration',
      's3.PutBucketPolicy',
    ],
    resources: (p) => [arn.tenantBuckets(p)],
  },
  {
    sid: 'EmptyDestroyedTenantBuckets',
    operations: ['s3.DeleteObjects'],
    resources: (p) => [`${arn.tenantBuckets(p)}/*`],
  },
  {
    sid: 'ApplyLockBucket',
    operations: ['s3.HeadBucket', 's3.CreateBucket', 's3.PutBucketTagging', 's3.PutPublicAccessBlock'],
    resources: (p) => [arn.controlBucket(p)],
  },
  {
    sid: 'ApplyLockObject',
    operations: ['s3.GetObject', 's3.PutObject', 's3.DeleteObject'],
    resources: (p) => [`${arn.controlBucket(p)}/locks/*`],
  },
  {
    sid: 'ManageIdentityRecordsHandoffsAndCanaryKeys',
    operations: ['secrets.CreateSecret', 'secrets.PutSecretValue', 'secrets.DeleteSecret', 'secrets.RestoreSecret', 'secrets.TagResource', 'secrets.UntagResource', 'secrets.GetSecretValue'],
    resources: (p) => [
      arn.secret(p, `${userSecretPrefix(p.serverId)}*`),
      arn.secret(p, `${handoffSecretName(p.namePrefix, '')}*`),
      arn.secret(p, `${canarySecretName(p.namePrefix, '')}*`),
    ],
  },
];

/** What the smoke test does besides SFTP: read canary keys, check and clean up canary objects. */
const SMOKE: readonly Grant[] = [
  {
    sid: 'ReadCanaryKeys',
    operations: ['secrets.GetSecretValue'],
    resources: (p) => [arn.secret(p, `${canarySecretName(p.namePrefix, '')}*`)],
  },
  {
    sid: 'ListCanaryFolders',
    operations: ['s3.ListObjectsV2'],
    resources: (p) => [arn.tenantBuckets(p)],
    condition: () => ({ StringLike: { 's3:prefix': 'sftp-tenants-canary/*' } }),
  },
  {
    sid: 'CheckAndRemoveCanaryFiles',
    operations: ['s3.HeadObject', 's3.DeleteObject'],
    resources: (p) => [`${arn.tenantBuckets(p)}/sftp-tenants-canary/*`],
  },
];

const GRANTS: Record<CiRoleKind, readonly Grant[]> = {
  plan: READ,
  // apply plans before it applies, so it reads what plan reads.
  apply: [...READ, ...WRITE],
  // The nightly job checks drift (a plan) and then runs the smoke test.
  smoke: [...READ, ...SMOKE],
};

const ROLE_PURPOSE: Record<CiRoleKind, string> = {
  plan: 'read-only: plans pull requests',
  apply: 'applies main to AWS (environment production)',
  smoke: 'nightly drift check and SFTP smoke test',
};

/** The operations each role may call: what the test compares with the recorded calls. */
export function grantedOperations(kind: CiRoleKind): Set<string> {
  return new Set(GRANTS[kind].flatMap((g) => g.operations));
}

/** Every operation some role is granted. */
export function allGrantedOperations(): Set<string> {
  return new Set(CI_ROLE_KINDS.flatMap((k) => [...grantedOperations(k)]));
}

export function ciRoleName(platform: Platform, kind: CiRoleKind): string {
  return `${platform.namePrefix}-github-${kind}`;
}

export function ciRoleArn(platform: Platform, kind: CiRoleKind): string {
  return `arn:aws:iam::${platform.accountId}:role/${ciRoleName(platform, kind)}`;
}

export function permissionPolicy(platform: Platform, kind: CiRoleKind): PolicyDocument {
  const statements: PolicyStatement[] = [];
  for (const g of GRANTS[kind]) {
    const actions = [...new Set([...g.operations.flatMap((op) => actionsOf(op)), ...(g.alsoActions ?? [])])].sort();
    if (actions.length === 0) continue;
    statements.push({
      Sid: g.sid,
      Effect: 'Allow',
      Action: actions,
      Resource: g.resources(platform),
      ...(g.condition ? { Condition: g.condition(platform) } : {}),
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

function actionsOf(operation: string): readonly string[] {
  const actions = OPERATION_ACTIONS[operation];
  if (!actions) throw new Error(`no IAM action is known for ${operation}; add it to OPERATION_ACTIONS`);
  return actions;
}

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** The OIDC subject each job presents (GitHub's default `sub` claim format). */
export function oidcSubject(repository: string, kind: CiRoleKind): string {
  switch (kind) {
    case 'plan':
      return `repo:${repository}:pull_request`;
    case 'apply':
      // A job with an environment presents the environment, not the branch.
      return `repo:${repository}:environment:production`;
    case 'smoke':
      return `repo:${repository}:ref:refs/heads/main`;
  }
}

export function trustPolicy(platform: Platform, repository: string, kind: CiRoleKind): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'GitHubActionsOidc',
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${platform.accountId}:oidc-provider/${GITHUB_OIDC_HOST}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com', [`${GITHUB_OIDC_HOST}:sub`]: oidcSubject(repository, kind) },
        },
      },
    ],
  };
}

export interface CiRole {
  kind: CiRoleKind;
  name: string;
  arn: string;
  purpose: string;
  subject: string;
  trustPolicy: PolicyDocument;
  policy: PolicyDocument;
}

export const REPOSITORY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;

export function ciRoles(platform: Platform, repository: string): CiRole[] {
  return CI_ROLE_KINDS.map((kind) => ({
    kind,
    name: ciRoleName(platform, kind),
    arn: ciRoleArn(platform, kind),
    purpose: ROLE_PURPOSE[kind],
    subject: oidcSubject(repository, kind),
    trustPolicy: trustPolicy(platform, repository, kind),
    policy: permissionPolicy(platform, kind),
  }));
}

/** CI roles the bucket policies would deny: every role that touches tenant buckets must be an admin role. */
export function missingAdminRoles(platform: Platform): string[] {
  return CI_ROLE_KINDS.map((k) => ciRoleArn(platform, k)).filter((a) => !platform.adminRoleArns.includes(a));
}
