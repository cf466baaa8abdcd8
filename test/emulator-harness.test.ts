/**
 * Proves the harness: SDK v3 clients made by src/aws/clients.ts find the emulator through
 * AWS_ENDPOINT_URL, and the emulator keeps what they write.
 */
import { CreateBucketCommand, GetBucketEncryptionCommand, PutBucketEncryptionCommand, PutObjectCommand, GetObjectCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { CreateKeyCommand, DescribeKeyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createClients, destroyClients, type AwsClients } from '../src/aws/clients';
import { EMULATOR_ACCOUNT_ID, resetEmulator } from '../local/emulator';

let aws: AwsClients;
beforeAll(() => {
  expect(process.env.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  aws = createClients({ region: 'eu-west-2' });
});
afterAll(() => destroyClients(aws));

describe('local emulator harness', () => {
  it('answers as the emulator account', async () => {
    const id = await aws.sts.send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe(EMULATOR_ACCOUNT_ID);
  });

  it('creates and reads back a bucket, a KMS key, a role and a secret', async () => {
    const key = await aws.kms.send(new CreateKeyCommand({ Description: 'harness test key' }));
    const keyId = key.KeyMetadata!.KeyId!;
    expect((await aws.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Description).toBe('harness test key');
    // moto wants PolicyName 'default' on key-policy calls; AWS accepts it too (DESIGN.md §5).
    const policy = await aws.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
    expect(JSON.parse(policy.Policy!).Statement.length).toBeGreaterThan(0);

    await aws.s3.send(new CreateBucketCommand({ Bucket: 'harness-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' } }));
    await aws.s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'harness-bucket',
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyId }, BucketKeyEnabled: true }] },
      }),
    );
    const enc = await aws.s3.send(new GetBucketEncryptionCommand({ Bucket: 'harness-bucket' }));
    expect(enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID).toBe(keyId);

    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'transfer.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    await aws.iam.send(new CreateRoleCommand({ RoleName: 'harness-role', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const role = await aws.iam.send(new GetRoleCommand({ RoleName: 'harness-role' }));
    // IAM returns policy documents URL-encoded, as AWS does.
    expect(JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!))).toEqual(trust);

    await aws.secrets.send(new CreateSecretCommand({ Name: 'sftp/s-0a1b2c3d4e5f60718/harness', SecretString: '{"k":"v"}' }));
    const secret = await aws.secrets.send(new GetSecretValueCommand({ SecretId: 'sftp/s-0a1b2c3d4e5f60718/harness' }));
    expect(JSON.parse(secret.SecretString!)).toEqual({ k: 'v' });
  });

  it('serves objects under a TLS-only bucket policy (the launcher neutralises moto\'s conditional deny)', async () => {
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'tls-only', CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' } }));
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::tls-only', 'arn:aws:s3:::tls-only/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ],
    };
    await aws.s3.send(new PutBucketPolicyCommand({ Bucket: 'tls-only', Policy: JSON.stringify(policy) }));
    await aws.s3.send(new PutObjectCommand({ Bucket: 'tls-only', Key: 'a.txt', Body: 'hello' }));
    const got = await aws.s3.send(new GetObjectCommand({ Bucket: 'tls-only', Key: 'a.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello');
  });

  it('still applies unconditional bucket-policy denials', async () => {
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'deny-all', CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' } }));
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::deny-all/*' }] };
    await aws.s3.send(new PutBucketPolicyCommand({ Bucket: 'deny-all', Policy: JSON.stringify(policy) }));
    await expect(aws.s3.send(new PutObjectCommand({ Bucket: 'deny-all', Key: 'a.txt', Body: 'x' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });

  it('is empty again after a reset', async () => {
    await resetEmulator(process.env.AWS_ENDPOINT_URL!);
    await expect(aws.iam.send(new GetRoleCommand({ RoleName: 'harness-role' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});
