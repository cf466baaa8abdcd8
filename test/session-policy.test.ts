import { homeDirectoryMappings, keyArn, renderPolicy, sessionPolicy, PLACEHOLDER_KEY_ID } from '../src/model/session-policy';

const KEY = keyArn('eu-west-2', '123456789012', '1234abcd-12ab-34cd-56ef-1234567890ab');

describe('session policy', () => {
  it('gives the seed inbound/outbound user upload-only and download-only access to its folders', () => {
    const policy = sessionPolicy('sftp-acme-123456789012', KEY, [
      { path: '/inbound', access: 'write-only' },
      { path: '/outbound', access: 'read-only' },
    ]);
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ListFolders',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::sftp-acme-123456789012',
          Condition: { StringLike: { 's3:prefix': ['inbound/*', 'inbound', 'outbound/*', 'outbound'] } },
        },
        { Sid: 'ReadObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::sftp-acme-123456789012/outbound/*' },
        { Sid: 'WriteObjects', Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: 'arn:aws:s3:::sftp-acme-123456789012/inbound/*' },
        { Sid: 'UseTenantKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: KEY },
      ],
    });
  });

  it('grants delete only on read-write folders and no listing condition for a whole-bucket user', () => {
    const policy = sessionPolicy('b', KEY, [{ path: '/', access: 'read-write' }]);
    expect(policy.Statement.find((s) => s.Sid === 'ListFolders')?.Condition).toBeUndefined();
    expect(policy.Statement.find((s) => s.Sid === 'DeleteObjects')?.Resource).toBe('arn:aws:s3:::b/*');
  });

  it('maps folders to LOGICAL entries with targets in the bucket', () => {
    expect(homeDirectoryMappings('b', [{ path: '/in', access: 'write-only' }, { path: '/reports/daily', access: 'read-only' }])).toEqual([
      { Entry: '/in', Target: '/b/in' },
      { Entry: '/reports/daily', Target: '/b/reports/daily' },
    ]);
  });

  it('measures with a placeholder key of the real length', () => {
    const folders = [{ path: '/in', access: 'write-only' as const }];
    expect(renderPolicy(sessionPolicy('b', keyArn('eu-west-2', '123456789012', PLACEHOLDER_KEY_ID), folders)).length).toBe(
      renderPolicy(sessionPolicy('b', KEY, folders)).length,
    );
  });
});
