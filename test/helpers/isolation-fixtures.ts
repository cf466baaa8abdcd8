/** Isolation inputs built from the example tenants' declared policies, as apply would write them. */
import type { Config } from '../../src/config/load';
import type { AnalysisContext, Breach, TenantPolicies } from '../../src/isolation/analyze';
import { bucketName, roleArn } from '../../src/model/names';
import { RESOURCE_KINDS } from '../../src/resources/registry';

export const keyArnOf = (tenant: string) => `arn:aws:kms:eu-west-2:123456789012:key/${Buffer.from(tenant).toString('hex').slice(0, 8)}-0000-4000-8000-000000000000`;

export function declaredPolicies(config: Config): TenantPolicies[] {
  return config.tenants.map(({ tenant }) => {
    const keyArn = keyArnOf(tenant.name);
    const d = Object.fromEntries(RESOURCE_KINDS.map((k) => [k.kind, k.desired({ config, tenant, keyArn })]));
    const role = d.role![0]!.attributes;
    return {
      tenant: tenant.name,
      roleArn: roleArn(config.platform, tenant.name),
      bucket: bucketName(config.platform, tenant.name),
      keyArn,
      trustPolicy: structuredClone(role.trustPolicy),
      identityPolicies: [{ name: 'sftp-tenants-access', document: structuredClone(role.accessPolicy) }],
      sessionPolicies: d.user!.map((u) => ({ user: u.id, document: JSON.parse(u.attributes.policy as string) as unknown })),
      bucketPolicy: structuredClone(d.bucket![0]!.attributes.policy),
      keyPolicy: structuredClone(d.key![0]!.attributes.policy),
    };
  });
}

export function analysisContext(config: Config): AnalysisContext {
  const p = config.platform;
  return { accountId: p.accountId, region: p.region, serverId: p.serverId, adminRoleArns: p.adminRoleArns };
}

const H = 'harbor-asset-mgmt';
const M = 'meridian-capital';
const N = 'northwind-clearing';

export type Mutation = (t: Record<string, TenantPolicies>) => void;
const statementsOf = (doc: unknown) => (doc as { Statement: Array<Record<string, unknown>> }).Statement;

export interface MutationCase {
  mutate: Mutation;
  /** Expected failing breach pairs ('*' for anyone) and the layer. */
  pairs: string[];
  layer: Breach['layer'];
  /** A fragment of the offending statement, as JSON. */
  statement: string;
}

const INJECTED = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*' };

/** Injected mistakes, each with the pairs, layer and statement the proof must name. */
export const MUTATIONS: Record<string, MutationCase> = {
  'a role policy on arn:aws:s3:::*': {
    mutate: (t) => statementsOf(t[H]!.identityPolicies[0]!.document).push({ ...INJECTED }),
    pairs: [`${H}->${M}`, `${H}->${N}`],
    layer: 'role-policy',
    statement: '"Resource":"arn:aws:s3:::*"',
  },
  'a bucket-name wildcard that matches another tenant': {
    mutate: (t) => statementsOf(t[H]!.identityPolicies[0]!.document).push({ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: 'arn:aws:s3:::sftp-meridian-*' }),
    pairs: [`${H}->${M}`],
    layer: 'role-policy',
    statement: 'sftp-meridian-*',
  },
  "a key policy naming another tenant's role": {
    mutate: (t) => statementsOf(t[N]!.keyPolicy).push({ Effect: 'Allow', Principal: { AWS: t[M]!.roleArn }, Action: 'kms:Decrypt', Resource: '*' }),
    pairs: [`${M}->${N}`],
    layer: 'key-policy',
    statement: 'sftp-tenant-meridian-capital',
  },
  'a bucket policy allowing *': {
    mutate: (t) => statementsOf(t[M]!.bucketPolicy).push({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${t[M]!.bucket}/*` }),
    pairs: [`*->${M}`],
    layer: 'bucket-policy',
    statement: '"Principal":"*","Action":"s3:GetObject"',
  },
  'a trust policy without the SourceArn condition': {
    mutate: (t) => {
      const s = statementsOf(t[N]!.trustPolicy)[0]!;
      s.Condition = { StringEquals: { 'aws:SourceAccount': '123456789012' } };
    },
    pairs: [`*->${N}`],
    layer: 'trust-policy',
    statement: 'transfer.amazonaws.com',
  },
  'a session policy without the home-folder restriction': {
    mutate: (t) => {
      const s = statementsOf(t[M]!.sessionPolicies[0]!.document).find((x) => x.Sid === 'ReadObjects')!;
      s.Resource = 'arn:aws:s3:::*/*';
    },
    pairs: [`${M}->${H}`, `${M}->${N}`],
    layer: 'session-policy',
    statement: 'arn:aws:s3:::*/*',
  },
  'a NotResource statement': {
    mutate: (t) => statementsOf(t[N]!.identityPolicies[0]!.document).push({ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::sftp-harbor-asset-mgmt-123456789012/*' }),
    pairs: [`${N}->${H}`, `${N}->${M}`],
    layer: 'role-policy',
    statement: 'NotResource',
  },
  'an unknown condition key on the deny the proof relies on': {
    mutate: (t) => {
      const deny = statementsOf(t[H]!.bucketPolicy).find((x) => x.Sid === 'DenyEveryoneButTenantAndPlatform')!;
      (deny.Condition as Record<string, unknown>).StringEquals = { 'aws:RequestTag/team': 'ops' };
    },
    pairs: [`*->${H}`],
    layer: 'bucket-policy',
    statement: 'aws:RequestTag/team',
  },
  "a bucket policy whose deny exempts every tenant's role": {
    mutate: (t) => {
      const deny = statementsOf(t[N]!.bucketPolicy).find((x) => x.Sid === 'DenyEveryoneButTenantAndPlatform')!;
      deny.Condition = { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/sftp-tenant-*' } };
    },
    pairs: [`${H}->${N}`, `${M}->${N}`],
    layer: 'bucket-policy',
    statement: 'sftp-tenant-*',
  },
  'a key policy letting the whole account use the key': {
    mutate: (t) => statementsOf(t[M]!.keyPolicy).push({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }),
    pairs: [`*->${M}`],
    layer: 'key-policy',
    statement: '"Action":"kms:*"',
  },
};

