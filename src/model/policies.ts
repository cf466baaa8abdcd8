/**
 * The resource policies of a tenant (DESIGN.md §3). Pure: names and ARNs in, documents out.
 * `keyArn` may be the placeholder KNOWN_AFTER_APPLY while the tenant's key does not exist yet.
 */
import type { Platform } from '../config/schema';
import { bucketName, roleArn } from './names';
import type { PolicyDocument, PolicyStatement } from './session-policy';

/** Stands for the ARN of a key that apply has yet to create. */
export const KNOWN_AFTER_APPLY = '(known after apply)';

export const INLINE_POLICY_NAME = 'sftp-tenants-access';

/** What the account may do with a tenant key: administer it, never use it for data. */
export const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:Describe*',
  'kms:Disable*',
  'kms:Enable*',
  'kms:Get*',
  'kms:List*',
  'kms:Put*',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:Update*',
];

export const TENANT_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];

function adminStatement(platform: Platform): PolicyStatement {
  return {
    Sid: 'AccountAdministersKeyOnly',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${platform.accountId}:root` },
    Action: KEY_ADMIN_ACTIONS,
    Resource: '*',
  };
}

/** The policy a new key starts with, before its tenant role exists (a key policy naming a missing role is refused). */
export function keyPolicyAdminOnly(platform: Platform): PolicyDocument {
  return { Version: '2012-10-17', Statement: [adminStatement(platform)] };
}

export function keyPolicy(platform: Platform, tenant: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      adminStatement(platform),
      {
        Sid: 'TenantRoleUsesKeyThroughS3',
        Effect: 'Allow',
        Principal: { AWS: roleArn(platform, tenant) },
        Action: TENANT_KEY_ACTIONS,
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': `s3.${platform.region}.amazonaws.com`, 'kms:CallerAccount': platform.accountId } },
      },
    ],
  };
}

export function bucketPolicy(platform: Platform, tenant: string, keyArn: string): PolicyDocument {
  const bucket = `arn:aws:s3:::${bucketName(platform, tenant)}`;
  const everything = [bucket, `${bucket}/*`];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: everything,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'DenyUploadsUnderOtherKeys',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: `${bucket}/*`,
        Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn } },
      },
      {
        Sid: 'DenyUploadsWithoutKms',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: `${bucket}/*`,
        Condition: { StringNotEqualsIfExists: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
      },
      {
        Sid: 'DenyEveryoneButTenantAndPlatform',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: everything,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [roleArn(platform, tenant), ...platform.adminRoleArns] } },
      },
    ],
  };
}

/** Trusted only by Transfer Family, for this account's server: the confused-deputy conditions. */
export function roleTrustPolicy(platform: Platform): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'transfer.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': platform.accountId },
          ArnLike: { 'aws:SourceArn': `arn:aws:transfer:${platform.region}:${platform.accountId}:user/${platform.serverId}/*` },
        },
      },
    ],
  };
}

/** The most any session of the tenant may do; each user's session policy narrows it to its folders. */
export function roleAccessPolicy(platform: Platform, tenant: string, keyArn: string): PolicyDocument {
  const bucket = `arn:aws:s3:::${bucketName(platform, tenant)}`;
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ListTenantBucket', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: bucket },
      {
        Sid: 'TenantObjects',
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        Resource: `${bucket}/*`,
      },
      { Sid: 'UseTenantKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn },
    ],
  };
}
