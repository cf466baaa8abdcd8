/**
 * The scope-down session policy of one SFTP user, and the LOGICAL home-directory mappings that go
 * with it. Pure functions: validation uses them to check the 2048-character limit, plan writes their
 * output into the identity record, and the identity provider passes it on to Transfer Family.
 *
 * With a session policy, a session can do only what both the tenant role and this policy allow, so
 * this policy must also grant the KMS use that S3 needs for SSE-KMS objects on the user's behalf.
 */

export type FolderAccess = 'read-only' | 'write-only' | 'read-write';

export interface Folder {
  path: string;
  access: FolderAccess;
}

export interface HomeDirectoryMapping {
  Entry: string;
  Target: string;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | Record<string, string | string[]>;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** Transfer Family rejects a session policy longer than this. */
export const SESSION_POLICY_MAX_LENGTH = 2048;

/** KMS key ids are UUIDs, so a placeholder of the same length measures a policy exactly. */
export const PLACEHOLDER_KEY_ID = '00000000-0000-0000-0000-000000000000';

export function keyArn(region: string, accountId: string, keyId: string): string {
  return `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
}

/** `/inbound` -> `inbound`; `/` -> `` (the whole bucket). */
function keyPrefix(folderPath: string): string {
  return folderPath === '/' ? '' : folderPath.slice(1);
}

export function homeDirectoryMappings(bucket: string, folders: readonly Folder[]): HomeDirectoryMapping[] {
  return folders.map((f) => ({
    Entry: f.path,
    Target: f.path === '/' ? `/${bucket}` : `/${bucket}${f.path}`,
  }));
}

const canRead = (a: FolderAccess) => a === 'read-only' || a === 'read-write';
const canWrite = (a: FolderAccess) => a === 'write-only' || a === 'read-write';

function one<T>(values: T[]): T | T[] {
  return values.length === 1 ? values[0]! : values;
}

export function sessionPolicy(bucket: string, tenantKeyArn: string, folders: readonly Folder[]): PolicyDocument {
  const objects = (pred: (a: FolderAccess) => boolean) =>
    folders.filter((f) => pred(f.access)).map((f) => `arn:aws:s3:::${bucket}/${keyPrefix(f.path) ? `${keyPrefix(f.path)}/` : ''}*`);
  const statements: PolicyStatement[] = [];

  const wholeBucket = folders.some((f) => f.path === '/');
  const list: PolicyStatement = { Sid: 'ListFolders', Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` };
  if (!wholeBucket) {
    list.Condition = {
      StringLike: { 's3:prefix': folders.flatMap((f) => [`${keyPrefix(f.path)}/*`, keyPrefix(f.path)]) },
    };
  }
  statements.push(list);

  const read = objects(canRead);
  if (read.length > 0) statements.push({ Sid: 'ReadObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: one(read) });
  const write = objects(canWrite);
  if (write.length > 0) {
    statements.push({ Sid: 'WriteObjects', Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: one(write) });
  }
  const del = objects((a) => a === 'read-write');
  if (del.length > 0) statements.push({ Sid: 'DeleteObjects', Effect: 'Allow', Action: 's3:DeleteObject', Resource: one(del) });

  // Reading needs Decrypt; writing needs GenerateDataKey, and Decrypt too for multipart uploads.
  const kmsActions = [...(read.length > 0 || write.length > 0 ? ['kms:Decrypt'] : []), ...(write.length > 0 ? ['kms:GenerateDataKey'] : [])];
  if (kmsActions.length > 0) {
    statements.push({ Sid: 'UseTenantKey', Effect: 'Allow', Action: one(kmsActions), Resource: tenantKeyArn });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** The exact string sent to Transfer Family: compact JSON, since the limit counts characters. */
export function renderPolicy(policy: PolicyDocument): string {
  return JSON.stringify(policy);
}
