/**
 * Plan against the emulator: an empty account, a converged one, each kind of drift, a removed
 * tenant, unmanaged identities, conflicts and scoping.
 */
import { DisableKeyRotationCommand, PutKeyPolicyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { PutBucketEncryptionCommand, PutPublicAccessBlockCommand, PutObjectCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { PutRolePolicyCommand, GetRolePolicyCommand, UntagRoleCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { resetEmulator } from '../local/emulator';
import { destroyClients, type AwsClients } from '../src/aws/clients';
import type { Config } from '../src/config/load';
import { INLINE_POLICY_NAME } from '../src/model/policies';
import { userSecretName } from '../src/model/names';
import { TAG_TENANT } from '../src/model/tags';
import type { Change } from '../src/plan/types';
import { loadExamples } from './helpers/examples';
import { apply, clients, plan, withoutTenant } from './helpers/stack';

let config: Config;
let aws: AwsClients;
const SERVER = 's-0a1b2c3d4e5f60718';

beforeAll(async () => {
  config = await loadExamples();
  aws = clients();
});
afterAll(() => destroyClients(aws));
beforeEach(() => resetEmulator(process.env.AWS_ENDPOINT_URL!));

const brief = (changes: Change[]) => changes.map((c) => `${c.action} ${c.address}${c.blocked ? ' (blocked)' : ''}`).sort();

describe('plan against an empty account', () => {
  it('creates every resource of every tenant', async () => {
    const { plan: p } = await plan(config);
    expect(p.summary).toEqual({ add: 17, change: 0, destroy: 0, blocked: 0 });
    expect(brief(p.changes)).toContain('create northwind-clearing/key/alias/sftp/northwind-clearing');
    expect(p.changes.filter((c) => c.kind === 'user').every((c) => c.classification === 'security-broadening')).toBe(true);
  });

  it('refuses credentials of another account', async () => {
    const other = { ...config, platform: { ...config.platform, accountId: '210987654321', adminRoleArns: ['arn:aws:iam::210987654321:role/admin'] } };
    await expect(plan(other)).rejects.toThrow('the AWS credentials are for account 123456789012, but platform.yaml manages account 210987654321');
  });
});

describe('plan after apply', () => {
  beforeEach(async () => {
    await apply(config);
  });

  it('shows no change: apply converged and nothing phantom appears', async () => {
    const { plan: p } = await plan(config);
    expect(p.changes).toEqual([]);
    expect(p.findings).toEqual([]);
  });

  const keyId = async (tenant: string) => {
    const { live } = await plan(config);
    return live.get(`${tenant}/key/alias/sftp/${tenant}`)!.meta.keyId as string;
  };

  const drifted = async (address: string) => {
    const { plan: p } = await plan(config);
    expect(p.changes.map((c) => c.address)).toEqual([address]);
    return p.changes[0]!;
  };

  it('detects key rotation disabled', async () => {
    await aws.kms.send(new DisableKeyRotationCommand({ KeyId: await keyId('harbor-asset-mgmt') }));
    const c = await drifted('harbor-asset-mgmt/key/alias/sftp/harbor-asset-mgmt');
    expect(c.attributes).toEqual([{ name: 'rotation', before: false, after: true }]);
  });

  it('detects default encryption switched to AES256', async () => {
    await aws.s3.send(
      new PutBucketEncryptionCommand({ Bucket: 'sftp-meridian-capital-123456789012', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }),
    );
    const c = await drifted('meridian-capital/bucket/sftp-meridian-capital-123456789012');
    expect(c.attributes.map((a) => a.name)).toEqual(['encryption']);
    expect(c.attributes[0]!.before).toMatchObject({ algorithm: 'AES256' });
  });

  it('detects a public-access block turned off', async () => {
    await aws.s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'sftp-northwind-clearing-123456789012',
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true },
      }),
    );
    const c = await drifted('northwind-clearing/bucket/sftp-northwind-clearing-123456789012');
    expect(c.attributes.map((a) => a.name)).toEqual(['publicAccessBlock']);
    expect(c.attributes[0]!.before).toMatchObject({ BlockPublicPolicy: false });
  });

  it('detects a statement added to a role policy', async () => {
    const RoleName = 'sftp-tenant-harbor-asset-mgmt';
    const current = await aws.iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: INLINE_POLICY_NAME }));
    const doc = JSON.parse(decodeURIComponent(current.PolicyDocument!));
    doc.Statement.push({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::sftp-meridian-capital-123456789012/*' });
    await aws.iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: INLINE_POLICY_NAME, PolicyDocument: JSON.stringify(doc) }));
    const c = await drifted(`harbor-asset-mgmt/role/${RoleName}`);
    expect(c.attributes.map((a) => a.name)).toEqual(['accessPolicy']);
    // Going back to the declared policy removes the extra Allow: a narrowing, so routine.
    expect(c.classification).toBe('routine');
  });

  it('detects a widened key policy', async () => {
    const KeyId = await keyId('northwind-clearing');
    const current = await aws.kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }));
    const doc = JSON.parse(current.Policy!);
    doc.Statement.push({ Sid: 'Oops', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/sftp-tenant-meridian-capital' }, Action: 'kms:Decrypt', Resource: '*' });
    await aws.kms.send(new PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy: JSON.stringify(doc) }));
    const c = await drifted('northwind-clearing/key/alias/sftp/northwind-clearing');
    expect(c.attributes.map((a) => a.name)).toEqual(['policy']);
  });

  it('detects an edited user secret, naming the attribute, showing no hash', async () => {
    const SecretId = userSecretName(SERVER, 'harbor.collateral');
    const record = JSON.parse((await aws.secrets.send(new GetSecretValueCommand({ SecretId }))).SecretString!);
    record.allowedCidrs = ['0.0.0.0/1'];
    record.passwordHash = '$2b$10$sMLNRVsDNF2cB1dKY54ufuouWYCbL0qOt40oJ8MnWEaFtDDIXG7/q';
    await aws.secrets.send(new PutSecretValueCommand({ SecretId, SecretString: JSON.stringify(record) }));
    const c = await drifted('harbor-asset-mgmt/user/harbor.collateral');
    expect(c.attributes.map((a) => a.name).sort()).toEqual(['allowedCidrs', 'passwordHash']);
    expect(JSON.stringify(c)).not.toContain('$2b$10$');
    expect(JSON.stringify(c)).not.toContain(config.tenants.find((t) => t.tenant.name === 'harbor-asset-mgmt')!.tenant.users[0]!.passwordHash!);
  });

  it('detects an ownership tag removed', async () => {
    await aws.iam.send(new UntagRoleCommand({ RoleName: 'sftp-tenant-meridian-capital', TagKeys: [TAG_TENANT] }));
    const c = await drifted('meridian-capital/role/sftp-tenant-meridian-capital');
    expect(c.attributes.map((a) => a.name)).toEqual(['tags']);
    expect(c.blocked).toBeUndefined();
  });

  it('reports an unmanaged secret under the server prefix as an identity outside GitOps control, and never deletes it', async () => {
    await aws.secrets.send(new CreateSecretCommand({ Name: userSecretName(SERVER, 'backdoor'), SecretString: '{"role":"x"}' }));
    const { plan: p } = await plan(config);
    expect(p.changes).toEqual([]);
    expect(p.findings).toEqual([expect.objectContaining({ kind: 'unmanaged-identity', address: '-/user/backdoor' })]);
    await apply(config);
    expect((await aws.secrets.send(new DescribeSecretCommand({ SecretId: userSecretName(SERVER, 'backdoor') }))).DeletedDate).toBeUndefined();
  });

  it('revokes a removed tenant (role and user records go) and retains its bucket, objects and key', async () => {
    await aws.s3.send(new PutObjectCommand({ Bucket: 'sftp-northwind-clearing-123456789012', Key: 'outbound/report.csv', Body: 'a,b\n' }));
    const without = withoutTenant(config, 'northwind-clearing');
    const { plan: p } = await plan(without);
    expect(brief(p.changes)).toEqual([
      'delete northwind-clearing/role/sftp-tenant-northwind-clearing',
      'delete northwind-clearing/user/northwind-upload',
      'delete northwind-clearing/user/sftp-tenants-canary.northwind-clearing',
    ]);
    expect(p.changes.every((c) => c.classification === 'destroy')).toBe(true);
    expect(p.findings.map((f) => `${f.kind} ${f.address}`).sort()).toEqual([
      'retained northwind-clearing/bucket/sftp-northwind-clearing-123456789012',
      'retained northwind-clearing/key/alias/sftp/northwind-clearing',
    ]);
    await apply(without);
    await expect(aws.s3.send(new HeadBucketCommand({ Bucket: 'sftp-northwind-clearing-123456789012' }))).resolves.toBeDefined();
    expect((await plan(without)).plan.changes).toEqual([]);
  });

  it('blocks pruning when the configuration declares no tenant at all', async () => {
    const { plan: p } = await plan({ ...config, tenants: [] });
    expect(p.changes.length).toBeGreaterThan(0);
    expect(p.changes.every((c) => c.action === 'delete' && c.blocked?.includes('declares no tenants'))).toBe(true);
    expect(p.summary.destroy).toBe(0);
  });

  it('limits the plan to --tenant', async () => {
    await aws.kms.send(new DisableKeyRotationCommand({ KeyId: await keyId('harbor-asset-mgmt') }));
    await aws.kms.send(new DisableKeyRotationCommand({ KeyId: await keyId('meridian-capital') }));
    const { plan: p } = await plan(config, { scope: ['meridian-capital'] });
    expect(p.tenants).toEqual(['meridian-capital']);
    expect(p.changes.map((c) => c.address)).toEqual(['meridian-capital/key/alias/sftp/meridian-capital']);
  });
});

describe('conflicts', () => {
  it('blocks changing a resource at our name that carries no ownership tags', async () => {
    await aws.iam.send(new CreateRoleCommand({ RoleName: 'sftp-tenant-northwind-clearing', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }));
    const { plan: p } = await plan(config);
    const c = p.changes.find((x) => x.address === 'northwind-clearing/role/sftp-tenant-northwind-clearing')!;
    expect(c.blocked).toContain('exists without sftp-tenants ownership tags');
    expect(p.summary.blocked).toBe(1);
  });
});
