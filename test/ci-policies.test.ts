/**
 * The CI roles' policies are derived from the calls the tool makes, and this file is what keeps
 * that true: (1) every AWS operation src/ imports has its IAM actions and is granted to some role,
 * and no role is granted an operation nothing calls; (2) the operations recorded while apply,
 * plan and smoke run against the emulator are granted to the role of that job; (3) a full IAM
 * evaluator (iam-simulate, dev-only) confirms that the policies allow what each job needs and deny
 * what it must not do: writes for plan, other deployments' keys for apply, other secrets for smoke.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { resetEmulator } from '../local/emulator';
import { startGateway, type Gateway } from '../local/gateway/server';
import { acquireLock } from '../src/apply/lock';
import { CallCounter, createClients, destroyClients, type AwsClients } from '../src/aws/clients';
import {
  allGrantedOperations,
  ciRoleArn,
  ciRoles,
  grantedOperations,
  OPERATION_ACTIONS,
  permissionPolicy,
  trustPolicy,
  type CiRoleKind,
} from '../src/ci/policies';
import type { Config } from '../src/config/load';
import type { Platform } from '../src/config/schema';
import { createIdp } from '../src/idp/handler';
import { verifyPassword } from '../src/idp/passwords';
import { secretsManagerReader } from '../src/idp/secrets';
import { bucketPolicy, keyPolicy } from '../src/model/policies';
import { runSmoke } from '../src/smoke/run';
import { run } from '../src/cli/main';
import { loadExamples } from './helpers/examples';
import { REPO_ROOT } from './helpers/config-dir';
import { apply, plan, withoutTenant } from './helpers/stack';

jest.setTimeout(120_000);

const SERVICE_OF_MODULE: Record<string, string> = {
  'client-s3': 's3',
  'client-kms': 'kms',
  'client-iam': 'iam',
  'client-secrets-manager': 'secrets',
  'client-sts': 'sts',
  'client-resource-groups-tagging-api': 'tagging',
  'client-transfer': 'transfer',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** `service.Operation` for every SDK command or paginator a file imports (type-only imports aside). */
function operationsImported(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const ops: string[] = [];
  for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'@aws-sdk\/([a-z0-9-]+)'/g)) {
    if (m[1]) continue;
    const service = SERVICE_OF_MODULE[m[3]!];
    if (!service) continue;
    for (const raw of m[2]!.split(',')) {
      const name = raw.trim();
      if (name.startsWith('type ')) continue;
      const command = /^([A-Z]\w+)Command$/.exec(name);
      const paginator = /^paginate([A-Z]\w+)$/.exec(name);
      if (command) ops.push(`${service}.${command[1]}`);
      else if (paginator) ops.push(`${service}.${paginator[1]}`);
    }
  }
  return ops;
}

describe('every AWS call the tool makes has its permission', () => {
  // The identity provider runs as its own Lambda role (README), not as a CI role.
  const files = sourceFiles(join(REPO_ROOT, 'src')).filter((f) => !relative(REPO_ROOT, f).startsWith('src/idp/'));
  const used = new Map<string, string[]>();
  for (const f of files) for (const op of operationsImported(f)) used.set(op, [...(used.get(op) ?? []), relative(REPO_ROOT, f)]);

  it('finds the operations (the scan itself works)', () => {
    expect(used.size).toBeGreaterThan(40);
    expect(used.get('s3.PutBucketPolicy')).toEqual(['src/resources/bucket.ts']);
    expect(used.has('iam.GetAccountAuthorizationDetails')).toBe(true);
  });

  it('each operation src/ imports maps to IAM actions and is granted to some role', () => {
    const unmapped = [...used.keys()].filter((op) => !(op in OPERATION_ACTIONS));
    const ungranted = [...used.keys()].filter((op) => !allGrantedOperations().has(op));
    expect({ unmapped, ungranted }).toEqual({ unmapped: [], ungranted: [] });
  });

  it('no role is granted an operation that nothing in src/ calls', () => {
    expect([...allGrantedOperations()].filter((op) => !used.has(op))).toEqual([]);
  });

  it('the plan role can only read: no granted action creates, changes or deletes', () => {
    const actions = permissionPolicy(platformWithCiRoles(), 'plan').Statement.flatMap((s) => [s.Action ?? []].flat());
    expect(actions.filter((a) => !/^[a-z0-9]+:(Get|List|Describe|BatchGet)/.test(a))).toEqual([]);
  });
});

let config: Config;

function platformWithCiRoles(): Platform {
  const p = config.platform;
  return { ...p, adminRoleArns: [...p.adminRoleArns, ...(['plan', 'apply', 'smoke'] as const).map((k) => ciRoleArn(p, k))] };
}

beforeAll(async () => {
  config = await loadExamples();
});

describe('the operations each job makes against the emulator are granted to its role', () => {
  let gateway: Gateway | undefined;
  let gatewayClients: AwsClients | undefined;
  afterAll(async () => {
    await gateway?.close();
    if (gatewayClients) destroyClients(gatewayClients);
  });

  async function recorded(fn: (clients: AwsClients) => Promise<unknown>): Promise<string[]> {
    const counter = new CallCounter();
    const clients = createClients({ region: config.platform.region, counter });
    try {
      await fn(clients);
    } finally {
      destroyClients(clients);
    }
    return Object.keys(counter.byOperation());
  }
  const ungranted = (kind: CiRoleKind, ops: string[]) => ops.filter((op) => !grantedOperations(kind).has(op));

  it('apply (create everything, the lock, then a tenant removed with destroy) and plan', async () => {
    await resetEmulator(process.env.AWS_ENDPOINT_URL!);
    const destroyable: Config = {
      ...config,
      tenants: config.tenants.map((t) => (t.tenant.name === 'harbor-asset-mgmt' ? { ...t, tenant: { ...t.tenant, storage: { ...t.tenant.storage, onRemoval: 'destroy' as const } } } : t)),
    };
    const applyOps = await recorded(async (clients) => {
      const lock = await acquireLock(clients, config.platform, { waitMs: 0, pollMs: 1, now: () => Date.now(), sleep: () => Promise.resolve(), command: 'apply' });
      await apply(destroyable, { clients });
      await apply(withoutTenant(destroyable, 'harbor-asset-mgmt'), { clients, allowDestroyData: true });
      await lock.release();
    });
    expect(applyOps).toEqual(expect.arrayContaining(['kms.CreateKey', 'iam.CreateRole', 's3.PutBucketPolicy', 'secrets.CreateSecret', 'kms.ScheduleKeyDeletion', 'iam.DeleteRole', 's3.DeleteBucket', 's3.PutObject']));
    expect(ungranted('apply', applyOps)).toEqual([]);

    await apply(config); // back to the examples, for plan and smoke
    const planOps = await recorded((clients) => plan(config, { clients }));
    expect(planOps).toEqual(expect.arrayContaining(['iam.GetAccountAuthorizationDetails', 'secrets.BatchGetSecretValue', 's3.GetBucketPolicy', 'kms.GetKeyPolicy']));
    expect(ungranted('plan', planOps)).toEqual([]);
    // The nightly role plans too.
    expect(ungranted('smoke', planOps)).toEqual([]);
  });

  it('smoke', async () => {
    gatewayClients = createClients({ region: config.platform.region });
    const idp = createIdp({ verifyPassword, readSecret: secretsManagerReader(gatewayClients.secrets), log: () => undefined, passwordFloorMs: 0, cacheTtlMs: 0 });
    gateway = await startGateway({ clients: gatewayClients, accountId: config.platform.accountId, region: config.platform.region, serverId: config.platform.serverId, identityProvider: (e) => idp.authenticate(e) });
    const g = gateway;
    const smokeOps = await recorded(async (clients) => {
      const report = await runSmoke({ config, clients, target: { host: '127.0.0.1', port: g.port, hostKeyFingerprint: g.hostKeyFingerprint } });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    });
    expect(smokeOps).toEqual(expect.arrayContaining(['secrets.GetSecretValue', 's3.HeadObject']));
    expect(ungranted('smoke', smokeOps)).toEqual([]);
  });
});

describe('the policies under a full IAM evaluator', () => {
  const ACCOUNT = '123456789012';
  const keyArn = `arn:aws:kms:eu-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

  async function decide(kind: CiRoleKind, action: string, resource: string, extra: { resourcePolicy?: unknown; context?: Record<string, string | string[]> } = {}): Promise<string> {
    const p = platformWithCiRoles();
    const roleArn = ciRoleArn(p, kind);
    const result = await runSimulation(
      {
        request: {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleArn.split('/').pop()}/github`,
          action,
          resource: { resource, accountId: ACCOUNT },
          contextVariables: { 'aws:PrincipalArn': roleArn, 'aws:SecureTransport': 'true', ...extra.context },
        },
        identityPolicies: [{ name: 'ci', policy: permissionPolicy(p, kind) }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(extra.resourcePolicy ? { resourcePolicy: extra.resourcePolicy } : {}),
      },
      { simulationMode: 'Strict' } as never,
    );
    if (result.resultType === 'error') throw new Error(`simulation error: ${JSON.stringify(result.errors)}`);
    return (result as { overallResult: string }).overallResult;
  }

  const tenantBucket = () => `arn:aws:s3:::sftp-harbor-asset-mgmt-${ACCOUNT}`;
  const bucketPol = () => bucketPolicy(platformWithCiRoles(), 'harbor-asset-mgmt', keyArn);
  const keyPol = () => keyPolicy(platformWithCiRoles(), 'harbor-asset-mgmt');
  const ours = { 'aws:ResourceTag/sftp-tenants:deployment': 'sftp' };
  const secret = (name: string) => `arn:aws:secretsmanager:eu-west-2:${ACCOUNT}:secret:${name}-AbCdEf`;

  it.each<[string, CiRoleKind, string, () => string, () => { resourcePolicy?: unknown; context?: Record<string, string> }, 'Allowed' | 'denied']>([
    ['plan reads a tenant bucket policy', 'plan', 's3:GetBucketPolicy', tenantBucket, () => ({ resourcePolicy: bucketPol() }), 'Allowed'],
    ['plan reads a key policy', 'plan', 'kms:GetKeyPolicy', () => keyArn, () => ({ resourcePolicy: keyPol() }), 'Allowed'],
    ['plan reads an identity record', 'plan', 'secretsmanager:GetSecretValue', () => secret('sftp/s-0a1b2c3d4e5f60718/harbor-upload'), () => ({}), 'Allowed'],
    ['plan cannot change a bucket policy', 'plan', 's3:PutBucketPolicy', tenantBucket, () => ({ resourcePolicy: bucketPol() }), 'denied'],
    ['plan cannot schedule a key deletion', 'plan', 'kms:ScheduleKeyDeletion', () => keyArn, () => ({ resourcePolicy: keyPol(), context: ours }), 'denied'],
    ['plan cannot edit an identity record', 'plan', 'secretsmanager:PutSecretValue', () => secret('sftp/s-0a1b2c3d4e5f60718/harbor-upload'), () => ({}), 'denied'],
    ['plan cannot read a generated password', 'plan', 'secretsmanager:GetSecretValue', () => secret('sftp-tenants/sftp/password-handoff/alice'), () => ({}), 'denied'],
    ['plan cannot read a canary key', 'plan', 'secretsmanager:GetSecretValue', () => secret('sftp-tenants/sftp/canary/harbor-asset-mgmt'), () => ({}), 'denied'],
    ['apply sets a tenant bucket policy', 'apply', 's3:PutBucketPolicy', tenantBucket, () => ({ resourcePolicy: bucketPol() }), 'Allowed'],
    ['apply puts a tenant role policy', 'apply', 'iam:PutRolePolicy', () => `arn:aws:iam::${ACCOUNT}:role/sftp-tenant-harbor-asset-mgmt`, () => ({}), 'Allowed'],
    ['apply cannot touch another role', 'apply', 'iam:PutRolePolicy', () => `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`, () => ({}), 'denied'],
    ['apply schedules deletion of its own key', 'apply', 'kms:ScheduleKeyDeletion', () => keyArn, () => ({ resourcePolicy: keyPol(), context: ours }), 'Allowed'],
    ['apply cannot schedule deletion of an untagged key', 'apply', 'kms:ScheduleKeyDeletion', () => keyArn, () => ({ resourcePolicy: keyPol() }), 'denied'],
    ['apply cannot schedule deletion of another deployment\'s key', 'apply', 'kms:ScheduleKeyDeletion', () => keyArn, () => ({ resourcePolicy: keyPol(), context: { 'aws:ResourceTag/sftp-tenants:deployment': 'other' } }), 'denied'],
    ['apply creates a key tagged as this deployment\'s', 'apply', 'kms:CreateKey', () => '*', () => ({ context: { 'aws:RequestTag/sftp-tenants:deployment': 'sftp' } }), 'Allowed'],
    ['apply cannot create an untagged key', 'apply', 'kms:CreateKey', () => '*', () => ({}), 'denied'],
    ['apply takes the lock', 'apply', 's3:PutObject', () => `arn:aws:s3:::sftp-control-${ACCOUNT}/locks/apply.json`, () => ({}), 'Allowed'],
    ['apply cannot read tenant data', 'apply', 's3:GetObject', () => `${tenantBucket()}/outbound/report.csv`, () => ({ resourcePolicy: bucketPol() }), 'denied'],
    ['smoke reads a canary key', 'smoke', 'secretsmanager:GetSecretValue', () => secret('sftp-tenants/sftp/canary/harbor-asset-mgmt'), () => ({}), 'Allowed'],
    ['smoke cannot read a generated password', 'smoke', 'secretsmanager:GetSecretValue', () => secret('sftp-tenants/sftp/password-handoff/alice'), () => ({}), 'denied'],
    ['smoke checks a canary file', 'smoke', 's3:GetObject', () => `${tenantBucket()}/sftp-tenants-canary/rw/m.txt`, () => ({ resourcePolicy: bucketPol() }), 'Allowed'],
    ['smoke cannot read tenant data', 'smoke', 's3:GetObject', () => `${tenantBucket()}/outbound/report.csv`, () => ({ resourcePolicy: bucketPol() }), 'denied'],
    ['smoke lists a canary folder', 'smoke', 's3:ListBucket', tenantBucket, () => ({ resourcePolicy: bucketPol(), context: { 's3:prefix': 'sftp-tenants-canary/rw/marker' } }), 'Allowed'],
    ['smoke cannot list the tenant\'s files', 'smoke', 's3:ListBucket', tenantBucket, () => ({ resourcePolicy: bucketPol(), context: { 's3:prefix': 'outbound/' } }), 'denied'],
    ['smoke cannot delete tenant data', 'smoke', 's3:DeleteObject', () => `${tenantBucket()}/inbound/trades.csv`, () => ({ resourcePolicy: bucketPol() }), 'denied'],
  ])('%s', async (_name, kind, action, resource, extra, expected) => {
    const decision = await decide(kind, action, resource(), extra());
    if (expected === 'Allowed') expect(decision).toBe('Allowed');
    else expect(decision).not.toBe('Allowed');
  });

  it('a CI role missing from adminRoleArns is denied by the tenant bucket policy (why ci-policies warns)', async () => {
    const p = config.platform; // the examples do not list the CI roles
    const result = await runSimulation(
      {
        request: {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/sftp-github-plan/github`,
          action: 's3:GetBucketPolicy',
          resource: { resource: tenantBucket(), accountId: ACCOUNT },
          contextVariables: { 'aws:PrincipalArn': ciRoleArn(p, 'plan'), 'aws:SecureTransport': 'true' },
        },
        identityPolicies: [{ name: 'ci', policy: permissionPolicy(p, 'plan') }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: bucketPolicy(p, 'harbor-asset-mgmt', keyArn),
      },
      { simulationMode: 'Strict' } as never,
    );
    expect((result as { overallResult?: string }).overallResult).not.toBe('Allowed');
  });

  it('trust policies admit only GitHub OIDC tokens for this repository and that job', () => {
    const p = config.platform;
    const subjects = (['plan', 'apply', 'smoke'] as const).map((k) => trustPolicy(p, 'acme/sftp-config', k).Statement[0]!.Condition!.StringEquals!['token.actions.githubusercontent.com:sub']);
    expect(subjects).toEqual(['repo:acme/sftp-config:pull_request', 'repo:acme/sftp-config:environment:production', 'repo:acme/sftp-config:ref:refs/heads/main']);
    for (const r of ciRoles(p, 'acme/sftp-config')) {
      const s = r.trustPolicy.Statement;
      expect(s).toHaveLength(1);
      expect(s[0]).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` } });
      expect(s[0]!.Condition!.StringEquals!['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
      // IAM's limit for an inline role policy.
      expect(JSON.stringify(r.policy).length).toBeLessThan(10_240);
    }
  });
});

describe('sftp-tenants ci-policies', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), env: {}, cwd: REPO_ROOT, now: () => new Date('2026-12-01T00:00:00Z'), isTTY: false } };
  };

  it('prints the three roles as JSON and warns that the examples do not list them as admin roles', async () => {
    const t = io();
    expect(await run(['ci-policies', '--repo', 'acme/sftp-config', '--format', 'json'], t.io)).toBe(0);
    const printed = JSON.parse(t.out.join('')) as { roles: Array<{ name: string; policy: unknown }> };
    expect(printed.roles.map((r) => r.name)).toEqual(['sftp-github-plan', 'sftp-github-apply', 'sftp-github-smoke']);
    expect(printed.roles[1]!.policy).toEqual(permissionPolicy(config.platform, 'apply'));
    expect(t.err.join('')).toContain("adminRoleArns lacks arn:aws:iam::123456789012:role/sftp-github-plan");
  });

  it.each([
    ['no repository', ['ci-policies'], 'name the GitHub repository'],
    ['a malformed repository', ['ci-policies', '--repo', 'acme'], 'is not of the form OWNER/NAME'],
    ['an unknown format', ['ci-policies', '--repo', 'acme/x', '--format', 'yaml'], 'unknown --format yaml'],
  ])('refuses %s', async (_name, argv, message) => {
    const t = io();
    expect(await run(argv, t.io)).toBe(1);
    expect(t.err.join('')).toContain(message);
  });
});
