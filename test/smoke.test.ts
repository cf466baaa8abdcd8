/**
 * The smoke test end to end on the local stack: apply the examples (with canaries), run smoke
 * through the gateway, then break isolation on purpose and check that exactly the affected pair
 * is reported, and that restoring makes it pass again.
 */
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { GetKeyPolicyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { GetRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { resetEmulator } from '../local/emulator';
import { startGateway, type Gateway } from '../local/gateway/server';
import { destroyClients, type AwsClients } from '../src/aws/clients';
import type { Config } from '../src/config/load';
import { createIdp } from '../src/idp/handler';
import { verifyPassword } from '../src/idp/passwords';
import { secretsManagerReader } from '../src/idp/secrets';
import { canarySecretName, canaryUsername, userSecretName } from '../src/model/names';
import { INLINE_POLICY_NAME } from '../src/model/policies';
import { failed, matrix, renderJunit, renderSmokeMarkdown } from '../src/smoke/report';
import { runSmoke, secretLines, type SmokeReport } from '../src/smoke/run';
import { loadExamples } from './helpers/examples';
import { apply, clients, plan } from './helpers/stack';

jest.setTimeout(120_000);

const A = 'harbor-asset-mgmt';
const B = 'meridian-capital';
let config: Config;
let aws: AwsClients;
let gateway: Gateway;

beforeAll(async () => {
  await resetEmulator(process.env.AWS_ENDPOINT_URL!);
  config = await loadExamples();
  aws = clients();
  await apply(config);
  const idp = createIdp({ verifyPassword, readSecret: secretsManagerReader(aws.secrets), log: () => undefined, passwordFloorMs: 0, cacheTtlMs: 0 });
  gateway = await startGateway({ clients: aws, accountId: '123456789012', region: 'eu-west-2', serverId: config.platform.serverId, identityProvider: (e) => idp.authenticate(e) });
});
afterAll(async () => {
  await gateway?.close();
  destroyClients(aws);
});

const smoke = () => runSmoke({ config, clients: aws, target: { host: '127.0.0.1', port: gateway.port, hostKeyFingerprint: gateway.hostKeyFingerprint } });
const breachPairs = (r: SmokeReport) => [...new Set(r.breaches.map((b) => `${b.from}->${b.to}`))].sort();
const positiveFailuresOf = (r: SmokeReport, t: string) => r.checks.filter((c) => c.tenant === t && c.kind === 'positive' && !c.ok).map((c) => c.name);

const canarySecret = (t: string) => userSecretName(config.platform.serverId, canaryUsername(t));
async function record(t: string): Promise<Record<string, unknown>> {
  return JSON.parse((await aws.secrets.send(new GetSecretValueCommand({ SecretId: canarySecret(t) }))).SecretString!) as Record<string, unknown>;
}
async function putRecord(t: string, r: Record<string, unknown>): Promise<void> {
  await aws.secrets.send(new PutSecretValueCommand({ SecretId: canarySecret(t), SecretString: JSON.stringify(r) }));
}
const retarget = (mappings: unknown, bucket: string) => (mappings as Array<{ Entry: string; Target: string }>).map((m) => ({ Entry: m.Entry, Target: m.Target.replace(/^\/[^/]+/, `/${bucket}`) }));

async function restore(): Promise<void> {
  await apply(config);
  expect((await plan(config)).plan.changes).toEqual([]);
}

describe('sftp-tenants smoke on the local stack', () => {
  it('passes on the applied examples: every tenant reaches its own data and nothing else', async () => {
    const masked: string[] = [];
    const r = await runSmoke({ config, clients: aws, target: { host: '127.0.0.1', port: gateway.port, hostKeyFingerprint: gateway.hostKeyFingerprint }, onSecret: (s) => masked.push(s) });
    // Every line of every canary's private key was offered for masking in CI logs.
    for (const t of r.tenants) {
      const pair = JSON.parse((await aws.secrets.send(new GetSecretValueCommand({ SecretId: canarySecretName('sftp', t) }))).SecretString!) as { privateKey: string };
      const body = secretLines(pair.privateKey);
      expect(body.length).toBeGreaterThan(2);
      for (const line of body) expect(masked).toContain(line);
    }
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(failed(r)).toBe(false);
    const m = matrix(r);
    for (const a of r.tenants) for (const b of r.tenants) expect(m[a]![b]).toBe(a === b ? 'ok' : 'isolated');
    expect(r.checks.length).toBeGreaterThan(30);
    expect(renderJunit(r)).toMatch(/<testsuite name="harbor-asset-mgmt" tests="\d+" failures="0">/);
    expect(renderSmokeMarkdown(r)).toContain('| **harbor-asset-mgmt** | ✅ ok | ✅ isolated | ✅ isolated |');
  });

  it("(a) a record pointing at B's bucket and B's role: exactly the pair A -> B, then a pass once restored", async () => {
    const a = await record(A);
    const b = await record(B);
    await putRecord(A, { ...a, role: b.role, policy: b.policy, homeDirectoryDetails: retarget(a.homeDirectoryDetails, 'sftp-meridian-capital-123456789012') });
    const r = await smoke();
    expect(breachPairs(r)).toEqual([`${A}->${B}`]);
    expect(failed(r)).toBe(true);
    await restore();
    expect(failed(await smoke())).toBe(false);
  });

  it("a record pointing at B's bucket with A's unwidened role is a failed positive check for A, not a pass, and no breach", async () => {
    const a = await record(A);
    await putRecord(A, { ...a, homeDirectoryDetails: retarget(a.homeDirectoryDetails, 'sftp-meridian-capital-123456789012') });
    const r = await smoke();
    expect(r.breaches).toEqual([]);
    expect(positiveFailuresOf(r, A)).toContain('write a canary file');
    expect(failed(r)).toBe(true);
    await restore();
  });

  it("(b) A's record at B's bucket with A's role widened to B's bucket and key: the other layers still hold; with B's bucket and key policies opened too, exactly A -> B", async () => {
    const a = await record(A);
    const bBucket = 'sftp-meridian-capital-123456789012';
    const RoleName = 'sftp-tenant-harbor-asset-mgmt';
    const { live } = await plan(config);
    const bKey = live.get(`${B}/key/alias/sftp/${B}`)!.meta.arn as string;
    const roleDoc = JSON.parse(decodeURIComponent((await aws.iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: INLINE_POLICY_NAME }))).PolicyDocument!));
    roleDoc.Statement.push({ Effect: 'Allow', Action: ['s3:*'], Resource: [`arn:aws:s3:::${bBucket}`, `arn:aws:s3:::${bBucket}/*`] }, { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: bKey });
    await aws.iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: INLINE_POLICY_NAME, PolicyDocument: JSON.stringify(roleDoc) }));
    const sessionDoc = JSON.parse(a.policy as string);
    sessionDoc.Statement = sessionDoc.Statement.map((s: { Resource: unknown }) => ({ ...s, Resource: JSON.parse(JSON.stringify(s.Resource).replaceAll('sftp-harbor-asset-mgmt-123456789012', bBucket).replaceAll(String(live.get(`${A}/key/alias/sftp/${A}`)!.meta.arn), bKey)) }));
    await putRecord(A, { ...a, policy: JSON.stringify(sessionDoc), homeDirectoryDetails: retarget(a.homeDirectoryDetails, bBucket) });

    const held = await smoke();
    expect(held.breaches).toEqual([]); // B's bucket policy and key policy still refuse A's role
    expect(positiveFailuresOf(held, A).length).toBeGreaterThan(0);

    const bucketDoc = JSON.parse((await aws.s3.send(new GetBucketPolicyCommand({ Bucket: bBucket }))).Policy!);
    const deny = bucketDoc.Statement.find((s: { Sid?: string }) => s.Sid === 'DenyEveryoneButTenantAndPlatform');
    deny.Condition.ArnNotEquals['aws:PrincipalArn'].push('arn:aws:iam::123456789012:role/sftp-tenant-harbor-asset-mgmt');
    await aws.s3.send(new PutBucketPolicyCommand({ Bucket: bBucket, Policy: JSON.stringify(bucketDoc) }));
    const keyId = live.get(`${B}/key/alias/sftp/${B}`)!.meta.keyId as string;
    const keyDoc = JSON.parse((await aws.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy!);
    keyDoc.Statement.push({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/sftp-tenant-harbor-asset-mgmt' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*' });
    await aws.kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: JSON.stringify(keyDoc) }));
    await new Promise((r) => setTimeout(r, 1100)); // the gateway caches bucket and key policies for a second

    const broken = await smoke();
    expect(breachPairs(broken)).toEqual([`${A}->${B}`]);
    await restore();
    expect(failed(await smoke())).toBe(false);
  });

  it('refuses a server whose host key is not the pinned one', async () => {
    const r = await runSmoke({ config, clients: aws, target: { host: '127.0.0.1', port: gateway.port, hostKeyFingerprint: 'SHA256:not-the-key' } });
    expect(r.checks.filter((c) => c.name === 'log in with the canary key').map((c) => [c.ok, c.detail?.includes('is not the pinned')])).toEqual([
      [false, true],
      [false, true],
      [false, true],
    ]);
  });
});
